"""Page forms of the billing app: they check formats only; the services decide."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from orderdesk.core.forms import reason_field
from orderdesk.customers.models import Customer
from orderdesk.orders.models import PaymentMethod

from .models import CollectionLevel, CollectionStatus, ContactChannel, InvoiceKind, InvoiceStatus

DATE = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


class InvoiceFilterForm(forms.Form):
    q = forms.CharField(label=_("Invoice, order or customer"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All")), *InvoiceStatus.choices],
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)


class PaymentFilterForm(forms.Form):
    q = forms.CharField(label=_("Receipt, reference or customer"), required=False, max_length=100)


class NewInvoiceForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=InvoiceKind.choices)
    shipment = forms.ChoiceField(label=_("Invoice for"), required=False)

    def __init__(self, *args: Any, shipments: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["shipment"].choices = [  # type: ignore[attr-defined]
            ("", _("The whole order")),
            *[(str(s.pk), _("Shipment %(number)s") % {"number": s.number}) for s in shipments],
        ]


class FapiaoForm(forms.Form):
    fapiao_number = forms.CharField(label=_("Fapiao number"), required=False, max_length=40)


class ReasonForm(forms.Form):
    reason = reason_field()


class PaymentForm(forms.Form):
    """A payment received. The customer is found with the search box above the form and
    posted as its id; an id the user may not see is refused on the field."""

    customer = forms.IntegerField(
        label=_("Customer"),
        widget=forms.HiddenInput,
        min_value=1,
        max_value=2**63 - 1,
        error_messages={
            "required": _("Find and choose the customer who paid."),
            "invalid": _("Find and choose the customer who paid."),
            "min_value": _("Find and choose the customer who paid."),
            "max_value": _("Find and choose the customer who paid."),
        },
    )
    amount = forms.DecimalField(label=_("Amount"), max_digits=16, decimal_places=2)
    method = forms.ChoiceField(label=_("Payment method"), choices=PaymentMethod.choices)
    reference = forms.CharField(label=_("Payment reference"), required=False, max_length=100)
    received_on = forms.DateField(label=_("Received on"), widget=DATE)
    note = forms.CharField(label=_("Note"), required=False, max_length=1000)

    def __init__(self, *args: Any, customers: QuerySet[Customer] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.customers = customers if customers is not None else Customer.objects.none()

    def clean_customer(self) -> Customer:
        found = self.customers.filter(pk=self.cleaned_data["customer"]).first()
        if found is None:
            raise forms.ValidationError(
                _("No such customer among yours: find and choose the customer who paid.")
            )
        return found


class DepositForm(forms.Form):
    percent = forms.DecimalField(
        label=_("Deposit %"),
        required=False,
        max_digits=5,
        decimal_places=2,
        help_text=_("Give a percentage or an amount; both empty: the order's own deposit."),
    )
    amount = forms.DecimalField(label=_("Amount"), required=False, max_digits=16, decimal_places=2)
    due_on = forms.DateField(label=_("Due on"), required=False, widget=DATE)


class ReceivablesForm(forms.Form):
    on = forms.DateField(label=_("Aging date"), required=False, widget=DATE)


# --- collection (催收) ------------------------------------------------------------------------

CASE_STATUSES = [
    ("", _("Open and promised")),
    *CollectionStatus.choices,
    ("all", _("All, closed included")),
]


class CollectionFilterForm(forms.Form):
    level = forms.ChoiceField(
        label=_("Level"), required=False, choices=[("", _("All")), *CollectionLevel.choices]
    )
    status = forms.ChoiceField(label=_("Status"), required=False, choices=CASE_STATUSES)
    customer = forms.CharField(
        label=_("Customer"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("Name, code or pinyin initials")}),
    )
    mine = forms.BooleanField(label=_("My customers only"), required=False)


class PaymentContactForm(forms.Form):
    """A payment contact (催收记录); the service checks the rules (channel, summary, the
    promise not in the past and not above what is open)."""

    invoice = forms.ChoiceField(label=_("About"), required=False)
    channel = forms.ChoiceField(label=_("Channel"), choices=[("", "—"), *ContactChannel.choices])
    summary = forms.CharField(
        label=_("Summary"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    promised_amount = forms.DecimalField(
        label=_("Amount promised"), required=False, max_digits=16, decimal_places=2
    )
    promised_on = forms.DateField(label=_("Payment promised for"), required=False, widget=DATE)

    def __init__(
        self, *args: Any, invoices: Iterable[tuple[int, str]] | None = None, **kwargs: Any
    ) -> None:
        """``invoices``: (id, number) of the open invoices to choose from; None when the
        form is about one invoice already and offers no choice."""
        super().__init__(*args, **kwargs)
        if invoices is None:
            del self.fields["invoice"]
        else:
            self.fields["invoice"].choices = [  # type: ignore[attr-defined]
                ("", _("The whole account")),
                *[
                    (str(pk), _("Invoice %(number)s") % {"number": number})
                    for pk, number in invoices
                ],
            ]
