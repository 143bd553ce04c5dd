"""API input and output shapes for orders (/api/v1/orders).

Schemas check format only: types, lengths as in the model, decimals no finer than their
column (prices to the fen, quantities to three places) and ids that fit the database. Every
rule — a known customer the user may see, orderable products, positive quantities, dates not
in the past, completeness, who may do what — is the services', so the browser, the API and
the CLI obey one rule book and one response names every field a rule refused.

Integrations send what forms and spreadsheets hold: an empty string or ``null`` means "not
given" for optional ids, dates and numbers, ``null`` is an empty text, and a number where a
text is expected (a phone) is read as its digits. Quantities and prices may be JSON numbers
or decimal strings. PATCH bodies send only the fields that change. Decimals leave as strings.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from ninja import Schema
from pydantic import BeforeValidator, Field, field_validator

from .models import Channel, OrderStatus

MAX_ID = 2**63 - 1
"""The largest key the database holds; a bigger id is a format error, not a crash."""
MAX_OFFSET = 1_000_000_000


def blank_to_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


def as_id(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError("Expected an id, not true or false.")  # pydantic would read 1 or 0
    return blank_to_none(value)


def as_text(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, str) and "\x00" in value:
        # PostgreSQL cannot store or even compare NUL characters in text.
        raise ValueError("Text cannot contain NUL characters.")
    return value


Text = Annotated[str, BeforeValidator(as_text)]
OptionalId = Annotated[Annotated[int, Field(ge=1, le=MAX_ID)] | None, BeforeValidator(as_id)]
OptionalDate = Annotated[dt.date | None, BeforeValidator(blank_to_none)]
OptionalDateTime = Annotated[dt.datetime | None, BeforeValidator(blank_to_none)]
Quantity = Annotated[
    Annotated[Decimal, Field(max_digits=14, decimal_places=3)] | None,
    BeforeValidator(blank_to_none),
]
Money = Annotated[
    Annotated[Decimal, Field(max_digits=14, decimal_places=2)] | None,
    BeforeValidator(blank_to_none),
]
Percent = Annotated[
    Annotated[Decimal, Field(max_digits=5, decimal_places=2)] | None,
    BeforeValidator(blank_to_none),
]

REASON = Field("", max_length=500, description="Why (原因).")


# --- input ----------------------------------------------------------------------------------


class OrderLineIn(Schema):
    sku: Text = Field("", max_length=40, description="The product's SKU (or send product_id).")
    product_id: OptionalId = None
    quantity: Quantity = Field(None, description="Greater than zero, up to 3 decimals.")
    unit_price: Money = Field(
        None,
        description="Agreed net unit price, at most 2 decimals; empty: the price list's price. "
        "A price below the salesperson's authority routes a price approval.",
    )
    discount_percent: Percent = Field(
        None, description="Requested discount off the list price (instead of unit_price)."
    )
    note: Text = Field("", max_length=200)


class OrderFields(Schema):
    customer_id: OptionalId = None
    contact_id: OptionalId = Field(None, description="A contact of the customer.")
    channel: Text = Field(
        "",
        max_length=20,
        description="website | ecommerce | email | fax | phone | salesperson | walk_in | "
        "portal | api",
    )
    received_at: OptionalDateTime = Field(None, description="When the order came in; default now.")
    salesperson_id: OptionalId = Field(
        None, description="Default: you if you sell, else the customer's owner."
    )
    customer_reference: Text = Field("", max_length=60, description="The customer's PO number.")
    contact_name: Text = Field("", max_length=50)
    contact_phone: Text = Field("", max_length=30)
    payment_method: Text = Field(
        "", max_length=20, description="bank_transfer | cash | cheque | online | acceptance"
    )
    payment_terms: Text = Field(
        "", max_length=200, description="Default: the customer's credit terms."
    )
    deposit_percent: Percent = Field(None, description="Default: the customer's grade's deposit.")
    delivery_province: Text = Field("", max_length=20, description="e.g. 广东 or 广东省")
    delivery_city: Text = Field("", max_length=30)
    delivery_district: Text = Field("", max_length=30)
    delivery_address: Text = Field("", max_length=200)
    consignee: Text = Field("", max_length=50)
    consignee_phone: Text = Field("", max_length=30)
    requested_date: OptionalDate = Field(None, description="Requested delivery date, not past.")
    special_requirements: Text = Field("", max_length=2000)
    packing_requirements: Text = Field("", max_length=200)
    label_requirements: Text = Field("", max_length=200)
    logistics_preference: Text = Field("", max_length=200)
    lines: list[OrderLineIn] = Field(default_factory=list, max_length=5000)


class OrderIn(OrderFields):
    """A new draft order; it may be incomplete (``missing`` lists what submitting needs)."""


class OrderChangeIn(OrderFields):
    """Only the fields sent change; ``lines``, when sent, replaces every line."""

    version: Annotated[int, Field(ge=0, le=MAX_ID)] | None = Field(
        None,
        description="The version you edited; a newer one on the server is a 409 stale_order.",
    )


class OrderFilter(Schema):
    q: Text = Field("", max_length=100, description="Order number prefix, customer name or code.")
    status: list[Text] = Field(default_factory=list, description="Repeat for several.")
    customer_id: Annotated[int, Field(ge=1, le=MAX_ID)] | None = None
    salesperson_id: Annotated[int, Field(ge=1, le=MAX_ID)] | None = None
    channel: Text = Field("", max_length=20)
    received_from: dt.date | None = None
    received_until: dt.date | None = None
    overdue_review: bool = Field(False, description="Only orders with a late review step.")
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)
    after: Text = Field(
        "",
        max_length=100,
        description="Keyset cursor: the `next` of the previous page (fast on deep pages).",
    )

    @field_validator("status")
    @classmethod
    def known_statuses(cls, value: list[str]) -> list[str]:
        statuses = [status for status in value if status]
        if unknown := sorted(set(statuses) - set(OrderStatus.values)):
            raise ValueError(f"Unknown status {', '.join(unknown)}; one of {OrderStatus.values}.")
        return statuses

    @field_validator("channel")
    @classmethod
    def known_channel(cls, value: str) -> str:
        if value and value not in Channel.values:
            raise ValueError(f"Unknown channel {value}; one of {Channel.values}.")
        return value


class DecisionIn(Schema):
    comment: Text = Field(
        "",
        max_length=1000,
        description="Optional; the reason when finance approves a credit exception.",
    )
    earliest_completion: OptionalDate = Field(
        None, description="Production step: the earliest completion date (required there)."
    )


class RejectIn(Schema):
    reason: Text = REASON


class ReasonIn(Schema):
    reason: Text = REASON


# --- output ---------------------------------------------------------------------------------


class OrderLineOut(Schema):
    line_no: int
    product_id: int
    sku: str
    name: str
    spec: str
    unit: str
    quantity: str
    list_price: str
    unit_price: str
    discount_percent: str
    tax_rate: str
    net_amount: str
    tax_amount: str
    line_total: str
    promotion: str
    approval_role: str = Field(description="Who must approve the price; empty when none.")
    note: str


class MissingItemOut(Schema):
    field: str
    label: str


class OrderItemOut(Schema):
    """An order in a list: the header without lines."""

    id: int
    number: str
    status: str
    status_label: str
    status_reason: str
    customer_id: int
    customer_name: str
    contact_id: int | None
    contact_name: str
    contact_phone: str
    channel: str
    received_at: dt.datetime
    salesperson_id: int
    salesperson_name: str
    customer_reference: str
    payment_method: str
    payment_terms: str
    deposit_percent: str
    deposit_amount: str = Field(description="The deposit required.")
    delivery_province: str
    delivery_city: str
    delivery_district: str
    delivery_address: str
    consignee: str
    consignee_phone: str
    requested_date: dt.date | None
    promised_date: dt.date | None
    special_requirements: str
    packing_requirements: str
    label_requirements: str
    logistics_preference: str
    net_amount: str
    tax_amount: str
    total_amount: str
    version: int
    review_round: int
    confirmation_status: str = Field(description="not_sent | sent | confirmed")
    confirmation_sent_at: dt.datetime | None
    confirmation_due_on: dt.date | None
    confirmation_delay_days: int = Field(
        description="Working days the confirmation was late (the promised date moved as many)."
    )
    confirmed_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime
    submitted_at: dt.datetime | None
    approved_at: dt.datetime | None
    released_at: dt.datetime | None
    cancelled_at: dt.datetime | None


class OrderOut(OrderItemOut):
    lines: list[OrderLineOut]
    missing: list[MissingItemOut] = Field(
        description="What submitting still needs (empty when complete)."
    )


class OrderListOut(Schema):
    count: int = Field(description="Orders matching the filters (whatever the page).")
    items: list[OrderItemOut]
    next: str | None = Field(description="Cursor for the next page (`after`); null on the last.")


class ReviewStepOut(Schema):
    step: str = Field(description="sales | pricing | finance | warehouse | production")
    label: str
    status: str = Field(description="waiting | pending | approved | rejected | superseded")
    status_label: str
    role: str = Field(description="The group that decides the step.")
    stage: int
    started_at: dt.datetime | None
    due_at: dt.datetime | None
    time_left_hours: float | None = Field(
        description="Working hours until due (negative when overdue); null unless pending."
    )
    decided_by: str | None
    decided_by_name: str | None
    decided_at: dt.datetime | None
    comment: str
    findings: dict[str, Any] = Field(description="What the system found for the approver.")
    decision: dict[str, Any] = Field(description="What the approver entered.")
    carried_over: bool = Field(
        description="Approved in an earlier round; nothing it checked changed."
    )
    escalated_at: dt.datetime | None


class ReviewsOut(Schema):
    order_id: int
    number: str
    status: str
    status_label: str
    round: int
    steps: list[ReviewStepOut]
