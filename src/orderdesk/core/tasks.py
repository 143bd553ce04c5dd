"""Background jobs of the core."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .maintenance import refresh_statistics


@db_periodic_task(crontab(hour="19", minute="30"))  # 03:30 Beijing time (Huey runs in UTC)
def refresh_statistics_daily() -> None:
    refresh_statistics()
