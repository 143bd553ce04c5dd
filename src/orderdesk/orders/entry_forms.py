"""The order entry form (订单录入): header and line forms, the live quote and the
missing-information checklist shown while the order is typed in.

Forms check formats only (a number, a date); the order services hold the rules, so the page,
the API and the command line refuse the same input with the same message. The quote prices
every line in one call through the function the save itself uses
(``services.drafts.price``, which asks ``pricing.services.price_lines``), so the figures the
form shows are the ones the draft will hold. The checklist is the submit check
(``services.review.check_submittable``) run on the unsaved order.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import formats, timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from orderdesk.accounts.roles import role_label
from orderdesk.catalog.models import Product
from orderdesk.core.errors import ValidationFailed
from orderdesk.core.money import as_decimal
from orderdesk.core.regions import PROVINCE_NAMES
from orderdesk.customers.models import Customer
from orderdesk.inventory import selectors as stock_selectors
from orderdesk.inventory.selectors import Availability
from orderdesk.pricing import services as pricing

from .models import Channel, Order, OrderLine, PaymentMethod
from .services.drafts import price as price_draft_lines
from .services.review import check_submittable

ZERO = Decimal(0)
MAX_LINES = 5000
LINE_FIELDS = ("sku", "quantity", "unit_price", "discount_percent", "note")
APPROVAL_REASONS = {
    "below_floor": gettext_lazy("below the floor price"),
    "discount_over_authority": gettext_lazy("discount beyond your authority"),
}
DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


def text(label: Any, max_length: int, **options: Any) -> forms.CharField:
    return forms.CharField(label=label, max_length=max_length, required=False, **options)


class OrderEntryForm(forms.Form):
    """The order header. Every field is optional here: a draft may be incomplete, and what a
    saved draft must hold (a customer, a channel) the service refuses with its own words."""

    customer_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    contact_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    channel = forms.ChoiceField(
        label=gettext_lazy("Channel"),
        required=False,
        choices=[("", "—"), *Channel.choices],
    )
    received_at = forms.DateTimeField(
        label=gettext_lazy("Received at"),
        required=False,
        input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
    )
    customer_reference = text(gettext_lazy("Customer's reference"), 60)
    contact_name = text(gettext_lazy("Contact name"), 50)
    contact_phone = text(gettext_lazy("Contact phone"), 30)
    payment_method = forms.ChoiceField(
        label=gettext_lazy("Payment method"),
        required=False,
        choices=[("", "—"), *PaymentMethod.choices],
    )
    payment_terms = text(gettext_lazy("Payment terms"), 200)
    deposit_percent = forms.DecimalField(
        label=gettext_lazy("Deposit %"),
        required=False,
        max_digits=5,
        decimal_places=2,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        help_text=gettext_lazy("Empty: the customer's grade decides."),
    )
    requested_date = forms.DateField(
        label=gettext_lazy("Requested delivery date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    delivery_province = forms.ChoiceField(
        label=gettext_lazy("Province"),
        required=False,
        choices=[("", "—"), *((name, name) for name in PROVINCE_NAMES)],
    )
    delivery_city = text(gettext_lazy("City"), 30)
    delivery_district = text(gettext_lazy("District"), 30)
    delivery_address = text(gettext_lazy("Delivery address"), 200)
    consignee = text(gettext_lazy("Consignee"), 50)
    consignee_phone = text(gettext_lazy("Consignee phone"), 30)
    special_requirements = text(
        gettext_lazy("Special requirements"), 2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    packing_requirements = text(gettext_lazy("Packing"), 200)
    label_requirements = text(gettext_lazy("Labels"), 200)
    logistics_preference = text(gettext_lazy("Logistics preference"), 200)

    FIELDSETS = (
        (gettext_lazy("Order"), ("channel", "received_at", "customer_reference")),
        (gettext_lazy("Contact"), ("contact_name", "contact_phone")),
        (gettext_lazy("Payment"), ("payment_method", "payment_terms", "deposit_percent")),
        (
            gettext_lazy("Delivery"),
            (
                "requested_date",
                "delivery_province",
                "delivery_city",
                "delivery_district",
                "delivery_address",
                "consignee",
                "consignee_phone",
            ),
        ),
        (
            gettext_lazy("Requirements"),
            (
                "special_requirements",
                "packing_requirements",
                "label_requirements",
                "logistics_preference",
            ),
        ),
    )
    SERVICE_FIELDS = (
        "customer_id",
        "contact_id",
        "channel",
        "received_at",
        "customer_reference",
        "contact_name",
        "contact_phone",
        "payment_method",
        "payment_terms",
        "deposit_percent",
        "requested_date",
        "delivery_province",
        "delivery_city",
        "delivery_district",
        "delivery_address",
        "consignee",
        "consignee_phone",
        "special_requirements",
        "packing_requirements",
        "label_requirements",
        "logistics_preference",
    )

    def fieldsets(self) -> list[tuple[Any, list[forms.BoundField]]]:
        return [(label, [self[name] for name in names]) for label, names in self.FIELDSETS]

    def values(self, *, new: bool) -> dict[str, Any]:
        """The header in the services' field names. An empty "received at" means now for a
        new order and "unchanged" for an existing one."""
        values = {name: self.cleaned_data.get(name) for name in self.SERVICE_FIELDS}
        if not new and values["received_at"] is None:
            del values["received_at"]
        return values

    def current(self, name: str) -> Any:
        """A field's value as typed (bound) or as given (initial), format errors or not."""
        if self.is_bound and name in getattr(self, "cleaned_data", {}):
            return self.cleaned_data[name]
        if self.is_bound:
            return None if name in self.errors else self[name].value()
        return self.initial.get(name)


def number_attrs(label: Any) -> dict[str, Any]:
    return {"inputmode": "decimal", "class": "num", "autocomplete": "off", "aria-label": label}


class LineForm(forms.Form):
    """One order line as typed. Text fields: the pricing service parses and judges the
    values (zero quantities, prices exact to the fen); only what is not a number at all, or
    finer than a quantity can be stored, is refused here."""

    sku = forms.CharField(
        label=gettext_lazy("SKU"),
        max_length=40,
        required=False,
        widget=forms.TextInput(
            attrs={
                "class": "sku-input",
                "autocomplete": "off",
                "spellcheck": "false",
                "aria-label": gettext_lazy("SKU"),
            }
        ),
    )
    quantity = forms.CharField(
        label=gettext_lazy("Quantity"),
        max_length=20,
        required=False,
        widget=forms.TextInput(number_attrs(gettext_lazy("Quantity"))),
    )
    unit_price = forms.CharField(
        label=gettext_lazy("Unit price"),
        max_length=20,
        required=False,
        widget=forms.TextInput(number_attrs(gettext_lazy("Requested unit price"))),
    )
    discount_percent = forms.CharField(
        label=gettext_lazy("Discount %"),
        max_length=10,
        required=False,
        widget=forms.TextInput(number_attrs(gettext_lazy("Requested discount %"))),
    )
    note = forms.CharField(
        label=gettext_lazy("Note"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"aria-label": gettext_lazy("Note")}),
    )

    def clean_quantity(self) -> str:
        value: str = self.cleaned_data["quantity"]
        number = number_or_error(value)
        if number is not None and number != number.quantize(Decimal("0.001")):
            raise forms.ValidationError(_("Quantities have at most 3 decimals."))
        return value

    def clean_unit_price(self) -> str:
        value: str = self.cleaned_data["unit_price"]
        number_or_error(value)
        return value

    def clean_discount_percent(self) -> str:
        value: str = self.cleaned_data["discount_percent"]
        number_or_error(value)
        return value

    def raw(self) -> dict[str, str]:
        """The row as typed (or as given, unbound), for the services."""
        if getattr(self, "_raw", None) is None:
            self._raw = {name: str(self[name].value() or "").strip() for name in LINE_FIELDS}
        return dict(self._raw)

    def is_blank(self) -> bool:
        return not any(self.raw().values())


def number_or_error(value: str) -> Decimal | None:
    if not value:
        return None
    number = as_decimal(value)
    if number is None:
        raise forms.ValidationError(_("Enter a number, e.g. 12.5."))
    return number


LineFormSet = forms.formset_factory(
    LineForm,
    extra=1,
    max_num=MAX_LINES,
    absolute_max=MAX_LINES,
    validate_max=True,
)


def header_initial(order: Order | None) -> dict[str, Any]:
    if order is None:
        return {"received_at": timezone.localtime().replace(second=0, microsecond=0)}
    initial = {name: getattr(order, name) for name in OrderEntryForm.SERVICE_FIELDS}
    initial["received_at"] = timezone.localtime(order.received_at)
    initial["version"] = order.version
    return initial


def line_initial(order: Order) -> list[dict[str, Any]]:
    """The saved lines as rows. A price the salesperson changed (a discount) is kept as the
    requested unit price, exact to the fen; an unchanged one is left to the price list."""
    rows = []
    for line in order.lines.order_by("line_no"):
        rows.append(
            {
                "sku": line.sku,
                "quantity": plain(line.quantity),
                "unit_price": plain(line.unit_price) if line.discount_percent else "",
                "discount_percent": "",
                "note": line.note,
            }
        )
    return rows


def money_text(amount: Decimal) -> str:
    return formats.number_format(amount, 2, force_grouping=True)


def quantity_text(amount: Decimal) -> str:
    return formats.number_format(amount.normalize(), force_grouping=True)


def plain(number: Decimal) -> str:
    """A decimal as people type it: 2 rather than 2.000."""
    return format(number.normalize(), "f")


# --- the live quote ------------------------------------------------------------------------


@dataclass
class RowResult:
    """What one row of the form came to: its priced line, or why it could not be priced."""

    index: int
    line: OrderLine | None = None
    errors: list[str] = field(default_factory=list)
    availability: Availability | None = None

    @cached_property
    def cells(self) -> dict[str, str]:
        """The priced figures as shown (grouped, two decimals), formatted once per line."""
        line = self.line
        if line is None:
            return {}
        return {
            "price": money_text(line.unit_price),
            "list_price": money_text(line.list_price) if line.list_price != line.unit_price else "",
            "discount": format(line.discount_percent.normalize(), "f")
            if line.discount_percent
            else "",
            "net": money_text(line.net_amount),
            "tax": money_text(line.tax_amount),
            "total": money_text(line.line_total),
            "availability": self.availability_text(),
        }

    def availability_text(self) -> str:
        if self.availability is None:
            return ""
        available = quantity_text(self.availability["available"])
        if self.short:
            restock = self.availability["restock_on"]
            return _("Short: {available} available, restock {day}").format(
                available=available, day=restock.isoformat() if restock else "?"
            )
        return _("{available} available").format(available=available)

    @cached_property
    def approval(self) -> str:
        if self.line is None or not self.line.approval_role:
            return ""
        return _("Needs approval by {role} ({reason}).").format(
            role=role_label(self.line.approval_role),
            reason=APPROVAL_REASONS.get(self.line.approval_reason, self.line.approval_reason),
        )

    @cached_property
    def short(self) -> bool:
        return (
            self.line is not None
            and self.availability is not None
            and self.availability["available"] < self.line.quantity
        )


@dataclass
class EntryQuote:
    rows: list[RowResult]
    filled: list[int]
    """The form row of each line the services see (blank rows are left out)."""
    lines: list[OrderLine] = field(default_factory=list)
    net: Decimal = ZERO
    tax: Decimal = ZERO
    gross: Decimal = ZERO
    notice: str = ""
    errors: list[str] = field(default_factory=list)
    """Errors about the lines as a whole (too many lines)."""

    @property
    def complete(self) -> bool:
        return len(self.lines) == len(self.filled)

    @property
    def approvals(self) -> list[tuple[int, str]]:
        return [(row.index + 1, row.approval) for row in self.rows if row.approval]

    def row_of(self, key: str) -> tuple[int, str] | None:
        """``lines.3.sku`` → (form row, field) when it names a line."""
        parts = key.split(".")
        if len(parts) < 2 or parts[0] != "lines" or not parts[1].isdigit():
            return None
        position = int(parts[1])
        if position >= len(self.filled):
            return None
        return self.filled[position], (parts[2] if len(parts) > 2 else "")

    def add_errors(self, errors: Mapping[str, str]) -> None:
        """Put line errors (``lines.N.field`` in the services' numbering) on their rows."""
        for key, message in errors.items():
            found = self.row_of(key)
            if found is None:
                if key.startswith("lines") and message not in self.errors:
                    self.errors.append(message)
                continue
            row = self.rows[found[0]]
            if message not in row.errors:
                row.errors.append(message)


def quote_rows(customer: Customer | None, line_forms: Sequence[LineForm], *, by: Any) -> EntryQuote:
    """Price the filled rows for ``customer`` as ``by`` would offer them; nothing is saved.

    One pricing call for all lines; when some are refused (unknown SKU, zero quantity…)
    the others are priced again without them, so the form still shows their figures and the
    totals of what can be priced.
    """
    rows = [RowResult(index) for index in range(len(line_forms))]
    filled = [index for index, form in enumerate(line_forms) if not form.is_blank()]
    quote = EntryQuote(rows=rows, filled=filled)
    for index, form in enumerate(line_forms):
        if form.is_bound and not form.is_valid():
            for name, messages in form.errors.items():
                rows[index].errors.extend(
                    f"{form.fields[name].label}: {message}" if name in form.fields else str(message)
                    for message in messages
                )
    if len(filled) > MAX_LINES:
        quote.errors.append(_("An order has at most 5,000 lines."))
        return quote
    raw = [line_forms[index].raw() for index in filled]
    positions = list(range(len(raw)))
    lines: list[OrderLine] = []
    totals: dict[str, Decimal] = {}
    # The save's own pricing refuses a whole order for one bad line; the form wants the
    # others priced, so refused lines are set aside and the rest priced again (the SKU and
    # price checks come before the pricing service's, hence at most three rounds).
    for _round in range(3):
        errors: dict[str, str] = {}
        lines, totals = price_draft_lines(
            customer, [raw[position] for position in positions], by=by, errors=errors
        )
        if not errors:
            break
        renamed = {renumber(key, positions): message for key, message in errors.items()}
        quote.add_errors(skip_format_errors(quote, renamed, line_forms))
        refused = {found[0] for key in renamed if (found := quote.row_of(key)) is not None}
        positions = [position for position in positions if filled[position] not in refused]
        lines, totals = [], {}
        if customer is None or not positions or quote.errors:
            break
    if customer is None and filled:
        quote.notice = _("Choose a customer to see prices and totals.")
    for position, line in zip(positions, lines, strict=False):
        line.line_no = position + 1
        rows[filled[position]].line = line
        quote.lines.append(line)
    if lines:
        quote.net = totals["net_amount"]
        quote.tax = totals["tax_amount"]
        quote.gross = totals["total_amount"]
        stock = stock_selectors.availability_by_product(line.product for line in lines)
        for line in lines:
            rows[filled[line.line_no - 1]].availability = stock.get(line.product.pk)
    return quote


def renumber(key: str, positions: Sequence[int]) -> str:
    """``lines.K.field`` of a call with only some lines → the same key in the whole order."""
    parts = key.split(".")
    if len(parts) > 1 and parts[0] == "lines" and parts[1].isdigit():
        index = int(parts[1])
        if index < len(positions):
            parts[1] = str(positions[index])
    return ".".join(parts)


def skip_format_errors(
    quote: EntryQuote, errors: Mapping[str, str], line_forms: Sequence[LineForm]
) -> dict[str, str]:
    """The services' errors, less those on a field the form already marked (one message
    per field: "Enter a number" says more than "Enter a quantity greater than zero")."""
    kept = {}
    for key, message in errors.items():
        found = quote.row_of(key)
        if found is not None:
            form = line_forms[found[0]]
            if form.is_bound and found[1] in form.errors:
                continue
        kept[key] = message
    return kept


# --- the checklist -------------------------------------------------------------------------


@dataclass
class ChecklistItem:
    anchor: str
    text: str


def draft_order(form: OrderEntryForm, customer: Customer | None, quote: EntryQuote) -> Order:
    """An unsaved order with what the form holds, for the submit check."""
    order = Order(customer=customer) if customer is not None else Order()
    for name in (
        "contact_name",
        "contact_phone",
        "payment_method",
        "delivery_province",
        "delivery_city",
        "delivery_address",
    ):
        setattr(order, name, str(form.current(name) or "").strip())
    requested = form.current("requested_date")
    order.requested_date = requested if isinstance(requested, dt.date) else None
    order.total_amount = quote.gross
    return order


def checklist(order: Order, quote: EntryQuote, *, has_customer: bool = True) -> list[ChecklistItem]:
    """Everything submitting would refuse, each item linked to its field or line."""
    items = []
    if not has_customer:
        items.append(ChecklistItem("entry-customer", _("Missing: Customer")))
    try:
        check_submittable(order, quote.lines)
    except ValidationFailed as error:
        for key, message in error.fields.items():
            found = quote.row_of(key)
            if found is not None:
                items.append(
                    ChecklistItem(
                        f"line-{found[0]}-product",
                        _("Line {number}: {problem}").format(number=found[0] + 1, problem=message),
                    )
                )
            elif key == "lines":
                items.append(ChecklistItem("entry-lines", str(message)))
            else:
                items.append(ChecklistItem(f"id_{key}", str(message)))
    return items


# --- the product lookup --------------------------------------------------------------------


@dataclass
class ProductOffer:
    product: Product
    line: Any = None
    """The pricing service's quote line for one unit, when the product has a price."""
    problem: str = ""
    availability: Availability | None = None


def product_offers(
    customer: Customer | None, products: Iterable[Product], *, by: Any
) -> list[ProductOffer]:
    """Found products with the price ``customer`` would pay for one unit (one pricing call,
    a second without the products that cannot be priced) and their availability."""
    offers = [ProductOffer(product) for product in products]
    stock = stock_selectors.availability_by_product(offer.product for offer in offers)
    for offer in offers:
        offer.availability = stock.get(offer.product.pk)
    if customer is None or not offers:
        return offers
    today = timezone.localdate()
    candidates = list(range(len(offers)))
    for _attempt in range(2):
        try:
            quote = pricing.price_lines(
                customer,
                [(offers[index].product, Decimal(1), None, None) for index in candidates],
                on=today,
                by=by,
            )
        except ValidationFailed as error:
            refused = set()
            for key, message in error.fields.items():
                parts = key.split(".")
                if len(parts) > 1 and parts[1].isdigit() and int(parts[1]) < len(candidates):
                    position = int(parts[1])
                    offers[candidates[position]].problem = str(message)
                    refused.add(position)
            candidates = [
                index for position, index in enumerate(candidates) if position not in refused
            ]
            if not candidates:
                break
            continue
        for index, line in zip(candidates, quote.lines, strict=True):
            offers[index].line = line
        break
    return offers
