"""What the satisfaction surveys, the knowledge base and the KPIs register with the lower apps
(called from service.registration): the timeline kind of an answer, the survey after each
resolution (service.hooks.on_case_resolved) and the demo seeder."""

from django.utils.translation import gettext_lazy as _

from touchpoints.registry import register_interaction_kind
from workspaces.registry import DemoSeeder, register_demo_seeder


def register() -> None:
    from . import hooks
    from .services.csat import csat_after_resolution

    register_interaction_kind("csat.answered", _("Satisfaction survey answered"), app="service")
    # a survey after each resolution (service.services.cases calls the hook)
    hooks.on_case_resolved.register("service.csat_survey", csat_after_resolution)
    from .demo import seed

    register_demo_seeder(DemoSeeder(key="service", seed=seed, order=70))
