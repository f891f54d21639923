"""Fixtures shared by the contact tests."""

from tests.contacts.test_export import excel  # noqa: F401 - the Excel export round trip
