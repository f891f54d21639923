"""Isolation registrations of the service app (one module per feature)."""

from tests.service import isolation_mail  # noqa: F401
