"""Signed, expiring invitation links (django.core.signing with its own salt).

The token carries the invitation's id and workspace id, signed with SECRET_KEY and a
timestamp; it is valid for settings.INVITATION_MAX_AGE_DAYS. The row decides the rest: a
revoked or accepted invitation refuses its (still correctly signed) link.
"""

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

SALT = "workspaces.invitation"


class InvitationLinkError(Exception):
    """Why a link cannot be used, in words for the person holding it."""


def invitation_token(invitation) -> str:
    return signing.dumps({"w": invitation.workspace_id, "i": invitation.pk}, salt=SALT)


def invitation_url(invitation) -> str:
    path = reverse("invitation_accept", kwargs={"token": invitation_token(invitation)})
    return f"{settings.SITE_URL}{path}"


def invitation_from_token(token: str):
    """The open invitation a token names, or InvitationLinkError saying why not."""
    from .models import Invitation

    max_age = settings.INVITATION_MAX_AGE_DAYS * 24 * 3600
    try:
        data = signing.loads(token, salt=SALT, max_age=max_age)
    except signing.SignatureExpired as exc:
        raise InvitationLinkError(
            _("This invitation link has expired. Ask for a new invitation.")
        ) from exc
    except signing.BadSignature as exc:
        raise InvitationLinkError(_("This invitation link is not valid.")) from exc
    if not isinstance(data, dict):
        raise InvitationLinkError(_("This invitation link is not valid."))
    invitation = (
        Invitation.all_workspaces.select_related("workspace", "invited_by")
        .filter(pk=data.get("i"), workspace_id=data.get("w"))
        .first()
    )
    if invitation is None or invitation.revoked_at is not None:
        raise InvitationLinkError(_("This invitation has been withdrawn."))
    if invitation.accepted_at is not None:
        raise InvitationLinkError(_("This invitation has already been used."))
    return invitation
