"""Factories for every model, for tests. Plans made here are small and valid."""

import datetime

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from plans import models


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"User {n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("correct-horse-battery")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Organisation
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Organisation {n}")
    short_name = ""
    kind = models.Organisation.Kind.COUNCIL


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Membership

    plan = factory.SubFactory("tests.factories.PlanFactory")
    user = factory.SubFactory(UserFactory)
    role = models.Role.BOARD_MEMBER


def join(plan: models.Plan, members: dict) -> None:
    """Give each user their role in ``plan``: ``join(plan, {user: OFFICER})``."""
    for user, role in members.items():
        MembershipFactory(plan=plan, user=user, role=role)


class OwnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Owner

    job_title = factory.Sequence(lambda n: f"Service Manager {n}")
    organisation = factory.SubFactory(OrganisationFactory)


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Plan

    title = factory.Sequence(lambda n: f"Improvement Plan {n}")
    slug = factory.Sequence(lambda n: f"plan-{n}")
    organisation = factory.SubFactory(OrganisationFactory)
    inspection_name = "Inspection of services for children"
    inspection_start = datetime.date(2014, 10, 1)
    inspection_end = datetime.date(2014, 11, 30)
    sent_to_inspectorate = datetime.date(2015, 4, 14)


class ThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Theme

    plan = factory.SubFactory(PlanFactory)
    name = factory.Sequence(lambda n: f"Theme {n}")
    slug = factory.Sequence(lambda n: f"theme-{n}")


class ImprovementAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ImprovementArea

    plan = factory.SubFactory(PlanFactory)
    number = factory.Sequence(lambda n: n + 1)
    recommendation = factory.Sequence(lambda n: f"Improve practice in area {n}.")
    # Owners are in the plan's council's directory, as the forms require.
    lead = factory.SubFactory(
        OwnerFactory, organisation=factory.SelfAttribute("..plan.organisation")
    )


class ActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Action
        skip_postgeneration_save = True

    area = factory.SubFactory(ImprovementAreaFactory)
    reference = factory.Sequence(lambda n: f"A.{n}")
    title = factory.Sequence(lambda n: f"Action {n}")
    owner = factory.SubFactory(
        OwnerFactory, organisation=factory.SelfAttribute("..area.plan.organisation")
    )
    start_date = datetime.date(2015, 4, 1)
    due_date = datetime.date(2015, 9, 30)

    @factory.post_generation
    def partners(self, create: bool, extracted: list | None, **kwargs: object) -> None:
        if create and extracted:
            self.partners.set(extracted)


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Milestone

    area = factory.SubFactory(ImprovementAreaFactory)
    title = factory.Sequence(lambda n: f"Milestone {n}")
    due_date = datetime.date(2015, 6, 30)


class ProgressUpdateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ProgressUpdate

    area = factory.SubFactory(ImprovementAreaFactory)
    as_at = datetime.date(2015, 5, 1)
    rag = models.RAG.GREEN
    narrative = factory.Sequence(lambda n: f"Progress report {n}.")
    author = factory.SubFactory(UserFactory)

    class Params:
        approved = factory.Trait(
            state=models.ProgressUpdate.State.APPROVED,
            submitted_at=factory.LazyFunction(timezone.now),
            approved_at=factory.LazyFunction(timezone.now),
            approved_by=factory.SubFactory(UserFactory),
        )


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Meeting

    plan = factory.SubFactory(PlanFactory)
    kind = models.Meeting.Kind.IMPROVEMENT_BOARD
    date = factory.Sequence(lambda n: datetime.date(2015, 3, 11) + datetime.timedelta(days=30 * n))
    title = "Improvement Board"
