"""History made readable: who changed what, when, old → new, and why.

Reads django-simple-history's rows and turns each into a ``ChangeEntry``: a
heading in the plan's words ("Approved", "Changed: Milestone: …"), who and when,
the reason given, and one line a changed field ("Due date moved from 30 June
2015 to 30 September 2015", "RAG status: Amber → Red").

Change lists (``change_page``) are paged and filtered inside the database, so a
page costs a fixed number of queries whatever the history's length: one for the
page's row keys across every kind of record (a UNION), one to count them, then
for each kind of record on the page one for its rows and the rows before them,
one per many-to-many field, one per kind of record they name, and one to check
which progress updates the viewer may open.

Each kind of record is a ``Source`` (``registry``): the plan's own are in
``plan_records``; other apps add theirs from their ``AppConfig.ready``
(success measures and their figures, measures/change_log.py; return settings,
reminders/change_log.py). ``query`` chooses the rows, ``fetch`` reads them and
what they name, ``wording`` tells each change.

What a viewer sees of progress updates is decided in plans/permissions.py
(``update_visibility``); readers who see approved updates only (board,
scrutiny) see each one as published: its approval, without the row before it,
the reviewer's comment or the reason given.
"""

from .entries import ChangeEntry, ChangePage, FieldChange
from .fetch import history_of
from .query import ChangeFilter, change_page, kinds_for, people, start_of_day

__all__ = [
    "ChangeEntry",
    "ChangeFilter",
    "ChangePage",
    "FieldChange",
    "change_page",
    "history_of",
    "kinds_for",
    "people",
    "start_of_day",
]
