"""Open the app's pages on the generated dataset (bench/generate.py) and check they answer 200
with the generated rows showing: logged in with the password as the owner (and the agent),
in-process with Django's test Client.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/crm_bench .venv/bin/python bench/check_dataset.py

Prints one line per page (status, ms, what was looked for); exits 1 when a page fails.
"""

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    AGENT_EMAIL,
    COMMON_SURNAME,
    MAIN_SLUG,
    OWNER_EMAIL,
    OWNER_PASSWORD,
    TIMELINE_CONTACT_EMAIL,
    setup_django,
)


def main() -> int:
    setup_django()
    from django.test import Client
    from django.urls import reverse
    from django.utils.html import escape

    from callcentre.models import Call
    from contacts.models import Contact
    from marketing.models import Campaign
    from sales.models import Deal
    from service.selectors.cases import agent_home
    from workspaces.models import User, Workspace
    from workspaces.scoping import workspace_scope

    workspace = Workspace.objects.get(slug=MAIN_SLUG)
    agent = User.objects.get(email=AGENT_EMAIL)
    with workspace_scope(workspace):
        timeline = Contact.objects.get(workspace=workspace, email=TIMELINE_CONTACT_EMAIL)
        newest = (
            Contact.objects.filter(workspace=workspace)
            .order_by("last_name", "first_name", "id")
            .first()
        )
        mine = agent_home(workspace=workspace, user=agent)["mine"]  # open, nearest due first
        case = mine[0] if mine else None
        campaign = Campaign.objects.filter(workspace=workspace).order_by("-launched_at").first()
        deal = (
            Deal.objects.filter(workspace=workspace, closed_at__isnull=True)
            .order_by("-amount")
            .first()
        )
        calls = Call.objects.filter(workspace=workspace).count()
        common = (
            Contact.objects.filter(workspace=workspace, last_name__icontains=COMMON_SURNAME)
            .order_by("last_name", "first_name", "id")  # the list's order: on its first page
            .first()
        )

    def url(name, query="", **kwargs):
        return reverse(name, kwargs={"ws": MAIN_SLUG, **kwargs}) + (f"?{query}" if query else "")

    owner, agent_client = Client(), Client()
    failures = 0
    for client, email in ((owner, OWNER_EMAIL), (agent_client, AGENT_EMAIL)):
        if not client.login(username=email, password=OWNER_PASSWORD) and not client.login(
            email=email, password=OWNER_PASSWORD
        ):
            print(f"cannot log in as {email}")
            return 1
    pages = [
        (owner, "contact list", url("contacts:list"), newest.last_name),
        (
            owner,
            f"search {COMMON_SURNAME}",
            url("contacts:list", f"q={COMMON_SURNAME}"),
            common.email,
        ),
        (owner, "search by email", url("search", f"q={common.email}"), common.first_name),
        (owner, "timeline contact", url("contacts:detail", pk=timeline.pk), TIMELINE_CONTACT_EMAIL),
        (owner, "deal board", url("sales:board"), deal.name),
        (agent_client, "agent home", url("service:index"), f"#{case.number}" if case else ""),
        (agent_client, "case page", url("service:case_detail", pk=case.pk), case.subject),
        (owner, "wallboard", url("callcentre:wallboard_board"), "Queue 1"),
        (owner, "campaign report", url("marketing:campaign_report", pk=campaign.pk), campaign.name),
    ]
    print(f"{calls:,} calls")
    for client, label, address, wanted in pages:
        started = time.perf_counter()
        response = client.get(address)
        took = (time.perf_counter() - started) * 1000
        body = response.content.decode(errors="replace") if response.status_code == 200 else ""
        found = not wanted or escape(wanted) in body
        ok = response.status_code == 200 and found
        failures += not ok
        print(
            f"{'ok  ' if ok else 'FAIL'} {label:22} {response.status_code} {took:7.0f} ms  "
            f"{address}  {'shows' if found else 'MISSING'} {wanted!r}"
        )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
