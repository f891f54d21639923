"""Isolation registrations of service's URLs (each part of service in its own module)."""

from tests.service import isolation_quality  # noqa: F401
