"""Page forms for customers: format checks only; the services hold the rules.

The model forms skip Django's model validation (``_post_clean``): uniqueness, regions,
phone numbers and duplicates are the services' business, so the page, the API and the
import refuse the same input with the same message.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from orderdesk.core.forms import ServiceValidatedForm, SpreadsheetField, reason_field
from orderdesk.core.regions import PROVINCE_NAMES

from .models import (
    Address,
    Contact,
    CreditPolicy,
    Customer,
    CustomerStatus,
    Grade,
    GradeTerms,
    InteractionKind,
)
from .validation import CUSTOMER_FIELDS

PROVINCE_CHOICES = [("", "—"), *((name, name) for name in PROVINCE_NAMES)]
SORT_CHOICES = [
    ("-created", _("Newest first")),
    ("created", _("Oldest first")),
    ("code", _("Code")),
    ("-code", _("Code, descending")),
    ("name", _("Name")),
    ("-name", _("Name, descending")),
    ("province", _("Province")),
]


# --- the list ------------------------------------------------------------------------------


class CustomerFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Name, pinyin, code, USCC, contact, phone")}
        ),
    )
    grade = forms.ChoiceField(
        label=_("Grade"), required=False, choices=[("", _("All")), *Grade.choices]
    )
    province = forms.ChoiceField(
        label=_("Province"), required=False, choices=[("", _("All")), *PROVINCE_CHOICES[1:]]
    )
    owner = forms.ChoiceField(label=_("Owner"), required=False, choices=[("", _("All"))])
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *CustomerStatus.choices]
    )
    sort = forms.ChoiceField(label=_("Sort"), required=False, choices=SORT_CHOICES)

    def __init__(
        self, *args: Any, credit: bool = False, owners: QuerySet | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if not credit:
            del self.fields["grade"]  # filtering by grade would reveal it
        if owners is None:
            del self.fields["owner"]
        else:
            self.fields["owner"].choices = [  # type: ignore[attr-defined]
                ("", _("All")),
                *((user.username, str(user)) for user in owners),
            ]

    def filters(self) -> dict[str, str]:
        """The valid filters, for ``selectors.search``; invalid ones are ignored."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {name: data[name] for name in self.fields if data.get(name)}


# --- the record ----------------------------------------------------------------------------


class CustomerForm(ServiceValidatedForm):
    """Create (with ``confirm_duplicates``) or edit (with a mandatory ``reason``)."""

    FIELDSETS = (
        (
            _("Customer"),
            ("name", "short_name", "type", "status", "owner", "industry", "business_scope"),
        ),
        (_("Identification and contact"), ("uscc", "phone", "website")),
        (_("Registered address"), ("province", "city", "district", "address")),
        (
            _("Invoicing"),
            ("invoice_title", "tax_number", "bank_name", "bank_account"),
        ),
        (
            _("Cooperation background"),
            ("cooperation_intent", "first_product", "expected_amount", "source_channel"),
        ),
    )

    province = forms.ChoiceField(label=_("province"), required=False, choices=PROVINCE_CHOICES)
    owner = forms.ModelChoiceField(
        label=_("owner"), queryset=get_user_model().objects.none(), required=False
    )

    class Meta:
        model = Customer
        fields = tuple(name for name in CUSTOMER_FIELDS if name != "owner")
        widgets = {
            "business_scope": forms.Textarea(attrs={"rows": 3}),
            "cooperation_intent": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(
        self,
        *args: Any,
        owners: QuerySet | None = None,
        personal_data: bool = True,
        editing: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if owners is None:
            del self.fields["owner"]  # sales keep their own customers
        else:
            self.fields["owner"].queryset = owners  # type: ignore[attr-defined]
            self.fields["owner"].required = True
            if self.instance.pk:
                self.initial.setdefault("owner", self.instance.owner_id)
        if not personal_data:
            del self.fields["bank_account"]  # never prefill what the user may not see
        self.fields["name"].widget.attrs["autocomplete"] = "organization"
        if editing:
            self.fields["reason"] = reason_field()
        else:
            self.fields["confirm_duplicates"] = forms.BooleanField(
                label=_("This is a different customer"), required=False
            )

    def values(self) -> dict[str, Any]:
        """The record's values for the service (owner only where the user may choose)."""
        return {
            name: self.cleaned_data[name]
            for name in (*CUSTOMER_FIELDS,)
            if name in self.fields and name in self.cleaned_data
        }

    def fieldsets(self) -> list[tuple[Any, list[forms.BoundField]]]:
        return [
            (label, [self[name] for name in names if name in self.fields])
            for label, names in self.FIELDSETS
        ]


class ContactForm(ServiceValidatedForm):
    """One contact row; every field optional so empty rows of the create form are ignored."""

    class Meta:
        model = Contact
        fields = ("name", "title", "mobile", "phone", "email", "notes", "is_primary")
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(
        self, *args: Any, personal_data: bool = True, primary: bool = True, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False
        self.fields["mobile"].widget.attrs.update(inputmode="tel", autocomplete="tel")
        if not personal_data:
            del self.fields["mobile"]
        if not primary:
            del self.fields["is_primary"]

    def values(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class ContactAddForm(ContactForm):
    reason = reason_field(_("e.g. “new buyer after the previous one left”"))

    def values(self) -> dict[str, Any]:
        return {name: value for name, value in self.cleaned_data.items() if name != "reason"}


class ContactEditForm(ContactAddForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, primary=False, **kwargs)


class ContactLeftForm(forms.Form):
    left_on = forms.DateField(
        label=_("Left on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Empty means today."),
    )
    new_primary = forms.ModelChoiceField(
        label=_("New primary contact"),
        queryset=Contact.objects.none(),
        required=False,
        help_text=_("Only needed when the primary contact leaves."),
    )
    reason = reason_field()

    def __init__(self, *args: Any, successors: QuerySet | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if successors is not None:
            self.fields["new_primary"].queryset = successors  # type: ignore[attr-defined]


class ReasonForm(forms.Form):
    reason = reason_field()


class AddressForm(ServiceValidatedForm):
    """The optional first delivery address of a new customer."""

    province = forms.ChoiceField(label=_("province"), required=False, choices=PROVINCE_CHOICES)

    class Meta:
        model = Address
        fields = ("label", "province", "city", "district", "detail", "receiver", "receiver_phone")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False


# --- needs and interactions ----------------------------------------------------------------


class NeedForm(forms.Form):
    text = forms.CharField(
        label=_("Need or preference"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (screenshots, scans); the service checks type and size."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class InteractionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=InteractionKind.choices)
    happened_at = forms.DateTimeField(
        label=_("When"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Empty means now."),
    )
    contact = forms.ModelChoiceField(
        label=_("Contact"), queryset=Contact.objects.none(), required=False
    )
    person = forms.CharField(
        label=_("Person"),
        required=False,
        max_length=50,
        help_text=_("Who you spoke to, if not a listed contact."),
    )
    summary = forms.CharField(
        label=_("Summary"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    # Named as the service names the field in its errors; Django's metaclass moves it into
    # base_fields, so it does not shadow ``BaseForm.files``.
    files = MultipleFileField(  # type: ignore[assignment]
        label=_("Attachments"),
        required=False,
        help_text=_("Screenshots, scans, PDF or Office files; up to 10 files of 10 MB each."),
    )

    def __init__(self, *args: Any, contacts: QuerySet | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if contacts is not None:
            self.fields["contact"].queryset = contacts  # type: ignore[attr-defined]

    def values(self) -> dict[str, Any]:
        return {
            name: self.cleaned_data.get(name)
            for name in ("kind", "happened_at", "contact", "person", "summary")
        }


# --- credit ----------------------------------------------------------------------------------


class CreditForm(forms.Form):
    grade = forms.ChoiceField(label=_("Grade"), choices=Grade.choices)
    credit_limit = forms.DecimalField(
        label=_("Credit limit"),
        required=False,
        max_digits=14,
        decimal_places=2,
        help_text=_("Empty means the grade's default."),
    )
    payment_terms = forms.CharField(
        label=_("Payment terms"),
        required=False,
        max_length=200,
        help_text=_("Empty means the grade's terms."),
    )
    reason = reason_field()


class GradeTermsForm(ServiceValidatedForm):
    reason = reason_field()

    class Meta:
        model = GradeTerms
        fields = ("payment_terms", "settlement_days", "deposit_percent", "default_credit_limit")

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class CreditPolicyForm(ServiceValidatedForm):
    reason = reason_field()

    class Meta:
        model = CreditPolicy
        fields = (
            "weight_timeliness",
            "weight_order_count",
            "weight_order_amount",
            "full_score_orders",
            "full_score_amount",
            "grade_a_from",
            "grade_b_from",
        )

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


# --- merge and import ----------------------------------------------------------------------


class MergeForm(forms.Form):
    merged = forms.IntegerField(widget=forms.HiddenInput)
    reason = reason_field()


class ImportForm(forms.Form):
    file = SpreadsheetField(
        help_text=_("An .xlsx or .csv file with one customer per row (first row: column names).")
    )
    valid_only = forms.BooleanField(
        label=_("Import the valid rows"),
        required=False,
        help_text=_("Without this, nothing is imported while any row has an error."),
    )
