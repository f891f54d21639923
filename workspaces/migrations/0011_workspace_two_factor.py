from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("workspaces", "0010_audit_entry"),
    ]

    operations = [
        migrations.AddField(
            model_name="workspace",
            name="two_factor_required",
            field=models.BooleanField(
                db_default=False, default=False, verbose_name="require two-factor sign-in"
            ),
        ),
    ]
