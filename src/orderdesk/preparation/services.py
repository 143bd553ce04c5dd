"""Preparation (备货): create pick lists, record what was picked, cancel a pick list.

- :func:`create_pick_lists` — for a released, in-production or partially shipped order: one
  pick list per warehouse covering, for each order line, what its open reservation holds
  (reference ``orders.OrderLine:<id>``) minus what open or picked pick lists already cover
  and minus what already left the warehouse without a pick list. Lines made to order have no
  reservation and need no picking. Nothing left to pick is a 409 ``nothing_to_pick``.
- :func:`record_picked` — the quantities picked per pick line (0 … quantity, corrections
  allowed while the list is open); when every line is fully picked the list is ``picked``.
- :func:`cancel_pick_list` — an open list, with a reason; its lines are free to be picked
  on a new list.

Every change locks the order first (then the pick list), is one transaction, needs
``preparation.prepare_orders`` and is audited.

Pick-line locations: the inventory app knows a warehouse's bins (``Location``) but not which
product lies in which bin, so :func:`location_of` has nothing to copy yet and the location
stays blank for the picker to fill in by hand on the printed list.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from orderdesk.core import audit, numbering, permissions
from orderdesk.core.errors import Conflict, InvalidTransition, NotFound, ValidationFailed
from orderdesk.inventory.models import Reservation, ReservationStatus
from orderdesk.orders import selectors as order_selectors
from orderdesk.orders.models import Order, OrderLine, OrderStatus

from .models import PickLine, PickList, PickListStatus

PREPARE = "preparation.prepare_orders"
PREPARABLE = frozenset(
    {OrderStatus.RELEASED, OrderStatus.IN_PRODUCTION, OrderStatus.PARTIALLY_SHIPPED}
)
ZERO = Decimal(0)
THOUSANDTH = Decimal("0.001")
MAX_REASON = 500


def location_of(product: Any, warehouse: Any) -> str:
    """Where ``product`` lies in ``warehouse``: blank until inventory records bins per
    product (see the module docstring)."""
    return ""


def check_order(order: Order) -> None:
    if order.status == OrderStatus.CANCELLED:
        raise InvalidTransition(
            _("Order {number} is cancelled; nothing is prepared for it.").format(
                number=order.number
            ),
            code="order_cancelled",
        )
    if order.status not in PREPARABLE:
        raise InvalidTransition(
            _("Order {number} is {status}; pick lists are made for released orders.").format(
                number=order.number, status=OrderStatus(order.status).label
            ),
            code="order_not_released",
        )


def covered_by_line(order: Order) -> dict[int, Decimal]:
    """Quantity already on open or picked pick lists, per order line."""
    rows = (
        PickLine.objects.filter(pick_list__order=order)
        .exclude(pick_list__status=PickListStatus.CANCELLED)
        .values("order_line_id")
        .annotate(total=Sum("quantity"))
        .order_by()
    )
    return {row["order_line_id"]: row["total"] or ZERO for row in rows}


def to_pick(order: Order) -> list[tuple[OrderLine, Reservation, Decimal]]:
    """(line, its open reservation, quantity still to pick) for every line with something
    left to pick."""
    lines = list(order.lines.select_related("product").order_by("line_no"))
    references = {line.reference: line for line in lines}
    reservations = Reservation.objects.filter(
        status=ReservationStatus.OPEN, reference__in=list(references)
    ).select_related("warehouse")
    by_reference = {reservation.reference: reservation for reservation in reservations}
    covered = covered_by_line(order)
    result = []
    for line in lines:
        reservation = by_reference.get(line.reference)
        if reservation is None:
            continue
        wanted = min(reservation.quantity, line.quantity)
        done = max(covered.get(line.pk, ZERO), reservation.issued)
        if wanted - done > 0:
            result.append((line, reservation, wanted - done))
    return result


def create_pick_lists(order: Order, *, by: Any) -> list[PickList]:
    """One new pick list per warehouse for what is reserved and not yet on a pick list."""
    permissions.require(by, PREPARE)
    with transaction.atomic():
        locked = order_selectors.lock_visible_order(by, order.pk)
        check_order(locked)
        pending = to_pick(locked)
        if not pending:
            raise Conflict(
                _(
                    "Nothing is left to pick for order {number}: every reserved line is on a "
                    "pick list already, or nothing is reserved."
                ).format(number=locked.number),
                code="nothing_to_pick",
            )
        by_warehouse: dict[Any, list[tuple[OrderLine, Reservation, Decimal]]] = defaultdict(list)
        for item in pending:
            by_warehouse[item[1].warehouse].append(item)
        today = timezone.localdate()
        created = []
        for warehouse in sorted(by_warehouse, key=lambda each: each.pk):
            pick_list = PickList.objects.create(
                number=numbering.next_number("pick_list", on=today),
                order=locked,
                warehouse=warehouse,
                created_by=by,
            )
            PickLine.objects.bulk_create(
                [
                    PickLine(
                        pick_list=pick_list,
                        order_line=line,
                        product=line.product,
                        location=location_of(line.product, warehouse),
                        quantity=quantity,
                    )
                    for line, _reservation, quantity in by_warehouse[warehouse]
                ]
            )
            audit.record(
                pick_list,
                "pick_list_created",
                by=by,
                changes={
                    "order": (None, locked.number),
                    "warehouse": (None, warehouse.code),
                    "lines": (
                        None,
                        ", ".join(
                            f"{line.sku} × {quantity.normalize():f}"
                            for line, _r, quantity in by_warehouse[warehouse]
                        ),
                    ),
                },
            )
            audit.record(
                locked, "pick_list_created", by=by, changes={"pick_list": (None, pick_list.number)}
            )
            created.append(pick_list)
    return created


def lock_pick_list(pick_list: PickList, by: Any) -> tuple[Order, PickList]:
    """The order (visible to ``by``, else 404) and then the pick list, both locked."""
    order = order_selectors.lock_visible_order(by, pick_list.order_id)
    locked = (
        PickList.objects.select_for_update(of=("self",))
        .select_related("warehouse")
        .filter(pk=pick_list.pk)
        .first()
    )
    if locked is None:
        raise NotFound(code="pick_list_not_found")
    return order, locked


def clean_picked(quantities: Any, lines: Mapping[int, PickLine]) -> dict[int, Decimal]:
    """``{pick line id: picked}`` checked against this list's lines; a 422 naming each bad
    entry (``lines.<id>``) otherwise."""
    if not isinstance(quantities, Mapping) or not quantities:
        raise ValidationFailed(
            _("Enter the picked quantity of at least one line."),
            code="invalid_picked",
            fields={"lines": _("Enter the picked quantity of at least one line.")},
        )
    errors: dict[str, str] = {}
    cleaned: dict[int, Decimal] = {}
    for key, raw in quantities.items():
        try:
            if isinstance(key, bool):
                raise TypeError(key)
            line_id = int(key)
        except (TypeError, ValueError):
            errors[f"lines.{key}"] = _("Unknown line of this pick list.")
            continue
        line = lines.get(line_id)
        if line is None:
            errors[f"lines.{key}"] = _("Unknown line of this pick list.")
            continue
        value = as_decimal(raw)
        if value is None:
            errors[f"lines.{line_id}"] = _("Enter a number.")
        elif value != value.quantize(THOUSANDTH):
            errors[f"lines.{line_id}"] = _("Use at most 3 decimals.")
        elif value < 0:
            errors[f"lines.{line_id}"] = _("The picked quantity cannot be negative.")
        elif value > line.quantity:
            errors[f"lines.{line_id}"] = _("At most {quantity} are to be picked.").format(
                quantity=f"{line.quantity.normalize():f}"
            )
        else:
            cleaned[line_id] = value.quantize(THOUSANDTH)
    if errors:
        raise ValidationFailed(
            _("Correct the picked quantities."), code="invalid_picked", fields=errors
        )
    return cleaned


def as_decimal(raw: Any) -> Decimal | None:
    if isinstance(raw, bool) or raw is None:
        return None
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        return None
    return value if value.is_finite() else None


def record_picked(pick_list: PickList, quantities: Mapping[Any, Any], *, by: Any) -> PickList:
    """Record the picked quantity of some lines of an open pick list (the figure replaces
    the previous one); a list whose every line is fully picked becomes ``picked``."""
    permissions.require(by, PREPARE)
    with transaction.atomic():
        order, locked = lock_pick_list(pick_list, by)
        if locked.status != PickListStatus.OPEN:
            raise InvalidTransition(
                _("Pick list {number} is {status}; it can no longer be changed.").format(
                    number=locked.number, status=PickListStatus(locked.status).label
                ),
                code="pick_list_not_open",
            )
        check_order(order)
        lines = {line.pk: line for line in locked.lines.select_related("order_line")}
        cleaned = clean_picked(quantities, lines)
        changes: dict[str, tuple[Any, Any]] = {}
        changed = []
        for line_id, value in cleaned.items():
            line = lines[line_id]
            if line.picked_quantity != value:
                changes[line.order_line.sku] = (line.picked_quantity, value)
                line.picked_quantity = value
                changed.append(line)
        PickLine.objects.bulk_update(changed, ["picked_quantity"])
        if all(line.complete for line in lines.values()):
            locked.status = PickListStatus.PICKED
            locked.completed_by = by
            locked.completed_at = timezone.now()
            locked.save(update_fields=["status", "completed_by", "completed_at"])
            changes["status"] = (PickListStatus.OPEN.value, PickListStatus.PICKED.value)
        if changes:
            audit.record(locked, "pick_list_picked", by=by, changes=changes)
    return locked


def cancel_pick_list(pick_list: PickList, reason: str, *, by: Any) -> PickList:
    """Cancel an open pick list (with a reason); picked lists stay."""
    permissions.require(by, PREPARE)
    reason = reason.strip() if isinstance(reason, str) else ""
    if not reason:
        raise ValidationFailed(
            _("Say why the pick list is cancelled."),
            code="reason_required",
            fields={"reason": _("A reason is required.")},
        )
    if len(reason) > MAX_REASON:
        raise ValidationFailed(
            _("The reason is too long."),
            code="invalid_reason",
            fields={"reason": _("Use at most {count} characters.").format(count=MAX_REASON)},
        )
    with transaction.atomic():
        _order, locked = lock_pick_list(pick_list, by)
        if locked.status != PickListStatus.OPEN:
            raise InvalidTransition(
                _("Pick list {number} is {status}; only open pick lists can be cancelled.").format(
                    number=locked.number, status=PickListStatus(locked.status).label
                ),
                code="pick_list_not_open",
            )
        locked.status = PickListStatus.CANCELLED
        locked.cancel_reason = reason
        locked.cancelled_at = timezone.now()
        locked.save(update_fields=["status", "cancel_reason", "cancelled_at"])
        audit.record(
            locked,
            "pick_list_cancelled",
            by=by,
            changes={"status": (PickListStatus.OPEN.value, PickListStatus.CANCELLED.value)},
            reason=reason,
        )
    return locked
