"""The form of a new API key: a name and a role (the view limits the roles to those within
the member's own, api.keys.roles_within)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from workspaces.forms import WorkspaceForm
from workspaces.roles import Role


class ApiKeyForm(WorkspaceForm):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What uses the key, e.g. “Shop sync” or “ERP”."),
    )
    role = forms.ChoiceField(
        label=_("Role"),
        choices=Role.choices,
        help_text=_("The key may do what a member with this role may do, never more than you."),
    )

    def limit_roles(self, roles: list[str]) -> None:
        """Offer only `roles` (those within the member's own role)."""
        self.fields["role"].choices = [(v, label) for v, label in Role.choices if v in roles]
        if Role.READONLY in roles and not self.is_bound:
            self.initial.setdefault("role", Role.READONLY)
