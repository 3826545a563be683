"""Static files: the vendored Bootstrap survives collectstatic with hashed names."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.templatetags.static import static
from django.test import override_settings

from .conftest import run_command

MANIFEST_STORAGE = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "config.storage.StaticFilesStorage"},
}


def test_collectstatic_with_manifest_storage_hashes_the_vendored_files(tmp_path: Path) -> None:
    with override_settings(STATIC_ROOT=tmp_path, STORAGES=MANIFEST_STORAGE):
        run_command("collectstatic", "--noinput")
    manifest = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
    for name in [
        "vendor/bootstrap-5.3.8/css/bootstrap.min.css",
        "vendor/bootstrap-5.3.8/js/bootstrap.bundle.min.js",
        "css/app.css",
    ]:
        assert manifest[name] != name
        assert (tmp_path / manifest[name]).is_file()


def test_pages_link_the_hashed_names_every_time(tmp_path: Path) -> None:
    with override_settings(STATIC_ROOT=tmp_path, STORAGES=MANIFEST_STORAGE):
        run_command("collectstatic", "--noinput")
        manifest = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
        for _ in range(2):  # the second from the storage's memory of the first
            assert static("css/app.css") == f"/static/{manifest['css/app.css']}"
        with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
            static("css/missing.css")


def test_no_page_loads_from_a_cdn() -> None:
    templates = Path(__file__).resolve().parents[1] / "templates"
    for template in templates.rglob("*.html"):
        text = template.read_text()
        assert "://" not in text.replace("http://127.0.0.1", ""), template
