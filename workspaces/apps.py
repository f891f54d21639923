from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkspacesConfig(AppConfig):
    name = "workspaces"
    verbose_name = _("Workspaces")

    def ready(self):
        # Every select's empty option in the project's catalogue (German included): Django
        # reads this constant whenever it builds a blank choice (its documented hook).
        from django.db.models import fields

        from .forms import BLANK_LABEL

        fields.BLANK_CHOICE_LABEL = BLANK_LABEL

        from . import lookups

        lookups.register()

        from . import audit, lifecycle
        from .roles import LEADS, register_permissions

        register_permissions({"workspaces.audit_view": LEADS})
        lifecycle.on_contact_erased.register("workspaces.audit_redact", audit.audit_redact_contact)
