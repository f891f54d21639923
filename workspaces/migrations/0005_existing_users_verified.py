"""Accounts that existed before email verification became mandatory keep working: their
address becomes their verified primary email (they were created by sign-up, an invitation
link that came by mail, or an operator)."""

from django.db import migrations


def verify_existing_users(apps, schema_editor):
    User = apps.get_model("workspaces", "User")
    EmailAddress = apps.get_model("account", "EmailAddress")
    known = set(EmailAddress.objects.values_list("user_id", flat=True))
    EmailAddress.objects.bulk_create(
        [
            EmailAddress(user_id=user_id, email=email.lower(), primary=True, verified=True)
            for user_id, email in User.objects.values_list("id", "email").iterator()
            if user_id not in known
        ],
        batch_size=1000,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("workspaces", "0004_workspace_request"),
        ("account", "0009_emailaddress_unique_primary_email"),
    ]

    operations = [migrations.RunPython(verify_existing_users, migrations.RunPython.noop)]
