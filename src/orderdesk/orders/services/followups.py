"""Follow-ups with the customer about missing information (缺失信息跟进).

When an order lacks something only the customer can give (a delivery address, a date, a
specification), sales logs what was asked; the answer is due ``ReviewSettings.follow_up_days``
working days later. Open follow-ups show on the order page and in the salesperson's
"My tasks" (:func:`tasks_for`, registered with ``core.worklist`` by the app config).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orderdesk.core import audit, permissions, workcalendar
from orderdesk.core.errors import Conflict, InvalidTransition, NotFound, ValidationFailed
from orderdesk.core.worklist import Task

from .. import selectors
from ..models import FollowUp, Order, OrderStatus
from .confirmation import end_of, order_page

LOG = "orders.enter_orders"
MAX_ITEMS = 20
CLOSED = frozenset({OrderStatus.CANCELLED, OrderStatus.COMPLETED})


def log_follow_up(order: Order, *, items: Sequence[str], note: str = "", by: Any) -> FollowUp:
    """Record what was asked of the customer; due ``follow_up_days`` working days from today."""
    permissions.require(by, LOG)
    cleaned, note = clean(items, note)
    with transaction.atomic():
        locked = selectors.lock_visible_order(by, order.pk)
        if locked.status in CLOSED:
            raise InvalidTransition(
                _("Order {number} is {status}; it needs no more follow-ups.").format(
                    number=locked.number, status=OrderStatus(locked.status).label
                ),
                code="order_closed",
            )
        due_on = workcalendar.add_working_days(
            timezone.localdate(), selectors.review_settings().follow_up_days
        )
        follow_up = FollowUp.objects.create(
            order=locked, items=cleaned, note=note, due_on=due_on, created_by=by
        )
        audit.record(
            locked,
            "follow_up_logged",
            by=by,
            changes={"items": (None, cleaned), "due_on": (None, due_on)},
            reason=note,
        )
    return follow_up


def resolve_follow_up(follow_up: FollowUp, *, by: Any, note: str = "") -> FollowUp:
    """The customer answered: close the follow-up (once)."""
    permissions.require(by, LOG)
    note = (note or "").strip()[:1000]
    with transaction.atomic():
        locked_order = selectors.lock_visible_order(by, follow_up.order_id)
        locked = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
        if locked.resolved_at is not None:
            raise Conflict(
                _("This follow-up was already resolved."), code="follow_up_already_resolved"
            )
        locked.resolved_at = timezone.now()
        locked.resolved_by = by
        locked.save(update_fields=["resolved_at", "resolved_by"])
        audit.record(
            locked_order,
            "follow_up_resolved",
            by=by,
            changes={"items": (locked.items, None)},
            reason=note,
        )
    return locked


def follow_up_for(user: Any, order: Order, follow_up_id: int) -> FollowUp:
    """One follow-up of an order the user sees (the caller fetched ``order`` visibly)."""
    found = FollowUp.objects.filter(pk=follow_up_id, order=order).select_related("order").first()
    if found is None or not selectors.orders_visible_to(user).filter(pk=order.pk).exists():
        raise NotFound(code="follow_up_not_found")
    return found


def tasks_for(user: Any) -> list[Task]:
    """ "My tasks" source: open follow-ups of the user's orders (as salesperson), the answer
    due soonest first."""
    if getattr(user, "pk", None) is None:
        return []
    open_ones = (
        FollowUp.objects.filter(order__salesperson=user, resolved_at__isnull=True)
        .exclude(order__status__in=CLOSED)
        .select_related("order", "order__customer")
        .order_by("due_on", "pk")[:200]
    )
    return [
        Task(
            kind=_("Customer follow-ups"),
            title=f"{each.order.number} · {each.order.customer.name}",
            url=order_page(each.order_id),
            due_at=end_of(each.due_on),
            detail="; ".join([*each.items, each.note][: MAX_ITEMS + 1]).strip("; "),
        )
        for each in open_ones
    ]


def clean(items: Any, note: str) -> tuple[list[str], str]:
    errors: dict[str, str] = {}
    if isinstance(items, str) or not isinstance(items, Sequence):
        items = [items] if isinstance(items, str) else []
    cleaned = [str(item).strip() for item in items if str(item or "").strip()]
    note = (note or "").strip()
    if len(cleaned) > MAX_ITEMS:
        errors["items"] = _("At most {count} items.").format(count=MAX_ITEMS)
    elif any(len(item) > 200 for item in cleaned):
        errors["items"] = _("Each item has at most 200 characters.")
    if len(note) > 1000:
        errors["note"] = _("Use at most 1000 characters.")
    if not cleaned and not note:
        errors["items"] = _("Name what the customer was asked for, or write a note.")
    if errors:
        raise ValidationFailed(_("Correct the highlighted fields."), fields=errors)
    return list(dict.fromkeys(cleaned)), note
