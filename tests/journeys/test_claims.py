"""Claiming due enrolments: a claim is a lease (two claims never share a row), and on
PostgreSQL the due query is served by the partial index `enrolment_due`."""

import datetime

import pytest
from django.db import connection, transaction
from django.utils import timezone

from journeys.models import Enrolment
from journeys.services.advancing import CLAIM_SECONDS, due_enrolments, enrolments_claim
from journeys.services.enrolling import events_consume

from .helpers import chain, live_journey, new_contact, touch

pytestmark = [pytest.mark.django_db, pytest.mark.in_scope]


def _enrol(workspace, n):
    live_journey(workspace, steps=chain("test.noop"))
    for i in range(n):
        touch(workspace, new_contact(workspace, f"C{i}"))
    events_consume(workspace=workspace)


def test_two_claims_never_take_the_same_enrolment(workspace):
    _enrol(workspace, 3)
    now = timezone.now()
    first = enrolments_claim(workspace=workspace, now=now, limit=2)
    second = enrolments_claim(workspace=workspace, now=now, limit=10)
    assert len(first) == 2 and len(second) == 1 and not set(first) & set(second)
    leased = Enrolment.objects.get(pk=first[0]).next_run_at
    assert leased == now + datetime.timedelta(seconds=CLAIM_SECONDS)
    # a worker that died: its lease runs out and the rows are due again
    later = now + datetime.timedelta(seconds=CLAIM_SECONDS)
    assert sorted(enrolments_claim(workspace=workspace, now=later, limit=10)) == sorted(
        first + second
    )


@pytest.mark.postgres
def test_the_due_query_uses_the_partial_index(workspace):
    _enrol(workspace, 2)
    query = due_enrolments(workspace=workspace, now=timezone.now()).order_by("next_run_at")[:200]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a tiny table: ask what it would use
        plan = query.explain()
    assert "enrolment_due" in plan
