"""callcentre: every workspace URL that takes an object id registers here (tests.isolation).
Each part keeps its registrations in isolation_<part>.py, imported below."""

from tests.callcentre import (  # noqa: F401
    isolation_calls,
    isolation_kpis,
    isolation_planning,
    isolation_quality,
)
