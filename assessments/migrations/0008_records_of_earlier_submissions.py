"""Every assessment submitted before records existed gets one: its frozen results, its
answers and notes, and the model's texts as they are now (the best there is)."""

from django.db import migrations

from assessments import records, scoring


def write_records(apps, schema_editor):
    Assessment = apps.get_model("assessments", "Assessment")
    Answer = apps.get_model("assessments", "Answer")
    CategoryResult = apps.get_model("assessments", "CategoryResult")
    Cell = apps.get_model("maturity", "Cell")
    Level = apps.get_model("maturity", "Level")
    earlier_scores = {}  # team id -> (assessment id, submitted_at, {slug: score})
    submitted = (
        Assessment.objects.filter(submitted_at__isnull=False, record__isnull=True)
        .select_related("team", "model")
        .order_by("team_id", "submitted_at", "pk")
    )
    for assessment in submitted:
        levels = list(
            Level.objects.filter(model_id=assessment.model_id)
            .order_by("value")
            .values_list("value", "name")
        )
        frozen = list(
            CategoryResult.objects.filter(assessment=assessment)
            .select_related("category")
            .order_by("category__order", "category_id")
        )
        answers = list(
            Answer.objects.filter(assessment=assessment)
            .select_related("practice__cell__category", "practice__cell__level")
            .order_by(
                "practice__cell__category__order",
                "practice__cell__level__value",
                "practice__order",
                "practice_id",
            )
        )
        advice = {
            (cell.category_id, cell.level.value): cell.advice
            for cell in Cell.objects.filter(
                category_id__in=[result.category_id for result in frozen]
            ).select_related("level")
        }
        categories = [
            scoring.Category(
                slug=result.category.slug,
                name=result.category.name,
                order=result.category.order,
                practices=tuple(
                    scoring.Practice(
                        answer.practice.key,
                        answer.practice.cell.level.value,
                        answer.practice.text,
                        answer.practice.order,
                        answer.status or None,
                    )
                    for answer in answers
                    if answer.practice.cell.category_id == result.category_id
                ),
                advice={
                    value: text
                    for (category_id, value), text in advice.items()
                    if category_id == result.category_id
                },
            )
            for result in frozen
        ]
        results = [
            scoring.Result(
                result.category.slug,
                result.category.name,
                result.category.order,
                result.level,
                result.score,
            )
            for result in frozen
        ]
        previous = earlier_scores.get(assessment.team_id)
        assessment.record = records.make_record(
            assessment_id=assessment.pk,
            team=(assessment.team.slug, assessment.team.name),
            model=(assessment.model.slug, assessment.model.version, assessment.model.name),
            submitted_at=assessment.submitted_at,
            submitted_by=None,
            levels=levels,
            categories=categories,
            results=results,
            answers=[
                records.RecordedAnswer(
                    answer.practice.key,
                    answer.practice.cell.category.slug,
                    answer.practice.cell.level.value,
                    answer.practice.text,
                    answer.status,
                    answer.note,
                    votes=None,  # members did not vote before 0011
                )
                for answer in answers
            ],
            agreements={},
            previous=records.Earlier(*previous) if previous else None,
        )
        assessment.save(update_fields=["record"])
        scores = {result.slug: result.score for result in results}
        earlier_scores[assessment.team_id] = (assessment.pk, assessment.submitted_at, scores)


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0007_record_and_void"),
        ("maturity", "0003_remove_maturitymodel_revision"),
    ]

    operations = [migrations.RunPython(write_records, migrations.RunPython.noop)]
