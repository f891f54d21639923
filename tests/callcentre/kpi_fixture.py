"""A fixture day of calls with known outcomes: Monday 16 Nov 2026 in Europe/Berlin (UTC+1),
queues "A" (T = 20 s, the default) and "B" (target: 70 % within 30 s), agents "ann" and
"bob", short abandons under 5 s, FCR window 7 days. Plain dicts (the Call fields, local
wall times), so the pure definitions and the SQL selectors read the same rows.

 #  local time  queue agent dir  status     queued wait talk hold wrap caller  contact
 1  16. 09:05   A     ann   in   ended      yes    10   100  20   30   +491    -
 2  16. 09:10   A     ann   in   ended      yes    25   200   0   40   +492    -
 3  16. 09:20   A     -     in   abandoned  yes    40                  +493    -
 4  16. 09:25   A     -     in   abandoned  yes     3  (short)         +494    -
 5  16. 09:40   B     bob   in   ended      yes    30   300  60    0   ""      C1   (transferred once)
 6  16. 09:50   -     -     in   abandoned  no (IVR only)              +495    -
 7  16. 10:05   B     bob   in   ended      yes    45   100   0   20   +496    -
 8  16. 10:40   A     ann   in   answered   yes     5     0   0    0   +492    -   (talking)
 9  16. 10:50   A     -     in   incomplete yes                        +491    -
10  16. 11:10   B     -     in   abandoned  yes    60                  +497    -
11  16. 11:20   -     ann   out  ended      no          60   0    0   +400    -
12  16. 11:30   A     -     in   offered    yes   (waiting)            +498x   -
13  16. 23:30   B     bob   in   ended      yes     0    50   0    0   +498    -
14  17. 00:30   B     -     in   abandoned  yes    10  (the next local day; 16th in UTC)
15  18. 10:00   B     bob   in   ended      yes     5    60   0    0   +496    -
16  23. 10:00   A     ann   in   ended      yes     5    60   0    0   +4999   C1
17  16. 11:40   A     bob   in   ended      yes    15    90   0   30   ""      C2
18  19. 10:00   -     -     in   abandoned  no (IVR only)              ""      C2

Sessions: ann 08:00-12:00 (14,400 s), bob 09:00-12:00 (10,800 s), both on the 16th.
"""

import datetime
import zoneinfo

TZ = zoneinfo.ZoneInfo("Europe/Berlin")
SHORT_ABANDON_SECONDS = 5
FCR_DAYS = 7


def local(day: int, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2026, 11, day, hour, minute, tzinfo=TZ)


def _call(n, day, hh, mm, queue, agent, status, *, direction="inbound", queued=True, wait=None,
          talk=0, hold=0, wrap=0, caller="", contact=None, transfers=0):  # fmt: skip
    offered = local(day, hh, mm)
    answered = status in ("answered", "on_hold", "ended")
    queued_at = offered + datetime.timedelta(seconds=5) if queued else None
    answered_at = None
    if answered:
        answered_at = (queued_at or offered) + datetime.timedelta(seconds=wait or 0)
    return {
        "n": n,
        "direction": direction,
        "status": status,
        "queue": queue,
        "agent": agent,
        "offered_at": offered,
        "queued_at": queued_at,
        "answered_at": answered_at,
        "ended_at": (answered_at + datetime.timedelta(seconds=talk + hold))
        if status == "ended"
        else None,
        "abandoned_at": (queued_at or offered) + datetime.timedelta(seconds=wait or 0)
        if status == "abandoned"
        else None,
        "wait_seconds": wait,
        "talk_seconds": talk,
        "hold_seconds": hold,
        "wrap_seconds": wrap,
        "caller_number": caller,
        "contact": contact,
        "transfers": transfers,
    }


CALLS = [
    _call(1, 16, 9, 5, "A", "ann", "ended", wait=10, talk=100, hold=20, wrap=30, caller="+491"),
    _call(2, 16, 9, 10, "A", "ann", "ended", wait=25, talk=200, wrap=40, caller="+492"),
    _call(3, 16, 9, 20, "A", None, "abandoned", wait=40, caller="+493"),
    _call(4, 16, 9, 25, "A", None, "abandoned", wait=3, caller="+494"),
    _call(5, 16, 9, 40, "B", "bob", "ended", wait=30, talk=300, hold=60, contact="C1", transfers=1),
    _call(6, 16, 9, 50, None, None, "abandoned", queued=False, caller="+495"),
    _call(7, 16, 10, 5, "B", "bob", "ended", wait=45, talk=100, wrap=20, caller="+496"),
    _call(8, 16, 10, 40, "A", "ann", "answered", wait=5, caller="+492"),
    _call(9, 16, 10, 50, "A", None, "incomplete", caller="+491"),
    _call(10, 16, 11, 10, "B", None, "abandoned", wait=60, caller="+497"),
    _call(
        11,
        16,
        11,
        20,
        None,
        "ann",
        "ended",
        direction="outbound",
        queued=False,
        talk=60,
        caller="+400",
    ),  # fmt: skip
    _call(12, 16, 11, 30, "A", None, "offered", caller="+4981"),
    _call(13, 16, 23, 30, "B", "bob", "ended", wait=0, talk=50, caller="+498"),
    _call(14, 17, 0, 30, "B", None, "abandoned", wait=10, caller="+4982"),
    _call(15, 18, 10, 0, "B", "bob", "ended", wait=5, talk=60, caller="+496"),
    _call(16, 23, 10, 0, "A", "ann", "ended", wait=5, talk=60, caller="+4999", contact="C1"),
    _call(17, 16, 11, 40, "A", "bob", "ended", wait=15, talk=90, wrap=30, contact="C2"),
    _call(18, 19, 10, 0, None, None, "abandoned", queued=False, contact="C2"),
]

SESSIONS = [("ann", local(16, 8), local(16, 12)), ("bob", local(16, 9), local(16, 12))]

TARGETS = {"B": {"service_level_percent": 70, "answer_within_seconds": 30}}

PERIOD = (local(16, 0), local(17, 0))  # the local day of the 16th

# Hand-computed (see the module docstring for the rows):
TOTAL = {
    # offered: inbound, not incomplete, in the local day: 1-8, 10, 12, 13, 17 = 12
    # (9 incomplete, 11 outbound, 14 the next local day, 15/16/18 later days)
    "offered": 12,
    "answered": 7,  # 1, 2, 5, 7, 8, 13, 17
    "abandoned": 2,  # 3 (40 s), 10 (60 s)
    "short_abandoned": 1,  # 4 (3 s < 5 s)
    "ivr_only": 1,  # 6
    "base": 9,  # answered + abandoned
    # within T: 1 (10 ≤ 20), 5 (B: 30 ≤ 30), 8 (5), 13 (B: 0), 17 (15) = 5; missed 2, 7
    "service_level": 55.6,  # 5 / 9
    "abandon_rate": 22.2,  # 2 / 9
    "asa": 18.6,  # (10 + 25 + 30 + 45 + 5 + 0 + 15) / 7 = 130 / 7
    # ended answered: 1 (150), 2 (240), 5 (360), 7 (120), 13 (50), 17 (120) = 1,040 / 6
    "aht": 173.3,
    "longest_wait": 60,
    # inbound handle 1,040 + 8 (0) + outbound 11 (60) = 1,100 over 25,200 staffed seconds
    "occupancy": 4.4,
    # measured 1, 2, 5, 7, 8, 13, 17; repeats: 2 (8 from +492), 7 (15 from +496 on the
    # 18th, outside the period), 17 (18 from contact C2); 1's later call 9 is INCOMPLETE,
    # 5's contact calls again (16) after more than 7 days -> 4 / 7
    "fcr": 57.1,
    "fcr_measured": 7,
}

BY_QUEUE = {
    "A": {  # 1, 2, 3, 4, 8, 12, 17
        "offered": 7,
        "answered": 4,
        "abandoned": 1,
        "short_abandoned": 1,
        "ivr_only": 0,
        "service_level": 60.0,  # 1, 8, 17 of 5
        "abandon_rate": 20.0,
        "asa": 13.8,  # 55 / 4
        "aht": 170.0,  # (150 + 240 + 120) / 3
        "longest_wait": 40,
        "fcr": 50.0,  # 1, 8 of 1, 2, 8, 17
    },
    "B": {  # 5, 7, 10, 13
        "offered": 4,
        "answered": 3,
        "abandoned": 1,
        "short_abandoned": 0,
        "ivr_only": 0,
        "service_level": 50.0,  # 5, 13 of 4 (T = 30 s)
        "abandon_rate": 25.0,
        "asa": 25.0,  # 75 / 3
        "aht": 176.7,  # 530 / 3
        "longest_wait": 60,
        "fcr": 66.7,  # 5, 13 of 5, 7, 13
    },
    None: {"offered": 1, "answered": 0, "ivr_only": 1, "abandoned": 0},  # 6 (11 outbound)
}

BY_AGENT = {
    "ann": {  # 1, 2, 8 and outbound 11
        "offered": 3,
        "answered": 3,
        "service_level": 66.7,  # 1, 8 of 3
        "asa": 13.3,  # 40 / 3
        "aht": 195.0,  # 390 / 2
        "occupancy": 3.1,  # (390 + 0 + 60) / 14,400
        "fcr": 66.7,
    },
    "bob": {  # 5, 7, 13, 17
        "offered": 4,
        "answered": 4,
        "service_level": 75.0,  # 5, 13, 17 of 4
        "asa": 22.5,  # 90 / 4
        "aht": 162.5,  # 650 / 4
        "occupancy": 6.0,  # 650 / 10,800
        "fcr": 50.0,  # 5, 13 of 4
    },
    None: {"offered": 5, "answered": 0, "abandoned": 2, "short_abandoned": 1, "ivr_only": 1},
}

# offered / answered / abandoned / service level per interval start (local time)
BY_HOUR = {
    local(16, 9): (6, 3, 1, 50.0),  # 1-6: in target 1, 5 of base 4
    local(16, 10): (2, 2, 0, 50.0),  # 7, 8 (9 incomplete)
    local(16, 11): (3, 1, 1, 50.0),  # 10, 12, 17 (11 outbound: no offered call)
    local(16, 23): (1, 1, 0, 100.0),  # 13
}
BY_HALF_HOUR = {
    local(16, 9, 0): (4, 2, 1, 33.3),  # 1-4: in target 1 of base 3
    local(16, 9, 30): (2, 1, 0, 100.0),  # 5, 6
    local(16, 10, 0): (1, 1, 0, 0.0),  # 7
    local(16, 10, 30): (1, 1, 0, 100.0),  # 8
    local(16, 11, 0): (1, 0, 1, 0.0),  # 10 (and outbound 11)
    local(16, 11, 30): (2, 1, 0, 100.0),  # 12, 17
    local(16, 23, 30): (1, 1, 0, 100.0),  # 13
}
BY_QUARTER = {
    local(16, 9, 0): (2, 2, 0, 50.0),  # 1, 2
    local(16, 9, 15): (2, 0, 1, 0.0),  # 3, 4 (short)
    local(16, 9, 30): (1, 1, 0, 100.0),  # 5
    local(16, 9, 45): (1, 0, 0, None),  # 6 (IVR only: no base)
    local(16, 10, 0): (1, 1, 0, 0.0),  # 7
    local(16, 10, 30): (1, 1, 0, 100.0),  # 8
    local(16, 11, 0): (1, 0, 1, 0.0),  # 10
    local(16, 11, 15): (0, 0, 0, None),  # outbound 11 only
    local(16, 11, 30): (2, 1, 0, 100.0),  # 12, 17
    local(16, 23, 30): (1, 1, 0, 100.0),  # 13
}
STAFFED_BY_HOUR = {  # seconds: ann 08-12, bob 09-12
    local(16, 8): 3600,
    local(16, 9): 7200,
    local(16, 10): 7200,
    local(16, 11): 7200,
    local(16, 12): 0,
}
