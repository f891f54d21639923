from django.contrib import admin

from workspaces.admin import WorkspaceModelAdmin

from .models import Interaction


@admin.register(Interaction)
class InteractionAdmin(WorkspaceModelAdmin):
    """The history is append-only: written by interaction_record, read here."""

    readonly = True
    list_display = [
        "occurred_at",
        "channel",
        "kind",
        "direction",
        "app",
        "contact",
        "account",
        "actor",
    ]
    list_select_related = ["contact", "account", "actor"]
    list_filter = ["channel", "app", "direction"]
    date_hierarchy = "occurred_at"
    raw_id_fields = ["contact", "account"]
