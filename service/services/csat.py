"""Satisfaction surveys (issue 21, "Satisfaction"; DESIGN.md §4 for the signed public link).

The rules a survey follows, each a test in tests/service/test_csat.py:
- one survey per resolution of a case (a case reopened and resolved again is asked again),
  never for a case that closed by itself (`Case.auto_closed`), never without an email address;
- at most one survey per contact within `SurveySettings.min_days_between` days (default 7):
  the customer with three cases resolved in one week is asked once;
- one reminder `reminder_after_days` after sending while unanswered (`csat_reminders_due`);
- the link is a signed token of the survey (django.core.signing, salt `SURVEY_SALT`): no login,
  a tampered or forged token names no survey; the survey is answered once (a conditional
  UPDATE on `answered_at IS NULL`), a second use changes nothing;
- a score of 1 or 2 flags the case for follow-up (`Case.follow_up`), opens a CaseTask for the
  agent and runs the `workspaces.lifecycle.on_low_satisfaction` hooks (the win-back journey).
"""

import datetime

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from touchpoints.models import Direction
from touchpoints.services import interaction_record
from workspaces import lifecycle
from workspaces.changelog import ChangeAction, change_record, update_recorded
from workspaces.scoping import scopes_disabled

from ..models import Case, CaseTask, CsatSurvey, SurveySettings, TaskReason
from ..models.csat import LOW_SCORE_MAX, SCORE_MAX, SCORE_MIN

SURVEY_SALT = "service.csat-survey"
FOLLOW_UP_DUE = datetime.timedelta(days=1)  # a low score is called back the next working day


class SurveyAlreadyAnswered(Exception):
    """The survey was answered before; nothing was changed."""


def survey_settings_get(*, workspace) -> SurveySettings:
    """The workspace's survey rules, created with the defaults on first use."""
    settings_row, _created = SurveySettings.objects.get_or_create(workspace=workspace)
    return settings_row


@transaction.atomic
def survey_settings_update(
    *, workspace, actor, enabled: bool, min_days_between: int, reminder_after_days: int
) -> SurveySettings:
    """Change the survey rules (validated; ValidationError keyed by field); records the change."""
    row = survey_settings_get(workspace=workspace)
    row.enabled = enabled
    row.min_days_between = min_days_between
    row.reminder_after_days = reminder_after_days
    row.full_clean(exclude=["workspace"])
    row.save()
    change_record(
        workspace=workspace,
        actor=actor,
        instance=row,
        action=ChangeAction.UPDATED,
        fields=["enabled", "min_days_between", "reminder_after_days"],
    )
    return row


# --- the signed link ------------------------------------------------------------------------


def survey_token(survey: CsatSurvey) -> str:
    """The signed token of the survey link: {"w": workspace id, "s": survey id} signed with
    SECRET_KEY and `SURVEY_SALT` (URL-safe, ~60 characters). It does not expire: answering
    once is what closes it."""
    return signing.Signer(salt=SURVEY_SALT).sign_object({"w": survey.workspace_id, "s": survey.pk})


def survey_from_token(token: str) -> CsatSurvey | None:
    """The survey a token names, or None when the token is forged, tampered with or names no
    survey (any more). Reads across workspaces: the token is what names the workspace."""
    try:
        data = signing.Signer(salt=SURVEY_SALT).unsign_object(token)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not isinstance(data, dict):
        return None
    workspace_id, survey_id = data.get("w"), data.get("s")
    if not isinstance(workspace_id, int) or not isinstance(survey_id, int):
        return None
    with scopes_disabled():  # the signed link names the workspace; no scope exists yet
        return (
            CsatSurvey.all_workspaces.select_related("workspace", "case", "contact")
            .filter(pk=survey_id, workspace_id=workspace_id)
            .first()
        )


# --- sending --------------------------------------------------------------------------------


def survey_skip_reason(*, workspace, case: Case, now=None) -> str:
    """Why no survey goes out for this resolution of `case`, or "" when one should. Reasons:
    "disabled", "auto_closed", "no_contact", "no_email", "already_sent" (this resolution has
    its survey), "recently_asked" (the contact had one within min_days_between days)."""
    now = now or timezone.now()
    rules = survey_settings_get(workspace=workspace)
    if not rules.enabled:
        return "disabled"
    if case.auto_closed:
        return "auto_closed"
    if case.contact_id is None:
        return "no_contact"
    if not case.contact.email:
        return "no_email"
    resolved_at = case.resolved_at or now
    surveys = CsatSurvey.objects.filter(workspace=workspace)
    if surveys.filter(case=case, sent_at__gte=resolved_at).exists():
        return "already_sent"
    window_start = now - datetime.timedelta(days=rules.min_days_between)
    if surveys.filter(contact_id=case.contact_id, sent_at__gt=window_start).exists():
        return "recently_asked"
    return ""


@transaction.atomic
def csat_survey_send(*, workspace, case: Case, now=None) -> CsatSurvey | None:
    """Create the survey of this resolution of `case` and mail it after commit (task
    `service.email.csat_survey_mail`), unless a rule says no (`survey_skip_reason`): then
    None. Idempotent per resolution: calling it twice for one resolution makes one survey.
    Call it from the service that resolves the case, inside its transaction."""
    now = now or timezone.now()
    if case.workspace_id != workspace.pk:
        raise ValidationError({"case": _("This record belongs to another workspace.")})
    # one survey decision at a time per contact: two cases resolved at once ask once
    if case.contact_id is not None:
        type(case.contact).objects.select_for_update().filter(pk=case.contact_id).first()
    if survey_skip_reason(workspace=workspace, case=case, now=now):
        return None
    survey = CsatSurvey(
        workspace=workspace,
        case=case,
        contact=case.contact,
        agent_id=case.assignee_id,
        queue_id=case.queue_id,
        email=case.contact.email,
        sent_at=now,
    )
    survey.full_clean(exclude=["workspace", "case", "contact", "agent", "queue"])
    survey.save()
    change_record(
        workspace=workspace,
        actor=None,
        instance=survey,
        action=ChangeAction.CREATED,
        fields=["case", "contact", "agent", "queue", "email", "sent_at"],
    )
    from ..csat_tasks import csat_survey_mail_task

    transaction.on_commit(lambda: csat_survey_mail_task.delay(workspace.pk, survey.pk))
    return survey


def csat_after_resolution(*, workspace, actor, case: Case) -> CsatSurvey | None:
    """The `service.hooks.on_case_resolved` hook: the survey of this resolution (the rules of
    `csat_survey_send` decide; an automatic closing gets none)."""
    return csat_survey_send(workspace=workspace, case=case)


def csat_reminders_due(*, workspace, now=None):
    """The unanswered, not yet reminded surveys of `workspace` whose reminder is due
    (sent `reminder_after_days` days ago or more). QuerySet; empty when reminders are off."""
    now = now or timezone.now()
    rules = survey_settings_get(workspace=workspace)
    if not rules.enabled or rules.reminder_after_days == 0:
        return CsatSurvey.objects.none()
    due_before = now - datetime.timedelta(days=rules.reminder_after_days)
    return CsatSurvey.objects.filter(
        workspace=workspace,
        answered_at__isnull=True,
        reminded_at__isnull=True,
        sent_at__lte=due_before,
    )


def csat_reminder_claim(*, workspace, survey_id: int, now=None) -> bool:
    """Claim the one reminder of a survey (UPDATE … WHERE reminded_at IS NULL AND unanswered);
    True for the caller that claimed it, so a retry or a second worker never sends two."""
    now = now or timezone.now()
    return bool(
        CsatSurvey.objects.filter(
            workspace=workspace, pk=survey_id, reminded_at__isnull=True, answered_at__isnull=True
        ).update(reminded_at=now)
    )


# --- answering ------------------------------------------------------------------------------


@transaction.atomic
def csat_answer(*, survey: CsatSurvey, score, comment: str = "", now=None) -> CsatSurvey:
    """Store the customer's answer (score 1-5, an optional comment of at most 4,000
    characters). ValidationError for a score out of range; SurveyAlreadyAnswered (nothing
    changed) when the survey has an answer already. Records the answer on the contact's
    timeline; a low score (1-2) flags the case for follow-up, opens a CaseTask for the agent
    and runs the on_low_satisfaction hooks, all in this transaction."""
    now = now or timezone.now()
    workspace = survey.workspace
    try:
        score = int(score)
    except (TypeError, ValueError):
        score = None
    if score is None or not SCORE_MIN <= score <= SCORE_MAX:
        raise ValidationError(
            {
                "score": _("Choose a score from %(lo)s to %(hi)s.")
                % {"lo": SCORE_MIN, "hi": SCORE_MAX}
            }
        )
    comment = (comment or "").strip()
    if len(comment) > 4000:
        raise ValidationError({"comment": _("Please keep the comment under 4,000 characters.")})
    answered = CsatSurvey.objects.filter(
        workspace=workspace, pk=survey.pk, answered_at__isnull=True
    ).update(answered_at=now, score=score, comment=comment)
    if not answered:
        raise SurveyAlreadyAnswered
    survey.refresh_from_db()
    change_record(
        workspace=workspace,
        actor=None,
        instance=survey,
        action=ChangeAction.UPDATED,
        fields=["answered_at", "score", "comment"],
    )
    case = survey.case
    interaction_record(
        workspace=workspace,
        kind="csat.answered",
        channel="website",
        contact=survey.contact,
        direction=Direction.INBOUND,
        app="service",
        subject=_("Satisfaction %(score)s/5 for case %(number)s")
        % {"score": score, "number": case.number},
        body=comment,
        source=survey,
        data={"score": score, "case_id": case.pk},
    )
    if score <= LOW_SCORE_MAX:
        _follow_up(workspace, survey, case, now)
    return survey


def _follow_up(workspace, survey, case, now) -> None:
    update_recorded(
        workspace=workspace,
        actor=None,
        queryset=Case.objects.filter(workspace=workspace, pk=case.pk),
        follow_up=True,
    )
    task = CaseTask(
        workspace=workspace,
        case=case,
        assignee_id=case.assignee_id or survey.agent_id,
        title=_("Call back: satisfaction %(score)s/5 on case %(number)s")
        % {"score": survey.score, "number": case.number},
        reason=TaskReason.LOW_CSAT,
        survey=survey,
        due_at=now + FOLLOW_UP_DUE,
    )
    task.full_clean(exclude=["workspace", "case", "assignee", "survey"])
    task.save()
    change_record(
        workspace=workspace,
        actor=None,
        instance=task,
        action=ChangeAction.CREATED,
        fields=["case", "assignee", "title", "reason", "survey", "due_at"],
    )
    lifecycle.on_low_satisfaction.run(
        workspace=workspace,
        contact_id=survey.contact_id,
        case_id=case.pk,
        survey_id=survey.pk,
        score=survey.score,
    )


@transaction.atomic
def case_task_complete(*, workspace, actor, task: CaseTask, now=None) -> CaseTask:
    """Mark a case task done (idempotent: a done task keeps its first time)."""
    if task.workspace_id != workspace.pk:
        raise ValidationError({"task": _("This record belongs to another workspace.")})
    update_recorded(
        workspace=workspace,
        actor=actor,
        queryset=CaseTask.objects.filter(workspace=workspace, pk=task.pk, done_at__isnull=True),
        done_at=now or timezone.now(),
    )
    task.refresh_from_db()
    return task
