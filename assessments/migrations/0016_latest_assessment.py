"""Each team's latest counted assessment of each model is marked (is_latest), so the
dashboard finds it without ranking every assessment; those submitted before are marked
as Assessment.mark_latest would mark them: the last submitted, the highest id of those
submitted at the same moment, of the submitted and not voided ones."""

from django.db import migrations, models
from django.db.models import F, Window
from django.db.models.functions import RowNumber

BATCH = 500  # assessments updated per query


def mark_latest(apps, schema_editor):
    Assessment = apps.get_model("assessments", "Assessment")
    recency = Window(
        RowNumber(),
        partition_by=[F("team_id"), F("model_id")],
        order_by=[F("submitted_at").desc(), F("pk").desc()],
    )
    counted = Assessment.objects.filter(submitted_at__isnull=False, voided_at__isnull=True)
    latest = list(counted.annotate(recency=recency).filter(recency=1).values_list("pk", flat=True))
    for start in range(0, len(latest), BATCH):
        Assessment.objects.filter(pk__in=latest[start : start + BATCH]).update(is_latest=True)


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0015_assessment_overall"),
    ]

    operations = [
        migrations.AddField(
            model_name="assessment",
            name="is_latest",
            field=models.BooleanField(
                default=False,
                db_default=False,
                editable=False,
                help_text="The latest counted (submitted, not voided) assessment of its team "
                "and model: set by submitting and voiding (mark_latest).",
            ),
        ),
        migrations.RunPython(mark_latest, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="assessment",
            constraint=models.UniqueConstraint(
                condition=models.Q(("is_latest", True)),
                fields=("team", "model"),
                name="one_latest_per_team_and_model",
            ),
        ),
        migrations.AddConstraint(
            model_name="assessment",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("is_latest", False),
                    models.Q(("submitted_at__isnull", False), ("voided_at__isnull", True)),
                    _connector="OR",
                ),
                name="latest_assessment_is_counted",
            ),
        ),
    ]
