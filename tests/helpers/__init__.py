"""Helpers for the tests: HTTP journeys, databases, fakes of outside services. Imported by
tests and by conftest.py's fixtures; conftest.py holds only fixtures."""
