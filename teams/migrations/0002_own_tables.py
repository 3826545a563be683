"""The tables of Team and Membership take the teams app's names, and what pointed at
the models in the assessments app follows them: their content types (so admin history
and permissions stay attached) and the "view every team" permission of managers."""

from django.db import migrations

MODELS = ["team", "membership"]


def move(apps, source, target, permission_home):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    for model in MODELS:
        if not ContentType.objects.filter(app_label=target, model=model).exists():
            ContentType.objects.filter(app_label=source, model=model).update(app_label=target)
    app_label, model = permission_home
    home, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
    Permission.objects.filter(codename="view_all_teams").update(content_type=home)


def forwards(apps, schema_editor):
    move(apps, "assessments", "teams", permission_home=("teams", "team"))


def backwards(apps, schema_editor):
    move(apps, "teams", "assessments", permission_home=("assessments", "assessment"))


class Migration(migrations.Migration):
    dependencies = [
        ("teams", "0001_initial"),
        ("assessments", "0006_team_moved_to_teams"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AlterModelTable(name="team", table=None),
        migrations.AlterModelTable(name="membership", table=None),
        migrations.RunPython(forwards, backwards),
    ]
