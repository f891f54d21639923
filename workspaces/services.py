"""Writes of the tenancy core. Keyword-only, transactional, validated, logged."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from . import lifecycle
from .audit import AuditAction, audit_record
from .banking import bic_clean, iban_clean, vat_id_clean
from .changelog import ChangeAction, change_record, changed_fields, snapshot
from .countries import country_for_time_zone
from .invitation_tokens import invitation_url
from .mail_headers import header_text, validate_single_line
from .models import (
    RESERVED_SLUGS,
    Invitation,
    LegalDetails,
    Membership,
    Workspace,
    WorkspaceRequest,
)
from .roles import Role
from .scoping import workspace_scope
from .service_checks import delete_recorded
from .two_factor import user_has_totp


def _full_clean(instance, workspace) -> None:
    """Validate a workspace-owned row; its uniqueness checks query inside the workspace."""
    with workspace_scope(workspace):
        instance.full_clean()


def _split_name(name: str) -> tuple[str, str]:
    """ "Ada King Lovelace" -> ("Ada", "King Lovelace"). A name goes into mail and calendar
    feeds: ValidationError {"name": …} when it holds a line break or control character."""
    try:
        validate_single_line(name)
    except ValidationError as error:
        raise ValidationError({"name": error.messages}) from error
    first, _sep, last = (name or "").strip().partition(" ")
    return first[:150], last.strip()[:150]


# --- users --------------------------------------------------------------------------------
@transaction.atomic
def user_create(
    *, email: str, password: str, name: str = "", language: str = "", email_verified: bool = False
):
    """Create a user (email is the login) with the address as their primary email (verified
    or not: an unverified account cannot log in). Raises ValidationError when the email is
    taken."""
    from allauth.account.models import EmailAddress

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
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=email_verified)
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
    country: str | None = None,
):
    """Sign-up: a new, unverified user and the workspace they asked for, kept as a
    `WorkspaceRequest` until they verify the address (`signup_workspace_create`). The
    country (phone numbers without a country code) is `country`, or when None the time
    zone's (see workspace_create). All or nothing; raises ValidationError for a taken email
    or a bad workspace."""
    user = user_create(email=email, password=password, name=name, language=language)
    request = WorkspaceRequest(
        user=user,
        name=workspace_name,
        slug=slug,
        time_zone=time_zone,
        currency=currency,
        country=country_for_time_zone(time_zone) if country is None else country,
    )
    request.full_clean()
    if request.slug in RESERVED_SLUGS:
        raise ValidationError({"slug": _("This address is reserved.")})
    request.save()
    return user


def _free_slug(slug: str) -> str:
    """`slug`, or `slug-2`, `slug-3`… when taken meanwhile (the form checked it at sign-up)."""
    candidate, number = slug, 1
    while Workspace.objects.filter(slug=candidate).exists():
        number += 1
        suffix = f"-{number}"
        candidate = slug[: 50 - len(suffix)].rstrip("-") + suffix
    return candidate


@transaction.atomic
def signup_workspace_create(*, user):
    """Create the workspace `user` asked for at sign-up, with them as owner, once their email
    is verified. Idempotent: returns None when there is no request (already created, or the
    user came through an invitation). A slug taken meanwhile gets a number appended."""
    request = WorkspaceRequest.objects.select_for_update().filter(user=user).first()
    if request is None:
        return None
    workspace = workspace_create(
        name=request.name,
        slug=_free_slug(request.slug),
        owner=user,
        time_zone=request.time_zone,
        currency=request.currency,
        country=request.country,
    )
    request.delete()
    return workspace


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
def workspace_create(
    *,
    name: str,
    slug: str,
    owner,
    time_zone: str = "UTC",
    currency: str = "EUR",
    country: str | None = None,
):
    """Create a workspace with `owner` as its owner, then run the apps' workspace-created
    hooks (`lifecycle.on_workspace_created`: the sales pipeline…) in the same transaction.
    `country` (ISO 3166-1 alpha-2, "" for none) is how phone numbers without a country code
    are read; None takes the time zone's country (`countries.country_for_time_zone`:
    Europe/Berlin → DE, UTC → ""). Raises ValidationError on a bad name, country or a bad or
    taken slug, and `lifecycle.WorkspaceSetupError` (a ValidationError) when a hook fails;
    nothing is stored then."""
    if country is None:
        country = country_for_time_zone(time_zone)
    workspace = Workspace(
        name=name, slug=slug, time_zone=time_zone, currency=currency, country=country
    )
    workspace.full_clean()
    workspace.save()
    with workspace_scope(workspace):  # the new workspace's first row is written in its scope
        membership_add(workspace=workspace, actor=owner, user=owner, role=Role.OWNER)
    change_record(workspace=workspace, actor=owner, instance=workspace, action=ChangeAction.CREATED)
    with workspace_scope(workspace):
        lifecycle.workspace_created(workspace=workspace, actor=owner)
    return workspace


@transaction.atomic
def workspace_update(
    *,
    workspace,
    actor,
    name: str,
    time_zone: str,
    currency: str,
    country: str | None = None,
    two_factor_required: bool | None = None,
):
    """Change the workspace's name, time zone, currency and (unless None) country and the
    two-factor requirement (the address stays). A new time zone does not change the country:
    it is its own setting. Requiring two-factor sign-in needs an actor who uses it already
    (else ValidationError on `two_factor_required`, nothing stored: they would lock
    themselves out of the page); turning it on or off is written to the audit log."""
    before = snapshot(workspace)
    workspace.name, workspace.time_zone, workspace.currency = name, time_zone, currency
    if country is not None:
        workspace.country = country
    two_factor_before = workspace.two_factor_required
    if two_factor_required is not None:
        if two_factor_required and not two_factor_before and not user_has_totp(actor):
            raise ValidationError(
                {
                    "two_factor_required": _(
                        "Set up two-factor sign-in for your own account first "
                        "(Profile → Two-factor sign-in)."
                    )
                }
            )
        workspace.two_factor_required = two_factor_required
    workspace.full_clean()
    workspace.save()
    if workspace.two_factor_required != two_factor_before:
        audit_record(
            workspace=workspace,
            actor=actor,
            action=AuditAction.SECURITY,
            instance=workspace,
            changes={"two_factor_required": [two_factor_before, workspace.two_factor_required]},
        )
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


# --- legal details (printed on quotes) -----------------------------------------------------
LEGAL_FIELDS = frozenset(
    f.name
    for f in LegalDetails._meta.concrete_fields
    if f.name not in ("id", "workspace", "created_at", "updated_at")
)
_LEGAL_CLEANERS = {"iban": iban_clean, "bic": bic_clean, "vat_id": vat_id_clean}


@transaction.atomic
def legal_details_update(*, workspace, actor, **fields) -> LegalDetails:
    """Set the workspace's legal details (the quote letterhead and footer); the row is made
    on the first call. `fields` are LEGAL_FIELDS (others: ValidationError); text is stripped,
    IBAN, BIC and VAT id are stored compact after their checks (workspaces/banking.py).
    ValidationError keyed by field, nothing stored, when one is wrong. Recorded as created or
    updated with the fields that changed (nothing recorded when nothing changed)."""
    unknown = sorted(set(fields) - LEGAL_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown fields: %(names)s") % {"names": ", ".join(unknown)})
    details = LegalDetails.objects.select_for_update().filter(
        workspace=workspace
    ).first() or LegalDetails(workspace=workspace)
    creating = details.pk is None
    before = snapshot(details)
    errors: dict = {}
    for name, value in fields.items():
        value = (value or "").strip()
        if name in _LEGAL_CLEANERS:
            try:
                value = _LEGAL_CLEANERS[name](value)
            except ValidationError as error:
                errors[name] = error.messages
                continue
        setattr(details, name, value)
    if errors:
        raise ValidationError(errors)
    _full_clean(details, workspace)
    changed = changed_fields(before, details)
    if not creating and not changed:
        return details
    details.save()
    change_record(
        workspace=workspace,
        actor=actor,
        instance=details,
        action=ChangeAction.CREATED if creating else ChangeAction.UPDATED,
        fields=sorted(changed) if not creating else sorted(k for k, v in fields.items() if v),
    )
    return details


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
    snapshot(membership)  # the audit log reads the old role from it
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


def membership_successor_problem(*, workspace, membership, successor):
    """Why `successor` may not take over the records of `membership`'s user (a message), or
    None. The successor must be another member of the workspace."""
    if successor is None:
        return None
    if successor.pk == membership.user_id:
        return _("Choose someone other than the member you remove.")
    with workspace_scope(workspace):
        is_member = Membership.objects.filter(workspace=workspace, user=successor).exists()
    if not successor.is_active or not is_member:
        return _("The new owner must be an active member of this workspace.")
    return None


@transaction.atomic
def membership_remove(*, workspace, actor, membership, successor=None) -> dict:
    """Remove a member from the workspace. Only owners remove owners; the last owner stays.

    Their open records are handed over by the apps' `lifecycle.on_member_removed` hooks: to
    `successor` (another active member) or, when it is None, left without an owner (shown as
    "unassigned"); their calendar feeds stop working. The choice and the counts are recorded
    in the change log (an `updated` event with field "handover" on the membership, then its
    tombstone). Returns {record label: count handed over}. Raises ValidationError (nothing
    changed) when a rule is broken."""
    membership = _lock_membership(workspace, membership.pk)
    problem = membership_remove_problem(workspace=workspace, actor=actor, membership=membership)
    if problem:
        raise ValidationError(problem)
    problem = membership_successor_problem(
        workspace=workspace, membership=membership, successor=successor
    )
    if problem:
        raise ValidationError({"successor": problem})
    with workspace_scope(workspace):
        handed = lifecycle.member_removed(
            workspace=workspace, actor=actor, user=membership.user, successor=successor
        )
    change_record(
        workspace=workspace,
        actor=actor,
        instance=membership,
        action=ChangeAction.UPDATED,
        fields=["handover"],
        data={
            "user": membership.user_id,
            "successor": successor.pk if successor is not None else None,
            "unassigned": successor is None,
            "handed_over": handed,
        },
    )
    delete_recorded(workspace=workspace, actor=actor, instance=membership)
    return handed


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
        subject = header_text(_("Invitation to %(workspace)s") % {"workspace": workspace.name})
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


def invitation_account_problem(*, invitation, user):
    """Why `user` may not accept `invitation` (a message naming the account to use), or None.
    Only the account whose email is the invited address may accept."""
    if (user.email or "").strip().lower() != invitation.email:
        return _("This invitation is for %(email)s. Log in with that account to accept it.") % {
            "email": invitation.email
        }
    return None


@transaction.atomic
def invitation_accept(*, invitation, user, owner_confirmed: bool = False) -> Membership:
    """`user` joins the invitation's workspace with its role. Only the account with the
    invited email may accept; the owner role needs `owner_confirmed` (the invitee opened the
    confirmation link mailed by `invitation_owner_confirmation_request`). Raises
    ValidationError for the wrong account, an unconfirmed owner invitation, or an invitation
    that was used or revoked meanwhile (nothing changes then)."""
    with workspace_scope(invitation.workspace_id):  # the workspace the signed link named
        invitation = (
            Invitation.objects.select_for_update().select_related("workspace").get(pk=invitation.pk)
        )
        if not invitation.is_open:
            raise ValidationError(_("This invitation is no longer valid."))
        problem = invitation_account_problem(invitation=invitation, user=user)
        if problem:
            raise ValidationError(problem, code="wrong_account")
        if invitation.role == Role.OWNER and not owner_confirmed:
            raise ValidationError(
                _("The owner role needs your confirmation by email first."), code="confirm_owner"
            )
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


def invitation_owner_confirmation_request(*, invitation, user) -> None:
    """Mail the invitee of an owner invitation a second link that grants the role when they
    open it logged in as `user` (so a forwarded or leaked invitation link alone never makes
    anyone an owner). Sent after commit by `invitation_owner_confirm_send_task`. Raises
    ValidationError for the wrong account or an invitation that is not open."""
    from .tasks import invitation_owner_confirm_send_task

    if not invitation.is_open:
        raise ValidationError(_("This invitation is no longer valid."))
    problem = invitation_account_problem(invitation=invitation, user=user)
    if problem:
        raise ValidationError(problem, code="wrong_account")
    ids = (invitation.workspace_id, invitation.pk, user.pk)
    transaction.on_commit(lambda: invitation_owner_confirm_send_task.delay(*ids))


def invitation_owner_confirm_send(*, workspace_id: int, invitation_id: int, user_id: int) -> bool:
    """Email the owner-role confirmation link to the invited address. Returns False (and
    sends nothing) when the invitation was used, revoked or deleted meanwhile."""
    from .invitation_tokens import owner_confirm_url

    with workspace_scope(workspace_id):  # a task: the ids name the workspace
        invitation = (
            Invitation.objects.select_related("workspace")
            .filter(workspace_id=workspace_id, pk=invitation_id)
            .first()
        )
    user = get_user_model().objects.filter(pk=user_id).first()
    if invitation is None or user is None or not invitation.is_open:
        return False
    with translation.override(user.language or settings.LANGUAGE_CODE):
        context = {
            "workspace": invitation.workspace,
            "url": owner_confirm_url(invitation, user),
            "max_age_hours": settings.OWNER_CONFIRM_MAX_AGE_HOURS,
        }
        subject = _("Confirm: you become an owner of %(workspace)s") % {
            "workspace": invitation.workspace.name
        }
        body = render_to_string("workspaces/email/invitation_owner_confirm.txt", context)
    send_mail(subject, body, None, [invitation.email])
    return True


@transaction.atomic
def invitation_signup(*, invitation, name: str, password: str, language: str = ""):
    """A new user with the invited email address (verified: the link came by mail to it), who
    accepts the invitation; for the owner role the confirmation mail goes out instead
    (`invitation_owner_confirmation_request`). All or nothing."""
    user = user_create(
        email=invitation.email,
        password=password,
        name=name,
        language=language,
        email_verified=True,
    )
    if invitation.role == Role.OWNER:
        invitation_owner_confirmation_request(invitation=invitation, user=user)
    else:
        invitation_accept(invitation=invitation, user=user)
    return user


@transaction.atomic
def workspace_delete(*, workspace, actor) -> int:
    """Delete `workspace` with everything it owns, its audit log included: the one path
    on which the database lets audit entries go (`audit_workspace_delete_allow`, narrowed
    to this workspace's entries). Platform staff only (the admin). Returns the number of
    rows deleted."""
    from .audit import audit_workspace_delete_allow

    with audit_workspace_delete_allow(workspace):
        deleted, _counts = workspace.delete()
    return deleted
