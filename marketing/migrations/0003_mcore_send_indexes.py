# Joins the two 0002 migrations and indexes the claim times the send throttle counts.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("marketing", "0002_mcontent_dkim_bounce_settings"),
        ("marketing", "0002_seg_segment_indexes"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="delivery",
            index=models.Index(fields=["workspace", "claimed_at"], name="delivery_ws_claimed_at"),
        ),
    ]
