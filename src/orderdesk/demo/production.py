"""Demo production orders (生产指令单, issue 6) for the demo's released orders.

For every released order with a make-to-order line or a line short of stock, the production
department (``production1``, else the system account) creates the production orders
through ``production.services`` and takes them to varied states: planned (some
acknowledged), in progress with a few daily reports (生产日报), QC passed, completed
(received into the warehouse and reserved for the order line) and one exception (material
shortage, promised date moved and the customer told through the communication log).

One thing is not done through a service, for the demo alone: a report is for today or an
earlier day since the production order existed, and a freshly created one existed only
today. :func:`backdate` moves ``created_at`` a few days back (a direct update) so the
in-progress orders carry reports of earlier working days. Safe when there is no such
order: it then creates nothing. Sends no e-mail when run inside the loader's
``mail_held``.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from django.utils import timezone

from orderdesk.accounts.models import User
from orderdesk.accounts.selectors import system_user
from orderdesk.core import permissions, workcalendar
from orderdesk.core.errors import DomainError
from orderdesk.inventory.selectors import active_warehouses, open_reservations
from orderdesk.orders.models import Order, OrderStatus
from orderdesk.production import services
from orderdesk.production.models import ProductionOrder, ProductionStatus

PRODUCTION = "production1"
# The first production orders show one of each state; later ones cycle without the exception.
STATES = ("in_progress", "exception", "completed", "planned", "qc_passed")
LATER = ("in_progress", "planned", "completed", "qc_passed", "in_progress", "planned")
NOTES = ("下料完成", "焊接中", "装配中", "喷涂中", "包装中")


def producer() -> User:
    found = User.objects.filter(username=PRODUCTION, is_active=True).first()
    if found is not None and permissions.has(found, services.MANAGE):
        return found
    return system_user()


def create_production(*, seed: int) -> dict[str, int]:
    """Create the demo's production orders; returns counts by status and of reports."""
    rng = random.Random(seed)
    counts: dict[str, int] = {"production_orders": 0, "progress_reports": 0}
    if ProductionOrder.objects.exists():
        return counts  # already loaded
    by = producer()
    orders = Order.objects.filter(status=OrderStatus.RELEASED).order_by("pk")
    index = 0
    for order in orders:
        try:
            made = services.create_for_order(order, by=by)
        except DomainError:
            continue  # nothing to make, or a state the demo cannot take on
        for po in made:
            counts["production_orders"] += 1
            state = STATES[index] if index < len(STATES) else LATER[index % len(LATER)]
            index += 1
            try:
                counts["progress_reports"] += advance(po, state, by=by, rng=rng)
            except DomainError:
                continue
    for status in ProductionStatus.values:
        counts[status] = ProductionOrder.objects.filter(status=status).count()
    return counts


def advance(po: ProductionOrder, state: str, *, by: Any, rng: random.Random) -> int:
    """Take one production order to ``state``; returns the reports written."""
    if state == "planned":
        if rng.random() < 0.5 and po.responsible_id == getattr(by, "pk", None):
            services.acknowledge(po, by=by)
        return 0
    backdate(po, days=4)
    services.start(po, by=by)
    reports = daily_reports(po, by=by, rng=rng)
    if state == "in_progress":
        return reports
    if state == "exception":
        order = Order.objects.get(pk=po.order_id)
        base = order.promised_date or timezone.localdate()
        services.report_exception(
            po,
            kind="material_shortage",
            note="主材供应商延期交货，预计晚到三天",
            expected_on=workcalendar.add_working_days(max(base, timezone.localdate()), 3),
            by=by,
        )
        return reports
    services.pass_qc(po, by=by, note="抽检合格")
    if state == "completed":
        services.complete(po, quantity=po.quantity, warehouse=warehouse_for(po), by=by)
    return reports


def backdate(po: ProductionOrder, *, days: int) -> None:
    """Demo only: the production order was made ``days`` days ago (see the module doc)."""
    created = timezone.now() - dt.timedelta(days=days)
    ProductionOrder.objects.filter(pk=po.pk).update(created_at=created)
    po.created_at = created


def daily_reports(po: ProductionOrder, *, by: Any, rng: random.Random) -> int:
    today = timezone.localdate()
    calendar = workcalendar.current()
    days = [today - dt.timedelta(days=back) for back in range(3, -1, -1)]
    days = [day for day in days if calendar.is_workday(day)][-3:] or [today]
    written = 0
    percent = 0
    for day in days:
        percent = min(95, percent + rng.randint(15, 35))
        done = (po.quantity * Decimal(percent) / 100).quantize(Decimal("0.001"))
        services.report_progress(
            po,
            percent=percent,
            quantity=done,
            note=rng.choice(NOTES),
            day=day,
            by=by,
        )
        written += 1
    return written


def warehouse_for(po: ProductionOrder) -> Any:
    existing = open_reservations(po.order_line.reference).first()
    if existing is not None:
        return existing.warehouse_id
    first = active_warehouses().first()
    return first.pk if first is not None else None
