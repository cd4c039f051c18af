"""Helpers the test modules share: servers, shared data, pages and forms."""
