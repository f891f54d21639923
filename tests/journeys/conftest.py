import pytest

from tests.journeys.engine_steps import RUNS, register_test_steps


@pytest.fixture(autouse=True)
def _test_steps():
    register_test_steps()
    RUNS.clear()
    yield
    RUNS.clear()
