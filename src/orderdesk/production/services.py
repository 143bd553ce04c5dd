"""Production orders (生产指令单): the only code that writes them.

- :func:`create_for_order` makes one production order per line of a released order that
  needs one: a make-to-order line, or a line whose stock reservation does not cover it
  (the warehouse review reserves a whole line or nothing). Lines with an open production
  order are skipped, so calling it twice makes nothing twice.
- The responsible person acknowledges it (:func:`acknowledge`); production starts it (the
  order becomes 生产中 when it was 已下达), reports daily progress (生产日报), passes QC and
  completes it: the finished goods are received into a warehouse and reserved for the
  order line (reference ``line.reference``; an open reservation of the line is released
  and the total reserved again, inside the same transaction).
- An exception (material shortage, equipment failure, quality problem) e-mails customer
  service and the salesperson at once and shows on the order page. A new expected date
  after the promised date moves the promised date (audited on the order) and goes into the
  customer communication log: the customer's contact is e-mailed and the e-mail recorded
  as an interaction (沟通记录); without a contact e-mail a follow-up is logged on the order
  for the salesperson to call.

Every change is one transaction, audited, permission-checked; illegal transitions raise
:class:`InvalidTransition` (409).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from typing import Any, cast

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from orderdesk.accounts.models import User
from orderdesk.accounts.selectors import acting_for, system_user
from orderdesk.core import audit, numbering, permissions, workcalendar
from orderdesk.core.errors import Conflict, InvalidTransition, NotAllowed, ValidationFailed
from orderdesk.customers.models import InteractionKind
from orderdesk.customers.services import notes as customer_notes
from orderdesk.inventory import selectors as stock_selectors
from orderdesk.inventory import services as stock
from orderdesk.inventory.calculations import parse_quantity
from orderdesk.inventory.models import Reservation, ReservationStatus, Warehouse
from orderdesk.orders import lifecycle
from orderdesk.orders import selectors as order_selectors
from orderdesk.orders.models import Order, OrderLine, OrderStatus, ReviewStep, Step, StepStatus
from orderdesk.orders.services import followups
from orderdesk.orders.services.confirmation import customer_mail, order_page, recipients, send

from .models import (
    OPEN_STATUSES,
    ExceptionKind,
    ProductionOrder,
    ProductionStatus,
    ProgressReport,
)

logger = logging.getLogger(__name__)

MANAGE = "production.manage_production_orders"
STOCK, RESERVE = "inventory.manage_stock", "inventory.reserve_stock"
P = ProductionStatus
ZERO = Decimal(0)
MAX_TOLERANCE = Decimal(20)
CREATABLE = frozenset({OrderStatus.RELEASED, OrderStatus.IN_PRODUCTION})

TRANSITIONS: dict[str, frozenset[str]] = {
    P.PLANNED: frozenset({P.IN_PROGRESS, P.EXCEPTION}),
    P.IN_PROGRESS: frozenset({P.QC_PASSED, P.EXCEPTION}),
    P.QC_PASSED: frozenset({P.COMPLETED, P.EXCEPTION}),
    P.EXCEPTION: frozenset({P.IN_PROGRESS}),
    P.COMPLETED: frozenset(),
}
REPORTABLE = frozenset({P.IN_PROGRESS, P.QC_PASSED, P.EXCEPTION})


# --- creation ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Need:
    line: OrderLine
    quantity: Decimal


def needs_of(order: Order) -> list[Need]:
    """What each line still needs made: the whole line for make-to-order products, else
    the part no stock reservation covers; less what open production orders already make
    and what completed ones were allowed to fall short within their tolerance."""
    lines = list(order.lines.select_related("product").order_by("line_no"))
    references = [line.reference for line in lines]
    covered: dict[str, Decimal] = {}
    for reservation in Reservation.objects.filter(reference__in=references):
        held = (
            reservation.quantity
            if reservation.status == ReservationStatus.OPEN
            else reservation.issued
        )
        covered[reservation.reference] = covered.get(reservation.reference, ZERO) + held
    planned: dict[int, Decimal] = {}
    accepted_short: dict[int, Decimal] = {}
    for po in ProductionOrder.objects.filter(order=order):
        if po.status in OPEN_STATUSES:
            planned[po.order_line_id] = planned.get(po.order_line_id, ZERO) + po.quantity
        elif po.completed_quantity < po.quantity:
            accepted_short[po.order_line_id] = (
                accepted_short.get(po.order_line_id, ZERO) + po.quantity - po.completed_quantity
            )
    found = []
    for line in lines:
        if line.pk in planned:
            continue
        need = line.quantity - covered.get(line.reference, ZERO) - accepted_short.get(line.pk, ZERO)
        if need > 0:
            found.append(Need(line, need))
    return found


def create_for_order(
    order: Order,
    *,
    by: Any,
    responsible: Any = None,
    tolerance_percent: Any = None,
    due_date: dt.date | None = None,
) -> list[ProductionOrder]:
    """Make the production orders a released (or in production) order needs."""
    permissions.require(by, MANAGE)
    errors: dict[str, str] = {}
    tolerance = clean_tolerance(tolerance_percent, errors)
    if responsible is not None and not may_be_responsible(responsible):
        errors["responsible"] = _("Choose an active user of the production department.")
    if due_date is not None and due_date < timezone.localdate():
        errors["due_date"] = _("Enter today or a later date.")
    if errors:
        raise ValidationFailed(_("Correct the highlighted fields."), fields=errors)
    with transaction.atomic():
        locked = order_selectors.lock_visible_order(by, order.pk)
        require_workable(locked)
        if locked.status not in CREATABLE:
            raise InvalidTransition(
                _(
                    "Production orders are made from released orders; order {number} is {status}."
                ).format(number=locked.number, status=OrderStatus(locked.status).label),
                code="order_not_released",
            )
        needs = needs_of(locked)
        if not needs:
            raise Conflict(
                _(
                    "Every line of order {number} is covered by stock or by a production "
                    "order: there is nothing to make."
                ).format(number=locked.number),
                code="nothing_to_produce",
            )
        step = production_step(locked)
        person = responsible or default_responsible(step, by)
        due = due_date or due_date_of(locked, step, needs)
        today = timezone.localdate()
        made = []
        for need in needs:
            po = ProductionOrder.objects.create(
                number=numbering.next_number("production", on=today),
                order=locked,
                order_line=need.line,
                product=need.line.product,
                quantity=need.quantity,
                tolerance_percent=tolerance,
                packing_requirements=locked.packing_requirements,
                due_date=due,
                responsible=person,
                created_by=by,
            )
            audit.record(
                po,
                "production_order_created",
                by=by,
                changes={
                    "order": (None, locked.number),
                    "line": (None, need.line.line_no),
                    "product": (None, need.line.sku),
                    "quantity": (None, po.quantity),
                    "tolerance_percent": (None, po.tolerance_percent),
                    "due_date": (None, po.due_date),
                    "responsible": (None, str(person)),
                },
            )
            made.append(po)
        audit.record(
            locked,
            "production_orders_created",
            by=by,
            changes={"production_orders": (None, [po.number for po in made])},
        )
        transaction.on_commit(partial(mail_assigned, [po.pk for po in made]))
    return made


def clean_tolerance(value: Any, errors: dict[str, str]) -> Decimal:
    if value is None or value == "":
        return ZERO
    try:
        tolerance = Decimal(str(value).strip())
    except ArithmeticError:
        tolerance = Decimal(-1)
    if (
        not tolerance.is_finite()
        or tolerance < 0
        or tolerance > MAX_TOLERANCE
        or tolerance.as_tuple().exponent < -2  # type: ignore[operator]
    ):
        errors["tolerance_percent"] = _("Enter 0 to 20 (%), at most two decimals.")
        return ZERO
    return tolerance


def may_be_responsible(user: Any) -> bool:
    return (
        isinstance(user, User)
        and user.is_active
        and not user.is_system
        and permissions.has(user, MANAGE)
    )


def production_step(order: Order) -> ReviewStep | None:
    return (
        ReviewStep.objects.filter(
            order=order, round=order.review_round, step=Step.PRODUCTION, status=StepStatus.APPROVED
        )
        .select_related("decided_by")
        .first()
    )


def default_responsible(step: ReviewStep | None, by: Any) -> Any:
    """Production's reviewer of the order, else whoever makes the production orders."""
    if step is not None and step.decided_by is not None and may_be_responsible(step.decided_by):
        return step.decided_by
    if getattr(by, "is_system", False):
        candidate = (
            User.objects.filter(is_active=True, groups__name="production").order_by("pk").first()
        )
        if candidate is not None:
            return candidate
    return by


def due_date_of(order: Order, step: ReviewStep | None, needs: list[Need]) -> dt.date:
    """Production's confirmed date: the review's earliest completion, else the promised
    date, else the requested date, else today plus the longest lead time."""
    if step is not None and (earliest := step.decision.get("earliest_completion")):
        parsed = parse_date(str(earliest))
        if parsed is not None:
            return parsed
    if order.promised_date:
        return order.promised_date
    if order.requested_date:
        return order.requested_date
    days = max(need.line.product.lead_time_days for need in needs)
    return workcalendar.add_working_days(timezone.localdate(), days)


# --- transitions -----------------------------------------------------------------------------


def lock(po: ProductionOrder) -> tuple[Order, ProductionOrder]:
    """The sales order row, then the production order row (always in this order)."""
    order = order_selectors.lock_order(po.order_id)
    locked = (
        ProductionOrder.objects.select_for_update(of=("self",))
        .select_related("order_line", "product", "responsible")
        .get(pk=po.pk)
    )
    locked.order = order
    return order, locked


def require_move(po: ProductionOrder, target: str) -> None:
    if target not in TRANSITIONS.get(po.status, frozenset()):
        raise InvalidTransition(
            _("Production order {number} is {current}; it cannot become {target}.").format(
                number=po.number,
                current=ProductionStatus(po.status).label,
                target=ProductionStatus(target).label,
            ),
            fields={"status": ProductionStatus(po.status).label},
        )


def require_workable(order: Order) -> None:
    if order.status == OrderStatus.CANCELLED:
        raise InvalidTransition(
            _("Order {number} is cancelled: nothing more is produced for it.").format(
                number=order.number
            ),
            code="order_cancelled",
        )
    if order.status == OrderStatus.ON_HOLD:
        raise InvalidTransition(
            _("Order {number} is on hold; resume it first.").format(number=order.number),
            code="order_on_hold",
        )


def set_status(
    po: ProductionOrder, target: str, *, by: Any, reason: str = "", **extra: Any
) -> None:
    before = po.status
    changes: dict[str, tuple[Any, Any]] = {"status": (before, target)}
    for field, value in extra.items():
        changes[field] = (getattr(po, field), value)
        setattr(po, field, value)
    po.status = target
    po.save(update_fields=["status", "updated_at", *extra])
    audit.record(po, f"production_{target}", by=by, changes=changes, reason=reason)


def acknowledge(po: ProductionOrder, *, by: Any) -> ProductionOrder:
    """The responsible person (or their supervisor) confirms they received the order."""
    permissions.require(by, MANAGE)
    with transaction.atomic():
        _order, locked = lock(po)
        if not may_acknowledge(by, locked):
            raise NotAllowed(
                _("Only {name}, who is responsible for it, may acknowledge {number}.").format(
                    name=locked.responsible, number=locked.number
                ),
                code="not_responsible",
            )
        if locked.acknowledged_at is not None:
            raise Conflict(
                _("{number} was already acknowledged.").format(number=locked.number),
                code="already_acknowledged",
            )
        if locked.status == P.COMPLETED:
            raise InvalidTransition(
                _("{number} is already completed.").format(number=locked.number)
            )
        mark_acknowledged(locked, by=by)
    return locked


def may_acknowledge(user: Any, po: ProductionOrder) -> bool:
    if getattr(user, "is_system", False):
        return True
    return getattr(user, "pk", None) in (po.responsible_id, po.responsible.supervisor_id)


def mark_acknowledged(po: ProductionOrder, *, by: Any) -> None:
    po.acknowledged_at = timezone.now()
    po.acknowledged_by = by
    po.save(update_fields=["acknowledged_at", "acknowledged_by", "updated_at"])
    audit.record(po, "production_acknowledged", by=by, changes={"acknowledged_by": (None, str(by))})


def start(po: ProductionOrder, *, by: Any) -> ProductionOrder:
    """Production starts: planned → in progress; a released order becomes 生产中."""
    permissions.require(by, MANAGE)
    with transaction.atomic():
        order, locked = lock(po)
        require_workable(order)
        require_move(locked, P.IN_PROGRESS)
        if locked.acknowledged_at is None and getattr(by, "pk", None) == locked.responsible_id:
            mark_acknowledged(locked, by=by)
        set_status(locked, P.IN_PROGRESS, by=by, started_at=timezone.now())
        order_in_production(order, locked, by=by)
    return locked


def order_in_production(order: Order, po: ProductionOrder, *, by: Any) -> None:
    if order.status == OrderStatus.RELEASED:
        lifecycle.move(
            order,
            OrderStatus.IN_PRODUCTION,
            by=by,
            action="order_in_production",
            reason=_("Production order {number} started").format(number=po.number),
        )


def report_progress(
    po: ProductionOrder,
    *,
    by: Any,
    percent: Any = None,
    quantity: Any = None,
    note: str = "",
    day: dt.date | None = None,
) -> ProgressReport:
    """The day's progress (生产日报); a second report the same day replaces the first."""
    permissions.require(by, MANAGE)
    today = timezone.localdate()
    day = day or today
    errors: dict[str, str] = {}
    percent_value = clean_percent(percent, errors)
    quantity_value = None
    if quantity is not None and quantity != "":
        quantity_value = parse_quantity(quantity, allow_zero=True)
        if quantity_value is None:
            errors["quantity"] = _("Enter zero or more with at most three decimals.")
        elif quantity_value > po.upper_bound:
            errors["quantity"] = _("At most {limit} (the quantity plus its tolerance).").format(
                limit=po.upper_bound
            )
    if percent_value is None and quantity_value is None and not errors:
        errors["percent"] = _("Give the percentage or the quantity done.")
    note = (note or "").strip()
    if len(note) > 1000:
        errors["note"] = _("At most 1000 characters.")
    if day > today:
        errors["day"] = _("A report cannot be for a future day.")
    elif day < timezone.localtime(po.created_at).date():
        errors["day"] = _("The production order did not exist yet on that day.")
    if errors:
        raise ValidationFailed(_("Correct the highlighted fields."), fields=errors)
    with transaction.atomic():
        _order, locked = lock(po)
        if locked.status not in REPORTABLE:
            raise InvalidTransition(
                _(
                    "Production order {number} is {status}; progress is reported while it runs."
                ).format(number=locked.number, status=ProductionStatus(locked.status).label),
                code="not_in_progress",
            )
        report = ProgressReport.objects.filter(production_order=locked, day=day).first()
        action = "progress_reported"
        before: dict[str, Any] = {"percent": None, "quantity_done": None, "note": ""}
        if report is None:
            report = ProgressReport(production_order=locked, day=day)
        else:
            action = "progress_report_updated"
            before = audit.snapshot(report, ("percent", "quantity_done", "note"))
        report.percent = percent_value
        report.quantity_done = quantity_value
        report.note = note
        report.reported_by = by
        report.save()
        changes = audit.diff(before, audit.snapshot(report, ("percent", "quantity_done", "note")))
        audit.record(locked, action, by=by, changes={"day": (None, day), **changes})
    return report


def clean_percent(value: Any, errors: dict[str, str]) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        percent = Decimal(str(value).strip())
    except ArithmeticError:
        percent = Decimal(-1)
    if (
        isinstance(value, bool)
        or not percent.is_finite()
        or percent < 0
        or percent > 100
        or percent.as_tuple().exponent < -2  # type: ignore[operator]
    ):
        errors["percent"] = _("Enter 0 to 100, at most two decimals.")
        return None
    return percent


def pass_qc(po: ProductionOrder, *, by: Any, note: str = "") -> ProductionOrder:
    """Quality control passed (质检合格)."""
    permissions.require(by, MANAGE)
    with transaction.atomic():
        _order, locked = lock(po)
        require_move(locked, P.QC_PASSED)
        set_status(
            locked,
            P.QC_PASSED,
            by=by,
            reason=(note or "").strip()[:500],
            qc_passed_at=timezone.now(),
        )
    return locked


def complete(po: ProductionOrder, *, quantity: Any, warehouse: Any, by: Any) -> ProductionOrder:
    """Finished goods into the warehouse (完工入库), reserved for the order line."""
    permissions.require(by, MANAGE)
    errors: dict[str, str] = {}
    made = parse_quantity(quantity)
    if made is None:
        errors["quantity"] = _("Enter a quantity above zero with at most three decimals.")
    elif not po.lower_bound <= made <= po.upper_bound:
        errors["quantity"] = _("Between {low} and {high} (the quantity ± its tolerance).").format(
            low=po.lower_bound, high=po.upper_bound
        )
    place = stock_selectors.warehouse_by_key(warehouse) if warehouse not in (None, "") else None
    if place is None or not place.is_active:
        errors["warehouse_id"] = _("Choose an open warehouse.")
    if errors:
        raise ValidationFailed(_("Correct the highlighted fields."), fields=errors)
    made, place = cast(Decimal, made), cast(Warehouse, place)
    with transaction.atomic():
        order, locked = lock(po)
        require_move(locked, P.COMPLETED)
        line = locked.order_line
        existing = stock_selectors.open_reservations(line.reference).first()
        if existing is not None and existing.warehouse_id != place.pk:
            raise ValidationFailed(
                _(
                    "Stock for this line is reserved in {warehouse}; receive the goods there "
                    "so the line's stock stays together."
                ).format(warehouse=existing.warehouse.name),
                code="warehouse_mismatch",
                fields={"warehouse_id": _("Use {warehouse}.").format(warehouse=existing.warehouse)},
            )
        reason = _("Production order {number} completed").format(number=locked.number)
        stock.receive_stock(
            locked.product,
            place,
            made,
            by=acting_for(by, STOCK),
            reason=reason,
            reference=f"production.ProductionOrder:{locked.pk}",
            source=locked,
        )
        reserved = ZERO
        if order.status != OrderStatus.CANCELLED:
            reserved = reserve_for_line(line, made, place, existing, by=by, reason=reason)
        set_status(
            locked,
            P.COMPLETED,
            by=by,
            reason=_(
                "{quantity} received into {warehouse}, {reserved} reserved for {order}"
            ).format(quantity=made, warehouse=place.name, reserved=reserved, order=order.number),
            completed_quantity=made,
            warehouse=place,
            completed_at=timezone.now(),
        )
    return locked


def reserve_for_line(
    line: OrderLine,
    made: Decimal,
    place: Warehouse,
    existing: Reservation | None,
    *,
    by: Any,
    reason: str,
) -> Decimal:
    """Reserve what the line still lacks (at most ``made``). The inventory holds one open
    reservation per line: an existing one is released and the total reserved again."""
    covered = ZERO
    for reservation in Reservation.objects.filter(reference=line.reference):
        covered += (
            reservation.quantity
            if reservation.status == ReservationStatus.OPEN
            else reservation.issued
        )
    wanted = min(made, line.quantity - covered)
    if wanted <= 0:
        return ZERO
    actor = acting_for(by, RESERVE)
    total = wanted
    if existing is not None:
        total += existing.quantity - existing.issued
        stock.release(existing, by=actor, reason=reason)
    stock.reserve(
        line.product, total, reference=line.reference, by=actor, warehouse=place, source=line
    )
    return wanted


def report_exception(
    po: ProductionOrder,
    *,
    kind: str,
    note: str,
    by: Any,
    expected_on: dt.date | None = None,
) -> ProductionOrder:
    """Report a problem: customer service and the salesperson are e-mailed at once; a new
    expected date after the promised date moves the promised date and is told to the
    customer (communication log)."""
    permissions.require(by, MANAGE)
    errors: dict[str, str] = {}
    if kind not in ExceptionKind.values:
        errors["kind"] = _("Choose material shortage, equipment failure, quality problem or other.")
    note = (note or "").strip()
    if not note:
        errors["note"] = _("Describe the problem.")
    elif len(note) > 1000:
        errors["note"] = _("At most 1000 characters.")
    if expected_on is not None and expected_on < timezone.localdate():
        errors["expected_on"] = _("Enter today or a later date.")
    if errors:
        raise ValidationFailed(_("Correct the highlighted fields."), fields=errors)
    with transaction.atomic():
        order, locked = lock(po)
        require_move(locked, P.EXCEPTION)
        set_status(
            locked,
            P.EXCEPTION,
            by=by,
            reason=note,
            exception_kind=kind,
            exception_note=note,
            exception_at=timezone.now(),
            expected_on=expected_on,
        )
        moved = None
        if (
            expected_on is not None
            and order.status != OrderStatus.CANCELLED
            and (order.promised_date is None or expected_on > order.promised_date)
        ):
            moved = move_promised_date(order, locked, expected_on, by=by)
        transaction.on_commit(partial(mail_exception, locked.pk))
        if moved is not None:
            tell_customer(order, locked, moved, by=by)
    return locked


def move_promised_date(
    order: Order, po: ProductionOrder, new_date: dt.date, *, by: Any
) -> tuple[dt.date | None, dt.date]:
    before = order.promised_date
    order.promised_date = new_date
    order.save(update_fields=["promised_date", "updated_at"])
    audit.record(
        order,
        "promised_date_moved",
        by=by,
        changes={"promised_date": (before, new_date)},
        reason=_("Production order {number}: {kind} — {note}").format(
            number=po.number, kind=ExceptionKind(po.exception_kind).label, note=po.exception_note
        ),
    )
    return before, new_date


def tell_customer(
    order: Order, po: ProductionOrder, moved: tuple[dt.date | None, dt.date], *, by: Any
) -> None:
    """The date change goes through the customer communication log: e-mail the order's
    contact and record the e-mail as an interaction; without an address, a follow-up on the
    order asks the salesperson to tell the customer."""
    before, after = moved
    to = recipients(order)
    system = system_user()
    if not to:
        followups.log_follow_up(
            order,
            items=[
                _("Tell the customer the promised date moves to {date}").format(
                    date=after.isoformat()
                )
            ],
            note=_("Production order {number}: {note}").format(
                number=po.number, note=po.exception_note
            )[:1000],
            by=system,
        )
        return
    contact = order.customer.contacts.filter(email=to[0]).first()
    customer_notes.record_interaction(
        order.customer,
        {
            "kind": InteractionKind.EMAIL,
            "contact": contact,
            "summary": _(
                "Order {order}: promised date moved from {before} to {after} "
                "(production order {number}, {kind}: {note}). Notice e-mailed to {to}; "
                "reported by {by}."
            ).format(
                order=order.number,
                before=before.isoformat() if before else "—",
                after=after.isoformat(),
                number=po.number,
                kind=ExceptionKind(po.exception_kind).label,
                note=po.exception_note,
                to=", ".join(to),
                by=audit.actor_label(by),
            ),
        },
        by=system,
    )
    transaction.on_commit(partial(mail_customer_date, order.pk, to, before, after))


def resolve_exception(po: ProductionOrder, *, note: str, by: Any) -> ProductionOrder:
    """The problem is solved: back to in progress."""
    permissions.require(by, MANAGE)
    note = (note or "").strip()
    if not note:
        raise ValidationFailed(
            _("Say how the problem was solved."), fields={"note": _("Required.")}
        )
    if len(note) > 1000:
        raise ValidationFailed(
            _("Correct the highlighted fields."), fields={"note": _("At most 1000 characters.")}
        )
    with transaction.atomic():
        order, locked = lock(po)
        require_workable(order)
        if locked.status != P.EXCEPTION:
            raise InvalidTransition(
                _(
                    "Production order {number} is {status}: there is no exception to resolve."
                ).format(number=locked.number, status=ProductionStatus(locked.status).label),
                code="no_exception",
            )
        extra: dict[str, Any] = {}
        if locked.started_at is None:
            extra["started_at"] = timezone.now()
        set_status(locked, P.IN_PROGRESS, by=by, reason=note, **extra)
        audit.record(
            locked,
            "production_exception_resolved",
            by=by,
            changes={"exception_kind": (locked.exception_kind, None)},
            reason=note,
        )
        order_in_production(order, locked, by=by)
    return locked


def change_quantity(po: ProductionOrder, quantity: Any, *, by: Any, reason: str) -> ProductionOrder:
    """A planned production order follows a change of its order line (订单变更): its quantity
    may change while nothing is made yet (planned), never to zero; once production started,
    production decides (409 ``production_started``)."""
    permissions.require(by, MANAGE)
    reason = (reason or "").strip()[:500]
    new = parse_quantity(quantity)
    if new is None:
        raise ValidationFailed(
            _("Correct the highlighted fields."),
            fields={"quantity": _("Enter a quantity above zero with at most three decimals.")},
        )
    with transaction.atomic():
        _order, locked = lock(po)
        if locked.status != P.PLANNED:
            raise InvalidTransition(
                _(
                    "Production order {number} is {status}: its quantity changes only while "
                    "it is planned."
                ).format(number=locked.number, status=ProductionStatus(locked.status).label),
                code="production_started",
            )
        before = locked.quantity
        if new != before:
            locked.quantity = new
            locked.save(update_fields=["quantity", "updated_at"])
            audit.record(
                locked,
                "production_quantity_changed",
                by=by,
                changes={"quantity": (before, new)},
                reason=reason,
            )
    return locked


# --- mail (after commit) ----------------------------------------------------------------------


def staff_addresses(po: ProductionOrder) -> list[str]:
    """Customer service (active members) and the order's salesperson."""
    service = User.objects.filter(Q(groups__name="customer_service"), is_active=True).exclude(
        email=""
    )
    addresses = list(dict.fromkeys(service.values_list("email", flat=True)))
    salesperson = po.order.salesperson
    if salesperson.is_active and salesperson.email and salesperson.email not in addresses:
        addresses.append(salesperson.email)
    return addresses


def absolute(path: str) -> str:
    return f"{getattr(settings, 'ORDERDESK_BASE_URL', '')}{path}"


def mail_exception(po_id: int) -> None:
    po = ProductionOrder.objects.select_related("order__customer", "order__salesperson").get(
        pk=po_id
    )
    to = staff_addresses(po)
    if not to:
        return
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Production exception {number} · order {order}").format(
            number=po.number, order=po.order.number
        )
        body = _(
            "Production order {number} for order {order} ({customer}), {sku} × {quantity}, "
            "due {due}, reports an exception: {kind}.\n\n{note}\n\n{expected}Order: {url}"
        ).format(
            number=po.number,
            order=po.order.number,
            customer=po.order.customer.name,
            sku=po.order_line.sku,
            quantity=po.quantity,
            due=po.due_date.isoformat(),
            kind=ExceptionKind(po.exception_kind).label,
            note=po.exception_note,
            expected=_("Now expected on {date}.\n\n").format(date=po.expected_on.isoformat())
            if po.expected_on
            else "",
            url=absolute(order_page(po.order_id)),
        )
    send(EmailMessage(subject, body, to=to))


def mail_customer_date(
    order_id: int, to: list[str], before: dt.date | None, after: dt.date
) -> None:
    order = Order.objects.select_related("customer", "salesperson").get(pk=order_id)
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Order {number}: new delivery date").format(number=order.number)
        body = _(
            "Dear {contact},\n\nwe are sorry: order {number} cannot be completed by "
            "{before} as promised. The new promised date is {after}.\n\n"
            "Your salesperson: {salesperson} {email}"
        ).format(
            contact=order.contact_name or order.customer.name,
            number=order.number,
            before=before.isoformat() if before else "—",
            after=after.isoformat(),
            salesperson=order.salesperson,
            email=order.salesperson.email,
        )
    send(customer_mail(order, subject, body, to))


def mail_assigned(po_ids: list[int]) -> None:
    """Tell each responsible person about the production orders given to them."""
    by_person: dict[int, list[ProductionOrder]] = {}
    for po in ProductionOrder.objects.filter(pk__in=po_ids).select_related(
        "responsible", "order", "order_line"
    ):
        by_person.setdefault(po.responsible_id, []).append(po)
    for pos in by_person.values():
        person = pos[0].responsible
        if not person.email:
            continue
        with translation.override(settings.LANGUAGE_CODE):
            subject = _("New production orders to acknowledge: {numbers}").format(
                numbers=", ".join(po.number for po in pos)
            )
            body = "\n".join(
                _("{number}: {sku} × {quantity}, due {due} (order {order})").format(
                    number=po.number,
                    sku=po.order_line.sku,
                    quantity=po.quantity,
                    due=po.due_date.isoformat(),
                    order=po.order.number,
                )
                for po in pos
            )
        send(EmailMessage(subject, body, to=[person.email]))
