import django.db.models
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0008_records_of_earlier_submissions"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="assessment",
            constraint=django.db.models.CheckConstraint(
                condition=django.db.models.Q(
                    ("submitted_at__isnull", True), ("record__isnull", False), _connector="OR"
                ),
                name="submitted_assessment_has_record",
            ),
        ),
        migrations.AddConstraint(
            model_name="assessment",
            constraint=django.db.models.CheckConstraint(
                condition=django.db.models.Q(
                    ("voided_at__isnull", True),
                    django.db.models.Q(
                        ("submitted_at__isnull", False),
                        django.db.models.Q(("void_reason", ""), _negated=True),
                    ),
                    _connector="OR",
                ),
                name="voided_assessment_was_submitted_with_reason",
            ),
        ),
    ]
