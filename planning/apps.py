from django.apps import AppConfig


class PlanningConfig(AppConfig):
    name = "planning"
    verbose_name = "Planning"

    def ready(self) -> None:
        from assessments import records

        from .models import targets_for_record

        records.SECTIONS["targets"] = targets_for_record
