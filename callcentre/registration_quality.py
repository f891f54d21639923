"""What the quality part of callcentre registers (permissions, timeline kinds, navigation pages).
Evaluations are internal: they record no timeline touch point."""

from django.utils.translation import gettext_lazy as _

from contacts.registry import RecordPanel
from service.hooks import register_case_panel
from workspaces.registry import DemoSeeder, register_demo_seeder

from . import demo_quality
from .selectors.quality import interaction_panel

# (key, label, url name, permission): the pages this part adds to the app's menu.
NAV_PAGES: tuple = (
    # leads see everyone's scores, agents their own (the page redirects them)
    ("callcentre_quality", _("Quality"), "callcentre:quality", "callcentre.view"),
    ("callcentre_scorecards", _("Scorecards"), "callcentre:scorecards", "callcentre.manage"),
)


def register() -> None:
    """Register the quality part with the lower apps: the evaluations panel of the case
    page (leads only) and its demo data."""
    register_case_panel(
        RecordPanel(
            key="callcentre_quality",
            template="callcentre/quality/_case_panel.html",
            perm="callcentre.manage",
            context=_case_panel,
            order=50,
        )
    )
    register_demo_seeder(DemoSeeder(key="callcentre_quality", seed=demo_quality.seed, order=95))


def _case_panel(workspace, user, case):
    # the panel's perm (callcentre.manage) already keeps it to leads
    return interaction_panel(workspace=workspace, case=case)
