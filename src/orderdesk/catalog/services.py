"""Creating and changing categories and products (产品档案).

Only roles with ``catalog.manage_products`` (production/technical, sales managers,
administrators) change the catalog; every change is audited in its transaction, and a
change to an existing product states why.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from orderdesk.core import audit, permissions
from orderdesk.core.reasons import require_reason

from . import selectors
from .errors import DuplicateSku
from .models import Category, Product
from .validation import (
    CATEGORY_FIELDS,
    PRODUCT_FIELDS,
    clean_category,
    clean_product,
    raise_if,
)

MANAGE = selectors.MANAGE


def create_category(values: Mapping[str, Any], *, by: Any) -> Category:
    """Add a product category (产品分类); codes are unique."""
    permissions.require(by, MANAGE)
    category = Category()
    errors = clean_category(category, values)
    if category.code and Category.objects.filter(code=category.code).exists():
        errors["code"] = _("Another category already has this code.")
    raise_if(errors)
    with transaction.atomic():
        category.save()
        changes = audit.snapshot(category, CATEGORY_FIELDS)
        audit.record(
            category,
            "create_category",
            by=by,
            changes={name: (None, value) for name, value in changes.items() if value},
        )
    return category


def create_product(values: Mapping[str, Any], *, by: Any) -> Product:
    """Add a product: SKU unique (case-free), unit given, VAT 13/9/6 %, lead time 0-365
    working days, plain text only."""
    permissions.require(by, MANAGE)
    product = Product()
    raise_if(clean_product(product, values))
    check_sku_free(product)
    try:
        with transaction.atomic():
            product.save()
            fields = audit.snapshot(product, PRODUCT_FIELDS)
            audit.record(
                product,
                "create_product",
                by=by,
                changes={
                    name: (None, value) for name, value in fields.items() if value not in ("", None)
                },
            )
    except IntegrityError as error:
        # Another user saved the same SKU meanwhile: the unique constraint decides.
        check_sku_free(product)
        raise error from None
    return product


def update_product(product: Product, values: Mapping[str, Any], *, by: Any, reason: str) -> Product:
    """Change a product's data; every change states why (变更原因)."""
    permissions.require(by, MANAGE)
    reason = require_reason(reason)
    try:
        with transaction.atomic():
            product = selectors.lock_product(product.pk)
            before = audit.snapshot(product, PRODUCT_FIELDS)
            raise_if(clean_product(product, values))
            changes = audit.diff(before, audit.snapshot(product, PRODUCT_FIELDS))
            if "sku" in changes:
                check_sku_free(product)
            if changes:
                product.save()
                audit.record(product, "update_product", by=by, changes=changes, reason=reason)
    except IntegrityError as error:
        check_sku_free(product)
        raise error from None
    return product


def check_sku_free(product: Product) -> None:
    existing = Product.objects.filter(sku=product.sku).exclude(pk=product.pk).first()
    if existing is not None:
        raise DuplicateSku(
            _("Product %(product)s already has this SKU.") % {"product": existing},
            fields={"sku": _("Already used by %(product)s.") % {"product": existing}},
        )
