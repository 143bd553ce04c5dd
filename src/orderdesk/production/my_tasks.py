""" "My tasks" (我的待办) for production: production orders to acknowledge (for their
responsible person) and overdue production orders (for production staff).

Registered with ``core.worklist`` in ``ProductionConfig.ready()``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from orderdesk.core import permissions
from orderdesk.core.worklist import Task

from . import selectors
from .models import ProductionOrder, ProductionStatus

LIMIT = 200


def end_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59)))


def task(po: ProductionOrder, kind: str, detail: str) -> Task:
    return Task(
        kind=kind,
        title=f"{po.number} · {po.order_line.sku} × {po.quantity} · {po.order.customer.name}",
        url=reverse("production:detail", args=[po.pk]),
        due_at=end_of(po.due_date),
        detail=detail,
    )


def production_tasks(user: Any) -> list[Task]:
    if not getattr(user, "is_authenticated", False) or not permissions.has(user, selectors.MANAGE):
        return []
    tasks = [
        task(
            po,
            _("Production orders to acknowledge"),
            _("Order {order}, due {due}").format(order=po.order.number, due=po.due_date),
        )
        for po in selectors.unacknowledged_for(user)[:LIMIT]
    ]
    seen = {t.url for t in tasks}
    for po in selectors.overdue_open()[:LIMIT]:
        item = task(
            po,
            _("Overdue production orders"),
            _("Order {order}, {status}").format(
                order=po.order.number, status=ProductionStatus(po.status).label
            ),
        )
        if item.url not in seen:
            tasks.append(item)
    return tasks
