"""An index for counting segments over a million contacts (bench/segments.py): the profile
rules people combine most (sex, education, age as a date_of_birth range) led by the
workspace, with the email consent columns and the email key included so that both figures
of the builder's live count ("N match, M can receive email") are index-only scans.

On PostgreSQL only (INCLUDE columns); the index sits on contacts_contact but belongs to the
segment feature, so it is created here, outside the Contact model's state (Django's
autodetector does not see it), and dropped again when this migration is unapplied."""

from django.db import migrations

INDEX = "contact_segment_profile"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON contacts_contact "
            "(workspace_id, sex, education, date_of_birth) "
            "INCLUDE (email_opt_in, do_not_mail, email_key)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("marketing", "0001_initial"),
        ("contacts", "0014_contact_title_birthday_email_keys"),
    ]

    operations = [migrations.RunPython(create, drop)]
