"""Background jobs for orders (Huey): late customer confirmations and overdue review steps.

Both are safe to run twice: the confirmation job remembers how many working days it has
moved each order, and a review step is escalated once.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task

from orderdesk.accounts.selectors import system_user

from .services.confirmation import shift_late_confirmations
from .services.review import escalate_overdue

_daily_at_one = crontab(hour="1", minute="0")


def daily_at_one(timestamp: dt.datetime) -> bool:
    """01:00 company time (``TIME_ZONE``), after the day the confirmations were due.

    Huey checks periodic tasks with naive UTC times (``utc=True``, its default), so a bare
    crontab would fire at 09:00 in Beijing; the time is converted to company time first.
    """
    if HUEY.utc:
        timestamp = timezone.localtime(timestamp.replace(tzinfo=dt.UTC)).replace(tzinfo=None)
    return bool(_daily_at_one(timestamp))


@db_periodic_task(daily_at_one)
def shift_late_confirmations_daily() -> int:
    """Move promised dates of orders whose customer confirmation is late (订单确认超期顺延)."""
    return shift_late_confirmations(by=system_user())


@db_periodic_task(crontab(minute="*/15"))
def escalate_overdue_reviews() -> int:
    """Tell supervisors about review steps past their working-hour deadline."""
    return escalate_overdue(by=system_user())
