"""Page forms for core settings: format checks only; the services hold the rules."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import PurePath
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from .errors import DomainError, NotAllowed
from .models import Branch, CompanyProfile, NumberingRule
from .services.company import BRANCH_FIELDS, COMPANY_FIELDS
from .spreadsheets import EXTENSIONS

MAX_SPREADSHEET_BYTES = 20 * 1024 * 1024


def forbid(error: DomainError) -> None:
    """A refusal of the user rather than of the input is the 403 page."""
    if isinstance(error, NotAllowed) and not error.fields:
        raise PermissionDenied(str(error.message)) from error


def place_errors(
    error: DomainError, form: forms.BaseForm, aliases: Mapping[str, str] | None = None
) -> None:
    """Put a service's refusal on a page form: the 403 page for a refusal of the user,
    else the message on top and each field's message on the field it names (``aliases``
    maps service field names to form field names; unknown names go on top)."""
    forbid(error)
    aliases = aliases or {}
    form.add_error(None, str(error.message))
    for name, message in error.fields.items():
        name = aliases.get(name, name)
        form.add_error(name if name in form.fields else None, message)


def reason_field(help_text: Any = "") -> forms.CharField:
    """The reason for a change; not required here: the service refuses an empty one with its
    own message (core.reasons.require_reason), the same on the page, in the API and on the
    command line."""
    return forms.CharField(
        label=_("Reason for the change"),
        required=False,
        max_length=500,
        widget=forms.TextInput,
        help_text=help_text,
    )


class ServiceValidatedForm(forms.ModelForm):
    """A model form that checks formats only and leaves the instance alone."""

    def _post_clean(self) -> None:
        """No model validation here: the service validates and saves."""


class SpreadsheetField(forms.FileField):
    """An upload for an import: refused before reading unless it is named .xlsx or .csv
    and at most 20 MB (the import itself then refuses what is not a spreadsheet inside)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Spreadsheet"))
        kwargs.setdefault(
            "widget", forms.ClearableFileInput(attrs={"accept": ",".join(EXTENSIONS)})
        )
        super().__init__(**kwargs)

    def validate(self, value: Any) -> None:
        super().validate(value)
        if not value:
            return
        if PurePath(value.name or "").suffix.lower() not in EXTENSIONS:
            raise forms.ValidationError(
                _("This is not a spreadsheet: upload an .xlsx or .csv file.")
            )
        if value.size > MAX_SPREADSHEET_BYTES:
            raise forms.ValidationError(_("The file is larger than 20 MB."))


class CompanyForm(forms.ModelForm):
    reason = reason_field()

    class Meta:
        model = CompanyProfile
        fields = COMPANY_FIELDS
        widgets = {
            field: forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
            for field in ("workday_start", "break_start", "break_end", "workday_end")
        }


class BranchForm(forms.ModelForm):
    class Meta:
        model = Branch
        fields = BRANCH_FIELDS


class NumberingRuleForm(forms.ModelForm):
    reason = reason_field()

    class Meta:
        model = NumberingRule
        fields = ("pattern", "reset")


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label=_("Actor"), required=False)
    action = forms.CharField(label=_("Action"), required=False)
    object_type = forms.CharField(label=_("Object type"), required=False)
    object_id = forms.CharField(label=_("Object id"), required=False)
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class CustomerReplyForm(forms.Form):
    """What a customer enters on a public page (confirm an order, acknowledge a revised
    one): their name and an optional message. ``name_help`` says whom the name stands for."""

    name_help: Any = ""
    name = forms.CharField(label=_("Your name"), max_length=100)
    note = forms.CharField(
        label=_("Message to us (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].help_text = self.name_help
