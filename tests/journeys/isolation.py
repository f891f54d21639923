"""journeys: every workspace URL that takes an object id registers here (tests.isolation).
Each part keeps its registrations in isolation_<part>.py, imported below."""

from tests.journeys import isolation_builder  # noqa: F401, E402
