"""What the steps part of journeys registers: the step types (journeys.steps.registry), the
built-in journeys as journey templates, the win-back trigger and the reaction to a low
satisfaction score (workspaces.lifecycle.on_low_satisfaction: the win-back journey)."""

# (key, label, url name, permission): the pages this part adds to the app's menu.
NAV_PAGES: tuple = ()


def register() -> None:
    """Register the step types (in the order the builder offers them), the built-in journey
    templates (and their demo data), the "customer.unhappy" trigger and the low satisfaction
    hook."""
    from workspaces import lifecycle
    from workspaces.registry import DemoSeeder, register_demo_seeder

    from . import builtin
    from .services.erasure import contact_erased_journeys
    from .steps import branch, email, records, timing, webhook
    from .steps.registry import register_step_type
    from .triggers import register_trigger_type

    for step_type in (
        email.STEP_TYPE,
        timing.STEP_TYPE,
        branch.STEP_TYPE,
        *records.STEP_TYPES,
        webhook.STEP_TYPE,
    ):
        register_step_type(step_type)
    register_trigger_type(builtin.unhappy_trigger())
    builtin.journey_templates_register()
    register_demo_seeder(DemoSeeder(key="journeys_builtin", seed=builtin.demo_seed, order=90))
    lifecycle.on_low_satisfaction.register(
        "journeys.win_back", builtin.win_back_on_low_satisfaction
    )
    # an erased contact leaves every journey at once
    lifecycle.on_contact_erased.register("journeys.enrolments", contact_erased_journeys)
    from . import privacy

    privacy.register()  # what the GDPR export holds of a contact
