from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from maturity.loader import load_spec
from maturity.modelfile import ModelFileError, parse

BUNDLED = Path(__file__).resolve().parents[2] / "data"
# The default model, newest version last: an installation keeps every version its
# teams were assessed on, and new assessments start on the newest.
BUNDLED_MODEL_FILES = sorted(BUNDLED.glob("*.yaml"))


class Command(BaseCommand):
    help = (
        "Create or update a maturity model from a YAML model file. Texts are updated in place, "
        "matched by key; categories and practices missing from the file are retired. "
        "A file with any error is refused whole and nothing is written."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "path",
            nargs="?",
            type=Path,
            help="The model file (default: every bundled version of the default model: "
            + ", ".join(path.name for path in BUNDLED_MODEL_FILES)
            + ").",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Validate and report what would change, then roll everything back.",
        )

    def handle(self, *args: Any, path: Path | None, dry_run: bool, **options: Any) -> None:
        for each in [path] if path else BUNDLED_MODEL_FILES:
            self._load(each, dry_run)

    def _load(self, path: Path, dry_run: bool) -> None:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Cannot read {path}: {exc}") from None
        try:
            with transaction.atomic():
                report = load_spec(parse(text))
                if dry_run:
                    transaction.set_rollback(True)
        except ModelFileError as exc:
            problems = "\n".join(f"  {error}" for error in exc.errors)
            raise CommandError(f"{path} was refused, nothing was written:\n{problems}") from None
        outcome = "would change" if dry_run else "changed"
        self.stdout.write(
            f"{report.model}: {outcome} {report.changes} rows "
            f"({report.created} created, {report.updated} updated, {report.retired} retired)."
        )
