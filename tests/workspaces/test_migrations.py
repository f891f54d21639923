"""Models and migrations never disagree unnoticed: a model change without its migration fails."""

from io import StringIO

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_models_need_no_new_migrations():
    out = StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=StringIO())
    except SystemExit:  # --check exits with 1 when a migration is missing
        pytest.fail(f"Models have changes without a migration:\n{out.getvalue()}")
