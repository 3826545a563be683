from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0004_team_updated_at"),
    ]

    operations = [
        migrations.RemoveField(model_name="team", name="updated_at"),
    ]
