"""The pages of the service area that are not built yet and what each will hold (pure data:
the navigation and the empty-state pages read it). Each entry goes when its page is built
(cases, queues, service levels, surveys, KPIs and the knowledge base are built:
service.views)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Area:
    key: str  # also the URL name in the app's namespace and the page's path
    label: str
    summary: str
    will_hold: tuple[str, ...]


# Every page of the area is built (service.views); a page still to come goes here.
AREAS: tuple[Area, ...] = ()
