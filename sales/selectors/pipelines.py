"""Reads of pipelines: the workspace's pipelines, its default one, the closing stage kinds."""

from ..models import Pipeline, StageKind


def pipelines_for(*, workspace) -> list[Pipeline]:
    """The pipelines of `workspace` in their order (one query)."""
    return list(Pipeline.objects.filter(workspace=workspace).order_by("position", "id"))


def pipeline_default_get(*, workspace) -> Pipeline | None:
    """The workspace's default pipeline (else its first one), or None when it has none. A
    read only: the default pipeline is made when the workspace is created."""
    return (
        Pipeline.objects.filter(workspace=workspace)
        .order_by("-is_default", "position", "id")
        .first()
    )


def closing_kinds() -> dict:
    return {"won": StageKind.WON, "lost": StageKind.LOST}
