"""The layout's one rule: imports run one way (DESIGN.md, "Layout"), and the pure cores
import no models and no request."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# Each app, and the apps it may import from; `config` may import every app.
MAY_IMPORT = {
    "maturity": set(),
    "teams": {"maturity"},
    "assessments": {"teams", "maturity"},
    "planning": {"assessments", "teams", "maturity"},
    "dashboard": {"planning", "assessments", "teams", "maturity"},
    "reminders": {"planning", "assessments", "teams", "maturity"},
    "api": {"planning", "assessments", "teams", "maturity"},
}
PURE = ["assessments/scoring.py", "assessments/charts.py", "planning/progress.py"]


def imported_modules(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
    return found


@pytest.mark.parametrize("app", sorted(MAY_IMPORT))
def test_apps_import_only_the_apps_below_them(app: str) -> None:
    forbidden = {"config"} | (set(MAY_IMPORT) - MAY_IMPORT[app] - {app})
    wrong = {
        f"{path.relative_to(ROOT)} imports {module}"
        for path in (ROOT / app).rglob("*.py")
        for module in imported_modules(path)
        if module.split(".")[0] in forbidden
    }
    assert not wrong


@pytest.mark.parametrize("module", PURE)
def test_pure_cores_import_no_models_and_no_request(module: str) -> None:
    imports = imported_modules(ROOT / module)
    project = {name for name in imports if name.split(".")[0] in MAY_IMPORT}
    django = {name for name in imports if name.startswith("django") and name != "django.db.models"}
    assert not project and not django
