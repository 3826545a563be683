"""Admin forms for moving models in and out as YAML (an update is confirmed after its
preview), and for cloning a version."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core import signing
from django.core.exceptions import ValidationError

from .limits import VERSION_LENGTH
from .modelfile import ModelFileError, ModelSpec, parse

MAX_UPLOAD_BYTES = 1024 * 1024
UPDATE_SALT = "maturity.admin.update"
UPDATE_MAX_AGE = 60 * 60  # seconds in which a preview may be confirmed


class ModelUploadForm(forms.Form):
    file = forms.FileField(
        label="Model file (YAML)",
        help_text="The format export_model writes. A new slug or version becomes a new, "
        "inactive model; a version that exists is updated after a preview of the changes.",
    )
    text = ""  # the file's text, once it is valid

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
            spec = parse(text)
        except ModelFileError as exc:
            raise ValidationError(
                [ValidationError(error, code="model_file") for error in exc.errors]
            ) from None
        self.text = text
        return spec


class ConfirmUpdateForm(forms.Form):
    """Confirms a previewed update. It carries the file's name and text and the preview's
    digest, signed, so what is applied is the file that was previewed, unaltered."""

    update = forms.CharField(widget=forms.HiddenInput)

    @classmethod
    def of(cls, name: str, text: str, digest: str) -> ConfirmUpdateForm:
        signed = signing.dumps([name, text, digest], salt=UPDATE_SALT, compress=True)
        return cls(initial={"update": signed})

    def clean_update(self) -> tuple[str, str, str]:
        """The file's name and text, and the digest of the preview that was shown."""
        try:
            name, text, digest = signing.loads(
                self.cleaned_data["update"], salt=UPDATE_SALT, max_age=UPDATE_MAX_AGE
            )
        except signing.BadSignature:  # an expired signature too
            raise ValidationError(
                "This preview has expired or was altered: upload the file again.",
                code="bad_preview",
            ) from None
        return name, text, digest


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
