"""Workspace settings, members and invitations (Settings in the user menu, owners/admins)."""

from django.apps import apps
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from .forms import (
    InvitationForm,
    LegalDetailsForm,
    MemberRemoveForm,
    RoleChangeForm,
    WorkspaceSettingsForm,
    apply_service_errors,
)
from .mixins import workspace_view
from .models import Invitation, Membership
from .paging import keyset_page
from .selectors import legal_details_get
from .services import (
    invitation_create,
    invitation_revoke,
    legal_details_update,
    membership_remove,
    membership_role_change,
    workspace_update,
)
from .urlnames import workspace_reverse

MEMBER_ORDER = ("created_at", "id")
INVITATION_ORDER = ("-created_at", "-id")


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


@workspace_view("workspace.manage")
def workspace_settings(request):
    workspace = request.workspace
    initial = {
        "name": workspace.name,
        "time_zone": workspace.time_zone,
        "currency": workspace.currency,
        "country": workspace.country,
        "two_factor_required": workspace.two_factor_required,
    }
    form = WorkspaceSettingsForm(request.POST or None, workspace=workspace, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            workspace_update(workspace=workspace, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Workspace settings saved."))
            return redirect(workspace_reverse(workspace, "workspace_settings"))
    return render(
        request, "workspaces/settings.html", {"form": form, "title": _("Workspace settings")}
    )


@workspace_view("workspace.manage")
def workspace_legal(request):
    """The legal details printed on the workspace's quotes (owners and admins)."""
    workspace = request.workspace
    details = legal_details_get(workspace=workspace)
    form = LegalDetailsForm(request.POST or None, instance=details, workspace=workspace)
    if request.method == "POST" and form.is_valid():
        try:
            legal_details_update(
                workspace=workspace,
                actor=request.user,
                **{name: form.cleaned_data[name] for name in LegalDetailsForm.Meta.fields},
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Legal details saved."))
            return redirect(workspace_reverse(workspace, "workspace_legal"))
    return render(
        request,
        "workspaces/legal.html",
        {"form": form, "title": _("Legal details")},
        status=400 if form.errors else 200,
    )


def _members_context(request, invite_form=None):
    workspace, role = request.workspace, request.membership.role
    members = keyset_page(
        Membership.objects.select_related("user"),
        order=MEMBER_ORDER,
        cursor=request.GET.get("after"),
    )
    for member in members:
        member.role_form = RoleChangeForm(
            workspace=workspace,
            actor_role=role,
            initial={"role": member.role},
            prefix=f"m{member.pk}",
        )
    invitations = keyset_page(
        Invitation.objects.filter(accepted_at__isnull=True, revoked_at__isnull=True).select_related(
            "invited_by"
        ),
        order=INVITATION_ORDER,
        cursor=request.GET.get("inv"),
    )
    return {
        "members": members,
        "invitations": invitations,
        "invite_form": invite_form or InvitationForm(workspace=workspace, actor_role=role),
        "max_age_days": settings.INVITATION_MAX_AGE_DAYS,
        "title": _("Members"),
    }


@workspace_view("members.manage")
def members(request):
    """The member list, the pending invitations and the invitation form."""
    return render(request, "workspaces/members.html", _members_context(request))


@workspace_view("members.manage")
def invitation_new(request):
    """Invite someone by email with a role (the email goes out after commit)."""
    workspace = request.workspace
    form = InvitationForm(
        request.POST or None, workspace=workspace, actor_role=request.membership.role
    )
    if request.method == "POST" and form.is_valid():
        try:
            invitation = invitation_create(
                workspace=workspace,
                actor=request.user,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(
                request, _("Invitation sent to %(email)s.") % {"email": invitation.email}
            )
            return redirect(workspace_reverse(workspace, "members"))
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "workspaces/members.html",
        _members_context(request, invite_form=form),
        status=status,
    )


@workspace_view("members.manage")
def member_role(request, pk):
    """Change a member's role (owner rules are the service's)."""
    workspace = request.workspace
    member = get_object_or_404(Membership.objects.select_related("user"), pk=pk)
    form = RoleChangeForm(
        request.POST or None,
        workspace=workspace,
        actor_role=request.membership.role,
        initial={"role": member.role},
        prefix=f"m{member.pk}",
    )
    if request.method == "POST" and form.is_valid():
        try:
            membership_role_change(
                workspace=workspace,
                actor=request.user,
                membership=member,
                role=form.cleaned_data["role"],
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Role of %(name)s changed.") % {"name": member.user})
            return redirect(workspace_reverse(workspace, "members"))
    status = 400 if request.method == "POST" else 200
    context = {"member": member, "form": form, "title": _("Change role")}
    return render(request, "workspaces/member_role.html", context, status=status)


def _handover_text(handed: dict) -> str:
    """ "3 deals, 1 contact" from {model label: count} (labels of any app)."""
    parts = []
    for label, count in handed.items():
        if not count:
            continue
        try:
            opts = apps.get_model(label)._meta
        except (LookupError, ValueError):
            continue
        name = opts.verbose_name if count == 1 else opts.verbose_name_plural
        parts.append(f"{count} {name}")
    return ", ".join(parts)


@workspace_view("members.manage")
def member_remove(request, pk):
    """Confirm, choose who takes over their open records (or nobody), then remove a member
    (never the last owner). Their calendar feeds stop working."""
    workspace = request.workspace
    member = get_object_or_404(Membership.objects.select_related("user"), pk=pk)
    data = request.POST if request.method == "POST" else None  # an empty POST confirms
    form = MemberRemoveForm(data, workspace=workspace, membership=member)
    error = None
    if request.method == "POST" and form.is_valid():
        successor = form.cleaned_data["successor"]
        try:
            handed = membership_remove(
                workspace=workspace, actor=request.user, membership=member, successor=successor
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                apply_service_errors(form, exc)
            else:
                error = _error_text(exc)
        else:
            messages.success(
                request, _("%(name)s was removed from the workspace.") % {"name": member.user}
            )
            moved = _handover_text(handed)
            if moved and successor is not None:
                messages.info(
                    request,
                    _("%(name)s now owns: %(records)s.") % {"name": successor, "records": moved},
                )
            elif moved:
                messages.info(request, _("Now unassigned: %(records)s.") % {"records": moved})
            if member.user_id == request.user.pk:
                return redirect("home")
            return redirect(workspace_reverse(workspace, "members"))
    failed = request.method == "POST" and (error or form.errors)
    context = {"member": member, "form": form, "error": error, "title": _("Remove member")}
    return render(request, "workspaces/member_remove.html", context, status=400 if failed else 200)


@workspace_view("members.manage")
def invitation_revoke_view(request, pk):
    """Confirm, then revoke a pending invitation (its link stops working)."""
    workspace = request.workspace
    invitation = get_object_or_404(Invitation.objects, pk=pk)
    error = None
    if request.method == "POST":
        try:
            invitation_revoke(workspace=workspace, actor=request.user, invitation=invitation)
        except ValidationError as exc:
            error = _error_text(exc)
        else:
            messages.success(
                request,
                _("The invitation for %(email)s was revoked.") % {"email": invitation.email},
            )
            return redirect(workspace_reverse(workspace, "members"))
    context = {"invitation": invitation, "error": error, "title": _("Revoke invitation")}
    return render(
        request, "workspaces/invitation_revoke.html", context, status=400 if error else 200
    )
