"""Reading journeys for the pages: the list, one journey, counts per step, enrolments."""

from django.db.models import Count, Q, QuerySet

from ..models import Enrolment, EnrolmentStatus, Journey, JourneyStep


def journey_list(*, workspace, status: str | None = None) -> QuerySet:
    """The workspace's journeys (by name) with `active_count` (active enrolments) annotated;
    `status` narrows to one status. One query."""
    qs = Journey.objects.filter(workspace=workspace)
    if status:
        qs = qs.filter(status=status)
    return (
        qs.select_related("current_version")
        .annotate(
            active_count=Count("enrolments", filter=Q(enrolments__status=EnrolmentStatus.ACTIVE))
        )
        .order_by("name", "id")
    )


def journey_get(*, workspace, pk: int) -> Journey:
    """One journey of the workspace with its current version; Journey.DoesNotExist when it
    is not there (views turn that into a 404)."""
    return Journey.objects.select_related("current_version", "created_by").get(
        workspace=workspace, pk=pk
    )


def journey_steps(*, workspace, journey: Journey, version=None) -> list[JourneyStep]:
    """The steps of `version` (default: the journey's current version) in order."""
    version_id = version.pk if version is not None else journey.current_version_id
    return list(
        JourneyStep.objects.filter(workspace=workspace, version_id=version_id).order_by(
            "position", "id"
        )
    )


def journey_step_counts(*, journey: Journey) -> dict[str, int]:
    """{step_key: active enrolments waiting at that step} over all versions of `journey`
    (step keys are stable across versions): one GROUP BY query on (workspace, journey,
    status)."""
    rows = (
        Enrolment.objects.filter(
            workspace_id=journey.workspace_id, journey=journey, status=EnrolmentStatus.ACTIVE
        )
        .values("current_step_key")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {row["current_step_key"]: row["n"] for row in rows}


def journey_status_counts(*, journey: Journey) -> dict[str, int]:
    """{enrolment status: count} of `journey` (one GROUP BY query)."""
    rows = (
        Enrolment.objects.filter(workspace_id=journey.workspace_id, journey=journey)
        .values("status")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {row["status"]: row["n"] for row in rows}


def enrolment_list(
    *,
    workspace,
    journey: Journey | None = None,
    contact=None,
    status: str | None = None,
    limit: int = 50,
    before_id: int | None = None,
) -> list[Enrolment]:
    """Enrolments of one journey or of one contact (one of them is required; ValueError
    otherwise), newest first, at most `limit`; keyset paging: pass the last row's id as
    `before_id`. Contact, journey and version loaded in the same query."""
    if journey is None and contact is None:
        raise ValueError("enrolment_list needs a journey or a contact")
    qs = Enrolment.objects.filter(workspace=workspace)
    if journey is not None:
        qs = qs.filter(journey=journey)
    if contact is not None:
        qs = qs.filter(contact=contact)
    if status:
        qs = qs.filter(status=status)
    if before_id is not None:
        qs = qs.filter(pk__lt=before_id)
    return list(qs.select_related("contact", "journey", "version").order_by("-id")[:limit])


def enrolment_executions(*, workspace, enrolment: Enrolment) -> QuerySet:
    """The step executions of one enrolment, in the order they started."""
    return enrolment.executions.filter(workspace=workspace).order_by("started_at", "id")
