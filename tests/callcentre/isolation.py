"""callcentre: every workspace URL that takes an object id registers here (tests.isolation).
Each part keeps its registrations in isolation_<part>.py, imported below."""

from tests.callcentre import isolation_calls, isolation_quality  # noqa: E402, F401, I001
