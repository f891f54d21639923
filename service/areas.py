"""The pages of the service area that are not built yet and what each will hold (pure data:
the navigation and the empty-state pages read it). Each entry goes when its page is built
(cases, queues and service levels are built: service.views)."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Area:
    key: str  # also the URL name in the app's namespace and the page's path
    label: str
    summary: str
    will_hold: tuple[str, ...]


AREAS = (
    Area(
        key="surveys",
        label=_("Surveys"),
        summary=_(
            "Satisfaction surveys sent when a case is closed; the answers land on the "
            "customer's timeline."
        ),
        will_hold=(
            _("Survey questions (CSAT, NPS)"),
            _("Answers per agent, queue and month"),
            _("Unhappy answers that should be followed up"),
        ),
    ),
)
