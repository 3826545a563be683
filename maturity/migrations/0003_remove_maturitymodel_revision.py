from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("maturity", "0002_model_revision"),
    ]

    operations = [
        migrations.RemoveField(model_name="maturitymodel", name="revision"),
    ]
