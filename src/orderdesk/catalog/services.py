"""Creating and changing categories and products (产品档案).

Only roles with ``catalog.manage_products`` (production/technical, sales managers,
administrators) change the catalog; every change is audited in its transaction, and a
change to an existing product states why.

``insert_products`` and ``store_product_changes`` are the one write path for products: the
form, the API and the spreadsheet import (``importing.py``) all save through them, in bulk
statements, so an imported product gets exactly the audit entry of one entered by hand.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
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
BATCH = 500


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
    with transaction.atomic():
        insert_products([product], by=by)
    return product


def insert_products(products: Sequence[Product], *, by: Any) -> list[Product]:
    """Save new products, validated by ``clean_product`` with their SKUs checked, and one
    ``create_product`` audit entry each, in bulk inserts; run inside the caller's
    transaction. A SKU saved meanwhile by someone else is refused as ``DuplicateSku``."""
    try:
        with transaction.atomic():
            Product.objects.bulk_create(products, batch_size=BATCH)
    except IntegrityError as error:
        # Another user saved the same SKU meanwhile: the unique constraint decides.
        taken = Product.objects.filter(sku__in=[product.sku for product in products]).first()
        if taken is not None:
            raise duplicate_sku(taken) from error
        raise
    audit.record_many(
        [(product, "create_product", creation_changes(product)) for product in products], by=by
    )
    return list(products)


def creation_changes(product: Product) -> audit.Changes:
    fields = audit.snapshot(product, PRODUCT_FIELDS)
    return {name: (None, value) for name, value in fields.items() if value not in ("", None)}


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
                store_product_changes([(product, changes)], by=by, reason=reason)
    except IntegrityError as error:
        check_sku_free(product)
        raise error from None
    return product


def store_product_changes(
    changed: Sequence[tuple[Product, audit.Changes]], *, by: Any, reason: str
) -> None:
    """Save changed products, locked, validated by ``clean_product`` and diffed by the
    caller, with one ``update_product`` audit entry each, in bulk updates; run inside the
    caller's transaction. Only the columns some of them changed are written."""
    now = timezone.now()
    columns = {"pinyin", "updated_at"}
    for product, changes in changed:
        product.updated_at = now
        columns |= changes.keys()
    Product.objects.bulk_update(
        [product for product, _changes in changed], sorted(columns), batch_size=BATCH
    )
    audit.record_many(
        [(product, "update_product", changes) for product, changes in changed],
        by=by,
        reason=reason,
    )


def check_sku_free(product: Product) -> None:
    existing = Product.objects.filter(sku=product.sku).exclude(pk=product.pk).first()
    if existing is not None:
        raise duplicate_sku(existing)


def duplicate_sku(existing: Product) -> DuplicateSku:
    return DuplicateSku(
        _("Product %(product)s already has this SKU.") % {"product": existing},
        fields={"sku": _("Already used by %(product)s.") % {"product": existing}},
    )
