from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from maturity.loader import export_spec
from maturity.modelfile import dump
from maturity.models import MaturityModel


class Command(BaseCommand):
    help = "Write a maturity model as a YAML model file, in the format load_model reads."

    def add_base_argument(self, parser: CommandParser, *args: Any, **kwargs: Any) -> None:
        # --version names the model version here, not Django's version.
        if "--version" not in args:
            super().add_base_argument(parser, *args, **kwargs)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="The model's slug, e.g. continuous-delivery.")
        parser.add_argument(
            "--version",
            dest="model_version",
            help="Which version to export; needed only when the slug has several active ones.",
        )
        parser.add_argument(
            "--output", "-o", type=Path, help="Write to this file instead of standard output."
        )

    def handle(
        self, *args: Any, slug: str, model_version: str | None, output: Path | None, **options: Any
    ) -> None:
        model = self._find(slug, model_version)
        text = dump(export_spec(model))
        if output is None:
            self.stdout.write(text, ending="")
            return
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"Cannot write {output}: {exc}") from None
        self.stderr.write(f"Wrote {model} to {output}.")

    def _find(self, slug: str, version: str | None) -> MaturityModel:
        models = MaturityModel.objects.filter(slug=slug)
        if version is not None:
            models = models.filter(version=version)
        candidates = list(models)
        if len(candidates) > 1:
            candidates = [model for model in candidates if model.is_active] or candidates
        if len(candidates) == 1:
            return candidates[0]
        known = ", ".join(
            f"{m.slug} --version {m.version}"
            for m in MaturityModel.objects.order_by("slug", "version")
        )
        if not candidates:
            wanted = f"{slug!r} version {version!r}" if version else repr(slug)
            raise CommandError(f"No model {wanted}. Known: {known or 'none'}.")
        versions = ", ".join(model.version for model in candidates)
        raise CommandError(
            f"{slug!r} has several versions ({versions}); choose one with --version."
        )
