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
    """The signed, timestamped id of an invitation (its workspace and row)."""
    return signing.dumps({"w": invitation.workspace_id, "i": invitation.pk}, salt=SALT)


def invitation_url(invitation) -> str:
    """The absolute invitation link for mail (SITE_URL + /invite/<token>/)."""
    path = reverse("invitation_accept", kwargs={"token": invitation_token(invitation)})
    return f"{settings.SITE_URL}{path}"


def invitation_from_token(token: str):
    """The open invitation a token names, or InvitationLinkError saying why not."""
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
    return _open_invitation(data)


def _open_invitation(data: dict):
    from .models import Invitation
    from .scoping import scopes_disabled

    with scopes_disabled():  # the signed link names the workspace; no scope exists yet
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


# --- the owner role's confirmation link ---------------------------------------------------
OWNER_SALT = "workspaces.invitation.owner-confirm"


def owner_confirm_token(invitation, user) -> str:
    """Names the invitation and the account that may confirm it (signed, timestamped)."""
    payload = {"w": invitation.workspace_id, "i": invitation.pk, "u": user.pk}
    return signing.dumps(payload, salt=OWNER_SALT)


def owner_confirm_url(invitation, user) -> str:
    """The absolute confirmation link for mail (SITE_URL + /invite/confirm/<token>/)."""
    path = reverse(
        "invitation_owner_confirm", kwargs={"token": owner_confirm_token(invitation, user)}
    )
    return f"{settings.SITE_URL}{path}"


def owner_confirm_from_token(token: str):
    """(open invitation, id of the user who may confirm) for a confirmation token, or
    InvitationLinkError saying why not. Valid for settings.OWNER_CONFIRM_MAX_AGE_HOURS."""
    max_age = settings.OWNER_CONFIRM_MAX_AGE_HOURS * 3600
    try:
        data = signing.loads(token, salt=OWNER_SALT, max_age=max_age)
    except signing.SignatureExpired as exc:
        raise InvitationLinkError(
            _("This confirmation link has expired. Open the invitation link again for a new one.")
        ) from exc
    except signing.BadSignature as exc:
        raise InvitationLinkError(_("This confirmation link is not valid.")) from exc
    if not isinstance(data, dict):
        raise InvitationLinkError(_("This confirmation link is not valid."))
    invitation = _open_invitation(data)
    return invitation, data.get("u")
