"""Collection cases on "My tasks" (我的待办): the salesperson sees the open cases of their
orders, finance users see every open case; promises past their date are flagged.

The lead registers ``collection_tasks`` with ``core.worklist`` in ``BillingConfig.ready()``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from orderdesk.core import money, permissions
from orderdesk.core.worklist import Task

from .collection import FINANCE, LIVE, days_overdue, invoice_open
from .models import CollectionCase, CollectionLevel, CollectionStatus


def collection_tasks(user: Any) -> list[Task]:
    """The live collection cases of ``user`` (finance: all), most urgent first."""
    if not getattr(user, "is_authenticated", False):
        return []
    cases = CollectionCase.objects.filter(status__in=LIVE).select_related(
        "invoice", "invoice__order", "customer"
    )
    if not permissions.has(user, FINANCE):
        cases = cases.filter(salesperson=user)
    today = timezone.localdate()
    kind = _("Collection")
    return [
        Task(
            kind=kind,
            title=f"{case.invoice.number} {case.customer.name}",
            url=case_url(case),
            due_at=start_of(case.next_action_on),
            detail=detail(case, today),
            flag=flag(case, today),
        )
        for case in cases.order_by("next_action_on", "pk")
    ]


def detail(case: CollectionCase, today: dt.date) -> str:
    parts = [
        _("open {amount}").format(amount=money.yuan(invoice_open(case.invoice))),
        _("{days} days overdue").format(days=days_overdue(case.invoice, today)),
        str(CollectionLevel(case.level).label),
    ]
    if case.promised_on:
        parts.append(_("promised for {date}").format(date=case.promised_on.isoformat()))
    return " · ".join(parts)


def flag(case: CollectionCase, today: dt.date) -> str:
    if (
        case.status == CollectionStatus.PROMISED
        and case.promised_on is not None
        and case.promised_on < today
    ):
        return _("Promise overdue")
    if case.level == CollectionLevel.ESCALATED:
        return _("Escalated")
    if case.level == CollectionLevel.COLLECTION_NOTICE and case.notice_sent_on is None:
        return _("Notice not e-mailed: no contact e-mail")
    return ""


def case_url(case: CollectionCase) -> str:
    return reverse("billing:collection_case", args=[case.pk])


def start_of(day: dt.date | None) -> dt.datetime | None:
    if day is None:
        return None
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))
