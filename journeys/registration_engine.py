"""What the engine part of journeys registers: the timeline kinds of journeys and the
built-in triggers."""

from django.utils.translation import gettext_lazy as _

from touchpoints.registry import register_interaction_kind

# (key, label, url name, permission): the pages this part adds to the app's menu.
NAV_PAGES: tuple = ()

TIMELINE_KINDS = (
    ("journey.entered", _("Entered a journey")),
    ("journey.step", _("Journey step")),
    ("journey.exited", _("Left a journey")),
    ("journey.failed", _("Journey failed")),
)


def register() -> None:
    """Register the engine part with the lower apps."""
    from .triggers import register_builtin_triggers

    for kind, label in TIMELINE_KINDS:
        register_interaction_kind(kind, label, app="journeys")
    register_builtin_triggers()
