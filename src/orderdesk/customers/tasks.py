"""Background jobs for customers (Huey).

The monthly credit evaluation (信用评估) refreshes every live customer's proposed grade; it
only proposes, so finance or a manager still applies each proposal with a reason.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task

from orderdesk.accounts.selectors import system_user

from . import services

_first_of_month_at_two = crontab(day="1", hour="2", minute="0")


def first_of_month_at_two(timestamp: dt.datetime) -> bool:
    """02:00 company time (``TIME_ZONE``) on the 1st, a quiet hour.

    Huey checks periodic tasks with naive UTC times (``utc=True``, its default), so a bare
    crontab would fire at 10:00 in Beijing; the time is converted to company time first.
    """
    if HUEY.utc:
        timestamp = timezone.localtime(timestamp.replace(tzinfo=dt.UTC)).replace(tzinfo=None)
    return bool(_first_of_month_at_two(timestamp))


@db_periodic_task(first_of_month_at_two)
def evaluate_credit_monthly() -> int:
    """Evaluate every live customer as the system user; safe to run twice (it re-evaluates)."""
    return services.evaluate_all_credit(by=system_user())
