"""Demo data of capacity planning (seed_demo, order 85, after service's queues; idempotent:
nothing is added when the workspace has a staffing forecast): a saved forecast "Typical
Monday" for the first queue, 30-minute intervals from 08:00 to 18:00 with a morning and an
after-lunch peak, so the planning page shows a plan even before any call is recorded."""

from django.utils.translation import gettext as _

from service.models import Queue
from workspaces.roles import Role

from .models.planning import StaffingForecast
from .services.planning import staffing_forecast_create

# calls per 30 minutes from 08:00
PROFILE = [18, 34, 52, 61, 58, 47, 39, 30, 28, 41, 49, 44, 36, 29, 24, 19, 14, 9, 6, 4]


def seed(workspace, users, stdout) -> None:
    """Add the planning demo to `workspace` once (see the module docstring)."""
    if StaffingForecast.objects.filter(workspace=workspace).exists():
        return
    queue = Queue.objects.filter(workspace=workspace).order_by("name").first()
    rows = [
        {"start": f"{8 + i // 2:02d}:{30 * (i % 2):02d}", "calls": float(calls), "aht": None}
        for i, calls in enumerate(PROFILE)
    ]
    staffing_forecast_create(
        workspace=workspace,
        actor=users.get(Role.OWNER),
        name=_("Typical Monday"),
        queue=queue,
        interval_minutes=30,
        aht_seconds=270,
        rows=rows,
    )
    stdout.write("callcentre planning: 1 staffing forecast")
