"""Background jobs for billing (Huey): the daily collection run (催收).

Safe to run twice a day: a second run for the same date changes nothing
(see ``collection.advance_collection``).
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task

from orderdesk.accounts.selectors import system_user

from .collection import advance_collection

_daily_at_two = crontab(hour="2", minute="0")


def daily_at_two(timestamp: dt.datetime) -> bool:
    """02:00 company time (``TIME_ZONE``), after the day the invoices fell due.

    Huey checks periodic tasks with naive UTC times (``utc=True``, its default), so a bare
    crontab would fire at 10:00 in Beijing; the time is converted to company time first.
    """
    if HUEY.utc:
        timestamp = timezone.localtime(timestamp.replace(tzinfo=dt.UTC)).replace(tzinfo=None)
    return bool(_daily_at_two(timestamp))


@db_periodic_task(daily_at_two)
def advance_collection_daily() -> dict[str, int]:
    """Open, raise and close collection cases of overdue invoices (逾期催收)."""
    return advance_collection(on=timezone.localdate(), by=system_user())
