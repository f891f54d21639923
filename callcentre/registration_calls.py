"""What the calls part of callcentre registers: the timeline kinds of calls and its pages
(calls, call-backs, telephony set-up) in the app's menu."""

from django.utils.translation import gettext_lazy as _

from touchpoints.registry import register_interaction_kind

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


def register() -> None:
    """Register the calls part with the lower apps."""
    for kind, label in INTERACTION_KINDS:
        register_interaction_kind(kind, label, app="callcentre")
