"""Campaign report benchmark (issue 20): the report's aggregate queries over one campaign of
100,000 deliveries with about 83,000 events (opens, a tenth by machines, clicks on three
links, unsubscribes, bounces, complaints), on PostgreSQL.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/crm_bench_report \
        .venv/bin/python bench/campaign_report.py [--recipients 100000] [--runs 7]

Makes its own workspace ("bench-report", contacts by COPY through bench.generate, the
deliveries and events with INSERT … SELECT) once, then times each selector of the report page
(median and max of --runs, ms) and writes bench/results/<date>-campaign-report.md. The
figures are one aggregate query; the time grows with the campaign, the number of queries
does not.
"""

import argparse
import datetime
import statistics
import sys
import time
import zoneinfo
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, setup_django  # noqa: E402

SLUG = "bench-report"


def _build(recipients: int):
    from django.core.management import call_command
    from django.db import connection

    from bench.generate import fill_contacts, make_workspace
    from marketing.models import Campaign, Delivery, DeliveryEvent, TrackedLink
    from workspaces.scoping import workspace_scope

    call_command("migrate", verbosity=0)
    workspace = make_workspace(SLUG, "Bench report")
    with workspace_scope(workspace):
        campaign = Campaign.objects.filter(name="Bench report").first()
        if campaign is not None:
            return workspace, campaign
        fill_contacts(workspace, recipients, [])
        launched = datetime.datetime(2026, 3, 2, 8, 0, tzinfo=datetime.UTC)
        campaign = Campaign.objects.create(
            workspace=workspace, name="Bench report", status="sent", launched_at=launched
        )
        links = [
            TrackedLink.objects.create(
                workspace=workspace, campaign=campaign, url=f"https://x.example/{i}", position=i
            )
            for i in (1, 2, 3)
        ]
        d, e = Delivery._meta.db_table, DeliveryEvent._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"""INSERT INTO {d} (workspace_id, created_at, updated_at, campaign_id,
                    contact_id, address, status, attempts, next_attempt_at, claimed_by,
                    sent_at, message_id, smtp_code, last_error)
                SELECT c.workspace_id, %s, %s, %s, c.id, c.email_key,
                    CASE WHEN c.id %% 100 = 0 THEN 'failed' ELSE 'sent' END,
                    CASE WHEN c.id %% 50 = 0 THEN 2 ELSE 1 END, %s, '',
                    %s + (c.id %% 3600) * interval '1 second', '', 250, ''
                FROM contacts_contact c WHERE c.workspace_id = %s""",
                [launched, launched, campaign.pk, launched, launched, workspace.pk],
            )
            events = [
                # kind, share (id modulo), machine, minutes after the send, link
                ("open", "d.id %% 2 = 0", "d.id %% 20 = 0", "(d.id %% 4320)", "NULL"),
                ("open", "d.id %% 6 = 0", "false", "(d.id %% 2880) + 60", "NULL"),
                ("click", "d.id %% 8 = 0", "false", "(d.id %% 4320) + 1", f"{links[0].pk}"),
                ("click", "d.id %% 24 = 0", "false", "(d.id %% 4320) + 2", f"{links[1].pk}"),
                ("unsubscribe", "d.id %% 400 = 0", "false", "(d.id %% 600) + 5", "NULL"),
                ("bounce", "d.id %% 150 = 1", "false", "3", "NULL"),
                ("complaint", "d.id %% 2000 = 3", "false", "(d.id %% 4320) + 9", "NULL"),
            ]
            for kind, share, machine, minutes, link in events:
                cursor.execute(
                    f"""INSERT INTO {e} (workspace_id, created_at, updated_at, delivery_id,
                        kind, link_id, occurred_at, machine, user_agent, data)
                    SELECT d.workspace_id, d.sent_at, d.sent_at, d.id, %s, {link},
                        d.sent_at + ({minutes}) * interval '1 minute', {machine}, '', '{{}}'
                    FROM {d} d WHERE d.campaign_id = %s AND d.status = 'sent' AND {share}""",
                    [kind, campaign.pk],
                )
    return workspace, campaign


def _time(fn, runs):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), max(times), result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--recipients", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    setup_django()
    from django.core.cache import cache
    from django.db import connection

    from marketing.models import DeliveryEvent
    from marketing.selectors import reports as q
    from workspaces.scoping import workspace_scope

    workspace, campaign = _build(args.recipients)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    tz = zoneinfo.ZoneInfo("Europe/Berlin")
    rows = []
    with workspace_scope(workspace):
        events = DeliveryEvent.objects.filter(delivery__campaign=campaign).count()
        checks = {
            "figures (counts and rates, 1 query)": lambda: q.campaign_figures(
                workspace=workspace, campaign=campaign
            )[0],
            "opens over time (2 queries)": lambda: len(
                q.opens_over_time(workspace=workspace, campaign=campaign, tz=tz).buckets
            ),
            "clicks per link (1 query)": lambda: [
                (r.url, r.clicks) for r in q.clicks_per_link(workspace=workspace, campaign=campaign)
            ],
            "retried deliveries (1 query)": lambda: len(
                q.retried_deliveries(workspace=workspace, campaign=campaign)
            ),
            "conversions, 30 days (1-2 queries)": lambda: [
                (s.key, c.count)
                for s, c in q.campaign_conversions(workspace=workspace, campaign=campaign, days=30)
            ],
            "list rates of the page's campaigns (1 query, uncached)": lambda: (
                cache.clear(),
                len(q.campaigns_figures(workspace=workspace, campaign_ids=[campaign.pk])),
            )[1],
        }
        for name, fn in checks.items():
            median, worst, result = _time(fn, args.runs)
            rows.append((name, median, worst, result))
            print(f"{name:<45} median {median:8.1f} ms  max {worst:8.1f} ms")
    total = rows[0][3]
    print(total)
    out = ROOT / "bench" / "results" / f"{datetime.date.today()}-campaign-report.md"
    with out.open("w") as fh:
        fh.write(
            f"# Campaign report, {args.recipients:,} deliveries, {events:,} events (PostgreSQL)\n\n"
        )
        fh.write(
            f"`bench/campaign_report.py --recipients {args.recipients} --runs {args.runs}`\n\n"
        )
        fh.write("| query | median ms | max ms |\n|---|---:|---:|\n")
        for name, median, worst, _result in rows:
            fh.write(f"| {name} | {median:.1f} | {worst:.1f} |\n")
        fh.write(
            f"\nFigures: sent {total.sent:,}, delivered {total.delivered:,}, opened (human) "
            f"{total.opened_human:,} = {total.open_rate} %, opened (all) {total.opened:,} = "
            f"{total.open_rate_all} %, clicked {total.clicked:,} = {total.click_rate} %, "
            f"complaint rate {total.complaint_rate} %, retried {total.retried:,}.\n"
        )
    print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
