"""scoring: every workspace URL that takes an object id registers here (tests.isolation).
Each part keeps its registrations in isolation_<part>.py, imported below."""

from tests.scoring import isolation_rules  # noqa: F401
