"""Every assessment keeps its overall score, frozen at submission like its results; those
submitted before get it from their frozen results, as Assessment.submit works it out."""

from django.db import migrations, models

from assessments import scoring

BATCH = 500  # assessments updated per query


def fill_overall(apps, schema_editor):
    Assessment = apps.get_model("assessments", "Assessment")
    CategoryResult = apps.get_model("assessments", "CategoryResult")
    scores = {}  # assessment id -> its categories' scores
    for assessment_id, score in CategoryResult.objects.values_list("assessment_id", "score"):
        scores.setdefault(assessment_id, []).append(score)
    submitted = Assessment.objects.filter(submitted_at__isnull=False).only("pk")
    filled = []
    for assessment in submitted.iterator():
        assessment.overall = scoring.overall(scores.get(assessment.pk, []))
        filled.append(assessment)
    Assessment.objects.bulk_update(filled, ["overall"], batch_size=BATCH)


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0014_delivery_confirmed"),
    ]

    operations = [
        migrations.AddField(
            model_name="assessment",
            name="overall",
            field=models.FloatField(
                blank=True,
                editable=False,
                help_text="The mean score of the scored categories, frozen at submission; "
                "empty for a draft or when no category was scored.",
                null=True,
            ),
        ),
        migrations.RunPython(fill_overall, migrations.RunPython.noop),
    ]
