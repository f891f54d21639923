"""Choice fields over the workspace's service agents (assignees, queue members, the KPI and
survey agent filters)."""

from ..selectors.cases import agent_list


class AgentChoicesMixin:
    """Put after WorkspaceForm/WorkspaceModelForm in the bases: the fields named in
    `agent_fields` offer only the members whose role holds service.edit
    (`selectors.cases.agent_list`), still of the form's workspace; anyone else is refused as
    an invalid choice."""

    agent_fields: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.agent_fields:
            if name in self.fields:
                self.fields[name].queryset = agent_list(workspace=self.workspace)
