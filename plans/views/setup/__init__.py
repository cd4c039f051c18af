"""Plan set-up, for the plan's administrators: its details and themes, the
council's directory, meetings and members, without the admin site; and
starting a plan. A module a section, as the rules in plans/setup/.

Every page checks ``can_manage_plan`` (others 403; non-members 404). The form
pages share one shape (common.SetUpPage): they read the form and call
plans/setup/, which holds the rules and writes with history; a refusal comes
back as a form error (400), a stale form as a conflict (409), and a double
submit finds the record the first one made.
"""
