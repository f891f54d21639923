"""Hook points of the service app for features that react to a case (CSAT surveys, win-back
journeys) without service importing them. Register from the reacting feature's ready():

    from service import hooks
    hooks.on_case_resolved.register("service.csat_survey", survey_after_resolution)

| registry | called by | hook signature |
|---|---|---|
| `on_case_resolved` | `case_change_status` when a case becomes resolved (also when it is closed without having been resolved first) | `(*, workspace, actor, case)` |
| `on_reply_added` | `case_reply`, after the reply is stored | `(*, workspace, actor, case, message)` |

Hooks run inside the status change's transaction (a hook that raises rolls it back); mail a
hook sends belongs in `transaction.on_commit`. `case.auto_closed` tells an automatic closing
(no survey for those).
"""

from workspaces.lifecycle import HookRegistry
from workspaces.registry import Registry

on_case_resolved = HookRegistry("on case resolved")

# `(*, workspace, actor, case, message)`: an agent's reply was added (case_reply); the
# outbound mail registers here and sends in transaction.on_commit.
on_reply_added = HookRegistry("on reply added")


# Panels of the case page from apps above service (e.g. call-centre quality evaluations):
# `contacts.registry.RecordPanel`s whose `context(workspace, user, case)` returns the
# template's `panel_ctx`, or None to leave the panel out.
case_panels = Registry("case panels")


def register_case_panel(panel) -> None:
    """Add a panel (a contacts.registry.RecordPanel) to the case page's side column."""
    case_panels.register(panel)


def case_panels_for(*, workspace, user, role, case) -> list[tuple]:
    """[(panel, context), ...] of the panels `role` may see on `case`'s page, in order."""
    out = []
    for panel in case_panels.for_role(role):
        context = panel.context(workspace, user, case)
        if context is not None:
            out.append((panel, context))
    return out
