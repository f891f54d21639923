"""Reads behind the wallboard: today so far for a set of queues, and the state right now
(waiting callers, the longest wait, agents logged in and talking, pending call-backs).

A fixed number of queries (asserted in tests/callcentre/test_kpis_wallboard.py), and the
result is kept on the shared cache for CACHE_SECONDS per workspace and queue set, so 200
screens polling every few seconds cost the database one read per workspace and queue set
every CACHE_SECONDS.
"""

import datetime

from django.core.cache import cache
from django.db.models import Count, Min, Q
from django.utils import timezone

from service.models import Queue

from ..kpi_formulas import Target, Totals, against_target, kpi_values
from ..models import AgentSession, Call, CallStatus
from .kpis import CallKpiFilter, kpi_by, kpi_settings_get

CACHE_SECONDS = 2
WAITING_STATUSES = (CallStatus.OFFERED, CallStatus.RINGING)
TALKING_STATUSES = (CallStatus.ANSWERED, CallStatus.ON_HOLD)
# open calls older than this are left to the sweeper (INCOMPLETE), not shown as waiting
OPEN_HORIZON = datetime.timedelta(hours=24)


def _now_state(workspace, queue_ids, now) -> dict:
    """{"queues": {queue id: {"waiting", "oldest_queued_at"}}, "talking_agents": n} of the
    open calls (waiting: offered or ringing in a queue; talking: answered or on hold). Two
    queries."""
    qs = Call.objects.filter(
        workspace=workspace,
        status__in=(*WAITING_STATUSES, *TALKING_STATUSES),
        offered_at__gte=now - OPEN_HORIZON,
    )
    if queue_ids:
        qs = qs.filter(queue_id__in=queue_ids)
    waiting = Q(status__in=WAITING_STATUSES, queued_at__isnull=False)
    rows = (
        qs.order_by()
        .values("queue_id")
        .annotate(
            waiting=Count("id", filter=waiting),
            oldest_queued_at=Min("queued_at", filter=waiting),
        )
    )
    talking = (
        qs.filter(status__in=TALKING_STATUSES, agent__isnull=False)
        .order_by()
        .values("agent_id")
        .distinct()
        .count()
    )
    return {"queues": {r["queue_id"]: r for r in rows}, "talking_agents": talking}


def wallboard_data(*, workspace, queue_ids: tuple = (), now=None) -> dict:
    """Today so far (from local midnight) and now, for the queues `queue_ids` (empty: every
    queue). Returns {"now", "queues": [{"id", "name", "values" (kpi_formulas.kpi_values),
    "target" (Target), "met" (against_target), "waiting", "longest_wait_now" (s or None)}],
    "total": {like a queue row, the set's sum; "target" of a single queue else the defaults},
    "agents_logged_in", "agents_talking", "callbacks_pending"}. Eight queries (settings and
    targets 2, queues 1, today's calls 1, open calls 2, sessions 1, call-backs 1)."""
    now = now or timezone.now()
    local_midnight = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    settings = kpi_settings_get(workspace=workspace)
    queues = Queue.objects.filter(workspace=workspace).order_by("name")
    if queue_ids:
        queues = queues.filter(pk__in=queue_ids)
    queues = list(queues.values_list("id", "name"))
    ids = tuple(q for q, _name in queues) if queue_ids else ()
    f = CallKpiFilter(workspace=workspace, start_at=local_midnight, end_at=now, queue_ids=ids)
    today = kpi_by(f, settings, "queue", fcr=False)
    state = _now_state(workspace, ids, now)
    logged_in = (
        AgentSession.objects.filter(workspace=workspace, ended_at__isnull=True)
        .values("agent_id")
        .distinct()
        .count()
    )
    callbacks = Call.objects.filter(workspace=workspace, callback_status="pending")
    if ids:
        callbacks = callbacks.filter(queue_id__in=ids)

    def row(key, name, totals, target, waiting_rows):
        values = kpi_values(totals)
        oldest = min(
            (r["oldest_queued_at"] for r in waiting_rows if r["oldest_queued_at"]), default=None
        )
        return {
            "id": key,
            "name": name,
            "values": values,
            "target": target,
            "met": against_target(values, target),
            "waiting": sum(r["waiting"] for r in waiting_rows),
            "longest_wait_now": None
            if oldest is None
            else max(int((now - oldest).total_seconds()), 0),
        }

    rows = [
        row(
            queue_id,
            name,
            today.get(queue_id, Totals()),
            settings.target(queue_id),
            [state["queues"][queue_id]] if queue_id in state["queues"] else [],
        )
        for queue_id, name in queues
    ]
    all_totals = Totals()
    for totals in today.values() if not ids else (today.get(q, Totals()) for q in ids):
        all_totals = all_totals.add(totals)
    total_target = settings.target(ids[0]) if len(ids) == 1 else Target()
    total = row(None, "", all_totals, total_target, list(state["queues"].values()))
    return {
        "now": now,
        "queues": rows,
        "total": total,
        "agents_logged_in": logged_in,
        "agents_talking": state["talking_agents"],
        "callbacks_pending": callbacks.count(),
    }


def wallboard_cached(*, workspace, queue_ids: tuple = ()) -> dict:
    """`wallboard_data`, shared for CACHE_SECONDS between every screen of the workspace that
    shows the same queue set (the shared cache: every worker process sees it)."""
    key = f"callcentre:wallboard:{workspace.pk}:{','.join(map(str, queue_ids))}"
    data = cache.get(key)
    if data is None:
        data = wallboard_data(workspace=workspace, queue_ids=queue_ids)
        cache.set(key, data, CACHE_SECONDS)
    return data
