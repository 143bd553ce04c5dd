"""The company's work-calendar table (being written with core/workcalendar.py)."""

from typing import Any


def set_calendar_day(*args: Any, **kwargs: Any) -> Any:
    raise NotImplementedError


def remove_calendar_day(*args: Any, **kwargs: Any) -> Any:
    raise NotImplementedError


def import_calendar_days(*args: Any, **kwargs: Any) -> Any:
    raise NotImplementedError
