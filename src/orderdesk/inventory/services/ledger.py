"""The one write path for stock quantities: input checks shared by the use cases, the
level lock, and posting a ledger line together with the level it moves."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, cast

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connections, models, router, transaction
from django.utils import timezone
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
    return check_product(found, errors, orderable=orderable, active=active)


def check_product(
    found: Product | None, errors: dict[str, str], *, orderable: bool = False, active: bool = True
) -> Product | None:
    """:func:`clean_product` for a product already read (``None``: not found)."""
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


@dataclass
class Posting:
    """One ledger line of :func:`post_many` (the arguments of :func:`post`)."""

    level: StockLevel
    kind: str
    quantity: Decimal
    reference: str = ""
    reservation: Reservation | None = None
    source: models.Model | None = None
    audited: models.Model | None = None
    action: str = ""
    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)


def post_many(postings: Sequence[Posting], *, by: Any) -> list[StockMovement]:
    """:func:`post` for many ledger lines in a fixed number of queries (a large order's
    reservations or its shipment): the levels move in memory one line after the other, so
    each audit entry shows the level as that line found it, then the levels, movements and
    audit entries are written in bulk. Same contract: the caller holds every level's lock
    and has checked each result is allowed. A posting's ``reservation`` must be saved."""
    if not postings:
        return []
    now = timezone.now()
    actor = by if getattr(by, "pk", None) else None
    moved: dict[int, StockLevel] = {}
    movements = []
    for posting in postings:
        level = posting.level
        before = audit.snapshot(level, ("on_hand", "reserved"))
        d_on_hand, d_reserved = calculations.movement_effect(posting.kind, posting.quantity)
        level.on_hand += d_on_hand
        level.reserved += d_reserved
        level.updated_at = now
        moved[level.pk] = level
        source = posting.source
        movements.append(
            StockMovement(
                kind=posting.kind,
                product_id=level.product_id,
                warehouse_id=level.warehouse_id,
                quantity=posting.quantity,
                reservation=posting.reservation,
                reference=posting.reference,
                source_type=ContentType.objects.get_for_model(source) if source else None,
                source_id=str(source.pk) if source is not None else "",
                by=actor,
            )
        )
        changes = dict(audit.diff(before, audit.snapshot(level, ("on_hand", "reserved"))))
        changes["quantity"] = (None, posting.quantity)
        if posting.reference:
            changes["reference"] = (None, posting.reference)
        posting.changes = changes
    write_back(
        sorted(moved.values(), key=lambda level: level.pk), ("on_hand", "reserved", "updated_at")
    )
    created = StockMovement.objects.bulk_create(movements, batch_size=500)
    audit.record_many(
        (
            (posting.audited or posting.level, posting.action or posting.kind, posting.changes)
            for posting in postings
        ),
        by=by,
    )
    return created


def write_back(rows: Sequence[models.Model], fields: Sequence[str]) -> None:
    """Save ``fields`` of many rows of one model in one ``executemany`` (one prepared UPDATE
    by primary key, in the order given — primary-key order for locked rows). Django's
    ``bulk_update`` builds a ``CASE WHEN`` per field and row instead, which costs more
    than the queries it saves on a 1,000-line order."""
    if not rows:
        return
    model = type(rows[0])
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    concrete = {column.name: column for column in model._meta.concrete_fields}
    columns = [concrete[name] for name in fields]
    pk = cast(models.Field, model._meta.pk)
    sql = "UPDATE {table} SET {sets} WHERE {pk} = %s".format(  # noqa: S608 (names from _meta)
        table=quote(model._meta.db_table),
        sets=", ".join(f"{quote(column.column)} = %s" for column in columns),
        pk=quote(pk.column),
    )
    with connection.cursor() as cursor:
        cursor.executemany(
            sql,
            [
                [
                    *(
                        column.get_db_prep_save(getattr(row, column.attname), connection)
                        for column in columns
                    ),
                    row.pk,
                ]
                for row in rows
            ],
        )
