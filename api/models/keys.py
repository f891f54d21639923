"""Workspace-bound API keys (`Authorization: Bearer crm_<prefix>_<secret>`)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from workspaces.models import WorkspaceOwned
from workspaces.roles import Role


class ApiKey(WorkspaceOwned):
    """One key of one workspace. The key itself is shown once at creation; stored are its
    `prefix` (12 characters, shown in lists, the lookup column) and `key_hash`, the SHA-256
    of the whole key in hex. A fast hash is right here: the secret is 32 random bytes
    (256 bits), so there is nothing to guess that a slow password hash would protect.

    The key acts with `role` (never more than its creator's role when it was made) and in
    the change log as `created_by` (None for keys made by `manage.py create_api_key`
    without a user). A revoked key (`revoked_at` set) is refused."""

    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=12, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, editable=False)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    # updated at most once a minute by the authentication (operational, not in the change log)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)

    class Meta:
        indexes = [models.Index(fields=["workspace", "-created_at"], name="apikey_ws_created")]
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
