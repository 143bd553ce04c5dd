"""API input and output shapes for customers.

Schemas check format only (types, lengths as in the model); every rule (USCC checksum,
known province, mobile numbers, plain text, duplicates, who may do what) is the services'.
Text fields default to empty so one response can name every missing or bad field at once;
PATCH bodies send only the fields that change. Decimals leave as strings.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Schema
from pydantic import Field

REASON = Field("", max_length=500, description="Why (变更原因); required for every change.")


# --- input ----------------------------------------------------------------------------------


class ContactFields(Schema):
    name: str = Field("", max_length=50)
    title: str = Field("", max_length=50)
    mobile: str = Field("", max_length=20, description="Mainland mobile, e.g. 13812345678.")
    phone: str = Field("", max_length=30)
    email: str = Field("", max_length=254)
    notes: str = Field("", max_length=1000)
    is_primary: bool = False


class ContactIn(ContactFields):
    name: str = Field(..., max_length=50)


class ContactAddIn(ContactIn):
    reason: str = REASON


class ContactChangeIn(ContactFields):
    """Only the fields sent are changed."""

    reason: str = REASON


class ContactLeftIn(Schema):
    reason: str = REASON
    left_on: dt.date | None = Field(None, description="Default: today.")
    new_primary: int | None = Field(
        None, description="Id of the contact who becomes primary if this one was."
    )


class AddressIn(Schema):
    label: str = Field("", max_length=50)
    province: str = Field("", max_length=20)
    city: str = Field("", max_length=30)
    district: str = Field("", max_length=30)
    detail: str = Field("", max_length=200)
    receiver: str = Field("", max_length=50)
    receiver_phone: str = Field("", max_length=30)
    is_default: bool = False


class CustomerFields(Schema):
    name: str = Field("", max_length=200)
    short_name: str = Field("", max_length=50)
    type: str = Field("company", max_length=12, description="company | individual")
    industry: str = Field("", max_length=60)
    business_scope: str = Field("", max_length=2000)
    uscc: str = Field("", max_length=18, description="统一社会信用代码 (GB 32100).")
    phone: str = Field("", max_length=30)
    website: str = Field("", max_length=200)
    province: str = Field("", max_length=20, description="Full or short name: 浙江省 or 浙江.")
    city: str = Field("", max_length=30)
    district: str = Field("", max_length=30)
    address: str = Field("", max_length=200, description="Registered address.")
    invoice_title: str = Field("", max_length=200)
    tax_number: str = Field("", max_length=20)
    bank_name: str = Field("", max_length=100)
    bank_account: str = Field("", max_length=40)
    cooperation_intent: str = Field("", max_length=1000)
    first_product: str = Field("", max_length=200)
    expected_amount: Decimal | None = Field(None, max_digits=14, decimal_places=2)
    source_channel: str = Field(
        "",
        max_length=20,
        description="trade_show | referral | website | ecommerce | cold_call | existing | "
        "tender | other",
    )
    status: str = Field(
        "prospect", max_length=12, description="prospect | active | dormant | blacklisted"
    )
    owner: str | None = Field(
        None, max_length=150, description="Username of the owning salesperson (default: you)."
    )


class CustomerIn(CustomerFields):
    name: str = Field(..., max_length=200)
    contacts: list[ContactIn] = Field(default_factory=list, max_length=50)
    addresses: list[AddressIn] = Field(default_factory=list, max_length=50)
    confirm_duplicates: bool = Field(
        False, description="Create even though a customer with the same name or mobile exists."
    )


class CustomerChangeIn(CustomerFields):
    """Only the fields sent are changed."""

    reason: str = REASON


class CustomerFilter(Schema):
    q: str = Field(
        "", max_length=100, description="Code, name, pinyin initials, USCC, contact name or phone."
    )
    grade: str = Field("", max_length=1)
    province: str = Field("", max_length=20)
    owner: str = Field("", max_length=150, description="Owner username.")
    status: str = Field("", max_length=12)
    sort: str = Field("-created", description="code, name, created, province; - for descending.")
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0)


class CreditIn(Schema):
    grade: str = Field(..., max_length=1, description="A | B | C")
    credit_limit: Decimal | None = Field(
        None, max_digits=14, decimal_places=2, description="Default: the grade's default."
    )
    payment_terms: str | None = Field(
        None, max_length=200, description="Default: the grade's terms."
    )
    reason: str = REASON


class ReasonIn(Schema):
    reason: str = REASON


class NeedIn(Schema):
    text: str = Field("", max_length=2000)


class InteractionIn(Schema):
    kind: str = Field(..., max_length=10, description="call | visit | email | chat | fax")
    happened_at: dt.datetime | None = Field(None, description="Default: now.")
    contact: int | None = Field(None, description="Contact id (of this customer).")
    person: str = Field("", max_length=50)
    summary: str = Field("", max_length=4000)


class MergeIn(Schema):
    merged_id: int = Field(..., description="The duplicate, merged INTO the customer in the URL.")
    reason: str = REASON


# --- output ---------------------------------------------------------------------------------


class ContactOut(Schema):
    id: int
    name: str
    title: str
    mobile: str = Field(description="Masked (138****5678) without view_personal_data.")
    phone: str
    email: str
    notes: str
    is_primary: bool
    left_on: dt.date | None
    has_left: bool


class AddressOut(Schema):
    id: int
    label: str
    province: str
    city: str
    district: str
    detail: str
    receiver: str
    receiver_phone: str
    is_default: bool


class CustomerOut(Schema):
    id: int
    code: str
    name: str
    short_name: str
    type: str
    industry: str
    business_scope: str
    uscc: str
    phone: str
    website: str
    province: str
    city: str
    district: str
    address: str
    invoice_title: str
    tax_number: str
    bank_name: str
    bank_account: str = Field(description="Masked (**** 1234) without view_personal_data.")
    cooperation_intent: str
    first_product: str
    expected_amount: str | None
    source_channel: str
    status: str
    owner: str
    grade: str | None = Field(description="null without customers.view_credit_file.")
    credit_limit: str | None = Field(description="null without customers.view_credit_file.")
    payment_terms: str | None = Field(description="null without customers.view_credit_file.")
    contacts: list[ContactOut]
    created_at: dt.datetime
    updated_at: dt.datetime


class CustomerDetailOut(CustomerOut):
    addresses: list[AddressOut]
    can_edit: bool
    actions: list[str] = Field(description="What you may do with this customer now.")


class CustomerListOut(Schema):
    count: int
    items: list[CustomerOut]


class CreditOut(Schema):
    grade: str
    credit_limit: str
    payment_terms: str
    proposed_grade: str
    proposed_score: str | None
    evaluation: dict[str, Any]
    evaluated_at: dt.datetime | None
    graded_at: dt.datetime | None
    graded_by: str | None
    actions: list[str]


class HistoryEntryOut(Schema):
    id: int
    at: dt.datetime
    actor: str
    action: str
    object_type: str = Field(description="customer, contact or creditfile.")
    object_id: str
    object_repr: str
    changes: dict[str, Any] = Field(description="{field: [before, after]}")
    reason: str


class NeedOut(Schema):
    id: int
    text: str
    recorded_by: str
    created_at: dt.datetime


class AttachmentOut(Schema):
    id: int
    name: str
    size: int
    content_type: str
    url: str


class InteractionOut(Schema):
    id: int
    kind: str
    happened_at: dt.datetime
    contact: int | None
    person: str
    summary: str
    recorded_by: str
    created_at: dt.datetime
    attachments: list[AttachmentOut]
