"""The tables of Team and Membership take the teams app's names, and what pointed at
the models in the assessments app follows them: their content types (so admin history
and permissions stay attached) and the "view every team" permission of managers."""

from django.db import migrations

MODELS = ["team", "membership"]


def move_permission(apps, permission, content_type):
    """Attach `permission` to `content_type`; where that content type has a permission
    of the same codename already, its groups and users get that one instead."""
    Permission = apps.get_model("auth", "Permission")
    twin = Permission.objects.filter(
        content_type=content_type, codename=permission.codename
    ).first()
    if twin is None:
        permission.content_type = content_type
        permission.save(update_fields=["content_type"])
        return
    for group in permission.group_set.all():
        group.permissions.add(twin)
    for user in permission.user_set.all():
        user.user_permissions.add(twin)
    permission.delete()


def move_content_type(apps, model, source, target):
    """The content type of `model` moves from app `source` to `target`, with its
    permissions and admin history. Where `target` has one already (a `migrate` of
    part of the apps made it), everything moves onto that one."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    old = ContentType.objects.filter(app_label=source, model=model).first()
    if old is None:
        return
    new = ContentType.objects.filter(app_label=target, model=model).first()
    if new is None:
        old.app_label = target
        old.save(update_fields=["app_label"])
        return
    apps.get_model("admin", "LogEntry").objects.filter(content_type=old).update(content_type=new)
    for permission in apps.get_model("auth", "Permission").objects.filter(content_type=old):
        move_permission(apps, permission, new)
    old.delete()


def move(apps, source, target, permission_home):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    for model in MODELS:
        move_content_type(apps, model, source, target)
    app_label, model = permission_home
    home, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
    for permission in Permission.objects.filter(codename="view_all_teams").exclude(
        content_type=home
    ):
        move_permission(apps, permission, home)


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
        ("admin", "0003_logentry_add_action_flag_choices"),
    ]

    operations = [
        migrations.AlterModelTable(name="team", table=None),
        migrations.AlterModelTable(name="membership", table=None),
        migrations.RunPython(forwards, backwards),
    ]
