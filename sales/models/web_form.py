"""The workspace's public web-to-lead form: its secret key (part of the signed form id in the
embed code) and whether it is switched on."""

import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _

from workspaces.models import WorkspaceOwned


def new_web_form_key() -> str:
    return secrets.token_urlsafe(16)


class WebForm(WorkspaceOwned):
    """One per workspace. A new `key` retires the old form address and embed code at once;
    `enabled` off answers every submission with "switched off" and stores nothing."""

    key = models.CharField(_("key"), max_length=64, default=new_web_form_key)
    enabled = models.BooleanField(_("switched on"), default=True)
    rotated_at = models.DateTimeField(_("address renewed"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace"], name="webform_unique_workspace")
        ]
        verbose_name = _("web form")

    def __str__(self):
        return f"{_('Web form')} @ {self.workspace_id}"
