"""Django admin for the tenancy core and `WorkspaceModelAdmin`, the base every app uses.

`WorkspaceModelAdmin` (for models inheriting `WorkspaceOwned`):
- lists and fetches through the scoped manager, so a workspace admin sees only the workspace
  chosen in the admin (platform staff, `is_superuser`, see all);
- sets `obj.workspace` on save and hides the field from workspace admins;
- limits foreign-key and many-to-many choices to the workspace;
- grants view/add/change/delete to members holding `admin.access` (set
  `readonly = True` for view-only models) and appends a change event for every write;
- filters from the URL only through its `list_filter` (`admin_lookups`): hidden fields
  such as secrets cannot be probed with `?token__startswith=`.

Usage in `<app>/admin.py`::

    from django.contrib import admin
    from workspaces.admin import WorkspaceModelAdmin

    @admin.register(Contact)
    class ContactAdmin(WorkspaceModelAdmin):
        list_display = ["name", "email"]
"""

from django import forms
from django.contrib import admin
from django.contrib.admin.options import ActionLocation
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin, UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _

from . import lifecycle
from .admin_lookups import ListedLookupsOnlyMixin
from .changelog import ChangeAction, change_record, changed_fields, snapshot
from .models import ChangeEvent, Invitation, Membership, Workspace
from .roles import has_perm
from .scoping import current_workspace_id, is_workspace_owned
from .service_checks import delete_recorded
from .services import (
    membership_remove,
    membership_remove_problem,
    membership_role_change,
    membership_role_change_problem,
)

User = get_user_model()


def is_workspace_admin(request) -> bool:
    membership = getattr(request, "admin_membership", None)
    return membership is not None and has_perm(membership.role, "admin.access")


def is_platform_staff(request) -> bool:
    user = request.user
    return user.is_authenticated and user.is_active and user.is_superuser


class WorkspaceModelAdmin(ListedLookupsOnlyMixin, admin.ModelAdmin):
    """Admin for a workspace-owned model, scoped to the admin's workspace."""

    readonly = False  # True: nobody edits these rows here (logs, history)

    # --- access ----------------------------------------------------------------------
    def _allowed(self, request) -> bool:
        return is_platform_staff(request) or is_workspace_admin(request)

    def has_module_permission(self, request):
        return self._allowed(request)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request)

    def has_add_permission(self, request):
        return not self.readonly and self._allowed(request)

    def has_change_permission(self, request, obj=None):
        return not self.readonly and self._allowed(request)

    def has_delete_permission(self, request, obj=None):
        return not self.readonly and self._allowed(request)

    # --- rows ------------------------------------------------------------------------
    def get_queryset(self, request):
        # The fail-closed scoped manager: the admin's workspace (the middleware entered its
        # scope), or every workspace for platform staff (scopes disabled).
        qs = self.model.objects.get_queryset()
        ordering = self.get_ordering(request)
        if ordering:
            qs = qs.order_by(*ordering)
        return qs

    def get_exclude(self, request, obj=None):
        exclude = list(super().get_exclude(request, obj) or [])
        if not is_platform_staff(request) and "workspace" not in exclude:
            exclude.append("workspace")
        return exclude

    def get_list_display(self, request):
        display = list(super().get_list_display(request))
        if is_platform_staff(request) and "workspace" not in display:
            display.append("workspace")
        return display

    def get_list_filter(self, request):
        filters = list(super().get_list_filter(request))
        if is_platform_staff(request) and "workspace" not in filters:
            filters.append("workspace")
        return filters

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        related = db_field.remote_field.model
        if "queryset" not in kwargs:
            kwargs["queryset"] = self._choices_for(request, related)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        related = db_field.remote_field.model
        if "queryset" not in kwargs:
            kwargs["queryset"] = self._choices_for(request, related)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def _choices_for(self, request, related):
        """Choices of a relation: rows of the admin's workspace only."""
        if is_platform_staff(request):
            return related._default_manager.all()
        workspace_id = current_workspace_id()
        if is_workspace_owned(related):
            return related.objects.all()  # scoped to the admin's workspace
        if related is Workspace:
            return Workspace.objects.filter(pk=workspace_id)
        if related is User:
            return User.objects.filter(memberships__workspace_id=workspace_id).distinct()
        return related._default_manager.all()

    # --- writes (with the change log) ------------------------------------------------
    def save_model(self, request, obj, form, change):
        if not is_platform_staff(request) or not getattr(obj, "workspace_id", None):
            obj.workspace_id = current_workspace_id() or obj.workspace_id
        before = snapshot(type(obj).all_workspaces.get(pk=obj.pk)) if change else None
        super().save_model(request, obj, form, change)
        change_record(
            workspace=obj.workspace_id,
            actor=request.user,
            instance=obj,
            action=ChangeAction.UPDATED if change else ChangeAction.CREATED,
            fields=changed_fields(before, obj) if change else (),
        )

    def delete_model(self, request, obj):
        delete_recorded(workspace=obj.workspace_id, actor=request.user, instance=obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(Workspace)
class WorkspaceAdmin(ListedLookupsOnlyMixin, admin.ModelAdmin):
    """Platform staff manage all workspaces; a workspace admin sees their own, read-only
    (name, time zone and currency are edited on the workspace's settings page)."""

    list_display = ["name", "slug", "time_zone", "currency", "created_at"]
    search_fields = ["name", "slug"]

    def has_module_permission(self, request):
        return is_platform_staff(request) or is_workspace_admin(request)

    def has_view_permission(self, request, obj=None):
        return is_platform_staff(request) or is_workspace_admin(request)

    def has_add_permission(self, request):
        return is_platform_staff(request)

    def has_change_permission(self, request, obj=None):
        return is_platform_staff(request)

    def has_delete_permission(self, request, obj=None):
        return is_platform_staff(request)

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if is_platform_staff(request):
            return qs
        return qs.filter(pk=current_workspace_id())


class MembershipAdminForm(forms.ModelForm):
    """Role changes follow the same owner rules as Settings → Members."""

    actor = None  # set per request by MembershipAdmin.get_form

    class Meta:
        model = Membership
        fields = ["role"]

    def clean_role(self):
        role = self.cleaned_data["role"]
        if self.instance.pk:
            problem = membership_role_change_problem(
                workspace=self.instance.workspace,
                actor=self.actor,
                membership=self.instance,
                role=role,
            )
            if problem:
                raise forms.ValidationError(problem)
        return role


@admin.register(Membership)
class MembershipAdmin(WorkspaceModelAdmin):
    """Members change role here or on Settings → Members (same rules, same change log);
    people join by invitation, so only platform staff add memberships directly."""

    list_display = ["user", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__email", "user__first_name", "user__last_name"]
    list_select_related = ["user", "workspace"]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            return super().get_form(request, obj, **kwargs)
        kwargs["form"] = type(
            "BoundMembershipAdminForm", (MembershipAdminForm,), {"actor": request.user}
        )
        kwargs["fields"] = ["role"]
        return super().get_form(request, obj, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return ["user"] if obj is not None else []

    def get_fields(self, request, obj=None):
        return ["user", "role"] if obj is not None else super().get_fields(request, obj)

    def has_add_permission(self, request):
        return is_platform_staff(request)

    def has_delete_permission(self, request, obj=None):
        if not super().has_delete_permission(request, obj):
            return False
        if obj is None:
            return True
        problem = membership_remove_problem(
            workspace=obj.workspace, actor=request.user, membership=obj
        )
        return problem is None

    def get_actions(self, request, action_location=ActionLocation.CHANGE_LIST):
        actions = super().get_actions(request, action_location=action_location)
        actions.pop("delete_selected", None)  # one by one, so the owner rules are checked
        return actions

    def save_model(self, request, obj, form, change):
        if not change:
            return super().save_model(request, obj, form, change)
        membership_role_change(
            workspace=obj.workspace, actor=request.user, membership=obj, role=obj.role
        )

    def delete_model(self, request, obj):
        membership_remove(workspace=obj.workspace, actor=request.user, membership=obj)


@admin.register(Invitation)
class InvitationAdmin(WorkspaceModelAdmin):
    list_display = ["email", "role", "invited_by", "created_at", "accepted_at", "revoked_at"]
    list_filter = ["role"]
    search_fields = ["email"]
    list_select_related = ["invited_by", "workspace"]
    readonly = True  # invitations are sent and revoked on Settings → Members


@admin.register(ChangeEvent)
class ChangeEventAdmin(WorkspaceModelAdmin):
    list_display = ["id", "model", "object_id", "action", "actor", "created_at"]
    list_filter = ["action", "model"]
    list_select_related = ["actor", "workspace"]
    readonly = True


@admin.register(User)
class UserAdmin(ListedLookupsOnlyMixin, DjangoUserAdmin):
    """Users are global: platform staff only."""

    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "language", "is_active", "is_superuser"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Personal info"), {"fields": ["first_name", "last_name", "language"]}),
        (_("Permissions"), {"fields": ["is_active", "is_staff", "is_superuser"]}),
        (_("Important dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]}),
    ]
    filter_horizontal = []
    list_filter = ["is_active", "is_superuser"]

    def has_module_permission(self, request):
        return is_platform_staff(request)

    def has_view_permission(self, request, obj=None):
        return is_platform_staff(request)

    def has_add_permission(self, request):
        return is_platform_staff(request)

    def has_change_permission(self, request, obj=None):
        return is_platform_staff(request)

    def has_delete_permission(self, request, obj=None):
        return is_platform_staff(request)

    def save_model(self, request, obj, form, change):
        was_active = change and User.objects.filter(pk=obj.pk, is_active=True).exists()
        super().save_model(request, obj, form, change)
        if was_active and not obj.is_active:
            # in the admin's transaction: their calendar feeds stop with the account
            lifecycle.user_deactivated(user=obj, actor=request.user)


# Django's own Group admin, with the same lookup rule (platform staff only; roles live in
# memberships, not groups).
if admin.site.is_registered(Group):
    admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(ListedLookupsOnlyMixin, DjangoGroupAdmin):
    pass


# allauth's email address admin, with the same lookup rule (platform staff only).
def _email_address_admin_with_listed_lookups() -> None:
    from allauth.account.admin import EmailAddressAdmin as AllauthEmailAddressAdmin
    from allauth.account.models import EmailAddress

    if admin.site.is_registered(EmailAddress):
        admin.site.unregister(EmailAddress)

    class EmailAddressAdmin(ListedLookupsOnlyMixin, AllauthEmailAddressAdmin):
        pass

    admin.site.register(EmailAddress, EmailAddressAdmin)


_email_address_admin_with_listed_lookups()
