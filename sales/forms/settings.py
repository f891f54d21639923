"""Forms of the pipeline settings: pipelines, stages, lost reasons."""

from workspaces.forms import WorkspaceModelForm

from ..models import LostReason, Pipeline, Stage


class PipelineForm(WorkspaceModelForm):
    class Meta(WorkspaceModelForm.Meta):
        model = Pipeline
        fields = ["name", "is_default"]


class StageForm(WorkspaceModelForm):
    class Meta(WorkspaceModelForm.Meta):
        model = Stage
        fields = ["name", "probability", "kind"]


class LostReasonForm(WorkspaceModelForm):
    class Meta(WorkspaceModelForm.Meta):
        model = LostReason
        fields = ["name"]
