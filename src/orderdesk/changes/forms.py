"""Page forms of order changes: the change request (订单变更申请表) on an order — who asked,
when and why, the header fields, each line (quantity, price, product, remove), lines to add,
whole-order cancellation — and the approval, rejection and withdrawal forms.

Forms check formats only (a number, a date, a known SKU); what a change may be (not below
the quantity shipped, a changeable order, one open request per line) is the services' rule,
so the page and the API refuse the same input with the same words. :meth:`proposal` turns
the form into the README's ``proposal``: only what differs from the order goes in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from orderdesk.catalog import selectors as catalog_selectors
from orderdesk.core.forms import reason_field
from orderdesk.core.money import as_decimal
from orderdesk.orders.entry_forms import DATETIME_LOCAL, OrderEntryForm
from orderdesk.orders.models import Order, OrderLine

from .models import Party, ReasonCategory
from .revisions import HEADER_FIELDS

ENTRY = OrderEntryForm.base_fields
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def number_input(label: Any) -> forms.TextInput:
    return forms.TextInput(
        attrs={"inputmode": "decimal", "class": "num", "autocomplete": "off", "aria-label": label}
    )


def check_number(value: str, *, places: int) -> str:
    """A decimal string as typed (the service judges its range); not a number, or finer
    than ``places`` decimals, is refused here."""
    value = (value or "").strip().replace(",", "")
    if not value:
        return ""
    number = as_decimal(value)
    if number is None:
        raise forms.ValidationError(_("Enter a number."))
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > places:
        raise forms.ValidationError(
            _("Use at most %(places)s decimal places.") % {"places": places}
        )
    return value


class ChangeRequestForm(forms.Form):
    """The request's header: who asked, when, why, the order fields, cancellation."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    party = forms.ChoiceField(
        label=gettext_lazy("Asked by"), choices=Party.choices, widget=forms.RadioSelect
    )
    requested_by_name = forms.CharField(
        label=gettext_lazy("Who asked"),
        max_length=100,
        required=False,
        help_text=gettext_lazy("The customer's contact, or the colleague who asked."),
    )
    requested_at = forms.DateTimeField(
        label=gettext_lazy("Asked at"),
        required=False,
        input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
        help_text=gettext_lazy("Empty: now."),
    )
    reason_category = forms.ChoiceField(
        label=gettext_lazy("Reason category"), choices=ReasonCategory.choices
    )
    reason = reason_field(gettext_lazy("What the change is for, in a sentence."))
    cancel = forms.BooleanField(
        label=gettext_lazy("Cancel the whole order"),
        required=False,
        help_text=gettext_lazy("Cancels every line not yet shipped; the other fields are ignored."),
    )
    requested_date = ENTRY["requested_date"]
    promised_date = forms.DateField(
        label=gettext_lazy("Promised date"), required=False, widget=DATE_INPUT
    )
    delivery_province = ENTRY["delivery_province"]
    delivery_city = ENTRY["delivery_city"]
    delivery_district = ENTRY["delivery_district"]
    delivery_address = ENTRY["delivery_address"]
    consignee = ENTRY["consignee"]
    consignee_phone = ENTRY["consignee_phone"]
    payment_method = ENTRY["payment_method"]
    payment_terms = ENTRY["payment_terms"]

    def __init__(self, *args: Any, order: Order, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "version": order.version,
                "party": Party.CUSTOMER,
                "requested_by_name": order.contact_name,
                "requested_at": timezone.localtime().replace(second=0, microsecond=0),
                **{field: getattr(order, field) for field in HEADER_FIELDS},
            },
        )
        super().__init__(*args, **kwargs)
        self.order = order
        # An order entered before the province list (or by the API) may hold a spelling the
        # list lacks ("广东"): offered as it is, so leaving it alone is no change.
        province = cast(forms.ChoiceField, self.fields["delivery_province"])
        offered = list(province.choices)  # type: ignore[arg-type]
        if order.delivery_province and order.delivery_province not in dict(offered):
            province.choices = [*offered, (order.delivery_province, order.delivery_province)]
        reason = cast(forms.CharField, self.fields["reason"])
        reason.widget = forms.Textarea(attrs={"rows": 2})
        reason.label = gettext_lazy("Reason")

    def header_changes(self) -> dict[str, Any]:
        """The header fields whose value differs from the order's (dates ISO)."""
        changes: dict[str, Any] = {}
        for field in HEADER_FIELDS:
            value = self.cleaned_data.get(field)
            current = getattr(self.order, field)
            if isinstance(value, dt.date):
                if value != current:
                    changes[field] = value.isoformat()
            elif value in (None, ""):
                if current not in (None, ""):
                    changes[field] = None if isinstance(current, dt.date) else ""
            elif value != current:
                changes[field] = value
        return changes


class LineChangeForm(forms.Form):
    """One line of the order: its quantity, unit price and product as they should be."""

    quantity = forms.CharField(max_length=20, widget=number_input(gettext_lazy("Quantity")))
    unit_price = forms.CharField(
        max_length=20, required=False, widget=number_input(gettext_lazy("Unit price"))
    )
    sku = forms.CharField(
        max_length=40,
        widget=forms.TextInput(
            attrs={"class": "sku-input", "autocomplete": "off", "aria-label": gettext_lazy("SKU")}
        ),
    )
    remove = forms.BooleanField(required=False, label=gettext_lazy("Remove"))

    def __init__(self, *args: Any, line: OrderLine, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "quantity": format(line.quantity.normalize(), "f"),
                "unit_price": str(line.unit_price),
                "sku": line.sku,
            },
        )
        kwargs.setdefault("prefix", f"line-{line.pk}")
        super().__init__(*args, **kwargs)
        self.line = line

    def clean_quantity(self) -> str:
        return check_number(self.cleaned_data["quantity"], places=3)

    def clean_unit_price(self) -> str:
        return check_number(self.cleaned_data["unit_price"], places=2)


class AddLineForm(forms.Form):
    sku = forms.CharField(
        max_length=40,
        required=False,
        widget=forms.TextInput(
            attrs={"class": "sku-input", "autocomplete": "off", "aria-label": gettext_lazy("SKU")}
        ),
    )
    quantity = forms.CharField(
        max_length=20, required=False, widget=number_input(gettext_lazy("Quantity"))
    )
    unit_price = forms.CharField(
        max_length=20,
        required=False,
        widget=number_input(gettext_lazy("Unit price")),
        help_text=gettext_lazy("Empty: the customer's price."),
    )

    def clean_quantity(self) -> str:
        return check_number(self.cleaned_data["quantity"], places=3)

    def clean_unit_price(self) -> str:
        return check_number(self.cleaned_data["unit_price"], places=2)

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not any(data.get(name) for name in ("sku", "quantity", "unit_price"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("sku") and not data.get("quantity") and "quantity" not in self.errors:
            self.add_error("quantity", _("Enter the quantity."))
        if data.get("quantity") and not data.get("sku") and "sku" not in self.errors:
            self.add_error("sku", _("Choose the product."))
        return data


AddLineFormSet = forms.formset_factory(AddLineForm, extra=2, max_num=200, validate_max=True)


class ChangeForms:
    """The request form, one form per order line and the lines to add, bound together."""

    ADD_PREFIX = "add"

    def __init__(self, order: Order, lines: Sequence[OrderLine], data: Any = None) -> None:
        self.order = order
        self.header = ChangeRequestForm(data, order=order)
        self.lines = [LineChangeForm(data, line=line) for line in lines]
        self.add = AddLineFormSet(data, prefix=self.ADD_PREFIX)
        self.products: dict[str, Any] = {}

    @property
    def is_bound(self) -> bool:
        return self.header.is_bound

    def is_valid(self) -> bool:
        valid = self.header.is_valid()
        lines_valid = [line.is_valid() for line in self.lines]  # every line, for its errors
        valid = all(lines_valid) and valid
        valid = self.add.is_valid() and valid
        return self.resolve_products() and valid

    def resolve_products(self) -> bool:
        """Every SKU typed must be an active product (format check: the SKU exists)."""
        typed = [
            (form, form.cleaned_data.get("sku", "").strip())
            for form in [*self.lines, *self.add.forms]
            if hasattr(form, "cleaned_data")
        ]
        self.products = catalog_selectors.products_by_sku({sku for _form, sku in typed if sku})
        known = True
        for form, sku in typed:
            if sku and sku not in self.products:
                form.add_error("sku", _("Unknown SKU %(sku)s.") % {"sku": sku})
                known = False
        return known

    def proposal(self) -> dict[str, Any]:
        """The README's ``proposal``: only what differs from the order."""
        if self.header.cleaned_data.get("cancel"):
            return {"header": {}, "lines": [], "add": [], "remove": [], "cancel": True}
        changed, removed = [], []
        for form in self.lines:
            line, data = form.line, form.cleaned_data
            if data.get("remove"):
                removed.append(line.pk)
                continue
            entry: dict[str, Any] = {}
            quantity = as_decimal(data.get("quantity"))
            if quantity is not None and quantity != line.quantity:
                entry["quantity"] = data["quantity"]
            price = as_decimal(data.get("unit_price"))
            if price is not None and price != line.unit_price:
                entry["unit_price"] = data["unit_price"]
            product = self.products.get(data.get("sku", "").strip())
            if product is not None and product.pk != line.product_id:
                entry["product_id"] = product.pk
            if entry:
                changed.append({"line_id": line.pk, **entry})
        added = []
        for add_form in self.add.forms:
            if add_form.is_blank():
                continue
            data = add_form.cleaned_data
            item: dict[str, Any] = {
                "product_id": self.products[data["sku"].strip()].pk,
                "quantity": data["quantity"],
            }
            if data.get("unit_price"):
                item["unit_price"] = data["unit_price"]
            added.append(item)
        return {
            "header": self.header.header_changes(),
            "lines": changed,
            "add": added,
            "remove": removed,
            "cancel": False,
        }

    def request_values(self) -> dict[str, Any]:
        """The keyword arguments of ``services.create_change_request`` besides the proposal."""
        data = self.header.cleaned_data
        return {
            "party": data["party"],
            "reason": data.get("reason", ""),
            "reason_category": data["reason_category"],
            "requested_by_name": data.get("requested_by_name", ""),
            "requested_at": data.get("requested_at"),
            "version": data["version"],
        }

    def add_line_index(self, position: int) -> AddLineForm | None:
        """The add-line form of the ``position``-th line to add (blank rows counted out)."""
        filled = [form for form in self.add.forms if not form.is_blank()]
        return filled[position] if 0 <= position < len(filled) else None


class DecisionForm(forms.Form):
    """A department's approval (with an optional note) or rejection (with a reason)."""

    department = forms.CharField(widget=forms.HiddenInput)
    note = forms.CharField(
        label=gettext_lazy("Comment or reason"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("A reason is needed to reject."),
    )


class WithdrawForm(forms.Form):
    reason = reason_field(gettext_lazy("Why the change is no longer wanted."))


class FilterForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False)
    department = forms.ChoiceField(label=gettext_lazy("Waiting for"), required=False)
    order = forms.CharField(label=gettext_lazy("Order number"), required=False, max_length=40)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from .models import ChangeStatus, Department

        super().__init__(*args, **kwargs)
        status = cast(forms.ChoiceField, self.fields["status"])
        department = cast(forms.ChoiceField, self.fields["department"])
        status.choices = [("", _("All")), *ChangeStatus.choices]
        department.choices = [("", _("Any department")), *Department.choices]
