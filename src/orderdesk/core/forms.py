"""Page forms for core settings: format checks only; the services hold the rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Branch, CompanyProfile, NumberingRule
from .services.company import BRANCH_FIELDS, COMPANY_FIELDS

REASON_FIELD = forms.CharField(
    label=_("Reason for the change"), required=False, max_length=500, widget=forms.TextInput
)


class CompanyForm(forms.ModelForm):
    reason = REASON_FIELD

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
    reason = REASON_FIELD

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
