"""Background jobs for billing (Huey): the daily collection run (催收) and the monthly
statements (对账单).

Safe to run twice: a second collection run for the same date changes nothing (see
``collection.advance_collection``), a second statements run leaves the month's statements as
they are (see ``statements.generate_month``).
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task

from orderdesk.accounts.selectors import system_user

from .collection import advance_collection
from .statements import generate_month, last_month

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


_monthly_at_three = crontab(day="1", hour="3", minute="0")


def monthly_on_the_first_at_three(timestamp: dt.datetime) -> bool:
    """03:00 company time on the first of each month (see :func:`daily_at_two`)."""
    if HUEY.utc:
        timestamp = timezone.localtime(timestamp.replace(tzinfo=dt.UTC)).replace(tzinfo=None)
    return bool(_monthly_at_three(timestamp))


@db_periodic_task(monthly_on_the_first_at_three)
def generate_statements_monthly() -> dict[str, int]:
    """Generate last month's statements (对账单) for every customer with activity or a
    balance; finance sends them from the statements page (they are not sent here)."""
    return generate_month(last_month(timezone.localdate()), by=system_user())
