"""The organisation in the admin: units, teams and their members, the membership log
(read only), and the import of an organisation file."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path

from . import members
from .models import Membership, MembershipChange, Team, Unit
from .orgfile import COLUMNS, OrgFileError, Report, decode, import_org

Action = MembershipChange.Action
# The import creates units, teams, memberships and users, moves teams and units and
# changes roles.
IMPORT_PERMISSIONS = [
    "teams.add_team",
    "teams.add_unit",
    "teams.add_membership",
    "auth.add_user",
    "teams.change_team",
    "teams.change_unit",
    "teams.change_membership",
]
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
NO_LEAD_LEFT = "The team would be left without an active lead: make another member a lead."
# When the check on the rows in the database refuses what the form allowed.
NO_LEAD_LEFT_MEANWHILE = (
    "Nothing was saved: the team's members changed while this page was open, and the save "
    "would have left the team without an active lead. Here they are as they are now."
)


class OrgUploadForm(forms.Form):
    file = forms.FileField(
        label="Organisation file (CSV)",
        help_text=f"UTF-8 CSV with the header {','.join(COLUMNS)}.",
    )
    dry_run = forms.BooleanField(
        required=False,
        initial=True,
        help_text="Check the file and show what would change, without writing anything.",
    )

    def clean_file(self) -> str:
        """The file's text."""
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError("The file is larger than 5 MB.", code="too_large")
        try:
            return decode(upload.read())
        except OrgFileError as exc:
            raise ValidationError(exc.errors, code="not_text") from None


class KeepALeadFormSet(BaseInlineFormSet):
    """The members page's rule (members.keeps_a_lead) on the form, so that the admin sees
    the refusal beside what they entered. A lead may still be replaced in one save
    (another made a lead, the old one removed). TeamAdmin.save_formset checks again, on
    the rows in the database under the team's lock."""

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        lead_ids_before = [
            inline.initial["user"]
            for inline in self.initial_forms
            if inline.initial.get("role") == Membership.Role.LEAD
        ]
        leads_after = [
            inline.cleaned_data["user"]
            for inline in self.forms
            if inline.cleaned_data.get("role") == Membership.Role.LEAD
            and not inline.cleaned_data.get("DELETE")
        ]
        leads_before = get_user_model().objects.filter(pk__in=lead_ids_before)
        if not members.keeps_a_lead(leads_before, leads_after):
            raise ValidationError(NO_LEAD_LEFT, code="last_lead")


class MembershipInline(admin.TabularInline):
    model = Membership
    formset = KeepALeadFormSet
    extra = 1
    autocomplete_fields = ["user"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "unit", "cadence_days"]
    list_filter = ["unit"]
    list_select_related = ["unit"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["unit"]
    inlines = [MembershipInline]

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        """The admin's form; a save that the members' check under the lock refuses was
        rolled back whole, and the page shows the team as it now is, and why."""
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except members.LastLead as refused:
            messages.error(request, str(refused))
            return redirect(request.get_full_path())

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        """Save the members as the admin does, under the team's lock and refused when the
        team would be left without an active lead (as the members page does), and log each
        change as the members page would, by the staff user who made it."""
        if formset.model is not Membership:
            super().save_formset(request, form, formset, change)
            return
        before = {
            inline.instance.pk: (inline.initial["user"], inline.initial["role"])
            for inline in formset.initial_forms
        }
        removed = [
            (inline.initial["user"], inline.initial["role"]) for inline in formset.deleted_forms
        ]
        with members.keeping_a_lead(form.instance, NO_LEAD_LEFT_MEANWHILE):
            super().save_formset(request, form, formset, change)
        earlier = get_user_model().objects.in_bulk(  # who was removed or swapped out (one query)
            [user_id for user_id, _ in removed]
            + [before[m.pk][0] for m, fields in formset.changed_objects if "user" in fields]
        )
        team, by = form.instance, request.user
        for user_id, previous in removed:
            members.record(team, by, Action.REMOVED, earlier[user_id], previous=previous)
        for membership, fields in formset.changed_objects:
            user_id, role = before[membership.pk]
            if "user" in fields:
                members.record(team, by, Action.REMOVED, earlier[user_id], previous=role)
                members.record(team, by, Action.ADDED, membership.user, role=membership.role)
            elif "role" in fields:
                members.record(
                    team, by, Action.ROLE_CHANGED, membership.user, membership.role, role
                )
        for membership in formset.new_objects:
            members.record(team, by, Action.ADDED, membership.user, role=membership.role)

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view(self.import_org_view)
        return [path("import/", view, name="teams_team_import"), *super().get_urls()]

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        extra_context = {**(extra_context or {}), "may_import": self.may_import(request)}
        return super().changelist_view(request, extra_context)

    def may_import(self, request: HttpRequest) -> bool:
        return request.user.has_perms(IMPORT_PERMISSIONS)

    def import_org_view(self, request: HttpRequest) -> HttpResponse:
        """Upload an organisation file: a dry run shows what it would change; a file with
        any bad row is refused whole, every bad row listed."""
        if not self.may_import(request):
            raise PermissionDenied
        posted = request.method == "POST"
        form = OrgUploadForm(request.POST if posted else None, request.FILES if posted else None)
        report: Report | None = None
        if form.is_valid():
            try:
                report = import_org(form.cleaned_data["file"], dry_run=form.cleaned_data["dry_run"])
            except OrgFileError as exc:
                form.add_error("file", exc.errors)
            else:
                if not report.dry_run:
                    messages.success(request, " ".join(report.lines()))
                    return redirect("admin:teams_team_changelist")
        ctx = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Import an organisation file",
            "form": form,
            "errors": form["file"].errors,
            "report": report,
            "columns": COLUMNS,
        }
        return TemplateResponse(request, "admin/teams/team/import.html", ctx)


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "parent"]
    list_select_related = ["parent"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent", "managers"]


@admin.register(MembershipChange)
class MembershipChangeAdmin(admin.ModelAdmin):
    """The log of membership changes, as written by leads and the import: read only."""

    list_display = ["team", "at", "by", "action", "user_name", "role", "previous_role"]
    list_filter = ["action", "team"]
    list_select_related = ["team"]
    search_fields = ["team__name", "team__slug", "user_name", "by_name"]
    ordering = ["team__name", "-at", "-pk"]

    @admin.display(description="by", ordering="by_name")
    def by(self, change: MembershipChange) -> str:
        return members.who(change)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
