"""API input and output shapes for order changes (/api/v1/orders/{id}/changes, …/revisions).

Format only, as the orders API (``orders.schemas``): types, lengths, decimals no finer than
their column, ids that fit the database, no unknown fields. What a change may be — a
changeable order, not below what was shipped, one open request per line, who may decide —
is the services' rule, answered with the same codes to the pages and to the API.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from ninja import Schema
from pydantic import ConfigDict, Field

from orderdesk.orders.schemas import (
    MAX_ID,
    Money,
    OptionalDate,
    OptionalDateTime,
    OptionalId,
    Quantity,
    Text,
)

Id = Annotated[int, Field(ge=1, le=MAX_ID)]


class Strict(Schema):
    model_config = ConfigDict(extra="forbid")


class HeaderIn(Strict):
    """Only the fields sent change; ``null`` or ``""`` clears a field that may be empty."""

    requested_date: OptionalDate = None
    promised_date: OptionalDate = None
    delivery_province: Text = Field("", max_length=20)
    delivery_city: Text = Field("", max_length=30)
    delivery_district: Text = Field("", max_length=30)
    delivery_address: Text = Field("", max_length=200)
    consignee: Text = Field("", max_length=50)
    consignee_phone: Text = Field("", max_length=30)
    payment_method: Text = Field("", max_length=20)
    payment_terms: Text = Field("", max_length=200)


class LineChangeIn(Strict):
    line_id: Id = Field(..., description="The order line (its `id`, not its number).")
    quantity: Quantity = Field(None, description="The new quantity, up to 3 decimals.")
    unit_price: Money = Field(
        None, description="A manual net unit price (checked against the price policy)."
    )
    product_id: OptionalId = Field(None, description="Another product for this line.")


class LineAddIn(Strict):
    product_id: OptionalId = None
    sku: Text = Field("", max_length=40, description="The product's SKU (or send product_id).")
    quantity: Quantity = None
    unit_price: Money = Field(None, description="Optional: the price policy's price when absent.")
    note: Text = Field("", max_length=200)


class ProposalIn(Strict):
    header: HeaderIn | None = None
    lines: list[LineChangeIn] = Field(default_factory=list, max_length=5000)
    add: list[LineAddIn] = Field(default_factory=list, max_length=5000)
    remove: list[Id] = Field(default_factory=list, max_length=5000)
    cancel: bool = Field(False, description="Cancel the whole order (send nothing else).")


class ChangeIn(Strict):
    party: Text = Field(..., max_length=10, description="customer or internal")
    requested_by_name: Text = Field("", max_length=100, description="Who asked (name).")
    requested_at: OptionalDateTime = Field(None, description="When; default now.")
    reason: Text = Field(..., max_length=500)
    reason_category: Text = Field(
        ...,
        max_length=20,
        description="customer_request, entry_error, stock, production, price, other",
    )
    version: Annotated[int, Field(ge=0, le=MAX_ID)] | None = Field(
        None, description="The order version you saw; a newer one is a 409 stale_order."
    )
    proposal: ProposalIn


def proposal_of(proposal: ProposalIn) -> dict[str, Any]:
    """The proposal as the services take it (README): only what was sent."""
    sent = proposal.model_dump(exclude_unset=True)
    for part in ("lines", "add"):
        if part in sent:
            sent[part] = [
                {key: value for key, value in item.items() if value is not None}
                for item in sent[part]
            ]
    return sent


class DecisionIn(Strict):
    department: Text = Field(..., max_length=12)
    note: Text = Field("", max_length=1000)


class RejectIn(Strict):
    department: Text = Field(..., max_length=12)
    reason: Text = Field(..., max_length=500)


class ReasonIn(Strict):
    reason: Text = Field(..., max_length=500)


class NoteIn(Strict):
    note: Text = Field("", max_length=1000)


class DiffQuery(Schema):
    from_: int = Field(..., alias="from", ge=1, le=1_000_000)
    to: int = Field(..., ge=1, le=1_000_000)


class ApprovalOut(Schema):
    department: str
    label: str
    status: str
    status_label: str
    role: str
    why: str
    due_at: dt.datetime
    time_left_hours: float | None
    decided_at: dt.datetime | None
    decided_by: str | None
    note: str
    escalated_at: dt.datetime | None


class ActionsOut(Schema):
    approve: list[str]
    reject: list[str]
    apply: bool
    withdraw: bool
    correct_invoices: bool


class ChangeOut(Schema):
    id: int
    number: str
    order_id: int
    order_number: str
    status: str
    status_label: str
    party: str
    requested_by_name: str
    requested_at: dt.datetime
    reason: str
    reason_category: str
    base_version: int
    proposal: dict[str, Any]
    impact: dict[str, Any]
    kinds: list[str]
    line_ids: list[int]
    header_fields: list[str]
    created_by: str
    created_at: dt.datetime
    decided_at: dt.datetime | None
    applied_at: dt.datetime | None
    applied_by: str | None
    withdrawn_reason: str
    invoices_to_correct: bool
    invoices_corrected_at: dt.datetime | None
    revision: int | None
    approvals: list[ApprovalOut]
    actions: ActionsOut


class ChangeListOut(Schema):
    count: int
    items: list[ChangeOut]


class RevisionOut(Schema):
    number: int
    created_at: dt.datetime
    created_by: str
    change_request_id: int | None
    change_request: str | None
    ack_status: str
    sent_at: dt.datetime | None
    acknowledged_at: dt.datetime | None
    acknowledged_by_name: str
    ack_note: str
    effect: dict[str, Any]


class RevisionDetailOut(RevisionOut):
    snapshot: dict[str, Any]
    changes: list[dict[str, Any]]


class RevisionListOut(Schema):
    count: int
    items: list[RevisionOut]


class DiffOut(Schema):
    order_id: int
    from_revision: int
    to_revision: int
    items: list[dict[str, Any]]
    effect: dict[str, Any]


class AssessOut(Schema):
    impact: dict[str, Any]
