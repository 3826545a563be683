from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from teams.orgfile import COLUMNS, OrgFileError, decode, import_org


class Command(BaseCommand):
    help = (
        "Create the units, teams, users and memberships of an organisation file (UTF-8 CSV "
        f"with the header {','.join(COLUMNS)}). Idempotent; never removes anyone. A file "
        "with any bad row is refused whole, every bad row named, and nothing is written."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="The organisation file (CSV).")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check the file and report what would change, without writing anything.",
        )

    def handle(self, *args: Any, file: Path, dry_run: bool, **options: Any) -> None:
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}") from None
        try:
            report = import_org(decode(data), dry_run=dry_run)
        except OrgFileError as exc:
            problems = "\n".join(f"  {error}" for error in exc.errors)
            raise CommandError(f"{file} was refused, nothing was written:\n{problems}") from None
        for line in report.lines():
            self.stdout.write(line)
