"""A load test for the service: virtual users sign in and use it over HTTP (see run.py)."""
