"""Lifecycle hooks: how apps react to what happens to a workspace, its members and contacts
without the core importing them (DESIGN.md §2, issue 17 §5).

Apps register in `AppConfig.ready()`::

    from workspaces import lifecycle
    lifecycle.on_workspace_created.register("sales.default_pipeline", pipeline_ensure_default)

Each registry holds named hooks, run in registration order inside the caller's transaction,
so a hook that raises rolls the whole operation back. Registering a key twice raises
`ImproperlyConfigured` (no silent overwrite).

| registry | called by | hook signature |
|---|---|---|
| `on_workspace_created` | `workspace_create` | `(*, workspace, actor)` |
| `on_member_removed` | `membership_remove` | `(*, workspace, actor, user, successor)` -> dict |
| `on_user_deactivated` | the user admin, per workspace of the user | `(*, workspace, actor, user)` |
| `on_contacts_deleted` | `contact_delete`, `contacts_bulk_delete`, before the rows go | `(*, workspace, actor, contact_ids: list[int])` |
| `on_contact_erased` | the erasure service, when there is one | `(*, workspace, actor, contact_id: int)` |
| `on_contacts_merged` | `contact_merge`, after the generic moves, before the loser goes | `(*, workspace, actor, survivor, loser)` |
| `contact_data_sections` | the GDPR export (`contacts.services.privacy`) | `(*, workspace, contact_id: int)` -> {section name: iterable of dicts} |
| `retention_texts_delete` | the retention run (`contacts.services.privacy.retention_apply`) | `(*, workspace, before: datetime, limit: int)` -> count |
| `on_low_satisfaction` | service's `csat_answer`, when a customer answers a survey with 1 or 2 | `(*, workspace, contact_id: int, case_id: int, survey_id: int, score: int)` |

`on_member_removed` hooks hand over the removed member's open records to `successor` (a
member) or, when it is None, clear the owner so the records show as unassigned; each returns
`{label: count}` of what it handed over, which the removal records in the change log.
"""

import logging
from collections.abc import Callable

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)


class HookRegistry:
    """Named hooks for one lifecycle event."""

    def __init__(self, name: str):
        self.name = name
        self._hooks: dict[str, Callable] = {}

    def register(self, key: str, hook: Callable) -> Callable:
        """Add `hook` under `key` (e.g. "sales.default_pipeline"). Raises
        ImproperlyConfigured when the key is taken."""
        if key in self._hooks:
            raise ImproperlyConfigured(f"{self.name}: a hook named {key!r} is registered already")
        self._hooks[key] = hook
        return hook

    def unregister(self, key: str) -> None:
        """Remove a hook (tests that add one for a moment)."""
        self._hooks.pop(key, None)

    def names(self) -> list[str]:
        return list(self._hooks)

    def run(self, **kwargs) -> dict:
        """Call every hook with `kwargs`, in registration order. Returns {key: result}.
        Exceptions propagate: the caller's transaction rolls back."""
        return {key: hook(**kwargs) for key, hook in self._hooks.items()}


on_workspace_created = HookRegistry("on_workspace_created")
on_member_removed = HookRegistry("on_member_removed")
on_user_deactivated = HookRegistry("on_user_deactivated")
on_contacts_deleted = HookRegistry("on_contacts_deleted")
on_contact_erased = HookRegistry("on_contact_erased")
on_contacts_merged = HookRegistry("on_contacts_merged")
# What each app holds about one contact, for the GDPR export (art. 15/20): every hook returns
# {section name: iterable of JSON-able dicts}; iterables (querysets' `.iterator()`) keep memory
# bounded for contacts with a long history. Section names are unique over all apps.
contact_data_sections = HookRegistry("contact_data_sections")
# The retention rule "delete texts older than N months": apps clear their free text (case
# messages…) written before `before`, at most `limit` rows per run, and return the count.
retention_texts_delete = HookRegistry("retention_texts_delete")
# A customer told us they are unhappy (a satisfaction score of 1-2): the win-back journey
# (marketing) registers here; service cannot import marketing, so the seam lives below both.
on_low_satisfaction = HookRegistry("on_low_satisfaction")


class WorkspaceSetupError(ValidationError):
    """A workspace-created hook failed; the workspace was not created."""


def workspace_created(*, workspace, actor) -> None:
    """Run the workspace-created hooks (defaults such as the sales pipeline). Any failure
    becomes a WorkspaceSetupError with a message a person can act on; the caller's
    transaction then stores nothing."""
    for key, hook in on_workspace_created._hooks.items():
        try:
            hook(workspace=workspace, actor=actor)
        except Exception as exc:
            logger.exception("workspace-created hook %s failed for %s", key, workspace.slug)
            raise WorkspaceSetupError(
                _(
                    "The workspace could not be set up (step “%(step)s” failed), so nothing "
                    "was created. Please try again; if it fails again, tell your administrator."
                )
                % {"step": key}
            ) from exc


def member_removed(*, workspace, actor, user, successor) -> dict:
    """Run the member-removed hooks. Returns {label: count} of the records handed over,
    merged over all hooks."""
    handed: dict = {}
    for result in on_member_removed.run(
        workspace=workspace, actor=actor, user=user, successor=successor
    ).values():
        for label, count in (result or {}).items():
            handed[label] = handed.get(label, 0) + count
    return handed


def user_deactivated(*, user, actor) -> None:
    """Run the user-deactivated hooks once per workspace the user is a member of, each in
    that workspace's scope (revoke what only an active person may hold, such as calendar
    feeds). Call inside the transaction that deactivates the user."""
    from .models import Membership
    from .scoping import scopes_disabled, workspace_scope

    with scopes_disabled():  # users are global: their memberships in every workspace
        workspaces = list(Membership.all_workspaces.filter(user=user).select_related("workspace"))
    for membership in workspaces:
        with workspace_scope(membership.workspace):
            on_user_deactivated.run(workspace=membership.workspace, actor=actor, user=user)
