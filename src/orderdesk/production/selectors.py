"""Reads for production orders: who sees which, the board, progress, "My tasks"."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from orderdesk.core.errors import NotFound
from orderdesk.orders.selectors import orders_visible_to

from .models import OPEN_STATUSES, ProductionOrder, ProductionStatus, ProgressReport

MANAGE = "production.manage_production_orders"


def visible_to(user: Any) -> QuerySet[ProductionOrder]:
    """Production orders of the sales orders the user may see."""
    return ProductionOrder.objects.filter(order__in=orders_visible_to(user)).select_related(
        "order", "order__customer", "order_line", "product", "responsible", "warehouse"
    )


def production_order_for(user: Any, po_id: int) -> ProductionOrder:
    po = visible_to(user).filter(pk=po_id).first()
    if po is None:
        raise NotFound(code="production_order_not_found")
    return po


def search(
    user: Any,
    *,
    status: str | list[str] = "",
    order_id: int | None = None,
    overdue: bool = False,
    q: str = "",
) -> QuerySet[ProductionOrder]:
    """The board's and the API's list: earliest due first."""
    found = visible_to(user)
    if status:
        statuses = [status] if isinstance(status, str) else list(status)
        found = found.filter(status__in=statuses)
    if order_id:
        found = found.filter(order_id=order_id)
    if overdue:
        found = overdue_only(found)
    if q := (q or "").strip():
        found = found.filter(number__startswith=q.upper()) | found.filter(
            order__number__startswith=q.upper()
        )
    return with_latest_report(found.order_by("due_date", "id"))


def overdue_only(found: QuerySet[ProductionOrder]) -> QuerySet[ProductionOrder]:
    return found.filter(status__in=OPEN_STATUSES, due_date__lt=timezone.localdate())


def with_latest_report(found: QuerySet[ProductionOrder]) -> QuerySet[ProductionOrder]:
    return found.prefetch_related(
        Prefetch(
            "reports", queryset=ProgressReport.objects.order_by("-day"), to_attr="recent_reports"
        )
    )


def is_overdue(po: ProductionOrder) -> bool:
    return po.status in OPEN_STATUSES and po.due_date < timezone.localdate()


def progress_percent(po: ProductionOrder) -> Decimal | None:
    """The latest report's percentage, else its quantity as a share of the order (≤ 100);
    100 once QC passed or completed."""
    if po.status in (ProductionStatus.QC_PASSED, ProductionStatus.COMPLETED):
        return Decimal(100)
    reports = getattr(po, "recent_reports", None)
    latest = reports[0] if reports else po.reports.order_by("-day").first()
    if latest is None:
        return None
    if latest.percent is not None:
        return latest.percent
    if latest.quantity_done is not None and po.quantity:
        return min(Decimal(100), (latest.quantity_done * 100 / po.quantity).quantize(Decimal(1)))
    return None


def for_order(order: Any) -> list[ProductionOrder]:
    return list(
        with_latest_report(
            ProductionOrder.objects.filter(order=order)
            .select_related("order_line", "product", "responsible", "warehouse")
            .order_by("order_line__line_no", "id")
        )
    )


def unacknowledged_for(user: Any) -> QuerySet[ProductionOrder]:
    return (
        ProductionOrder.objects.filter(
            responsible=user, acknowledged_at__isnull=True, status__in=OPEN_STATUSES
        )
        .select_related("order", "order__customer", "order_line")
        .order_by("due_date", "id")
    )


def overdue_open() -> QuerySet[ProductionOrder]:
    return overdue_only(
        ProductionOrder.objects.select_related("order", "order__customer", "order_line")
    ).order_by("due_date", "id")
