"""Arithmetic of the call-centre KPIs (pure: no queries, no writes).

The selectors (callcentre/selectors/kpis.py) sum the calls of a group in one SQL aggregate
into a `Totals`; `kpi_values` turns the sums into the figures the pages show. The same
definitions are written once more over plain call dicts in `totals_from_calls` (the
reference the tests hold the SQL against).

Definitions (one call = one Call row, whatever the transfers; INCOMPLETE calls leave every KPI;
only INBOUND calls are counted, except in occupancy, where an agent's outbound calls are
handle time too):

- offered: inbound calls whose `offered_at` lies in the interval.
- answered: offered calls with `answered_at` set (answered by anyone, also after a transfer:
  once).
- abandoned: calls that reached a queue (`queued_at` set), were not answered and whose caller
  hung up after waiting at least `short_abandon_seconds`. Shorter ones are *short abandons*,
  shown apart and left out of the rates. IVR-only calls (`queued_at` null, never answered)
  are never queue abandons: counted apart as `ivr_only`.
- base = answered + abandoned (the denominator of the service level and the abandonment rate;
  short abandons and IVR-only calls are in neither).
- service level = answered within T seconds / base × 100 (T: the queue's
  `answer_within_seconds`, default 20).
- abandonment rate = abandoned / base × 100.
- ASA (average speed of answer) = Σ wait of answered calls / answered (wait null = 0).
- AHT (average handle time) = Σ (talk + hold + wrap) / answered calls that have ended.
- longest wait = the largest `wait_seconds` of the interval's calls (answered or abandoned).
- occupancy = handle time (inbound and outbound calls the agent handled) / staffed time
  (AgentSession overlap with the interval) × 100.
- FCR (first-contact resolution) = answered calls with no repeat / answered calls with a
  caller × 100. A repeat is a later inbound call (not INCOMPLETE) within `fcr_days` after
  `offered_at` from the same caller number, or — when the number is withheld (blank) — from
  the same contact. Answered calls with neither a number nor a contact are not measured.
"""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields

DEFAULT_ANSWER_WITHIN_SECONDS = 20
DEFAULT_SERVICE_LEVEL_PERCENT = 80

INTERVALS = ("15", "30", "60", "day", "week")  # minutes, or calendar units in the local zone

ANSWERED_STATUSES = ("answered", "on_hold", "ended")


@dataclass
class Totals:
    """Sums of one group of calls (one row of a selector's aggregate). Seconds are ints."""

    offered: int = 0
    answered: int = 0
    abandoned: int = 0  # queue abandons at or above the short-abandon threshold
    short_abandoned: int = 0
    ivr_only: int = 0
    answered_in_target: int = 0
    wait_answered_seconds: int = 0
    ended: int = 0  # answered calls that have ended (the AHT denominator)
    handle_seconds: int = 0  # talk + hold + wrap of the ended inbound calls
    longest_wait_seconds: int | None = None
    fcr_measured: int = 0
    fcr_resolved: int = 0
    agent_handle_seconds: int = 0  # inbound and outbound handle time (occupancy numerator)
    staffed_seconds: float = 0.0

    def add(self, other: "Totals") -> "Totals":
        """A new Totals: the sums of both (longest wait: the larger)."""
        out = Totals()
        for f in fields(self):
            a, b = getattr(self, f.name), getattr(other, f.name)
            if f.name == "longest_wait_seconds":
                setattr(out, f.name, max((v for v in (a, b) if v is not None), default=None))
            else:
                setattr(out, f.name, a + b)
        return out

    @classmethod
    def from_row(cls, row: dict) -> "Totals":
        """From an aggregate row (None sums become 0, except the longest wait)."""
        values = {}
        for f in fields(cls):
            value = row.get(f.name)
            if f.name == "longest_wait_seconds":
                values[f.name] = None if value is None else int(value)
            else:
                values[f.name] = value or 0
        return cls(**values)


def share(part: float, whole: float) -> float | None:
    """part / whole as a percentage rounded to one decimal; None when whole is 0."""
    return None if not whole else round(100 * part / whole, 1)


def average(total: float, count: int) -> float | None:
    """total / count rounded to one decimal; None when count is 0."""
    return None if not count else round(total / count, 1)


def kpi_values(t: Totals) -> dict:
    """The figures of one group: {"offered", "answered", "abandoned", "short_abandoned",
    "ivr_only", "base", "service_level" (%), "abandon_rate" (%), "asa" (s), "aht" (s),
    "longest_wait" (s), "occupancy" (%), "fcr" (%), "fcr_measured"} — rates None when their
    denominator is 0."""
    base = t.answered + t.abandoned
    return {
        "offered": t.offered,
        "answered": t.answered,
        "abandoned": t.abandoned,
        "short_abandoned": t.short_abandoned,
        "ivr_only": t.ivr_only,
        "base": base,
        "service_level": share(t.answered_in_target, base),
        "abandon_rate": share(t.abandoned, base),
        "asa": average(t.wait_answered_seconds, t.answered),
        "aht": average(t.handle_seconds, t.ended),
        "longest_wait": t.longest_wait_seconds,
        "occupancy": share(t.agent_handle_seconds, t.staffed_seconds),
        "fcr": share(t.fcr_resolved, t.fcr_measured),
        "fcr_measured": t.fcr_measured,
    }


@dataclass(frozen=True)
class Target:
    """A queue's targets (the defaults of QueueTarget when a queue has none)."""

    service_level_percent: int = DEFAULT_SERVICE_LEVEL_PERCENT
    answer_within_seconds: int = DEFAULT_ANSWER_WITHIN_SECONDS
    abandon_rate_percent: int = 5
    asa_seconds: int = 20
    aht_seconds: int = 300


def against_target(values: dict, target: Target) -> dict:
    """{kpi: True (met) | False (missed) | None (nothing to measure)} for the KPIs with a
    target: service level and (≥), abandonment rate, ASA and AHT (≤)."""

    def at_least(value, goal):
        return None if value is None else value >= goal

    def at_most(value, goal):
        return None if value is None else value <= goal

    return {
        "service_level": at_least(values["service_level"], target.service_level_percent),
        "abandon_rate": at_most(values["abandon_rate"], target.abandon_rate_percent),
        "asa": at_most(values["asa"], target.asa_seconds),
        "aht": at_most(values["aht"], target.aht_seconds),
    }


# --- intervals -----------------------------------------------------------------------------


def bucket_start(local: datetime.datetime, interval: str) -> datetime.datetime:
    """The start of the interval (see INTERVALS) holding `local`, a datetime in the
    workspace's zone: 10:37 → 10:30 for "15" and "30", 10:00 for "60"; midnight for "day";
    Monday midnight for "week" (ISO weeks). Raises ValueError for an unknown interval."""
    if interval not in INTERVALS:
        raise ValueError(f"unknown interval {interval!r}")
    if interval == "day":
        return local.replace(hour=0, minute=0, second=0, microsecond=0)
    if interval == "week":
        day = local.replace(hour=0, minute=0, second=0, microsecond=0)
        return day - datetime.timedelta(days=day.weekday())
    size = int(interval)
    return local.replace(minute=local.minute - local.minute % size, second=0, microsecond=0)


def bucket_length(interval: str) -> datetime.timedelta:
    """The length of one interval (a day and a week as 24 h and 7 × 24 h)."""
    if interval == "day":
        return datetime.timedelta(days=1)
    if interval == "week":
        return datetime.timedelta(days=7)
    return datetime.timedelta(minutes=int(interval))


def fold_buckets(rows: Iterable[tuple[datetime.datetime, Totals]], interval: str) -> dict:
    """{bucket start: Totals} from (local time, Totals) rows of a finer grouping (e.g. one row
    per minute), summing the rows that fall in the same interval."""
    out: dict = {}
    for local, totals in rows:
        key = bucket_start(local, interval)
        out[key] = out[key].add(totals) if key in out else totals
    return out


def overlap_seconds(
    start: datetime.datetime,
    end: datetime.datetime | None,
    window_start: datetime.datetime,
    window_end: datetime.datetime,
) -> float:
    """Seconds of [start, end) inside [window_start, window_end); an open end (None) is
    taken as window_end (a session still running is staffed up to now)."""
    end = window_end if end is None else end
    return max((min(end, window_end) - max(start, window_start)).total_seconds(), 0.0)


def staffed_by_bucket(
    sessions: Sequence[tuple[datetime.datetime, datetime.datetime | None]],
    buckets: Sequence[datetime.datetime],
    interval: str,
    now: datetime.datetime,
) -> dict:
    """{bucket start: staffed seconds} of the sessions (start, end or None) over the given
    buckets (aware starts). A running session counts up to `now`."""
    length = bucket_length(interval)
    out = {}
    for bucket in buckets:
        bucket_end = min(bucket + length, now) if bucket < now else bucket
        out[bucket] = sum(
            overlap_seconds(s, e if e is not None else now, bucket, bucket_end) for s, e in sessions
        )
    return out


# --- the reference definitions over plain dicts ----------------------------------------------


def _answered(call: dict) -> bool:
    return call.get("answered_at") is not None


def _is_repeat_source(call: dict, later: dict, fcr_days: int) -> bool:
    delta = later["offered_at"] - call["offered_at"]
    if not datetime.timedelta(0) < delta <= datetime.timedelta(days=fcr_days):
        return False
    if call.get("caller_number"):
        return later.get("caller_number") == call["caller_number"]
    return call.get("contact_id") is not None and later.get("contact_id") == call["contact_id"]


def totals_from_calls(
    calls: Sequence[dict],
    *,
    short_abandon_seconds: int,
    fcr_days: int,
    answer_within: dict | None = None,
    all_calls: Sequence[dict] | None = None,
) -> Totals:
    """The Totals of `calls` (dicts with the Call fields: direction, status, offered_at,
    queued_at, answered_at, ended_at, wait_seconds, talk/hold/wrap_seconds, queue_id,
    caller_number, contact_id) by the definitions of this module — the reference the SQL
    selectors are tested against. `answer_within`: {queue id: T seconds} (default 20);
    `all_calls`: the calls searched for repeats (default: `calls`). Staffed time is not
    included (sessions are not calls)."""
    answer_within = answer_within or {}
    pool = [
        c
        for c in (all_calls if all_calls is not None else calls)
        if c["direction"] == "inbound" and c["status"] != "incomplete"
    ]
    t = Totals()
    for c in calls:
        if c["status"] == "incomplete":
            continue
        handle = c.get("talk_seconds", 0) + c.get("hold_seconds", 0) + c.get("wrap_seconds", 0)
        if c["direction"] != "inbound":
            if _answered(c):
                t.agent_handle_seconds += handle
            continue
        t.offered += 1
        wait = c.get("wait_seconds")
        if c.get("queued_at") is not None and wait is not None:
            t.longest_wait_seconds = max(t.longest_wait_seconds or 0, wait)
        if _answered(c):
            t.answered += 1
            t.wait_answered_seconds += wait or 0
            limit = answer_within.get(c.get("queue_id"), DEFAULT_ANSWER_WITHIN_SECONDS)
            t.answered_in_target += (wait or 0) <= limit
            t.agent_handle_seconds += handle
            if c["status"] == "ended":
                t.ended += 1
                t.handle_seconds += handle
            if c.get("caller_number") or c.get("contact_id") is not None:
                t.fcr_measured += 1
                repeated = any(_is_repeat_source(c, other, fcr_days) for other in pool)
                t.fcr_resolved += not repeated
        elif c.get("queued_at") is None:
            if c["status"] in ("abandoned", "ended"):  # left the IVR without a queue
                t.ivr_only += 1
        elif c["status"] == "abandoned":
            if (wait or 0) < short_abandon_seconds:
                t.short_abandoned += 1
            else:
                t.abandoned += 1
    return t
