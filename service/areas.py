"""The pages of the service area and what each will hold (pure data: the navigation, the
service agent's home panel and the empty-state pages read it). Each entry goes when its page
is built."""

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
        key="cases",
        label=_("Cases"),
        summary=_(
            "Customer questions and problems from email, phone, the web form and chat, each "
            "with its contact, priority, status and owner, on the customer's timeline."
        ),
        will_hold=(
            _("Your open cases and the team's, newest or most urgent first"),
            _("A case's conversation, notes and status changes"),
            _("Cases opened from the caller lookup during a call"),
        ),
    ),
    Area(
        key="queues",
        label=_("Queues"),
        summary=_(
            "Where new cases wait, by topic or team, until an agent takes them or they are "
            "assigned."
        ),
        will_hold=(
            _("Queues with the number of waiting cases"),
            _("Rules that route incoming cases to a queue"),
            _("Who works which queue"),
        ),
    ),
    Area(
        key="slas",
        label=_("Service levels"),
        summary=_(
            "Response and resolution times per priority (SLAs), with a warning before a case "
            "breaches them."
        ),
        will_hold=(
            _("Target times per priority and customer tier"),
            _("Cases close to or past their target"),
            _("How often the targets were met, per month"),
        ),
    ),
)
