"""Measures' pages: defining measures, entering figures (one, many, or from a
file) and the scorecard's downloads. Views parse the request, check the rules
in plans/permissions.py and call measures/services.py."""
