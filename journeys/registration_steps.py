"""What the steps part of journeys registers: the step types (journeys.steps.registry) and
the reaction to a low satisfaction score (the win-back journey, workspaces.lifecycle)."""

# (key, label, url name, permission): the pages this part adds to the app's menu.
NAV_PAGES: tuple = ()


def register() -> None:
    """Register the step types, in the order the builder offers them, and the low
    satisfaction hook."""
    from .steps import branch, email, records, timing, webhook
    from .steps.registry import register_step_type

    for step_type in (
        email.STEP_TYPE,
        timing.STEP_TYPE,
        branch.STEP_TYPE,
        *records.STEP_TYPES,
        webhook.STEP_TYPE,
    ):
        register_step_type(step_type)
