"""The Celery app. Conventions (DESIGN.md §6): the database row is the truth, a message only
wakes a worker; arguments are JSON ids with workspace_id first; enqueue after commit."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm_site.settings")

app = Celery("crm")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
