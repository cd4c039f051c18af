"""Set-up pages: the meetings the plan is reported to."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from plans.forms_setup.common import ReasonForm
from plans.forms_setup.meetings import MeetingForm
from plans.models import Meeting, Plan
from plans.setup import meetings as service

from .common import SetUpList, SetUpPage, added


class Meetings(SetUpList):
    template_name = "plans/setup/meetings.html"
    title = "Meetings"

    def rows(self, plan: Plan) -> dict[str, Any]:
        return {"meetings": Meeting.objects.filter(plan=plan).order_by("-date", "kind")}


class MeetingPage(SetUpPage):
    back = "setup_meetings"

    def find(self, pk: int) -> Meeting:
        meeting = Meeting.objects.filter(plan=self.plan, pk=pk).first()
        if meeting is None:
            raise Http404("No such meeting")
        meeting.plan = self.plan
        return meeting


class MeetingNew(MeetingPage):
    form_class = MeetingForm
    title = "Add a meeting"
    button = "Add meeting"

    def save(self, data: dict[str, Any], form) -> str:
        meeting, created = service.add_meeting(
            plan=self.plan, values=data, by=self.request.user, token=form.token
        )
        return f"Meeting “{meeting.label}” {added(created)}"


class MeetingEdit(MeetingPage):
    title = "Change a meeting"
    button = "Save"

    def make_form(self, data) -> MeetingForm:
        return MeetingForm(data, initial=MeetingForm.initial_for(self.record), editing=True)

    def save(self, data: dict[str, Any], form) -> str:
        service.edit_meeting(
            meeting=self.record,
            values=data,
            by=self.request.user,
            reason=data["reason"] or "Meeting changed",
            expected_version=data["version"] or 0,
        )
        return f"Meeting “{self.record.label}” saved"


class MeetingCancel(MeetingPage):
    """Cancel a meeting (or, ``cancel`` False, reinstate it): it stays in the list."""

    form_class = ReasonForm
    cancel = True

    def page(self) -> dict[str, Any]:
        verb = "Cancel" if self.cancel else "Reinstate"
        return {
            "title": f"{verb} the meeting “{self.record.label}”",
            "button": f"{verb} meeting",
            "warning": self.cancel,
            "intro": (
                "The meeting stays in the list, marked cancelled, with any papers issued to it."
                if self.cancel
                else "The meeting will be listed as going ahead again."
            ),
        }

    def save(self, data: dict[str, Any], form) -> str:
        changed = service.set_meeting_cancelled(
            meeting=self.record, cancelled=self.cancel, by=self.request.user, reason=data["reason"]
        )
        done = "cancelled" if self.cancel else "reinstated"
        return f"Meeting “{self.record.label}” {done if changed else 'was already ' + done}"


class MeetingReinstate(MeetingCancel):
    cancel = False
