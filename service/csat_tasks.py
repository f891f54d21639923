"""Background work of service (DESIGN.md §6): JSON ids in, workspace_id first; the survey row
is the truth. `csat_reminders_task` runs on the beat and fans out one
`csat_send_reminders_task` per workspace with reminders due."""

import datetime
import logging
from smtplib import SMTPException

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from workspaces.mail_headers import header_text
from workspaces.models import Workspace
from workspaces.scoping import scopes_disabled, workspace_scope

from .models import CsatSurvey

logger = logging.getLogger(__name__)

REMINDER_BATCH = 500
CONNECTION_ERRORS = (SMTPException, OSError)
# the fan-out looks for unanswered surveys at most this old (older ones are not reminded)
REMINDER_HORIZON = datetime.timedelta(days=90)


def survey_url(survey) -> str:
    """The absolute link of the survey's public page (SITE_URL + /s/<signed token>/)."""
    from .services.csat import survey_token

    return settings.SITE_URL + reverse("service_survey", kwargs={"token": survey_token(survey)})


def _language(contact) -> str:
    """The contact's language when the site speaks it (de-AT reads as de), else the default."""
    code = (contact.language or "").lower().split("-")[0].split("_")[0]
    return code if code in {c for c, _name in settings.LANGUAGES} else settings.LANGUAGE_CODE


def _mail(workspace, survey, *, reminder: bool, mailer) -> None:
    with (
        translation.override(_language(survey.contact)),
        timezone.override(workspace.time_zone),
    ):
        context = {
            "survey": survey,
            "case": survey.case,
            "contact": survey.contact,
            "workspace": workspace,
            "url": survey_url(survey),
            "reminder": reminder,
            "scores": range(1, 6),
        }
        subject = (
            _("Reminder: how did we do? (case %(number)s)")
            if reminder
            else _("How did we do? (case %(number)s)")
        ) % {"number": survey.case.number}
        body = render_to_string("service/email/csat_survey.txt", context)
    mailer.send_messages([EmailMessage(header_text(subject), body, None, [survey.email])])


@shared_task(
    name="service.email.csat_survey_mail",
    time_limit=60,
    soft_time_limit=50,
    autoretry_for=CONNECTION_ERRORS,
    retry_backoff=30,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=5,
)
def csat_survey_mail_task(workspace_id: int, survey_id: int) -> bool:
    """Mail the survey link once: claimed by UPDATE … WHERE mailed_at IS NULL before sending
    (a retry after a send never mails twice; a failed send releases the claim and retries).
    Returns whether this run sent it."""
    with workspace_scope(workspace_id):
        claimed = CsatSurvey.objects.filter(
            workspace_id=workspace_id, pk=survey_id, mailed_at__isnull=True
        ).update(mailed_at=timezone.now())
        if not claimed:
            return False
        survey = CsatSurvey.objects.select_related("case", "contact", "workspace").get(pk=survey_id)
        try:
            with mailers.default as mailer:
                _mail(survey.workspace, survey, reminder=False, mailer=mailer)
        except CONNECTION_ERRORS:
            CsatSurvey.objects.filter(pk=survey_id).update(mailed_at=None)
            raise
    return True


@shared_task(name="service.csat_reminders", time_limit=120, soft_time_limit=100)
def csat_reminders_task() -> int:
    """The beat's fan-out: one csat_send_reminders_task per workspace with unanswered,
    unreminded surveys (each workspace's own rule decides which are due)."""
    since = timezone.now() - REMINDER_HORIZON
    with scopes_disabled():  # beat fan-out: the one read across workspaces
        workspace_ids = list(
            CsatSurvey.all_workspaces.filter(
                answered_at__isnull=True, reminded_at__isnull=True, sent_at__gte=since
            )
            .values_list("workspace_id", flat=True)
            .distinct()
        )
    for workspace_id in workspace_ids:
        csat_send_reminders_task.delay(workspace_id)
    return len(workspace_ids)


@shared_task(
    name="service.email.csat_send_reminders",
    time_limit=300,
    soft_time_limit=270,
    autoretry_for=CONNECTION_ERRORS,
    retry_backoff=30,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=5,
)
def csat_send_reminders_task(workspace_id: int) -> int:
    """Send the one reminder of each due survey of the workspace (at most REMINDER_BATCH a
    run), each claimed first (services.csat.csat_reminder_claim). Returns how many were sent."""
    from .services.csat import csat_reminder_claim, csat_reminders_due

    sent = 0
    with workspace_scope(workspace_id):
        workspace = Workspace.objects.get(pk=workspace_id)
        due = list(
            csat_reminders_due(workspace=workspace)
            .select_related("case", "contact")
            .order_by("sent_at", "id")[:REMINDER_BATCH]
        )
        if not due:
            return 0
        with mailers.default as mailer:
            for survey in due:
                if not csat_reminder_claim(workspace=workspace, survey_id=survey.pk):
                    continue
                try:
                    _mail(workspace, survey, reminder=True, mailer=mailer)
                except CONNECTION_ERRORS:
                    CsatSurvey.objects.filter(pk=survey.pk).update(reminded_at=None)
                    raise
                sent += 1
    return sent
