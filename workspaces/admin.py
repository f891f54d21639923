"""Django admin for the tenancy core and `WorkspaceModelAdmin`, the base every app uses.

`WorkspaceModelAdmin` (for models inheriting `WorkspaceOwned`):
- lists and fetches through the scoped manager, so a workspace admin sees only the workspace
  chosen in the admin (platform staff, `is_superuser`, see all);
- sets `obj.workspace` on save and hides the field from workspace admins;
- limits foreign-key and many-to-many choices to the workspace;
- grants view/add/change/delete to members holding `admin.access` (set
  `readonly = True` for view-only models);
- writes through the app's services where the model has them: override `service_save`
  (called while the form is validated; a service's ValidationError shows on the form and
  nothing is stored) and `service_delete`, and make the fields that only a workflow may
  change read-only (a deal's stage, a lead's status). Models without services are saved
  generically with a change event; every delete records tombstones for the whole cascade.
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
from django.contrib import admin, messages
from django.contrib.admin.options import ActionLocation
from django.contrib.admin.widgets import AdminSplitDateTime
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin, UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models, transaction
from django.http import HttpResponseRedirect
from django.utils.translation import gettext_lazy as _

from . import changelog, lifecycle
from .admin_lookups import ListedLookupsOnlyMixin
from .changelog import ChangeAction, change_record, changed_fields, snapshot
from .forms import LocalSplitDateTimeField
from .models import AuditEntry, ChangeEvent, Invitation, Membership, Workspace
from .roles import has_perm
from .scoping import current_workspace_id, is_workspace_owned, scopes_disabled
from .selectors import member_list
from .service_checks import delete_recorded
from .services import (
    membership_add,
    membership_remove,
    membership_remove_problem,
    membership_role_change,
    membership_role_change_problem,
    workspace_delete,
    workspace_update,
)

User = get_user_model()

# Date-time fields follow the rule of every form (workspaces.local_times): the first
# occurrence of a time that happens twice, a message for a skipped one.
LOCAL_DATETIME_OVERRIDES = {
    models.DateTimeField: {"form_class": LocalSplitDateTimeField, "widget": AdminSplitDateTime}
}


def is_workspace_admin(request) -> bool:
    membership = getattr(request, "admin_membership", None)
    return membership is not None and has_perm(membership.role, "admin.access")


def is_platform_staff(request) -> bool:
    user = request.user
    return user.is_authenticated and user.is_active and user.is_superuser


class WorkspaceModelAdmin(ListedLookupsOnlyMixin, admin.ModelAdmin):
    """Admin for a workspace-owned model, scoped to the admin's workspace."""

    readonly = False  # True: nobody edits these rows here (logs, history)
    formfield_overrides = LOCAL_DATETIME_OVERRIDES

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
            return member_list(workspace=workspace_id)
        return related._default_manager.all()

    # --- writes through the services (or generic, with the change log) ----------------
    def service_save(self, request, obj, form, change):
        """Write `obj` (carrying the form's values) through the app's service and return the
        saved object; a ValidationError (keyed by field) is shown on the form and nothing is
        stored. Runs while the form is validated. Return NotImplemented (the default) for
        the generic save with a change event."""
        return NotImplemented

    def service_delete(self, request, obj):
        """Delete `obj` through the app's service; NotImplemented (the default) for the
        generic recorded delete. A ValidationError is shown as a message."""
        return NotImplemented

    def workspace_for(self, request, obj) -> Workspace:
        """The workspace a write happens in: the admin's, or the chosen one for staff."""
        workspace_id = current_workspace_id()
        if is_platform_staff(request) and getattr(obj, "workspace_id", None):
            workspace_id = obj.workspace_id
        return Workspace.objects.get(pk=workspace_id or obj.workspace_id)

    @staticmethod
    def service_fields(form, allowed, change: bool) -> dict:
        """The form's values the service takes: all of them for a new row, the changed ones
        for an existing row."""
        names = form.changed_data if change else form.cleaned_data
        return {name: form.cleaned_data[name] for name in names if name in allowed}

    @staticmethod
    def stored(obj):
        """`obj` as stored (the form has already put its values on the instance)."""
        with scopes_disabled():  # platform staff edit rows of every workspace
            return type(obj).all_workspaces.get(pk=obj.pk)

    def _writes_through_services(self) -> bool:
        return type(self).service_save is not WorkspaceModelAdmin.service_save

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if not self._writes_through_services():
            return form
        model_admin, is_change = self, obj is not None

        class ServiceForm(form):
            def _post_clean(self):
                super()._post_clean()
                if self._errors:
                    return
                try:
                    with transaction.atomic():
                        result = model_admin.service_save(request, self.instance, self, is_change)
                except ValidationError as exc:
                    _errors_onto(self, exc)
                    return
                if result is not NotImplemented:
                    self.service_result = result

        ServiceForm.__name__ = form.__name__
        return ServiceForm

    def save_form(self, request, form, change):
        if hasattr(form, "service_result"):
            return form.service_result
        return super().save_form(request, form, change)

    def save_model(self, request, obj, form, change):
        if hasattr(form, "service_result"):
            return  # written (and recorded) by the service while the form was validated
        if not is_platform_staff(request) or not getattr(obj, "workspace_id", None):
            obj.workspace_id = current_workspace_id() or obj.workspace_id
        before = snapshot(type(obj)._default_manager.get(pk=obj.pk)) if change else None
        super().save_model(request, obj, form, change)
        change_record(
            workspace=obj.workspace_id,
            actor=request.user,
            instance=obj,
            action=ChangeAction.UPDATED if change else ChangeAction.CREATED,
            fields=changed_fields(before, obj) if change else (),
            before=before,
        )

    def save_related(self, request, form, formsets, change):
        if hasattr(form, "service_result"):
            for formset in formsets:
                self.save_formset(request, form, formset, change=change)
            return
        super().save_related(request, form, formsets, change)

    def delete_model(self, request, obj):
        if self.service_delete(request, obj) is NotImplemented:
            delete_recorded(workspace=obj.workspace_id, actor=request.user, instance=obj)

    def delete_queryset(self, request, queryset):
        if type(self).service_delete is not WorkspaceModelAdmin.service_delete:
            for obj in queryset:
                self.delete_model(request, obj)
            return
        changelog.delete_recorded(
            workspace=current_workspace_id(), actor=request.user, objs=queryset
        )

    def get_deleted_objects(self, objs, request):
        return _logs_go_along(self, super().get_deleted_objects(objs, request))

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except ValidationError as exc:  # a service refused (its transaction rolled back)
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
            return HttpResponseRedirect(request.path)


def _logs_go_along(model_admin, deleted_objects: tuple) -> tuple:
    """Rows of read-only (log-like) models go with the row they belong to, as the services
    delete them (a deal's stage history, a contact's touch points, a user's calendar feed):
    they need no delete permission of their own, and each gets its tombstone."""
    deleted, counts, perms_needed, protected = deleted_objects
    logs = {
        str(model._meta.verbose_name)
        for model, other in model_admin.admin_site._registry.items()
        if getattr(other, "readonly", False)
    }
    return deleted, counts, {p for p in perms_needed if str(p) not in logs}, protected


def _errors_onto(form, exc: ValidationError) -> None:
    """A service's errors at the form's fields (others above the form)."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.error_list)
        return
    for name, errors in exc.error_dict.items():
        field = name if name in form.fields and name != NON_FIELD_ERRORS else None
        form.add_error(field, errors)


@admin.register(Workspace)
class WorkspaceAdmin(ListedLookupsOnlyMixin, admin.ModelAdmin):
    """Platform staff manage all workspaces; a workspace admin sees their own, read-only
    (name, time zone and currency are edited on the workspace's settings page)."""

    list_display = ["name", "slug", "time_zone", "currency", "country", "created_at"]
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

    def get_readonly_fields(self, request, obj=None):
        return ["slug"] if obj is not None else []

    def delete_model(self, request, obj):
        workspace_delete(workspace=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for workspace in queryset:
            workspace_delete(workspace=workspace, actor=request.user)

    def save_model(self, request, obj, form, change):
        """Changes go through workspace_update (validated, recorded); a workspace made here
        is recorded as created (members join it by invitation)."""
        if change:
            workspace_update(
                workspace=Workspace.objects.get(pk=obj.pk),  # as stored: the form changed obj
                actor=request.user,
                name=obj.name,
                time_zone=obj.time_zone,
                currency=obj.currency,
                country=obj.country,
            )
            return
        super().save_model(request, obj, form, change)
        change_record(workspace=obj, actor=request.user, instance=obj, action=ChangeAction.CREATED)


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

    def service_save(self, request, obj, form, change):
        if change:
            return NotImplemented  # the role: save_model, with the owner rules of the form
        return membership_add(
            workspace=self.workspace_for(request, obj),
            actor=request.user,
            user=obj.user,
            role=obj.role,
        )

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
    list_display = ["seq", "model", "object_id", "action", "fields", "actor", "created_at"]
    list_filter = ["action", "model"]
    list_select_related = ["actor", "workspace"]
    ordering = ["-seq"]
    readonly = True


@admin.register(AuditEntry)
class AuditEntryAdmin(WorkspaceModelAdmin):
    """The audit log, read-only and for platform staff only (a workspace's owners and admins
    read theirs on Settings → Audit log). Nobody adds, changes or deletes entries here."""

    list_display = [
        "created_at",
        "actor_label",
        "action",
        "object_type",
        "object_id",
        "object_repr",
    ]
    list_filter = ["action"]
    search_fields = ["object_repr", "actor_label"]
    list_select_related = ["workspace"]
    ordering = ["-created_at", "-id"]
    readonly = True

    def _allowed(self, request) -> bool:
        return is_platform_staff(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(ListedLookupsOnlyMixin, DjangoUserAdmin):
    """Users are global: platform staff only."""

    formfield_overrides = LOCAL_DATETIME_OVERRIDES
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

    def get_deleted_objects(self, objs, request):
        return _logs_go_along(self, super().get_deleted_objects(objs, request))

    def delete_model(self, request, obj):
        """A user's memberships, quotas and feeds go with them and their records lose their
        owner: each workspace's change log records what it lost (the user is global)."""
        changelog.delete_recorded(workspace=None, actor=request.user, objs=obj)

    def delete_queryset(self, request, queryset):
        changelog.delete_recorded(workspace=None, actor=request.user, objs=queryset)

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


# allauth's two-factor authenticators (platform staff only), with the same lookup rule; the
# (encrypted) secret and recovery seed are never shown. Deleting a member's authenticator
# lets them set it up again (README "Two-factor sign-in").
def _authenticator_admin_with_listed_lookups() -> None:
    from allauth.mfa.admin import AuthenticatorAdmin as AllauthAuthenticatorAdmin
    from allauth.mfa.models import Authenticator

    if admin.site.is_registered(Authenticator):
        admin.site.unregister(Authenticator)

    class AuthenticatorAdmin(ListedLookupsOnlyMixin, AllauthAuthenticatorAdmin):
        exclude = ("data",)
        readonly_fields = ("created_at", "last_used_at")  # set by allauth, not by hand

    admin.site.register(Authenticator, AuthenticatorAdmin)


_authenticator_admin_with_listed_lookups()
