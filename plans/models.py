"""The improvement plan in its own words.

Plan → improvement area → action → milestone, with owners (roles, not people)
and partner organisations; progress updates are dated records that are never
overwritten; meetings are where the plan is reported.

Every model keeps its full history with django-simple-history: who changed it
(the history middleware records the signed-in user), when, and why (set
``instance._change_reason`` before ``save()``; the services do this). Writes
must go through ``save()`` — ``queryset.update()`` and bulk writes bypass
history and are not used on these models.
"""

from __future__ import annotations

import calendar
import datetime
import functools
from typing import TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, F, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.text import slugify
from simple_history.models import HistoricalRecords

from core.dates import long_date
from core.rag import RAG

from .roles import Role


class DatePrecision(models.TextChoices):
    """Whether a date is a real day or stands for a month ("end of June")."""

    DAY = "day", "Day"
    MONTH = "month", "Month"


def end_of_month(day: datetime.date) -> datetime.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def format_plan_date(day: datetime.date | None, precision: str = DatePrecision.DAY) -> str:
    """'31 March 2015', or 'June 2015' for a month-only date."""
    if day is None:
        return ""
    if precision == DatePrecision.MONTH:
        return day.strftime("%B %Y")
    return long_date(day)


# In the title of a plan of made-up data (demo/council.py): every page of such a
# plan says so in a banner, and every paper prints the title.
ILLUSTRATIVE_MARK = "(illustrative data)"


class ImprovementAreaQuerySet(models.QuerySet):
    def with_status(self) -> ImprovementAreaQuerySet:
        """Annotate each area's current status: its latest approved update's RAG,
        as-at date and whether the status was assessed (``current_rag``,
        ``current_as_at``, ``current_rag_assessed``). One subquery each,
        served by the ``update_area_state_asat`` index."""
        latest = ProgressUpdate.objects.filter(area=OuterRef("pk")).latest_approved_first()
        return self.annotate(
            current_rag=Subquery(latest.values("rag")[:1]),
            current_as_at=Subquery(latest.values("as_at")[:1]),
            current_rag_assessed=Subquery(latest.values("rag_assessed")[:1]),
        )

    def with_overdue_count(self, today: datetime.date) -> ImprovementAreaQuerySet:
        """Annotate ``overdue_milestones`` (open milestones whose expected date
        has passed), ``overdue_actions`` (by ``ActionDates.is_overdue``) and
        ``overdue_total``, both."""

        def count(queryset):
            counted = queryset.order_by().values("area").annotate(n=Count("pk")).values("n")
            return Coalesce(Subquery(counted), Value(0), output_field=IntegerField())

        return self.annotate(
            overdue_milestones=count(Milestone.objects.filter(area=OuterRef("pk")).overdue(today)),
            overdue_actions=count(Action.objects.filter(area=OuterRef("pk")).overdue(today)),
        ).annotate(overdue_total=F("overdue_milestones") + F("overdue_actions"))

    def for_overview(self, today: datetime.date) -> ImprovementAreaQuerySet:
        """Everything the plan overview shows of each area, in one query."""
        return (
            self.select_related("lead__organisation", "theme")
            .with_status()
            .with_overdue_count(today)
            .order_by("number")
        )


class MilestoneQuerySet(models.QuerySet):
    def open(self) -> MilestoneQuerySet:
        return self.filter(status=Milestone.Status.OPEN)

    def overdue(self, today: datetime.date) -> MilestoneQuerySet:
        """Open milestones whose expected date (forecast, else due) is before today."""
        return self.open().alias(expected=expected_date_in_query()).filter(expected__lt=today)

    def due_within(self, today: datetime.date, days: int) -> MilestoneQuerySet:
        """Open milestones expected from today up to ``days`` days ahead."""
        end = today + datetime.timedelta(days=days)
        return (
            self.open()
            .alias(expected=expected_date_in_query())
            .filter(expected__gte=today, expected__lte=end)
        )


class ActionQuerySet(models.QuerySet):
    def overdue(self, today: datetime.date) -> ActionQuerySet:
        """Actions past their due date and neither complete nor cancelled
        (``ActionDates.is_overdue``)."""
        return self.filter(action_overdue_in_query(today))


class OrganisationQuerySet(models.QuerySet):
    def of_council(self, council_id: int) -> OrganisationQuerySet:
        """The council itself and its partners."""
        return self.filter(Q(pk=council_id) | Q(council_id=council_id))


class OwnerQuerySet(models.QuerySet):
    def of_council(self, council_id: int) -> OwnerQuerySet:
        """Owners in the council or one of its partners."""
        return self.filter(
            Q(organisation_id=council_id) | Q(organisation__council_id=council_id)
        ).select_related("organisation")


class Organisation(models.Model):
    """The council and its partners (hospital trust, CCG, police, colleges…)."""

    class Kind(models.TextChoices):
        COUNCIL = "council", "Council"
        HEALTH = "health", "Health"
        POLICE = "police", "Police"
        EDUCATION = "education", "Education and skills"
        PARTNERSHIP = "partnership", "Partnership or board"
        OTHER = "other", "Other"

    name = models.CharField(max_length=200)
    short_name = models.CharField(max_length=50, blank=True, default="")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OTHER)
    # Whose directory a partner belongs to: each council sees its own partners
    # and owners only, so one installation can serve many councils. Empty for
    # a council itself.
    council = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="partner_organisations",
        limit_choices_to={"council__isnull": True},
    )
    # The edit lock, as on areas: bumped by every checked save (plans/services.py).
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()
    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["council", "name"], name="organisation_unique_name_per_council"
            ),
            models.UniqueConstraint(
                fields=["name"],
                condition=Q(council__isnull=True),
                name="council_unique_name",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def council_id_or_own(self) -> int:
        """The council whose directory this organisation is in."""
        return self.council_id or self.pk


class Owner(models.Model):
    """A role that owns part of the plan, e.g. "Head of Children's Social Care".

    The seed plan names roles, not people; a role may be linked to the user
    account of whoever holds it now.
    """

    job_title = models.CharField(max_length=200)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="owners")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owner_roles",
    )
    # The edit lock, as on areas: bumped by every checked save (plans/services.py).
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()
    objects = OwnerQuerySet.as_manager()

    class Meta:
        ordering = ["job_title"]
        constraints = [
            models.UniqueConstraint(
                fields=["job_title", "organisation"], name="owner_unique_title_per_organisation"
            ),
        ]

    def __str__(self) -> str:
        if self.organisation.short_name:
            return f"{self.job_title} ({self.organisation.short_name})"
        return self.job_title


class Plan(models.Model):
    """An improvement plan written in answer to an inspection."""

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="plans")
    inspection_name = models.CharField(max_length=300)
    inspection_start = models.DateField()
    inspection_end = models.DateField()
    judgement_areas = models.TextField(
        blank=True, default="", help_text="The judgement areas the inspection covered, one a line."
    )
    sent_to_inspectorate = models.DateField(null=True, blank=True)
    board_name = models.CharField(max_length=200, default="Improvement Board")
    board_description = models.TextField(blank=True, default="")
    overview = models.TextField(blank=True, default="")
    # Who may see the plan, and as what, is in its memberships (Membership).
    officers_may_update_any_area = models.BooleanField(
        default=False,
        help_text="Let officers propose progress updates on areas they do not own.",
    )
    officers_see_submitted_updates = models.BooleanField(
        default=False,
        help_text="Let officers read other officers' updates while they wait for sign-off.",
    )
    escalate_overdue_after_days = models.PositiveSmallIntegerField(
        "Escalate milestones overdue by more than (days)",
        default=0,
        help_text="The assurance summary lists an overdue milestone as an exception once it is "
        "this many days late. 0: every overdue milestone.",
    )
    # The edit lock, as on areas: bumped by every checked save (plans/services.py).
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    class Meta:
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(inspection_end__gte=F("inspection_start")),
                name="plan_inspection_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def council(self) -> Organisation:
        """The council whose plan this is, named on its pages, papers and e-mails.

        Plans are started for a council, so this is the plan's organisation (no
        query when it was selected with the plan); a partner set as the
        organisation in the admin site answers with its council.
        """
        organisation = self.organisation
        return organisation.council if organisation.council_id else organisation

    @property
    def file_prefix(self) -> str:
        """The council, as the start of a downloaded file's name
        ("plymouth-city-council-board-report-…"): files from two councils' plans
        never pass for each other in someone's downloads folder."""
        return slugify(self.council.name)[:60]


class Membership(models.Model):
    """A user's role in one plan. Without one, the plan does not exist for them."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "user"], name="membership_unique_per_plan"),
            models.CheckConstraint(
                condition=Q(role__in=[r.value for r in Role]), name="membership_valid_role"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} in {self.plan}"


class Theme(models.Model):
    """One of the inspection's judgement areas, used to group improvement areas."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="themes")
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100)
    order = models.PositiveSmallIntegerField(default=0)
    # The edit lock, as on areas: bumped by every checked save (plans/services.py).
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "slug"], name="theme_unique_slug_per_plan"),
        ]

    def __str__(self) -> str:
        return self.name


class ImprovementArea(models.Model):
    """One of the plan's improvement areas: an inspector's recommendation."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="areas")
    number = models.PositiveSmallIntegerField()
    recommendation = models.TextField()
    theme = models.ForeignKey(
        Theme, on_delete=models.SET_NULL, null=True, blank=True, related_name="areas"
    )
    lead = models.ForeignKey(
        Owner, on_delete=models.SET_NULL, null=True, blank=True, related_name="areas_led"
    )
    # Bumped on every save through the services; a form that posts an older
    # version is refused rather than overwriting someone else's change.
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()
    objects = ImprovementAreaQuerySet.as_manager()

    class Meta:
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="area_unique_number_per_plan"),
            models.CheckConstraint(condition=Q(number__gte=1), name="area_number_positive"),
            models.CheckConstraint(
                condition=~Q(recommendation=""), name="area_recommendation_not_empty"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.recommendation}"

    def clean(self) -> None:
        if self.theme_id and self.plan_id and self.theme.plan_id != self.plan_id:
            raise ValidationError({"theme": "Select a theme from this plan"})


class ActionDates:
    """Whether an action is overdue: one home for the rule, shared by actions
    and their history rows (``HistoricalRecords(bases=...)``) as MilestoneDates
    is, so a page or paper as at a past date judges as today's pages do.
    ``action_overdue_in_query`` is the same rule for the database."""

    @property
    def due_display(self) -> str:
        return format_plan_date(self.due_date)

    def is_overdue(self, today: datetime.date) -> bool:
        """Due before ``today`` and neither complete nor cancelled; an action
        with no due date is never overdue."""
        return (
            self.due_date is not None and self.due_date < today and self.status not in Action.DONE
        )


def action_overdue_in_query(today: datetime.date) -> Q:
    """``ActionDates.is_overdue`` as a condition on actions, to filter in the
    database (a null due date is never before ``today``)."""
    return Q(due_date__lt=today) & ~Q(status__in=Action.DONE)


class Action(ActionDates, models.Model):
    """A piece of work under an improvement area, e.g. "9.2"."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        COMPLETE = "complete", "Complete"
        CANCELLED = "cancelled", "Cancelled"

    # Finished with, one way or the other: never overdue (ActionDates).
    DONE = (Status.COMPLETE, Status.CANCELLED)

    area = models.ForeignKey(ImprovementArea, on_delete=models.CASCADE, related_name="actions")
    reference = models.CharField(max_length=20)
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True, default="")
    owner = models.ForeignKey(
        Owner, on_delete=models.SET_NULL, null=True, blank=True, related_name="actions"
    )
    partners = models.ManyToManyField(Organisation, blank=True, related_name="actions")
    start_date = models.DateField(null=True, blank=True)
    due_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NOT_STARTED)
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords(m2m_fields=[partners], bases=[ActionDates, models.Model])
    objects = ActionQuerySet.as_manager()

    class Meta:
        ordering = ["area", "reference"]
        constraints = [
            models.UniqueConstraint(
                fields=["area", "reference"], name="action_unique_reference_per_area"
            ),
            models.CheckConstraint(
                condition=Q(start_date__isnull=True)
                | Q(due_date__isnull=True)
                | Q(due_date__gte=F("start_date")),
                name="action_due_not_before_start",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["not_started", "in_progress", "complete", "cancelled"]),
                name="action_valid_status",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"


class MilestoneDates:
    """When a milestone is expected and whether it is overdue: one home for the
    rule, shared by milestones and their history rows (``HistoricalRecords(bases=...)``),
    so the dashboard as at a past date judges exactly as today's pages do."""

    @property
    def due_display(self) -> str:
        return format_plan_date(self.due_date, self.due_precision)

    @property
    def expected_date(self) -> datetime.date:
        """When the milestone is now expected: the forecast if re-forecast, else due."""
        return self.forecast_date or self.due_date

    def is_overdue(self, today: datetime.date) -> bool:
        return self.status == Milestone.Status.OPEN and self.expected_date < today


Who = TypeVar("Who")  # an owner, or an account


def expected_date_in_query() -> Coalesce:
    """``MilestoneDates.expected_date`` (the forecast, else the due date) as a
    query expression on milestones, to filter or read it in the database."""
    return Coalesce("forecast_date", "due_date")


def answers_for_milestone(action_owner: Who | None, area_lead: Who | None) -> Who | None:
    """Who answers for a milestone: its action's owner, else its area's lead.
    Given as owners or as their accounts: for accounts, an action owner with
    no account leaves the milestone to the area lead's."""
    return action_owner if action_owner is not None else area_lead


def answers_for_milestone_in_query(then: str = "") -> Coalesce:
    """``answers_for_milestone`` as a query expression on milestones: the
    owner, or with ``then`` ("__user") the owner's account."""
    return Coalesce(f"action__owner{then}", f"area__lead{then}")


class Milestone(MilestoneDates, models.Model):
    """A dated step under an area (and optionally one of its actions).

    ``due_precision`` says whether the due date is a day or stands for a whole
    month ("by end of June"); month-only dates are stored as the month's last
    day, so "overdue" means the same thing for both.
    """

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        COMPLETE = "complete", "Complete"

    area = models.ForeignKey(ImprovementArea, on_delete=models.CASCADE, related_name="milestones")
    action = models.ForeignKey(
        Action, on_delete=models.SET_NULL, null=True, blank=True, related_name="milestones"
    )
    title = models.CharField(max_length=300)
    due_date = models.DateField()
    due_precision = models.CharField(
        max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    forecast_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    completed_date = models.DateField(null=True, blank=True)
    note = models.TextField(blank=True, default="")
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords(bases=[MilestoneDates, models.Model])
    objects = MilestoneQuerySet.as_manager()

    class Meta:
        ordering = ["area", "due_date", "title"]
        indexes = [
            # The dashboard's and "my work" lists of overdue and upcoming milestones.
            models.Index(fields=["status", "due_date"], name="milestone_status_due"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(status="complete") & Q(completed_date__isnull=False))
                | (Q(status="open") & Q(completed_date__isnull=True)),
                name="milestone_completed_has_date",
            ),
            models.CheckConstraint(
                condition=Q(due_precision__in=["day", "month"]),
                name="milestone_valid_due_precision",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.due_display})"

    def clean(self) -> None:
        if self.action_id and self.area_id and self.action.area_id != self.area_id:
            raise ValidationError({"action": "Select an action from this improvement area"})


def untold_story(
    rag: str | None, last_rag: str | None, reason: str, next_steps: str
) -> dict[str, str]:
    """What an update must say and does not, by field: why its status is what
    it is when it is amber or red, or worse than the last approved status
    (``rag_reason``), and what happens next when it is amber or red
    (``next_steps``). Empty when the story is told. The one home of the rule:
    the update form (and so the workbook) and submitting a saved draft ask it."""
    untold: dict[str, str] = {}
    if not rag:
        return untold
    exception = rag in (RAG.AMBER, RAG.RED)
    if not reason.strip():
        if RAG.is_worse(rag, last_rag):
            untold["rag_reason"] = (
                f"Enter why the status is worse than the last approved status "
                f"({RAG(last_rag).label})"
            )
        elif exception:
            untold["rag_reason"] = f"Enter why the status is {RAG(rag).label}"
    if exception and not next_steps.strip():
        untold["next_steps"] = (
            f"Enter the next steps: what will happen while the status is {RAG(rag).label}"
        )
    return untold


class ProgressUpdateQuerySet(models.QuerySet):
    def latest_approved_first(self) -> ProgressUpdateQuerySet:
        """Approved updates, the one that is an area's current status first."""
        return self.filter(state=ProgressUpdate.State.APPROVED).order_by(
            *ProgressUpdate.LATEST_FIRST
        )


class FrozenRecord(Exception):
    """The record is what a board saw and can no longer be changed."""


class ProgressUpdate(models.Model):
    """A dated report of progress on an area (and optionally one action).

    Updates are never overwritten: each is its own record. Only approved
    updates count as an area's status and reach board papers.
    """

    class State(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        RETURNED = "returned", "Returned"
        APPROVED = "approved", "Approved"

    area = models.ForeignKey(ImprovementArea, on_delete=models.CASCADE, related_name="updates")
    action = models.ForeignKey(
        Action, on_delete=models.SET_NULL, null=True, blank=True, related_name="updates"
    )
    as_at = models.DateField(help_text="The date the update reports progress as at.")
    rag = models.CharField("RAG status", max_length=5, choices=RAG.choices)
    narrative = models.TextField()
    next_steps = models.TextField(blank=True, default="")
    evidence = models.TextField(blank=True, default="", help_text="Links to evidence, one a line.")
    rag_reason = models.TextField(
        blank=True,
        default="",
        help_text="Why the status is what it is: needed when it is amber or red, or worse "
        "than the last approved one.",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="progress_updates",
    )
    source = models.CharField(
        max_length=300,
        blank=True,
        default="",
        help_text="Where an update not written in the service came from, e.g. a committee paper.",
    )
    # The seed's May 2015 paper gives no statuses: the loader assessed each from
    # the narrative. Everywhere the status is shown it is marked as assessed.
    rag_assessed = models.BooleanField(
        "RAG status assessed when loaded",
        default=False,
        help_text="The status was assessed from the narrative when the plan was loaded; "
        "the source gave none.",
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT)
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="approved_updates",
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    review_comment = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()
    objects = ProgressUpdateQuerySet.as_manager()

    # Which approved update is an area's status: the latest as-at date, then the
    # latest approval. The one ordering everywhere (pages, papers as at a date).
    LATEST_FIRST = ("-as_at", "-approved_at", "-id")

    class Meta:
        ordering = ["area", "-as_at", "-id"]
        permissions = [("approve_progressupdate", "Can approve (sign off) progress updates")]
        indexes = [
            # An area's current status: its latest approved update.
            models.Index(fields=["area", "state", "as_at"], name="update_area_state_asat"),
            # The sign-off queue.
            models.Index(fields=["state", "submitted_at"], name="update_state_submitted"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(rag__in=[r.value for r in RAG]), name="update_valid_rag"
            ),
            models.CheckConstraint(
                condition=Q(state__in=["draft", "submitted", "returned", "approved"]),
                name="update_valid_state",
            ),
            models.CheckConstraint(
                condition=~Q(state="approved") | Q(approved_at__isnull=False),
                name="update_approved_has_time",
            ),
            models.CheckConstraint(condition=~Q(narrative=""), name="update_narrative_not_empty"),
        ]

    def __str__(self) -> str:
        as_at = format_plan_date(self.as_at)
        return f"Area {self.area.number} update as at {as_at} ({self.get_rag_display()})"

    def save(self, *args, **kwargs) -> None:
        # An approved update is what the board saw: papers as at past dates rely
        # on it never changing, whichever path (page, admin site, shell) asks.
        if self._stored_as_approved():
            raise FrozenRecord("An approved update cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self._stored_as_approved():
            raise FrozenRecord("An approved update cannot be deleted")
        return super().delete(*args, **kwargs)

    def _stored_as_approved(self) -> bool:
        return (
            self.pk is not None
            and ProgressUpdate.objects.filter(pk=self.pk, state=self.State.APPROVED).exists()
        )


class Meeting(models.Model):
    """A meeting the plan is reported to."""

    class Kind(models.TextChoices):
        IMPROVEMENT_BOARD = "improvement_board", "Improvement Board"
        SAFEGUARDING_ASSURANCE = "safeguarding_assurance", "Safeguarding Assurance meeting"
        SCRUTINY_PANEL = "scrutiny_panel", "Scrutiny panel"

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="meetings")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    date = models.DateField()
    date_precision = models.CharField(
        max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    title = models.CharField(max_length=300)
    # A cancelled meeting is kept (with any papers issued to it), not deleted.
    cancelled = models.BooleanField(default=False)
    # The edit lock, as on areas: bumped by every checked save (plans/services.py).
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "date", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "kind", "date"], name="meeting_unique_kind_date_per_plan"
            ),
            models.CheckConstraint(
                condition=Q(
                    kind__in=["improvement_board", "safeguarding_assurance", "scrutiny_panel"]
                ),
                name="meeting_valid_kind",
            ),
        ]

    def __str__(self) -> str:
        # The title is what the plan administrator typed; it may already carry the date.
        if self.title_mentions_date:
            return self.title
        return f"{self.title} ({self.date_display})"

    @property
    def date_display(self) -> str:
        return format_plan_date(self.date, self.date_precision)

    @property
    def label(self) -> str:
        """The meeting where meetings are listed: its title and date, the date once."""
        if self.title_mentions_date:
            return self.title
        return f"{self.title}, {self.date_display}"

    @property
    def title_mentions_date(self) -> bool:
        day, title = self.date, self.title.casefold()
        if day is None:
            return False
        written = {
            format_plan_date(day, self.date_precision),
            day.strftime("%B %Y"),
            day.strftime("%b %Y"),
            day.isoformat(),
            f"{day.day}/{day.month}/{day.year}",
            day.strftime("%d/%m/%Y"),
        }
        return any(form.casefold() in title for form in written)


class UsedFormToken(models.Model):
    """A create form's one-time token, stored with what it created, so that a
    double submit (a double click, Back and submit again) makes one record."""

    token = models.UUIDField(unique=True)
    model = models.CharField(max_length=100)
    object_id = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.model} {self.object_id}"


class AccountKey(models.Model):
    """An account's user name and e-mail address as people read them: NFKC
    normalised and case folded (plans/accounts.py), so that "ｏfficer", "OFFICER"
    and "officer" are one name. auth.User's own rule compares exact text only;
    these unique constraints are the rule every way of saving a user obeys.

    Kept in step with the user by plans/accounts.py on every save; derived, so
    it keeps no history of its own."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="account_key",
    )
    # Text, not a bounded CharField: NFKC may lengthen a name (one character
    # can become several), and a key must never fail for its length.
    username_key = models.TextField()
    # Empty for an account without an e-mail address; many may have none.
    email_key = models.TextField(blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["username_key"], name="account_username_key_unique"),
            models.UniqueConstraint(
                fields=["email_key"],
                condition=~Q(email_key=""),
                name="account_email_key_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.username_key


@functools.cache
def history_rows(model: type[models.Model]):
    """``model.history`` (the class-level manager of its history rows), made
    once: simple-history builds a new manager class on every access (about
    0.1 ms with its introspection; a dashboard asked 29 times)."""
    return model.history
