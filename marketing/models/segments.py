"""Segments: the audiences of campaigns (dynamic rule sets or static lists) and their stored
membership."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from workspaces.models import WorkspaceOwned


class SegmentKind(models.TextChoices):
    DYNAMIC = "dynamic", _("Dynamic")
    STATIC = "static", _("Static list")


class Segment(WorkspaceOwned):
    """A group of contacts. `rules` (dynamic segments) is
    {"op": "and"|"or", "rules": [rule | group]} with rule = {"field": key, "operator": ..,
    "value": ..}, the keys registered in contacts.segment_rules. `problem` says why the segment
    is flagged ("" when fine)."""

    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(
        _("kind"), max_length=8, choices=SegmentKind.choices, default=SegmentKind.DYNAMIC
    )
    rules = models.JSONField(_("rules"), default=dict, blank=True)
    last_built_at = models.DateTimeField(_("last built"), null=True, blank=True)
    member_count = models.PositiveIntegerField(_("members"), default=0)
    problem = models.TextField(_("problem"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )

    class Meta:
        indexes = [models.Index(fields=["workspace", "name", "id"], name="segment_ws_name")]
        verbose_name = _("segment")
        verbose_name_plural = _("segments")

    def __str__(self):
        return self.name


class MemberSource(models.TextChoices):
    MANUAL = "manual", _("Added by hand")
    SNAPSHOT = "snapshot", _("Segment snapshot")
    IMPORT = "import", _("Import")
    BUILD = "build", _("Segment build")


class SegmentMember(WorkspaceOwned):
    """A contact in a static list, or in a dynamic segment's last build."""

    segment = models.ForeignKey(
        Segment, on_delete=models.CASCADE, related_name="members", verbose_name=_("segment")
    )
    contact = models.ForeignKey(
        "contacts.Contact",
        on_delete=models.CASCADE,
        related_name="segment_memberships",
        verbose_name=_("contact"),
    )
    added_at = models.DateTimeField(_("added"), auto_now_add=True)
    source = models.CharField(
        _("source"), max_length=8, choices=MemberSource.choices, default=MemberSource.MANUAL
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "segment", "contact"], name="segmentmember_unique"
            )
        ]
        indexes = [
            models.Index(fields=["workspace", "contact"], name="segmentmember_ws_contact"),
        ]
        verbose_name = _("segment member")
        verbose_name_plural = _("segment members")

    def __str__(self):
        return f"{self.segment_id}: {self.contact_id}"
