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
from orderdesk.core.errors import ValidationFailed
from orderdesk.core.reasons import require_reason

from . import selectors
from .errors import DuplicateCategoryCode, DuplicateSku
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
    """Add a product category (产品分类): a code (letters, digits, - and _) no other
    category has, a plain-text name, optionally under an existing parent."""
    permissions.require(by, MANAGE)
    category = Category()
    refuse_invalid_category(clean_category(category, values))
    check_code_free(category)
    try:
        with transaction.atomic():
            category.save()
            changes = audit.snapshot(category, CATEGORY_FIELDS)
            audit.record(
                category,
                "create_category",
                by=by,
                changes={name: (None, value) for name, value in changes.items() if value},
            )
    except IntegrityError as error:
        check_code_free(category)
        raise error from None
    return category


def update_category(
    category: Category, values: Mapping[str, Any], *, by: Any, reason: str
) -> Category:
    """Rename a category, change its code or move it under another parent (or to the top:
    an empty parent); every change states why (变更原因), and a category never ends up
    under itself or one of its subcategories."""
    permissions.require(by, MANAGE)
    reason = require_reason(reason)
    try:
        with transaction.atomic():
            category = selectors.lock_category(category.pk)
            before = audit.snapshot(category, CATEGORY_FIELDS)
            errors = clean_category(category, values)
            if "parent" in values and values["parent"] in (None, ""):
                category.parent = None
            errors |= parent_errors(category)
            refuse_invalid_category(errors)
            changes = audit.diff(before, audit.snapshot(category, CATEGORY_FIELDS))
            if "code" in changes:
                check_code_free(category)
            if changes:
                category.save(update_fields=sorted(changes))
                audit.record(category, "update_category", by=by, changes=changes, reason=reason)
    except IntegrityError as error:
        check_code_free(category)
        raise error from None
    return category


def parent_errors(category: Category) -> dict[str, str]:
    """A category may not sit under itself or under one of its own subcategories."""
    if category.pk is None or category.parent_id is None:
        return {}
    if category.pk in selectors.ancestor_ids(category.parent_id):
        return {"parent": _("A category cannot be placed under itself or its subcategories.")}
    return {}


def refuse_invalid_category(errors: Mapping[str, str]) -> None:
    if errors:
        raise ValidationFailed(
            _("Please correct the marked fields."), code="invalid_category", fields=dict(errors)
        )


def check_code_free(category: Category) -> None:
    existing = Category.objects.filter(code=category.code).exclude(pk=category.pk).first()
    if existing is not None:
        raise DuplicateCategoryCode(
            _("Category %(category)s already has the code %(code)s.")
            % {"category": existing, "code": existing.code},
            fields={"code": _("Another category already has this code.")},
        )


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
