from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceConfig(AppConfig):
    name = "service"
    verbose_name = _("Service")

    def ready(self):
        from touchpoints.registry import register_timeline_app
        from workspaces.roles import MANAGERS, Role, register_permissions

        register_permissions(
            {
                "service.view": MANAGERS | {Role.SERVICE, Role.READONLY},
                "service.edit": MANAGERS | {Role.SERVICE},
            }
        )

        register_timeline_app("service", _("Service"))
