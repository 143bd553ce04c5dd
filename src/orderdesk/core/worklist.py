""" "My tasks" (我的待办): each business app registers a source of tasks for a user.

Core renders the page but cannot import the apps above it, so, like the navigation bar and
the page panels, apps register a function in their ``AppConfig.ready()`` that returns the
user's open tasks (review steps, follow-ups, reminders).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Task:
    kind: str
    """Groups tasks into queues on the page, e.g. "Finance review"."""
    title: str
    url: str
    due_at: dt.datetime | None = None
    detail: str = ""
    actions: tuple[tuple[str, str], ...] = field(default=())
    """(label, url) pairs for quick actions such as approve / reject dialogs."""
    time_left: dt.timedelta | None = None
    """Working time until ``due_at`` (negative when overdue), from ``core.workcalendar``."""
    flag: str = ""
    """A short warning shown next to the title, e.g. "Escalated"."""

    @property
    def overdue(self) -> bool:
        from django.utils import timezone

        return self.due_at is not None and self.due_at < timezone.now()

    @property
    def time_left_label(self) -> str:
        if self.time_left is None:
            return ""
        return working_time_label(self.time_left, overdue=self.overdue)


def working_time_label(span: dt.timedelta, *, overdue: bool | None = None) -> str:
    """``span`` of working time for people: "3 h 20 min left" or "overdue by 1 h 5 min".

    ``overdue`` defaults to a negative span; a step due at the end of the working day is
    overdue in the evening although no working time has passed since ("overdue").
    """
    from django.utils.translation import gettext as _

    overdue = span < dt.timedelta(0) if overdue is None else overdue
    if overdue and abs(span) < dt.timedelta(minutes=1):
        return _("overdue")
    minutes = int(abs(span).total_seconds() // 60)
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        amount = _("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": rest}
    elif hours:
        amount = _("%(hours)d h") % {"hours": hours}
    else:
        amount = _("%(minutes)d min") % {"minutes": rest}
    if overdue:
        return _("overdue by %(amount)s") % {"amount": amount}
    return _("%(amount)s left") % {"amount": amount}


Source = Callable[[Any], Iterable[Task]]
_SOURCES: list[Source] = []


def register(source: Source) -> None:
    if source not in _SOURCES:
        _SOURCES.append(source)


def tasks_for(user: Any) -> list[Task]:
    """Every open task of ``user``, the most urgent (earliest due) first."""
    tasks = [task for source in _SOURCES for task in source(user)]
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    return sorted(tasks, key=lambda task: task.due_at or far)
