"""Writing price lists and their prices (价格表维护); every change is audited."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from orderdesk.catalog.models import SalesKind
from orderdesk.core import audit, permissions
from orderdesk.core.errors import ValidationFailed

from .. import selectors
from ..errors import OverlappingPriceList
from ..models import PriceList, PriceListItem, PriceListKind
from ._clean import assign, full_clean

MANAGE = "pricing.manage_prices"
LIST_FIELDS = (
    "code", "name", "kind", "grade", "customer", "valid_from", "valid_until",
    "prices_include_tax", "active",
)  # fmt: skip
ITEM_FIELDS = ("min_quantity", "unit_price", "floor_price")
BATCH = 500


def create_price_list(values: Mapping[str, Any], *, by: Any) -> PriceList:
    """Open a price list (standard, for a credit grade, or for one customer).

    Refused when another active list of the same scope is valid on any of the same days.
    """
    permissions.require(by, MANAGE)
    price_list = PriceList()
    assign(price_list, values, LIST_FIELDS)
    check_price_list(price_list)
    with transaction.atomic():
        check_no_overlap(price_list)
        price_list.save()
        audit.record(
            price_list, "create", by=by,
            changes={name: (None, getattr(price_list, name)) for name in LIST_FIELDS},
        )  # fmt: skip
    return price_list


def update_price_list(price_list: PriceList, values: Mapping[str, Any], *, by: Any) -> PriceList:
    """Change a price list's name, validity, tax basis or active flag (same overlap rule)."""
    permissions.require(by, MANAGE)
    with transaction.atomic():
        price_list = selectors.lock_price_list(price_list.pk)
        before = audit.snapshot(price_list, LIST_FIELDS)
        assign(price_list, values, LIST_FIELDS)
        check_price_list(price_list)
        check_no_overlap(price_list)
        changes = audit.diff(before, audit.snapshot(price_list, LIST_FIELDS))
        if changes:
            price_list.save()
            audit.record(price_list, "update", by=by, changes=changes)
    return price_list


def check_price_list(price_list: PriceList) -> None:
    errors: dict[str, str] = {}
    if price_list.kind == PriceListKind.GRADE and not price_list.grade:
        errors["grade"] = _("Choose the credit grade this list is for.")
    if price_list.kind == PriceListKind.CUSTOMER and price_list.customer_id is None:
        errors["customer"] = _("Choose the customer this list is for.")
    if price_list.kind != PriceListKind.GRADE and price_list.grade:
        errors["grade"] = _("Only a grade price list has a grade.")
    if price_list.kind != PriceListKind.CUSTOMER and price_list.customer_id is not None:
        errors["customer"] = _("Only a customer price list has a customer.")
    if (
        price_list.valid_from
        and price_list.valid_until
        and price_list.valid_until < price_list.valid_from
    ):
        errors["valid_until"] = _("The end date must not precede the start date.")
    if errors:
        raise ValidationFailed(_("Please correct the highlighted fields."), fields=errors)
    full_clean(price_list, exclude=["customer"] if price_list.customer_id else [])


def check_no_overlap(price_list: PriceList) -> None:
    if not price_list.active:
        return
    clash = selectors.overlapping(price_list).first()
    if clash is not None:
        until = clash.valid_until.isoformat() if clash.valid_until else _("open end")
        raise OverlappingPriceList(
            _(
                "Price list {code} of the same scope is already valid from {start} to {end}; "
                "end it first or choose other dates."
            ).format(code=clash.code, start=clash.valid_from.isoformat(), end=until),
            fields={"valid_from": _("Overlaps price list {code}.").format(code=clash.code)},
        )


def set_price(
    price_list: PriceList, product: Any, values: Mapping[str, Any], *, by: Any
) -> PriceListItem:
    """Set the price of ``product`` from ``min_quantity`` (default 1) in ``price_list``:
    creates the quantity break or changes it, by the rules of :func:`price_errors`."""
    permissions.require(by, MANAGE)
    values = {"min_quantity": 1, **values}
    with transaction.atomic():
        price_list = selectors.lock_price_list(price_list.pk)
        item = (
            PriceListItem.objects.select_related("product")
            .filter(price_list=price_list, product=product, min_quantity=values["min_quantity"])
            .first()
        )
        created = item is None
        item = item or PriceListItem(price_list=price_list, product=product)
        before = audit.snapshot(item, ITEM_FIELDS) if not created else {}
        assign(item, values, ITEM_FIELDS)
        if errors := price_errors(item, product):
            raise ValidationFailed(_("Please correct the highlighted fields."), fields=errors)
        changes = audit.diff(before, audit.snapshot(item, ITEM_FIELDS))
        if changes:
            store_prices(price_list, [(item, changes)], by=by)
    return item


def store_prices(
    price_list: PriceList, changed: Sequence[tuple[PriceListItem, audit.Changes]], *, by: Any
) -> None:
    """Save prices of ``price_list`` checked by :func:`price_errors`, with one ``set_price``
    audit entry each on the list, in bulk statements: the one write path of ``set_price``
    and the import. The caller holds the list's lock, inside its transaction."""
    new = [item for item, _changes in changed if item.pk is None]
    existing = [item for item, _changes in changed if item.pk is not None]
    columns = sorted({name for item, changes in changed if item.pk is not None for name in changes})
    PriceListItem.objects.bulk_create(new, batch_size=BATCH)
    if existing:
        PriceListItem.objects.bulk_update(existing, columns, batch_size=BATCH)
    audit.record_many(
        [
            (price_list, "set_price", {"product": (None, item.product.sku), **changes})
            for item, changes in changed
        ],
        by=by,
    )


def price_errors(item: PriceListItem, product: Any) -> dict[str, str]:
    """Every problem of one price (a quantity break), as {field: message}: the product is
    sold (active, not prohibited), the fields are well formed, the quantity is above zero
    and the minimum price does not exceed the price. ``set_price`` and the price list
    import (``importing.py``) apply these rules."""
    errors: dict[str, str] = {}
    if not product.is_active:
        errors["product"] = _("{sku} is no longer sold.").format(sku=product.sku)
    elif product.sales_kind == SalesKind.PROHIBITED:
        errors["product"] = _("{sku} may not be sold, so it has no price.").format(sku=product.sku)
    try:
        full_clean(item, exclude=["price_list", "product"])
    except ValidationFailed as error:
        errors |= error.fields
    quantity, price, floor = item.min_quantity, item.unit_price, item.floor_price
    if "min_quantity" not in errors and quantity is not None and quantity <= 0:
        errors["min_quantity"] = _("Enter a quantity greater than zero.")
    if floor is not None and price is not None and floor > price and "floor_price" not in errors:
        errors["floor_price"] = _("The minimum price must not exceed the price.")
    return errors


def remove_price(item: PriceListItem, *, by: Any) -> None:
    """Take a price (one quantity break) out of its list."""
    permissions.require(by, MANAGE)
    with transaction.atomic():
        price_list = selectors.lock_price_list(item.price_list_id)
        changes = {"product": (item.product.sku, None), "unit_price": (item.unit_price, None)}
        item.delete()
        audit.record(price_list, "remove_price", by=by, changes=changes)
