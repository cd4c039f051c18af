"""Setting a plan up, by its plan administrators, a module a section: the plan's
details and themes (details), the council's directory of owners and partner
organisations (directory), meetings (meetings), members and their e-mails
(members), and starting a plan with its areas (start).

The views only read forms and call these functions; the rules live here. Each
function checks that ``by`` may manage the plan (plans/permissions.py), and
every write goes through ``save()`` or ``delete()`` with ``by`` and a reason,
so history says who changed what and why. Edits are version-checked and
creates made once per form token, by plans/services.py like every other write.
"""
