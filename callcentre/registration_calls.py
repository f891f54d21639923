"""What the calls part of callcentre registers: the timeline kinds of calls and its pages
(calls, call-backs, telephony set-up) in the app's menu."""

from django.utils.translation import gettext_lazy as _

from touchpoints.registry import register_interaction_kind
from workspaces.registry import DemoSeeder, HomePanel, register_demo_seeder, register_home_panel
from workspaces.roles import Role

# (key, label, url name, permission): the pages this part adds to the app's menu.
NAV_PAGES: tuple = (
    ("callcentre_calls", _("Calls"), "callcentre:calls", "callcentre.view"),
    ("callcentre_callbacks", _("Call-backs"), "callcentre:callbacks", "callcentre.view"),
    ("callcentre_telephony", _("Telephony"), "callcentre:telephony", "callcentre.manage"),
)

# One touch point per call (written when it ends, is abandoned or is logged by hand).
INTERACTION_KINDS = (
    ("call.inbound", _("Inbound call")),
    ("call.outbound", _("Outbound call")),
    ("call.abandoned", _("Abandoned call")),
)


def _pop_panel(workspace, user) -> dict | None:
    """The home page's screen pop, for service agents with an agent line (else left out)."""
    from .selectors.calls import agent_has_line

    return {} if agent_has_line(workspace=workspace, user=user) else None


def register() -> None:
    """Register the calls part with the lower apps."""
    for kind, label in INTERACTION_KINDS:
        register_interaction_kind(kind, label, app="callcentre")
    register_home_panel(
        HomePanel(
            key="callcentre_pop",
            template="callcentre/calls/home_panel.html",
            perm="callcentre.view",
            order=1,
            context=_pop_panel,
            # service agents only: other roles' home pages keep their query budget and see
            # the pop on the calls pages
            roles=frozenset({Role.SERVICE}),
        )
    )
    from .demo import seed

    register_demo_seeder(DemoSeeder(key="callcentre_calls", seed=seed, order=75))
