"""Writes of the tenancy core. Keyword-only, transactional, validated, logged."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .changelog import ChangeAction, change_record, changed_fields, snapshot
from .invitation_tokens import invitation_url
from .models import Invitation, Membership, Workspace
from .roles import Role
from .scoping import workspace_scope
from .service_checks import delete_recorded


def _full_clean(instance, workspace) -> None:
    """Validate a workspace-owned row; its uniqueness checks query inside the workspace."""
    with workspace_scope(workspace):
        instance.full_clean()


def _split_name(name: str) -> tuple[str, str]:
    first, _sep, last = (name or "").strip().partition(" ")
    return first[:150], last.strip()[:150]


# --- users --------------------------------------------------------------------------------
@transaction.atomic
def user_create(*, email: str, password: str, name: str = "", language: str = ""):
    """Create a user (email is the login). Raises ValidationError when the email is taken."""
    User = get_user_model()
    first, last = _split_name(name)
    user = User(
        email=User.objects.normalize_email(email).lower(),
        first_name=first,
        last_name=last,
        language=language,
    )
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    return user


@transaction.atomic
def user_signup(
    *,
    name: str,
    email: str,
    password: str,
    workspace_name: str,
    slug: str,
    time_zone: str = "UTC",
    currency: str = "EUR",
    language: str = "",
):
    """Sign-up: a new user and a new workspace with them as owner, or nothing at all."""
    user = user_create(email=email, password=password, name=name, language=language)
    workspace = workspace_create(
        name=workspace_name, slug=slug, owner=user, time_zone=time_zone, currency=currency
    )
    return user, workspace


@transaction.atomic
def user_profile_update(*, user, name: str, language: str):
    """Change the user's own name and language ('' follows the browser)."""
    user.first_name, user.last_name = _split_name(name)
    user.language = language
    user.full_clean(exclude=["password"])
    user.save(update_fields=["first_name", "last_name", "language"])
    return user


# --- workspaces ---------------------------------------------------------------------------
@transaction.atomic
def workspace_create(*, name: str, slug: str, owner, time_zone: str = "UTC", currency: str = "EUR"):
    """Create a workspace with `owner` as its owner. Raises ValidationError on a bad or
    taken slug; nothing is stored then."""
    workspace = Workspace(name=name, slug=slug, time_zone=time_zone, currency=currency)
    workspace.full_clean()
    workspace.save()
    with workspace_scope(workspace):  # the new workspace's first row is written in its scope
        membership_add(workspace=workspace, actor=owner, user=owner, role=Role.OWNER)
    change_record(workspace=workspace, actor=owner, instance=workspace, action=ChangeAction.CREATED)
    return workspace


@transaction.atomic
def workspace_update(*, workspace, actor, name: str, time_zone: str, currency: str):
    """Change the workspace's name, time zone and currency (the address stays)."""
    before = snapshot(workspace)
    workspace.name, workspace.time_zone, workspace.currency = name, time_zone, currency
    workspace.full_clean()
    workspace.save()
    fields = changed_fields(before, workspace)
    if fields:
        change_record(
            workspace=workspace,
            actor=actor,
            instance=workspace,
            action=ChangeAction.UPDATED,
            fields=fields,
        )
    return workspace


# --- memberships --------------------------------------------------------------------------
@transaction.atomic
def membership_add(*, workspace, actor, user, role: str) -> Membership:
    """Give `user` a role in `workspace` (idempotent: an existing membership keeps its role)."""
    existing = Membership.objects.filter(workspace=workspace, user=user).first()
    if existing is not None:
        return existing
    membership = Membership(workspace=workspace, user=user, role=role)
    _full_clean(membership, workspace)
    membership.save()
    change_record(
        workspace=workspace,
        actor=actor,
        instance=membership,
        action=ChangeAction.CREATED,
        fields=["role", "user"],
    )
    return membership


def _actor_role(workspace, actor) -> str | None:
    """The actor's role in the workspace; platform staff act with an owner's rights."""
    if getattr(actor, "is_superuser", False):
        return Role.OWNER
    return (
        Membership.objects.filter(workspace=workspace, user=actor)
        .values_list("role", flat=True)
        .first()
    )


def _other_owners(workspace, membership) -> bool:
    return (
        Membership.objects.filter(workspace=workspace, role=Role.OWNER)
        .exclude(pk=membership.pk)
        .exists()
    )


def _lock_membership(workspace, membership_id) -> Membership:
    """The membership row, locked for the rest of the transaction (owner rules are checked
    against a stable set of rows)."""
    return (
        Membership.objects.select_for_update()
        .select_related("user")
        .get(workspace=workspace, pk=membership_id)
    )


def membership_role_change_problem(*, workspace, actor, membership, role: str):
    """Why `actor` may not give `membership` the role `role` (a message), or None."""
    if role not in Role.values:
        return _("Unknown role.")
    if role == membership.role:
        return None
    if Role.OWNER in (role, membership.role) and _actor_role(workspace, actor) != Role.OWNER:
        return _("Only an owner can grant or take away the owner role.")
    if membership.role == Role.OWNER and not _other_owners(workspace, membership):
        return _("The last owner cannot be demoted. Make someone else an owner first.")
    return None


def membership_remove_problem(*, workspace, actor, membership):
    """Why `actor` may not remove `membership` (a message), or None."""
    if membership.role != Role.OWNER:
        return None
    if _actor_role(workspace, actor) != Role.OWNER:
        return _("Only an owner can remove an owner.")
    if not _other_owners(workspace, membership):
        return _("The last owner cannot be removed.")
    return None


@transaction.atomic
def membership_role_change(*, workspace, actor, membership, role: str) -> Membership:
    """Give a member another role. Only owners grant or take away the owner role; the last
    owner keeps it. Raises ValidationError (nothing changed) when a rule is broken."""
    membership = _lock_membership(workspace, membership.pk)
    problem = membership_role_change_problem(
        workspace=workspace, actor=actor, membership=membership, role=role
    )
    if problem:
        raise ValidationError({"role": problem})
    if role == membership.role:
        return membership
    membership.role = role
    _full_clean(membership, workspace)
    membership.save(update_fields=["role", "updated_at"])
    change_record(
        workspace=workspace,
        actor=actor,
        instance=membership,
        action=ChangeAction.UPDATED,
        fields=["role"],
    )
    return membership


@transaction.atomic
def membership_remove(*, workspace, actor, membership) -> None:
    """Remove a member from the workspace. Only owners remove owners; the last owner stays."""
    membership = _lock_membership(workspace, membership.pk)
    problem = membership_remove_problem(workspace=workspace, actor=actor, membership=membership)
    if problem:
        raise ValidationError(problem)
    delete_recorded(workspace=workspace, actor=actor, instance=membership)


# --- invitations --------------------------------------------------------------------------
@transaction.atomic
def invitation_create(*, workspace, actor, email: str, role: str) -> Invitation:
    """Invite `email` with `role`; the email is sent after commit by `invitation_send_task`.
    Raises ValidationError for members, pending invitations and owner invites by non-owners."""
    from .tasks import invitation_send_task

    email = get_user_model().objects.normalize_email(email).strip().lower()
    if role == Role.OWNER and _actor_role(workspace, actor) != Role.OWNER:
        raise ValidationError({"role": _("Only an owner can invite another owner.")})
    if Membership.objects.filter(workspace=workspace, user__email__iexact=email).exists():
        raise ValidationError({"email": _("This person is already a member.")})
    pending = Invitation.objects.filter(
        workspace=workspace, email=email, accepted_at__isnull=True, revoked_at__isnull=True
    )
    if pending.exists():
        raise ValidationError(
            {"email": _("This address has a pending invitation. Revoke it to invite again.")}
        )
    invitation = Invitation(workspace=workspace, email=email, role=role, invited_by=actor)
    _full_clean(invitation, workspace)
    invitation.save()
    change_record(
        workspace=workspace,
        actor=actor,
        instance=invitation,
        action=ChangeAction.CREATED,
        fields=["email", "role"],
    )
    workspace_id, invitation_id = workspace.pk, invitation.pk
    transaction.on_commit(lambda: invitation_send_task.delay(workspace_id, invitation_id))
    return invitation


@transaction.atomic
def invitation_send(*, workspace_id: int, invitation_id: int) -> bool:
    """Email the invitation link once. Idempotent: the row's `sent_at` records the send, and
    the row is locked while sending so two workers cannot both send it. Returns whether an
    email went out (False for sent, accepted, revoked or deleted invitations)."""
    invitation = (
        Invitation.objects.select_for_update()
        .filter(workspace_id=workspace_id, pk=invitation_id)
        .first()
    )
    if invitation is None or invitation.sent_at is not None or not invitation.is_open:
        return False
    workspace = Workspace.objects.get(pk=workspace_id)
    inviter = invitation.invited_by
    language = (inviter.language if inviter else "") or settings.LANGUAGE_CODE
    with translation.override(language):
        context = {
            "invitation": invitation,
            "workspace": workspace,
            "inviter": inviter,
            "role": invitation.get_role_display(),
            "url": invitation_url(invitation),
            "max_age_days": settings.INVITATION_MAX_AGE_DAYS,
        }
        subject = _("Invitation to %(workspace)s") % {"workspace": workspace.name}
        body = render_to_string("workspaces/email/invitation.txt", context)
    send_mail(subject, body, None, [invitation.email])
    invitation.sent_at = timezone.now()
    invitation.save(update_fields=["sent_at", "updated_at"])
    change_record(
        workspace=workspace_id,
        actor=None,
        instance=invitation,
        action=ChangeAction.UPDATED,
        fields=["sent_at"],
    )
    return True


@transaction.atomic
def invitation_revoke(*, workspace, actor, invitation) -> Invitation:
    """Revoke a pending invitation: its link stops working. Accepted ones stay accepted."""
    invitation = Invitation.objects.select_for_update().get(workspace=workspace, pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise ValidationError(_("This invitation has already been accepted."))
    if invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at", "updated_at"])
        change_record(
            workspace=workspace,
            actor=actor,
            instance=invitation,
            action=ChangeAction.UPDATED,
            fields=["revoked_at"],
        )
    return invitation


@transaction.atomic
def invitation_accept(*, invitation, user) -> Membership:
    """`user` joins the invitation's workspace with its role. Raises ValidationError for an
    invitation that was used or revoked meanwhile (nothing changes then)."""
    with workspace_scope(invitation.workspace_id):  # the workspace the signed link named
        invitation = (
            Invitation.objects.select_for_update().select_related("workspace").get(pk=invitation.pk)
        )
        if not invitation.is_open:
            raise ValidationError(_("This invitation is no longer valid."))
        workspace = invitation.workspace
        membership = membership_add(
            workspace=workspace, actor=user, user=user, role=invitation.role
        )
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at", "updated_at"])
    change_record(
        workspace=workspace,
        actor=user,
        instance=invitation,
        action=ChangeAction.UPDATED,
        fields=["accepted_at"],
    )
    return membership


@transaction.atomic
def invitation_signup(*, invitation, name: str, password: str, language: str = ""):
    """A new user with the invited email address, who accepts the invitation. All or nothing."""
    user = user_create(email=invitation.email, password=password, name=name, language=language)
    invitation_accept(invitation=invitation, user=user)
    return user
