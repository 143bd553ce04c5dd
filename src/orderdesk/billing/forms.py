"""Page forms of the billing app: they check formats only; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from orderdesk.core.forms import reason_field
from orderdesk.orders.models import PaymentMethod

from .models import InvoiceKind, InvoiceStatus

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
    customer = forms.ChoiceField(label=_("Customer"))
    amount = forms.DecimalField(label=_("Amount"), max_digits=16, decimal_places=2)
    method = forms.ChoiceField(label=_("Payment method"), choices=PaymentMethod.choices)
    reference = forms.CharField(label=_("Payment reference"), required=False, max_length=100)
    received_on = forms.DateField(label=_("Received on"), widget=DATE)
    note = forms.CharField(label=_("Note"), required=False, max_length=1000)

    def __init__(self, *args: Any, customers: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["customer"].choices = [  # type: ignore[attr-defined]
            ("", "—"),
            *[(str(c.pk), f"{c.code} {c.name}") for c in customers],
        ]


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
