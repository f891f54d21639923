"""The contact cycle, automated: journeys (trigger, conditions, steps) that enrol contacts and
advance them with a periodic task. Sits above marketing, sales, service and scoring: its steps
call their services."""
