"""Field rules for products and categories, shared by the services, the API, the pages and
(later) the Excel import. Every problem is collected, so one response names every bad field.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from orderdesk.core import pinyin
from orderdesk.core.errors import ValidationFailed

from .models import Category, Product, TaxRate

PRODUCT_FIELDS = (
    "sku",
    "name",
    "spec",
    "model_number",
    "category",
    "unit",
    "tax_rate",
    "lead_time_days",
    "sales_kind",
    "supply",
    "is_active",
    "weight_kg",
    "description",
)
CATEGORY_FIELDS = ("code", "name", "parent")
PLAIN_TEXT = ("sku", "name", "spec", "model_number", "unit")
TAX_RATES = tuple(Decimal(value) for value in TaxRate.values)
MAX_LEAD_TIME = 365


def set_fields(obj: models.Model, values: Mapping[str, Any], allowed: tuple[str, ...]) -> dict:
    """Assign ``values`` (only ``allowed`` names) and return {field: message} problems."""
    errors = {name: _("Unknown field.") for name in values if name not in allowed}
    for name, value in values.items():
        if name in allowed and name not in ("category", "parent"):
            setattr(obj, name, value.strip() if isinstance(value, str) else value)
    return errors


def resolve_category(value: Any) -> Category | None:
    """A category given as itself, its id or its code."""
    if isinstance(value, Category):
        return value
    if isinstance(value, int) or (isinstance(value, str) and value.strip().isdigit()):
        return Category.objects.filter(pk=int(value)).first()
    if isinstance(value, str) and value.strip():
        return Category.objects.filter(code=value.strip()).first()
    return None


def model_errors(obj: models.Model, exclude: tuple[str, ...] = ()) -> dict[str, str]:
    try:
        obj.full_clean(exclude=list(exclude), validate_unique=False, validate_constraints=False)
    except DjangoValidationError as error:
        return {field: " ".join(messages) for field, messages in error.message_dict.items()}
    return {}


def no_markup(obj: models.Model, fields: tuple[str, ...]) -> dict[str, str]:
    """Refuse HTML in plain-text fields (output is escaped anyway; this keeps data clean)."""
    return {
        name: _("Plain text only, without HTML tags.")
        for name in fields
        if isinstance(value := getattr(obj, name, ""), str) and strip_tags(value) != value
    }


def clean_tax_rate(value: Any) -> Decimal | None:
    try:
        rate = Decimal(str(value).strip().rstrip("%").strip())
    except (InvalidOperation, ValueError):
        return None
    if rate >= 1:  # "13" or "13 %" as people write it
        rate /= 100
    return next((allowed for allowed in TAX_RATES if allowed == rate), None)


def clean_product(product: Product, values: Mapping[str, Any]) -> dict[str, str]:
    """Apply ``values`` to ``product`` and return every problem as {field: message}."""
    errors = set_fields(product, values, PRODUCT_FIELDS)
    product.sku = (product.sku or "").strip().upper()
    if "category" in values:
        category = resolve_category(values["category"])
        if category is None:
            errors["category"] = _("Choose an existing category.")
        else:
            product.category = category
    elif product.category_id is None:
        errors["category"] = _("Choose a category.")
    if "tax_rate" in values:
        rate = clean_tax_rate(values["tax_rate"])
        if rate is None:
            errors["tax_rate"] = _("The VAT rate must be 13 %, 9 % or 6 %.")
        else:
            product.tax_rate = rate
    lead_time = product.lead_time_days
    if not isinstance(lead_time, int) or isinstance(lead_time, bool):
        try:
            lead_time = int(str(lead_time))
        except ValueError:
            lead_time = -1
    product.lead_time_days = lead_time
    exclude = ["pinyin", "category"]
    if "tax_rate" in errors:
        exclude.append("tax_rate")
    if not 0 <= lead_time <= MAX_LEAD_TIME:
        errors["lead_time_days"] = _("The lead time must be between 0 and 365 working days.")
        exclude.append("lead_time_days")
    for name, message in model_errors(product, exclude=tuple(exclude)).items():
        errors.setdefault(name, message)
    if not product.sku:
        errors["sku"] = _("Enter the SKU.")
    if not (product.name or "").strip():
        errors["name"] = _("Enter the product name.")
    if not (product.unit or "").strip():
        errors["unit"] = _("Enter the unit, e.g. 台, 件 or kg.")
    errors |= no_markup(product, PLAIN_TEXT[1:])
    product.pinyin = pinyin.initials(product.name)[:120]
    return errors


def clean_category(category: Category, values: Mapping[str, Any]) -> dict[str, str]:
    errors = set_fields(category, values, CATEGORY_FIELDS)
    if values.get("parent") not in (None, ""):
        parent = resolve_category(values["parent"])
        if parent is None:
            errors["parent"] = _("Choose an existing category.")
        else:
            category.parent = parent
    errors |= model_errors(category, exclude=("parent",))
    errors |= no_markup(category, ("name",))
    return errors


def raise_if(errors: Mapping[str, str]) -> None:
    if errors:
        raise ValidationFailed(
            _("Please correct the marked fields."), code="invalid_product", fields=dict(errors)
        )
