"""Reads for order changes: who sees which requests, row locks, the approval queues of
"My tasks", the documents that hold an order's lines, issued invoices per line, and the
order-accuracy KPI (orders changed after approval, and why)."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from orderdesk.accounts.selectors import role_names
from orderdesk.billing.models import CreditNoteLine, InvoiceLine, InvoiceStatus
from orderdesk.core import permissions
from orderdesk.core.errors import NotFound
from orderdesk.orders.models import Order
from orderdesk.orders.selectors import orders_visible_to
from orderdesk.orders.services.review import GENERAL_MANAGER
from orderdesk.preparation.models import PickLine
from orderdesk.production.models import ProductionOrder
from orderdesk.shipping.models import ShipmentLine

from . import routing
from .models import (
    UNDECIDED,
    ApprovalStatus,
    ChangeApproval,
    ChangeKind,
    ChangeRequest,
    ChangeStatus,
    ReasonCategory,
)

REQUEST = "changes.request_changes"
INVOICE = "billing.issue_invoices"
ZERO = Decimal(0)


# --- visibility and locks -------------------------------------------------------------------


def requests_visible_to(user: Any) -> QuerySet[ChangeRequest]:
    """The change requests of the orders the user may see."""
    return ChangeRequest.objects.filter(order__in=orders_visible_to(user))


def request_for(user: Any, request_id: int, *, order_id: int | None = None) -> ChangeRequest:
    """One request the user may see (of ``order_id`` when given); one 404 for missing and
    hidden."""
    found = requests_visible_to(user).select_related(
        "order", "order__customer", "created_by", "applied_by"
    )
    if order_id is not None:
        found = found.filter(order_id=order_id)
    request = found.filter(pk=request_id).first()
    if request is None:
        raise NotFound(_("No such change request."), code="change_not_found")
    return request


def with_approvals(requests: QuerySet[ChangeRequest]) -> QuerySet[ChangeRequest]:
    return requests.prefetch_related(
        Prefetch(
            "approvals",
            queryset=ChangeApproval.objects.select_related("decided_by").order_by("id"),
        )
    )


def requests_of(order: Order) -> list[ChangeRequest]:
    """The order's change requests, newest first, with their approvals (two queries)."""
    return list(
        with_approvals(
            ChangeRequest.objects.filter(order=order).select_related(
                "created_by", "applied_by", "revision"
            )
        ).order_by("-created_at", "-id")
    )


def lock_request(request_id: int) -> ChangeRequest:
    """The request row locked; callers lock the order first (the order, then its request)."""
    return ChangeRequest.objects.select_for_update(of=("self",)).get(pk=request_id)


def undecided_requests(order: Order) -> QuerySet[ChangeRequest]:
    """Requests still holding their lines and fields: under approval, or approved and not
    yet applied."""
    return ChangeRequest.objects.filter(order=order, status__in=UNDECIDED)


def actions_for(user: Any, request: ChangeRequest) -> dict[str, Any]:
    """What ``user`` may do with ``request`` now: the departments they may decide for,
    apply, withdraw, record the invoice correction (feeds the buttons and the API)."""
    deciding = [
        approval.department
        for approval in request.approvals.all()
        if request.status == ChangeStatus.OPEN
        and approval.status == ApprovalStatus.PENDING
        and routing.may_decide(user, approval.department, approval.role)
    ]
    may_request = permissions.has(user, REQUEST)
    return {
        "approve": deciding,
        "reject": list(deciding),
        "apply": may_request and request.status == ChangeStatus.APPROVED,
        "withdraw": may_request and request.status in UNDECIDED,
        "correct_invoices": request.status == ChangeStatus.APPLIED
        and request.invoices_to_correct
        and request.invoices_corrected_at is None
        and permissions.has(user, INVOICE),
    }


# --- queues ---------------------------------------------------------------------------------


def pending_approvals() -> QuerySet[ChangeApproval]:
    """Approvals waiting for a decision on requests still under approval."""
    return ChangeApproval.objects.filter(
        status=ApprovalStatus.PENDING, request__status=ChangeStatus.OPEN
    ).select_related("request", "request__order", "request__order__customer")


def approvals_for(user: Any) -> list[ChangeApproval]:
    """The approvals this user may decide ("My tasks"), most urgent first."""
    if not getattr(user, "is_authenticated", False) and not getattr(user, "is_system", False):
        return []
    approvals = pending_approvals().order_by("due_at", "id")
    if not getattr(user, "is_system", False):
        roles = set(role_names(user))
        if not roles:
            return []
        if GENERAL_MANAGER not in roles:
            approvals = approvals.filter(role__in=roles)
    return [
        approval
        for approval in approvals[:500]
        if routing.may_decide(user, approval.department, approval.role)
    ]


def to_apply_for(user: Any) -> QuerySet[ChangeRequest]:
    """Approved requests the user asked for, waiting to be applied."""
    return (
        ChangeRequest.objects.filter(status=ChangeStatus.APPROVED, created_by=user)
        .select_related("order", "order__customer")
        .order_by("decided_at", "id")
    )


def invoice_corrections_for(user: Any) -> QuerySet[ChangeRequest]:
    """Applied changes whose issued invoices finance still has to correct."""
    if not permissions.has(user, INVOICE):
        return ChangeRequest.objects.none()
    return (
        ChangeRequest.objects.filter(
            status=ChangeStatus.APPLIED,
            invoices_to_correct=True,
            invoices_corrected_at__isnull=True,
        )
        .select_related("order", "order__customer")
        .order_by("applied_at", "id")
    )


# --- what holds the order's lines -----------------------------------------------------------


def line_documents(order: Order) -> dict[int, list[str]]:
    """Per order line id, the documents that refer to it (shipments, pick lists, production
    orders, invoices, whatever their status): such a line cannot be removed, only reduced."""
    held: dict[int, list[str]] = defaultdict(list)
    rows = [
        (ShipmentLine.objects.filter(shipment__order=order), "shipment__number", _("shipment")),
        (PickLine.objects.filter(pick_list__order=order), "pick_list__number", _("pick list")),
        (ProductionOrder.objects.filter(order=order), "number", _("production order")),
        (InvoiceLine.objects.filter(invoice__order=order), "invoice__number", _("invoice")),
    ]
    for queryset, number, label in rows:
        for line_id, found in queryset.values_list("order_line_id", number).distinct():
            held[line_id].append(f"{label} {found}")
    return dict(held)


def issued_invoice_lines(order: Order) -> list[dict[str, Any]]:
    """The order's issued invoice lines, less their credit notes, oldest invoice first:
    ``{invoice, order_line_id, quantity, gross}``."""
    credited = {
        row["invoice_line_id"]: (row["quantity"] or ZERO, row["gross"] or ZERO)
        for row in CreditNoteLine.objects.filter(
            invoice_line__invoice__order=order,
            invoice_line__invoice__status=InvoiceStatus.ISSUED,
        )
        .values("invoice_line_id")
        .annotate(quantity=Sum("quantity"), gross=Sum("gross_amount"))
        .order_by()
    }
    found = []
    for line in (
        InvoiceLine.objects.filter(invoice__order=order, invoice__status=InvoiceStatus.ISSUED)
        .select_related("invoice")
        .order_by("invoice__issued_on", "invoice_id", "id")
    ):
        less_quantity, less_gross = credited.get(line.pk, (ZERO, ZERO))
        # SQLite sums decimals as floats: back to the column's places.
        quantity = line.quantity - Decimal(str(less_quantity)).quantize(Decimal("0.001"))
        if quantity <= 0:
            continue
        found.append(
            {
                "invoice": line.invoice.number,
                "order_line_id": line.order_line_id,
                "quantity": quantity,
                "gross": line.gross_amount - Decimal(str(less_gross)).quantize(Decimal("0.01")),
            }
        )
    return found


# --- KPI ------------------------------------------------------------------------------------


def changed_after_approval(start: dt.date | dt.datetime, end: dt.date | dt.datetime) -> dict:
    """Orders changed after approval between ``start`` and ``end`` (dates count whole days,
    inclusive; datetimes are taken as they are), for the order-accuracy KPI (订单准确率):
    applied change requests counted per reason category and per kind of change, with the
    number of distinct orders each concerns."""
    since, until = bounds(start, end)
    rows = list(
        ChangeRequest.objects.filter(
            status=ChangeStatus.APPLIED, applied_at__gte=since, applied_at__lt=until
        ).values_list("order_id", "reason_category", "kinds")
    )
    reasons: Counter[str] = Counter()
    reason_orders: dict[str, set[int]] = defaultdict(set)
    kinds: Counter[str] = Counter()
    kind_orders: dict[str, set[int]] = defaultdict(set)
    for order_id, category, request_kinds in rows:
        reasons[category] += 1
        reason_orders[category].add(order_id)
        for kind in set(request_kinds or []):
            kinds[kind] += 1
            kind_orders[kind].add(order_id)
    return {
        "start": since.isoformat(),
        "end": until.isoformat(),
        "requests": len(rows),
        "orders": len({order_id for order_id, _category, _kinds in rows}),
        "by_reason": [
            {
                "reason_category": category,
                "label": str(ReasonCategory(category).label),
                "count": reasons[category],
                "orders": len(reason_orders[category]),
            }
            for category in ReasonCategory.values
            if reasons[category]
        ],
        "by_kind": [
            {
                "kind": kind,
                "label": str(ChangeKind(kind).label),
                "count": kinds[kind],
                "orders": len(kind_orders[kind]),
            }
            for kind in ChangeKind.values
            if kinds[kind]
        ],
    }


def bounds(
    start: dt.date | dt.datetime, end: dt.date | dt.datetime
) -> tuple[dt.datetime, dt.datetime]:
    def moment(value: dt.date | dt.datetime, *, next_day: bool) -> dt.datetime:
        if isinstance(value, dt.datetime):
            return value if timezone.is_aware(value) else timezone.make_aware(value)
        day = value + dt.timedelta(days=1) if next_day else value
        return timezone.make_aware(dt.datetime.combine(day, dt.time.min))

    return moment(start, next_day=False), moment(end, next_day=True)
