from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MarketingConfig(AppConfig):
    name = "marketing"
    verbose_name = _("Marketing")

    def ready(self):
        from touchpoints.registry import register_timeline_app
        from workspaces.roles import LEADS, Role, register_permissions

        register_permissions(
            {
                "marketing.view": LEADS | {Role.MARKETING, Role.READONLY},
                "marketing.edit": LEADS | {Role.MARKETING},
            }
        )

        register_timeline_app("marketing", _("Marketing"))
