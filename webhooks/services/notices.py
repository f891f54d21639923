"""The notice that an endpoint is failing: email to the workspace's owners and admins (the
webhooks page shows the same as a banner)."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from workspaces.mail_headers import header_text
from workspaces.models import Membership
from workspaces.roles import LEADS
from workspaces.urlnames import workspace_reverse

from ..models import WebhookEndpoint

logger = logging.getLogger("webhooks.notices")


def endpoint_failing_notify(*, workspace, endpoint: WebhookEndpoint) -> int:
    """Email each owner and admin of `workspace` (in their language) that `endpoint` has
    failed for days. Returns how many were emailed; a mail failure is logged, not raised
    (the banner on the webhooks page says the same)."""
    from .delivering import DISABLE_AFTER

    members = Membership.objects.filter(workspace=workspace, role__in=LEADS).select_related("user")
    page = settings.SITE_URL + workspace_reverse(workspace, "webhooks:endpoint", pk=endpoint.pk)
    sent = 0
    for member in members:
        user = member.user
        if not user.is_active or not user.email:
            continue
        with translation.override(user.language or settings.LANGUAGE_CODE):
            subject = header_text(
                _("%(workspace)s: a webhook endpoint is failing") % {"workspace": workspace.name}
            )
            body = render_to_string(
                "webhooks/email/failing_notice.txt",
                {
                    "workspace": workspace,
                    "endpoint": endpoint,
                    "page": page,
                    "disable_days": DISABLE_AFTER.days,
                },
            )
        try:
            send_mail(subject, body, None, [user.email])
            sent += 1
        except Exception:  # noqa: BLE001 - the banner on the page says it too
            logger.exception("webhook failing notice to %s failed", user.email)
    return sent
