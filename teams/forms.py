"""The members page's forms: they find the user to add and check what a member's row
sent; teams.members applies the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError

from .models import Membership

ROLES = Membership.Role.choices
LARGEST_ID = 2**31 - 1  # a user id is an integer column: larger ones name nobody


class AddMemberForm(forms.Form):
    """Who to add, by exact user name or else by e-mail (any case), and in which role."""

    who = forms.CharField(label="User name or e-mail", max_length=254)
    role = forms.ChoiceField(label="Role", choices=ROLES, initial=Membership.Role.MEMBER)

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["who"].widget.attrs.update(
            {"class": "form-control", "autocomplete": "off", "spellcheck": "false"}
        )
        self.fields["role"].widget.attrs["class"] = "form-select"

    def add_error(self, field: str | None, error: Any) -> None:
        """Also mark the fields with errors invalid, pointing at their message."""
        super().add_error(field, error)
        for name in self.errors.keys() & self.fields.keys():
            attrs = self.fields[name].widget.attrs
            if "is-invalid" not in attrs["class"]:
                attrs["class"] += " is-invalid"
                attrs["aria-describedby"] = f"{self[name].auto_id}-error"

    def clean_who(self) -> User:
        typed: str = self.cleaned_data["who"]
        active = User.objects.filter(is_active=True)
        by_name = active.filter(username=typed).first()
        if by_name is not None:
            return by_name
        by_email = list(active.filter(email__iexact=typed)[:2])
        if not by_email:
            raise ValidationError(
                "No active user has that user name or e-mail: check it, or ask an "
                "administrator to create the account.",
                code="unknown",
            )
        if len(by_email) > 1:
            raise ValidationError(
                "Several users share that e-mail: enter the user name instead.",
                code="ambiguous",
            )
        return by_email[0]


class MemberForm(forms.Form):
    """A member's row as sent: whom it names, and the role the page showed them in."""

    user = forms.IntegerField(min_value=1, max_value=LARGEST_ID)
    was = forms.ChoiceField(choices=ROLES)


class RoleForm(MemberForm):
    """A member's row asking for another role."""

    role = forms.ChoiceField(choices=ROLES)
