from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("sales", "0003_web_form"),
        ("sales", "0004_default_pipeline_for_existing_workspaces"),
    ]
    operations = []
