"""What the satisfaction surveys, the knowledge base and the KPIs register with the lower apps
(called from service.registration): timeline kinds and the demo seeder."""

from django.utils.translation import gettext_lazy as _

from touchpoints.registry import register_interaction_kind
from workspaces.registry import DemoSeeder, register_demo_seeder


def register() -> None:
    register_interaction_kind("csat.answered", _("Satisfaction survey answered"), app="service")
    from .demo import seed

    register_demo_seeder(DemoSeeder(key="service", seed=seed, order=70))
