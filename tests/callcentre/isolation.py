"""callcentre: every workspace URL that takes an object id registers here (tests.isolation).
Each part keeps its registrations in isolation_<part>.py, imported below."""

from . import isolation_planning  # noqa: F401
