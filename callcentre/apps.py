from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CallCentreConfig(AppConfig):
    name = "callcentre"
    verbose_name = _("Call centre")

    def ready(self):
        from . import registration

        registration.register()
