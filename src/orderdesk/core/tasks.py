"""Background jobs of the core."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import idempotency
from .maintenance import refresh_statistics


@db_periodic_task(crontab(hour="19", minute="30"))  # 03:30 Beijing time (Huey runs in UTC)
def refresh_statistics_daily() -> None:
    refresh_statistics()


@db_periodic_task(crontab(minute="17"))
def purge_idempotency_keys() -> None:
    """Idempotency keys are kept for 24 hours (core.idempotency)."""
    idempotency.purge_expired()
