"""Django admin of the marketing app (workspace-scoped). Sender identities and suppressions
are edited generically (with a change event). Read-only here: what has its own checks on its
page (segment rules, which the builder validates and bounds; templates, checked for problems
at their line; assets, whose type is read from their bytes; campaigns, which move only through
launch, pause, resume and cancel) and what the sending pipeline writes (deliveries, their
events, tracked links, variants frozen at launch)."""

from django.contrib import admin

from workspaces.admin import WorkspaceModelAdmin

from .models import (
    Asset,
    Campaign,
    CampaignVariant,
    Delivery,
    DeliveryEvent,
    EmailTemplate,
    Segment,
    SegmentMember,
    SenderIdentity,
    Suppression,
    TrackedLink,
)


@admin.register(Segment)
class SegmentAdmin(WorkspaceModelAdmin):
    readonly = True
    list_display = ["name", "kind", "member_count", "last_built_at"]
    list_filter = ["kind"]
    search_fields = ["name"]
    readonly_fields = ["last_built_at", "member_count", "problem"]


@admin.register(SegmentMember)
class SegmentMemberAdmin(WorkspaceModelAdmin):
    readonly = True
    list_display = ["segment", "contact", "source", "added_at"]
    list_filter = ["source"]
    raw_id_fields = ["contact"]


@admin.register(EmailTemplate)
class EmailTemplateAdmin(WorkspaceModelAdmin):
    readonly = True
    list_display = ["name", "subject", "updated_at"]
    search_fields = ["name", "subject"]


@admin.register(Asset)
class AssetAdmin(WorkspaceModelAdmin):
    readonly = True
    list_display = ["name", "content_type", "size", "created_at"]
    readonly_fields = ["content_type", "size"]


@admin.register(SenderIdentity)
class SenderIdentityAdmin(WorkspaceModelAdmin):
    list_display = ["name", "from_email", "rate_per_minute", "hourly_cap", "daily_cap"]
    readonly_fields = ["dns_check", "dns_checked_at"]


@admin.register(Campaign)
class CampaignAdmin(WorkspaceModelAdmin):
    """The status and the send times move only through launch, pause, resume and cancel."""

    readonly = True
    list_display = ["name", "status", "sender", "scheduled_at", "launched_at", "finished_at"]
    list_filter = ["status"]
    search_fields = ["name"]
    readonly_fields = [
        "status",
        "launched_at",
        "finished_at",
        "slow_factor",
        "slow_until",
        "ab_winner",
        "ab_decided_at",
    ]


@admin.register(CampaignVariant)
class CampaignVariantAdmin(WorkspaceModelAdmin):
    readonly = True
    list_display = ["campaign", "key", "subject"]


@admin.register(TrackedLink)
class TrackedLinkAdmin(WorkspaceModelAdmin):
    readonly = True
    list_display = ["campaign", "position", "url"]


@admin.register(Delivery)
class DeliveryAdmin(WorkspaceModelAdmin):
    readonly = True
    list_display = ["campaign", "address", "status", "attempts", "sent_at", "smtp_code"]
    list_filter = ["status"]
    search_fields = ["address"]


@admin.register(DeliveryEvent)
class DeliveryEventAdmin(WorkspaceModelAdmin):
    readonly = True
    list_display = ["delivery", "kind", "occurred_at", "machine"]
    list_filter = ["kind", "machine"]


@admin.register(Suppression)
class SuppressionAdmin(WorkspaceModelAdmin):
    list_display = ["address", "reason", "source", "created_at"]
    list_filter = ["reason"]
    search_fields = ["address"]
    readonly_fields = ["delivery"]
