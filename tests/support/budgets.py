"""The query budget of each page, and a plan grown to 20 times its data to
show that the count does not grow with it."""

import datetime

from plans.models import ProgressUpdate
from plans.saving import save_with_history
from tests import factories

# Every signed-in page pays 7: the session and the user (2), the user's and
# their groups' permissions (2), and the session's renewal on each request
# (savepoint, update, release: 3). The rest is the page's own, named here.
CHANGE_LISTS = {"plan_changes", "area_history"}


OVERHEAD = 7


BUDGETS = {
    # areas, actions, overdue, due soon, drafts, submitted; the next return: its
    # meetings and the updates that count towards it
    "my_work": OVERHEAD + 8,
    # plan; the filters' choices: the areas counted (with and without a theme
    # and a lead), themes, leads; areas with status; count awaiting sign-off
    "plan": OVERHEAD + 6,
    # The same with every filter applied and sorted by status (severity is one
    # more subquery in the areas' query, not a query).
    "plan_filtered": OVERHEAD + 6,
    # area, actions, partners, milestones, updates, current, perms; success measures
    # (measures/pages.py): settings, measures with their owners, figures
    "area": OVERHEAD + 10,
    # plan, submitted updates: each with its area and that area's last approved
    # RAG ("Amber → Red"), a subquery in the same query, so still 2
    "sign_off": OVERHEAD + 2,
    # Any page, any filters: plan; the filter form's areas and people; the page's
    # rows across every kind of record (one UNION) and their count; for each kind
    # on the page (up to 10 for administrators) its rows with the rows before;
    # partners; the kinds of record they name (up to 7); which updates may be opened
    # … + success measures and their figures (measures/): up to 12 kinds on the
    # page, and measures among the kinds named (up to 8)
    "plan_changes": OVERHEAD + 27,
    # The same for one area: area; people; rows; count; up to 4 kinds; partners;
    # up to 6 kinds named; which updates may be opened
    # … + measures and figures: up to 6 kinds, up to 7 kinds named
    "area_history": OVERHEAD + 19,
    "action_history": OVERHEAD + 6,  # also partners
    "milestone_history": OVERHEAD + 5,
    # A measure and its figures (measures/views/history.py): the measure; rows;
    # count; 2 kinds; the kinds named (measures, areas, actions, owners, people)
    "measure_history": OVERHEAD + 10,
    "update": OVERHEAD + 1,  # the update with its area, plan and people
    # The plan; each kind's first hits with the count of them all (plans/search/):
    # areas, actions, milestones, approved updates, success measures (measures/)
    "search": OVERHEAD + 1 + 5,
}


def grow(world, times: int, start: int = 10, theme=None) -> None:
    """Add ``times`` areas' worth of data to the world's plan, all led and
    owned by the officer (and in ``theme``, if given), with changes in history."""
    officer, admin = world.users["officer"], world.users["admin"]
    for i in range(start, start + times):
        area = factories.ImprovementAreaFactory(
            plan=world.plan, number=i, lead=world.area.lead, theme=theme
        )
        for j in range(2):
            action = factories.ActionFactory(area=area, reference=f"{i}.{j}", owner=world.area.lead)
            action.partners.add(factories.OrganisationFactory())
            factories.MilestoneFactory(area=area, action=action, due_date=datetime.date.today())
        factories.ProgressUpdateFactory(area=area, approved=True, author=officer, approved_by=admin)
        factories.ProgressUpdateFactory(
            area=area, author=officer, state=ProgressUpdate.State.SUBMITTED
        )
        factories.ProgressUpdateFactory(area=area, author=officer)
        # Changes to the world's own records too, so their history pages grow.
        for obj in (world.area, world.action, world.milestone):
            obj.version += 1
            save_with_history(obj, reason=f"Change {i}", user=admin)
        factories.ProgressUpdateFactory(
            area=world.area, author=officer, approved=True, approved_by=admin
        )
        factories.MilestoneFactory(area=world.area, due_date=datetime.date.today())
