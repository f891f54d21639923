"""What the builder part of journeys registers (permissions, timeline kinds, navigation pages)."""

from django.utils.translation import gettext_lazy as _

from contacts.registry import RecordPanel, register_contact_panel

# (key, label, url name, permission): the pages this part adds to the app's menu.
# Lead scoring (the scoring app) has no menu of its own: its rules page is reached from here.
NAV_PAGES: tuple = (
    ("journeys_list", _("Journeys"), "journeys:list", "journeys.view"),
    ("scoring_rules", _("Lead scoring"), "scoring:rules", "scoring.view"),
)


def _panel_context(workspace, user, contact) -> dict:
    from .views.pages import contact_journeys_panel  # the views load after the models

    return contact_journeys_panel(workspace, user, contact)


def register() -> None:
    """Register the builder part with the lower apps: the contact page's panel "Journeys"."""
    register_contact_panel(
        RecordPanel(
            key="journeys",
            template="journeys/_contact_panel.html",
            perm="journeys.view",
            context=_panel_context,
            order=70,
        )
    )
