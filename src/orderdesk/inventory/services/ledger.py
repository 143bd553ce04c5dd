"""The one write path for stock quantities: input checks shared by the use cases, the
level lock, and posting a ledger line together with the level it moves."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _

from orderdesk.catalog.models import Product, SalesKind
from orderdesk.core import audit
from orderdesk.core.errors import ValidationFailed

from .. import calculations, selectors
from ..models import Reservation, StockLevel, StockMovement, Warehouse


def clean_quantity(value: Any, errors: dict[str, str], field: str = "quantity") -> Decimal:
    quantity = calculations.parse_quantity(value)
    if quantity is None:
        errors[field] = _("Enter a quantity above zero with at most three decimals.")
        return Decimal(0)
    return quantity


def clean_product(
    product: Any, errors: dict[str, str], *, orderable: bool = False, active: bool = True
) -> Product | None:
    """The product, fresh from the database; refuses unknown, inactive (unless ``active``
    is false) and, when the stock is for an order, prohibited products."""
    pk = product.pk if isinstance(product, Product) else product
    found = Product.objects.filter(pk=pk).first() if isinstance(pk, int) else None
    if found is None:
        errors["product"] = _("Unknown product.")
    elif active and not found.is_active:
        errors["product"] = _("Product {sku} is inactive.").format(sku=found.sku)
    elif orderable and found.sales_kind == SalesKind.PROHIBITED:
        errors["product"] = _("Product {sku} is prohibited and cannot be ordered.").format(
            sku=found.sku
        )
    return found


def clean_warehouse(key: Any, errors: dict[str, str]) -> Warehouse | None:
    warehouse = selectors.warehouse_by_key(key)
    if warehouse is None:
        errors["warehouse"] = _("Unknown warehouse.")
    elif not warehouse.is_active:
        errors["warehouse"] = _("Warehouse {code} is closed.").format(code=warehouse.code)
    return warehouse


def clean_reason(reason: str, errors: dict[str, str]) -> str:
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = _("Give a reason for this stock change.")
    return reason


def clean_reference(reference: str, errors: dict[str, str], *, required: bool) -> str:
    reference = (reference or "").strip()
    if required and not reference:
        errors["reference"] = _("Name what the stock is reserved for, e.g. the order line.")
    elif len(reference) > 100:
        errors["reference"] = _("Use at most 100 characters.")
    return reference


def raise_if(errors: dict[str, str]) -> None:
    if errors:
        raise ValidationFailed(_("Correct the highlighted fields."), fields=errors)


def lock_level(product: Product, warehouse: Warehouse) -> StockLevel:
    """The locked stock row of ``product`` in ``warehouse``; created empty on first receipt
    (a concurrent creator makes ours fail the unique constraint, then we lock theirs)."""
    levels = selectors.lock_levels(product.pk, [warehouse.pk])
    if not levels:
        try:
            with transaction.atomic():
                StockLevel.objects.create(product=product, warehouse=warehouse)
        except IntegrityError:
            pass
        levels = selectors.lock_levels(product.pk, [warehouse.pk])
    level = levels[0]
    level.product, level.warehouse = product, warehouse  # for __str__ without queries
    return level


def post(
    level: StockLevel,
    kind: str,
    quantity: Decimal,
    *,
    by: Any,
    reason: str = "",
    reference: str = "",
    reservation: Reservation | None = None,
    decrease: bool = False,
    source: models.Model | None = None,
    audited: models.Model | None = None,
    action: str = "",
) -> StockMovement:
    """Move ``level`` by one ledger line and audit it; the caller holds the level's lock
    and has checked the result is allowed (the database constraints back that check)."""
    before = audit.snapshot(level, ("on_hand", "reserved"))
    d_on_hand, d_reserved = calculations.movement_effect(kind, quantity, decrease=decrease)
    level.on_hand += d_on_hand
    level.reserved += d_reserved
    level.save(update_fields=["on_hand", "reserved", "updated_at"])
    movement = StockMovement.objects.create(
        kind=kind,
        product_id=level.product_id,
        warehouse_id=level.warehouse_id,
        quantity=quantity,
        decrease=decrease,
        reservation=reservation,
        reference=reference,
        source_type=ContentType.objects.get_for_model(source) if source is not None else None,
        source_id=str(source.pk) if source is not None else "",
        reason=reason,
        by=by if getattr(by, "pk", None) else None,
    )
    changes: dict[str, tuple[Any, Any]] = dict(
        audit.diff(before, audit.snapshot(level, ("on_hand", "reserved")))
    )
    changes["quantity"] = (None, quantity)
    if reference:
        changes["reference"] = (None, reference)
    audit.record(audited or level, action or kind, by=by, changes=changes, reason=reason)
    return movement
