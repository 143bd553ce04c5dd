"""Format and field rules for customer data, shared by the services, the import and forms.

Every problem is collected, so one response names every bad field at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from orderdesk.core.errors import ValidationFailed
from orderdesk.core.regions import normalize_province
from orderdesk.core.uscc import is_valid_uscc

from . import normalize
from .models import Address, Contact, Customer, CustomerType

CUSTOMER_FIELDS = (
    "name",
    "short_name",
    "type",
    "industry",
    "business_scope",
    "uscc",
    "phone",
    "website",
    "province",
    "city",
    "district",
    "address",
    "invoice_title",
    "tax_number",
    "bank_name",
    "bank_account",
    "cooperation_intent",
    "first_product",
    "expected_amount",
    "source_channel",
    "owner",
    "status",
)
CONTACT_FIELDS = ("name", "title", "mobile", "phone", "email", "notes", "is_primary")
ADDRESS_FIELDS = (
    "label",
    "province",
    "city",
    "district",
    "detail",
    "receiver",
    "receiver_phone",
    "is_default",
)


def set_fields(
    obj: models.Model, values: Mapping[str, Any], allowed: tuple[str, ...], prefix: str = ""
) -> dict[str, str]:
    """Assign ``values`` (only ``allowed`` names) and return {field: message} problems."""
    errors = {f"{prefix}{name}": _("Unknown field.") for name in values if name not in allowed}
    for name, value in values.items():
        if name in allowed:
            setattr(obj, name, value.strip() if isinstance(value, str) else value)
    return errors


def model_errors(obj: models.Model, prefix: str = "", exclude: tuple[str, ...] = ()) -> dict:
    try:
        obj.full_clean(exclude=list(exclude), validate_unique=False, validate_constraints=False)
    except DjangoValidationError as error:
        return {
            f"{prefix}{field}": " ".join(messages) for field, messages in error.message_dict.items()
        }
    return {}


def check_region(obj: Any, prefix: str, required: bool) -> dict[str, str]:
    if not obj.province:
        return {f"{prefix}province": _("Choose a province.")} if required else {}
    province = normalize_province(obj.province)
    if province is None:
        return {f"{prefix}province": _("Unknown province: %s.") % obj.province}
    obj.province = province
    return {}


def no_markup(obj: models.Model, fields: tuple[str, ...], prefix: str) -> dict[str, str]:
    """Refuse HTML in plain-text fields (output is escaped anyway; this keeps data clean)."""
    return {
        f"{prefix}{name}": _("Plain text only, without HTML tags.")
        for name in fields
        if isinstance(value := getattr(obj, name, ""), str) and strip_tags(value) != value
    }


def clean_customer(customer: Customer, values: Mapping[str, Any]) -> dict[str, str]:
    errors = set_fields(customer, values, CUSTOMER_FIELDS)
    customer.uscc = (customer.uscc or "").upper().replace(" ", "")
    customer.tax_number = (customer.tax_number or "").upper().replace(" ", "")
    errors |= model_errors(customer, exclude=("code", "name_key", "pinyin"))
    if customer.uscc and not is_valid_uscc(customer.uscc):
        errors["uscc"] = _(
            "This is not a valid unified social credit code (GB 32100 check "
            "character does not match)."
        )
    if (
        customer.type == CustomerType.COMPANY
        and not customer.uscc
        and customer.status != "prospect"
    ):
        errors.setdefault("uscc", _("A company customer needs its unified social credit code."))
    if customer.phone and not normalize.is_valid_phone(customer.phone):
        errors["phone"] = _("Enter a valid phone number, e.g. 0571-88886666.")
    errors |= check_region(customer, "", required=False)
    errors |= no_markup(
        customer,
        (
            "name",
            "short_name",
            "industry",
            "address",
            "invoice_title",
            "first_product",
            "city",
            "district",
        ),
        "",
    )
    customer.name_key = normalize.name_key(customer.name)
    customer.pinyin = normalize.pinyin_initials(customer.name)[:200]
    return errors


def clean_contact(contact: Contact, values: Mapping[str, Any], prefix: str = "") -> dict:
    errors = set_fields(contact, values, CONTACT_FIELDS, prefix)
    contact.mobile = normalize.normalize_mobile(contact.mobile)
    errors |= model_errors(contact, prefix, exclude=("customer",))
    if contact.mobile and not normalize.is_valid_mobile(contact.mobile):
        errors[f"{prefix}mobile"] = _("Enter a valid mainland mobile number, e.g. 13812345678.")
    if contact.phone and not normalize.is_valid_phone(contact.phone):
        errors[f"{prefix}phone"] = _("Enter a valid phone number, e.g. 0571-88886666.")
    errors |= no_markup(contact, ("name", "title"), prefix)
    return errors


def clean_address(address: Address, values: Mapping[str, Any], prefix: str = "") -> dict:
    errors = set_fields(address, values, ADDRESS_FIELDS, prefix)
    address.receiver_phone = (address.receiver_phone or "").strip()
    errors |= model_errors(address, prefix, exclude=("customer",))
    errors |= check_region(address, prefix, required=True)
    if address.receiver_phone and not normalize.is_valid_phone(address.receiver_phone):
        errors[f"{prefix}receiver_phone"] = _("Enter a valid phone number.")
    return errors


def raise_if(errors: Mapping[str, str]) -> None:
    if errors:
        raise ValidationFailed(
            _("Please correct the marked fields."), code="invalid_customer", fields=dict(errors)
        )
