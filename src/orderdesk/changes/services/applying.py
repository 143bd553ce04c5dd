"""Applying an approved change request (变更生效), in one transaction.

The order must not have changed where the request touches it since the request was made
(409 ``stale_order`` naming what changed); another request applied meanwhile on other lines
or fields does not stop it. The impact is assessed again on the order as it is now — a
shipment confirmed meanwhile can still refuse a reduction (422 ``below_shipped``). Then:

1. v1 is recorded if the order has no revision yet (``revisions.ensure_base_revision``);
2. the header fields and lines change: changed lines are updated in place (shipments,
   invoices and production orders keep pointing at them), new lines are numbered after
   the last, removed lines are deleted (only lines no document refers to);
3. stock: released and re-reserved in the same warehouse (the inventory holds one open
   reservation per line), more reserved while the warehouses have it, else left short for
   production or purchasing; a cancelled order's reservations are all released;
4. planned production orders follow the line (``production.services.change_quantity``);
5. the totals and the promised date take their new values, ``version`` goes up by one; a
   cancellation moves the order through ``orders.lifecycle`` (cancelled), and a partially
   shipped order whose remaining lines are all shipped becomes shipped; otherwise the
   order keeps its status;
6. issued invoices are not touched: the ones to correct are flagged (audit entry, and
   "Invoices to correct after an order change" on finance's "My tasks" until finance
   records the correction with :func:`mark_invoices_corrected`);
7. the next revision is recorded (``revisions.record_revision``) and everything audited.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orderdesk.accounts.selectors import acting_for
from orderdesk.catalog.models import Product
from orderdesk.core import audit, permissions
from orderdesk.core.errors import Conflict
from orderdesk.inventory import services as stock
from orderdesk.inventory.errors import InsufficientStock
from orderdesk.orders import lifecycle
from orderdesk.orders import selectors as order_selectors
from orderdesk.orders.models import Order, OrderLine, OrderStatus
from orderdesk.orders.services import drafts
from orderdesk.production import services as production
from orderdesk.shipping import selectors as shipping_selectors
from orderdesk.shipping.models import SENT

from .. import impact, revisions, selectors
from ..models import ChangeRequest, ChangeStatus
from .requests import REQUEST, refused

RESERVE = "inventory.reserve_stock"
PRODUCTION = "production.manage_production_orders"
INVOICE = "billing.issue_invoices"
ZERO = Decimal(0)


def apply_change(request: ChangeRequest, *, by: Any) -> ChangeRequest:
    """Carry out an approved change request (see the module docstring)."""
    permissions.require(by, REQUEST)
    with transaction.atomic():
        order = order_selectors.lock_visible_order(by, request.order_id)
        locked = selectors.lock_request(request.pk)
        if locked.status != ChangeStatus.APPROVED:
            raise Conflict(
                _(
                    "Change request {number} is {status}: only an approved request is applied."
                ).format(number=locked.number, status=ChangeStatus(locked.status).label),
                code="already_applied"
                if locked.status == ChangeStatus.APPLIED
                else "change_not_approved",
            )
        if blocked := impact.status_problem(order):
            raise blocked
        lines = list(order.lines.order_by("line_no"))
        if changed := impact.differences((locked.impact or {}).get("base") or {}, order, lines):
            raise Conflict(
                _(
                    "Order {number} changed where this request changes it since the request "
                    "was made; withdraw it and ask again."
                ).format(number=order.number),
                code="stale_order",
                fields=changed,
            )
        plan = impact.plan(order, locked.proposal, by=locked.created_by)
        if plan.blocked is not None:
            raise plan.blocked
        if plan.refusals:
            raise refused(plan)
        revisions.ensure_base_revision(order, by=by)
        assessed = plan.as_dict()  # before the lines change under it
        reason = _("Change request {number}: {reason}").format(
            number=locked.number, reason=locked.reason
        )[:500]
        changes = carry_out(plan, by=by, reason=reason)
        locked.status = ChangeStatus.APPLIED
        locked.applied_at = timezone.now()
        locked.applied_by = by
        locked.impact = {**assessed, "assessed": (locked.impact or {}).get("totals")}
        locked.invoices_to_correct = bool(plan.invoices)
        locked.save(
            update_fields=["status", "applied_at", "applied_by", "impact", "invoices_to_correct"]
        )
        audit.record(
            order,
            "order_changed",
            by=by,
            changes={"change_request": (None, locked.number), **changes},
            reason=locked.reason,
        )
        if plan.invoices:
            audit.record(
                order,
                "invoices_to_correct",
                by=by,
                changes={
                    "change_request": (None, locked.number),
                    "invoices": (None, plan.invoices),
                },
                reason=_("Issued invoices need a credit note or an extra invoice."),
            )
        audit.record(
            locked,
            "change_applied",
            by=by,
            changes={"status": (ChangeStatus.APPROVED, ChangeStatus.APPLIED)},
            reason=locked.reason,
        )
        revisions.record_revision(order, locked, by=by)
    return locked


def carry_out(plan: impact.Plan, *, by: Any, reason: str) -> dict[str, tuple[Any, Any]]:
    """Write what ``plan`` says to the locked order; returns the audited changes."""
    order = plan.order
    before_lines = drafts.describe_saved(order)
    before = audit.snapshot(
        order, (*plan.header, "net_amount", "tax_amount", "total_amount", "promised_date")
    )
    if plan.cancel:
        lifecycle.move(order, OrderStatus.CANCELLED, by=by, reason=reason, action="order_cancelled")
        drafts.release_reservations(order, by=by)
        order.version += 1
        order.save(update_fields=["version", "updated_at"])
        return {"version": (order.version - 1, order.version)}
    actor = acting_for(by, RESERVE)
    for name, value in plan.header.items():
        setattr(order, name, value)
    short: list[str] = []
    for lp in plan.lines:
        if lp.new is None:
            if lp.line is not None:  # removed
                if lp.reservation is not None:
                    stock.release(lp.reservation, by=actor, reason=reason)
                lp.line.delete()
            continue
        if lp.line is None:
            lp.new.order = order
            lp.new.save()
            target = lp.new
        else:
            for name in (*impact.PRICED_FIELDS, *impact.APPROVAL_FIELDS):
                setattr(lp.line, name, getattr(lp.new, name))
            lp.line.save()
            target = lp.line
        if not reserve(lp, target, actor=actor, reason=reason):
            short.append(f"{target.sku} × {lp.reserve}")
        for change in lp.production:
            if change.action == "adjust":
                production.change_quantity(
                    change.po,
                    change.new_quantity,
                    by=acting_for(by, PRODUCTION),
                    reason=reason,
                )
    order.net_amount, order.tax_amount, order.total_amount = (
        plan.totals[key][1] for key in ("net", "tax", "gross")
    )
    if plan.promised[1] is not None:
        order.promised_date = plan.promised[1]
    order.version += 1
    order.save()
    changes = audit.diff(before, audit.snapshot(order, tuple(before)))
    after_lines = drafts.describe_saved(order)
    if after_lines != before_lines:
        changes["lines"] = (before_lines, after_lines)
    if short:
        changes["not_reserved"] = (None, short)
    changes["version"] = (order.version - 1, order.version)
    if order.status == OrderStatus.PARTIALLY_SHIPPED and fully_shipped(order):
        lifecycle.move(
            order,
            OrderStatus.SHIPPED,
            by=by,
            reason=_("Every remaining line is shipped after the change."),
            action="order_shipped",
        )
    return changes


def reserve(lp: impact.LinePlan, line: OrderLine, *, actor: Any, reason: str) -> bool:
    """Adjust the line's stock as planned; ``False`` when the stock planned to reserve is
    no longer there (it stays short, for production or purchasing)."""
    held = lp.reservation
    if lp.added or lp.product_changed:
        if held is not None:
            stock.release(held, by=actor, reason=reason)
        return lp.reserve <= 0 or hold(line.product, lp.reserve, line, actor=actor)
    if lp.release > 0 and held is not None:
        keep = lp.held - lp.release
        stock.release(held, by=actor, reason=reason)
        if keep > 0:
            stock.reserve(
                line.product,
                keep,
                reference=line.reference,
                by=actor,
                warehouse=held.warehouse,
                source=line,
            )
        return True
    if lp.reserve <= 0:
        return True
    if held is None:
        return hold(line.product, lp.reserve, line, actor=actor)
    try:
        # One open reservation per line: give it back and hold the new total in the same
        # warehouse; a warehouse without enough rolls this back and keeps the old one.
        with transaction.atomic():
            stock.release(held, by=actor, reason=reason)
            stock.reserve(
                line.product,
                lp.held + lp.reserve,
                reference=line.reference,
                by=actor,
                warehouse=held.warehouse,
                source=line,
            )
    except InsufficientStock:
        return False
    return True


def hold(product: Product, quantity: Decimal, line: OrderLine, *, actor: Any) -> bool:
    try:
        with transaction.atomic():
            stock.reserve(product, quantity, reference=line.reference, by=actor, source=line)
    except InsufficientStock:
        return False
    return True


def fully_shipped(order: Order) -> bool:
    sent = shipping_selectors.quantities_by_line(order, statuses=SENT)
    return all(sent.get(line.pk, ZERO) >= line.quantity for line in order.lines.all())


def mark_invoices_corrected(request: ChangeRequest, *, by: Any, note: str = "") -> ChangeRequest:
    """Finance has issued the credit notes or extra invoices an applied change called for:
    the task leaves "My tasks" (409 when there was nothing to correct, or it is done)."""
    permissions.require(by, INVOICE)
    with transaction.atomic():
        order = order_selectors.lock_order(request.order_id)
        locked = selectors.lock_request(request.pk)
        if locked.status != ChangeStatus.APPLIED or not locked.invoices_to_correct:
            raise Conflict(
                _("Change request {number} left no invoices to correct.").format(
                    number=locked.number
                ),
                code="nothing_to_correct",
            )
        if locked.invoices_corrected_at is not None:
            raise Conflict(
                _("The invoices of change request {number} were already corrected.").format(
                    number=locked.number
                ),
                code="already_corrected",
            )
        locked.invoices_corrected_at = timezone.now()
        locked.invoices_corrected_by = by
        locked.invoices_note = (note or "").strip()[:1000]
        locked.save(
            update_fields=["invoices_corrected_at", "invoices_corrected_by", "invoices_note"]
        )
        changes = {"change_request": (None, locked.number), "invoices_corrected": (False, True)}
        audit.record(
            locked, "invoices_corrected", by=by, changes=changes, reason=locked.invoices_note
        )
        audit.record(
            order, "invoices_corrected", by=by, changes=changes, reason=locked.invoices_note
        )
    return locked
