"""Imported by the Celery worker of the journeys worker test (`--include`): the worker
process needs the test step types too."""

from tests.journeys.engine_steps import register_test_steps

register_test_steps()
