"""`manage.py run_periodic [--once]`: the periodic tasks of CELERY_BEAT_SCHEDULE, run in this
process on their schedule — the beat of a setup without a broker (`make run`, embedded mode).

With a broker, Celery beat sends these tasks to the workers and this command is not used.
Without one, nothing would ever run them: campaigns scheduled for later would not start, SLA
breaches would not be flagged, A/B tests would not be decided. `make run` starts this next to
the web server. Each task runs eagerly (Task.apply) at start and then when its schedule says
it is due; a failing task is logged and tried again at its next turn."""

import logging
import time

from celery.schedules import maybe_schedule
from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Run the periodic tasks (CELERY_BEAT_SCHEDULE) in this process, for setups without a broker."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Run every task once and stop.")

    def handle(self, *args, once: bool = False, **options):
        from crm_site.celery import app

        app.loader.import_default_modules()  # every app's tasks module, as a worker loads them
        entries = {
            key: (entry["task"], maybe_schedule(entry["schedule"]), entry)
            for key, entry in settings.CELERY_BEAT_SCHEDULE.items()
        }
        last_run = {}
        while True:
            for key, (name, schedule, entry) in entries.items():
                if key in last_run and not schedule.is_due(last_run[key]).is_due:
                    continue
                last_run[key] = timezone.now()
                self._run(app, name, entry)
            if once:
                return
            time.sleep(1)

    def _run(self, app, name: str, entry: dict) -> None:
        try:
            result = app.tasks[name].apply(
                args=entry.get("args", ()), kwargs=entry.get("kwargs", {})
            )
            if result.failed():
                logger.error("periodic task %s failed: %s", name, result.result)
            else:
                self.stdout.write(f"{timezone.now():%H:%M:%S} {name}: {result.result}")
        except Exception:  # the next turn tries again; the loop must not die
            logger.exception("periodic task %s could not run", name)
