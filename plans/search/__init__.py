"""Finding anything in a plan: its areas, actions, milestones, approved
progress updates, and what other apps register (success measures).

``registry`` holds the kinds of record searched; ``plan_kinds`` registers the
plan's own; ``query`` finds each kind's hits (full-text on PostgreSQL,
``postgres``; every word on SQLite) with ``excerpt``; ``form`` reads what was
typed. The page is plans/views/search.py.
"""
