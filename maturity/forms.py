"""Admin forms for moving models in and out as YAML, and for cloning a version."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from .limits import VERSION_LENGTH
from .modelfile import ModelFileError, ModelSpec, parse

MAX_UPLOAD_BYTES = 1024 * 1024


class ModelUploadForm(forms.Form):
    file = forms.FileField(
        label="Model file (YAML)",
        help_text="The format export_model writes. It becomes a new, inactive model or version.",
    )

    def clean_file(self) -> ModelSpec:
        """The file's validated spec; every problem is reported, and nothing is written."""
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(
                "The file is larger than 1 MB; a model file is far smaller.", code="too_large"
            )
        try:
            text = upload.read().decode("utf-8")
        except UnicodeDecodeError:
            raise ValidationError("The file is not UTF-8 text.", code="not_text") from None
        try:
            return parse(text)
        except ModelFileError as exc:
            raise ValidationError(
                [ValidationError(error, code="model_file") for error in exc.errors]
            ) from None


class CloneForm(forms.Form):
    version = forms.CharField(
        max_length=VERSION_LENGTH,
        label="New version",
        help_text="The copy starts inactive: edit it, then tick Active to offer it to teams.",
    )

    def __init__(self, *args: Any, slug: str, taken: set[str], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.slug, self.taken = slug, taken

    def clean_version(self) -> str:
        version: str = self.cleaned_data["version"].strip()
        if version in self.taken:
            raise ValidationError(
                f"{self.slug} already has a version {version}.", code="version_taken"
            )
        return version
