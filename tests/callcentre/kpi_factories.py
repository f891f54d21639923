"""Test data of the call-centre KPIs: calls, and the fixture day of kpi_fixture.py stored in a
workspace."""

from callcentre.models import AgentSession, Call, CallCentreSettings, QueueTarget
from tests.callcentre import kpi_fixture as fx
from tests.contacts.factories import ContactFactory
from tests.service.quality_factories import queue_make
from workspaces.roles import Role


def call_make(workspace, **fields) -> Call:
    """A call of `workspace` with the given Call fields."""
    return Call.all_workspaces.create(workspace=workspace, provider="test", **fields)


def fixture_day(workspace, member_factory) -> dict:
    """The fixture day in `workspace` (time zone Europe/Berlin): {"queues": {name: Queue},
    "agents": {name: User}}."""
    workspace.time_zone = "Europe/Berlin"
    workspace.save()
    queues = {"A": queue_make(workspace, "A"), "B": queue_make(workspace, "B")}
    agents = {"ann": member_factory(Role.SERVICE), "bob": member_factory(Role.SERVICE)}
    agents["ann"].first_name, agents["bob"].first_name = "Ann", "Bob"
    contacts = {
        "C1": ContactFactory(workspace=workspace),
        "C2": ContactFactory(workspace=workspace),
    }
    CallCentreSettings.all_workspaces.create(
        workspace=workspace,
        short_abandon_seconds=fx.SHORT_ABANDON_SECONDS,
        fcr_days=fx.FCR_DAYS,
    )
    for name, target in fx.TARGETS.items():
        QueueTarget.all_workspaces.create(workspace=workspace, queue=queues[name], **target)
    for row in fx.CALLS:
        fields = {k: v for k, v in row.items() if k not in ("n", "queue", "agent", "contact")}
        call_make(
            workspace,
            queue=queues.get(row["queue"]),
            agent=agents.get(row["agent"]),
            contact=contacts.get(row["contact"]),
            **fields,
        )
    for name, start, end in fx.SESSIONS:
        AgentSession.all_workspaces.create(
            workspace=workspace, agent=agents[name], started_at=start, ended_at=end
        )
    return {"queues": queues, "agents": agents}
