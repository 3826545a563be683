"""The API tokens page's forms: they check what the user sent and convert it to domain
values (an expiry time, a token of the user's own); the views write."""

from __future__ import annotations

from datetime import datetime, timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from .models import AccessToken

# Choice -> its label, and the days until the token expires (None: never).
LIFETIMES: dict[str, tuple[str, int | None]] = {
    "30": ("In 30 days", 30),
    "90": ("In 90 days", 90),
    "365": ("In a year", 365),
    "never": ("Never", None),
}
LARGEST_ID = 2**63 - 1  # a token id is a 64-bit column: larger ones name nothing


class NewTokenForm(forms.Form):
    """A name and a lifetime for a new token."""

    name = forms.CharField(
        label="Name",
        max_length=AccessToken._meta.get_field("name").max_length,
        help_text="What the token is for, e.g. “CI dashboard”.",
    )
    expires = forms.ChoiceField(
        label="Expires",
        choices=[(key, label) for key, (label, _) in LIFETIMES.items()],
        initial="90",
    )

    def clean_expires(self) -> datetime | None:
        """When the token expires; None: never."""
        _, days = LIFETIMES[self.cleaned_data["expires"]]
        return None if days is None else timezone.now() + timedelta(days=days)

    def refuse_too_many(self, held: int) -> None:
        """Tell that no token was made: the user holds `held` tokens, the most allowed."""
        message = (
            f"You hold {held} tokens, the most allowed: revoke one you no longer use to make "
            "another."
        )
        self.add_error(None, ValidationError(message, code="too_many"))


class RevokeTokenForm(forms.Form):
    """The id of the token to revoke, as the page sent it."""

    token = forms.IntegerField(min_value=1, max_value=LARGEST_ID)
