"""Forms for setting a plan up (plans/views/setup/), as GOV.UK components, a
module a section as in plans/setup/.

The forms read and check what was typed; the rules (who may be given which
role, what a council may pick) are in plans/setup/. Choices of owners'
organisations and accounts are limited to the plan's council and members, so
an id from elsewhere is an ordinary form error.
"""
