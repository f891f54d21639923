"""What the satisfaction surveys, the knowledge base and the KPIs register with the lower apps
(called from service.registration): the timeline kind of an answer, the survey after each
resolution (service.hooks.on_case_resolved) and the demo seeder."""

from django.utils.translation import gettext_lazy as _

from touchpoints.registry import register_interaction_kind
from workspaces.registry import DemoSeeder, HomePanel, register_demo_seeder, register_home_panel
from workspaces.roles import Role


def follow_ups_panel(workspace, user) -> dict | None:
    """The home panel of an agent's open follow-up tasks (low satisfaction call-backs), or None
    (no panel) when there are none; `now` marks the ones whose due time has passed (overdue).
    One query."""
    from django.utils import timezone

    from .selectors.surveys import case_tasks_open

    tasks = case_tasks_open(workspace=workspace, user=user, limit=10)
    return {"tasks": tasks, "now": timezone.now()} if tasks else None


def register() -> None:
    from . import hooks
    from .services.csat import csat_after_resolution

    register_interaction_kind("csat.answered", _("Satisfaction survey answered"), app="service")
    # a survey after each resolution (service.services.cases calls the hook)
    hooks.on_case_resolved.register("service.csat_survey", csat_after_resolution)
    register_home_panel(
        HomePanel(
            key="service_follow_ups",
            template="service/panels/follow_ups.html",
            perm="service.edit",
            order=6,
            context=follow_ups_panel,
            roles=frozenset({Role.SERVICE}),  # the agents' home, like the service area panel
        )
    )
    from .demo import seed

    register_demo_seeder(DemoSeeder(key="service", seed=seed, order=70))
