"""What service shows on the shell's pages (registered by service.registration)."""

from .cases import agent_home


def service_home_panel(workspace, user) -> dict:
    """The service agent's home panel: my open cases by SLA urgency, unassigned cases of my
    queues, breached cases (selectors.cases.agent_home)."""
    return agent_home(workspace=workspace, user=user)
