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

        from django.db.models.signals import post_migrate

        post_migrate.connect(_rls_after_migrate, sender=self, dispatch_uid="workspaces-rls")

        from . import audit, lifecycle
        from .roles import LEADS, register_permissions

        register_permissions({"workspaces.audit_view": LEADS})
        lifecycle.on_contact_erased.register("workspaces.audit_redact", audit.audit_redact_contact)


def _rls_after_migrate(sender, using="default", plan=None, **kwargs):
    """Tables created after 0012_row_level_security (new apps, new models) get the same
    row-level security: the idempotent SQL of workspaces.db.policies, run as the owner by
    `migrate` (`flush` sends the signal too, without a plan, as whatever role runs it)."""
    from django.db import connections

    from .db.policies import rls_apply

    if plan is not None:
        rls_apply(connections[using])
