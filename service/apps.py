from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceConfig(AppConfig):
    name = "service"
    verbose_name = _("Service")

    def ready(self):
        from touchpoints.registry import register_timeline_app

        register_timeline_app("service", _("Service"))
