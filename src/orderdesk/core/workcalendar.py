"""Working days and working hours (工作日历): every due date and SLA clock goes through here.

Whether a date is a working day, in this order of precedence:

1. A ``CalendarDay`` row wins, whether the company's own (a company outing, a stocktaking
   Saturday) or a ``statutory`` row an administrator typed in from the State Council's notice.
2. Else the bundled statutory calendar, ``chinese_calendar`` (PyPI ``chinesecalendar``). It
   ships the official holidays *and* the adjusted working weekends (调休), which a plain
   holiday list lacks, needs no network and is updated each year when the notice appears.
   It only knows the years it was released with (1.11: 2004–2026) and raises
   ``NotImplementedError`` for others.
3. Else Monday to Friday. For a year nobody has entered yet this is wrong around the
   holidays, so managers see a notice on the dashboard (:func:`notices_for`).

Working time on a working day is ``[workday_start, break_start)`` and
``[break_end, workday_end)`` from the company profile, in ``settings.TIME_ZONE`` local time.

:class:`WorkCalendar` is the pure arithmetic over a loaded schedule (no ORM in its methods).
:func:`current` loads it in two queries: the profile and the whole ``CalendarDay`` table, a
few dozen rows a year. The module-level functions load it per call; a caller that needs
many answers loads it once with :func:`current` and asks the instance.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import cache, lru_cache
from typing import Any
from zoneinfo import ZoneInfo

import chinese_calendar
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import permissions
from .context import request_memo
from .errors import ValidationFailed
from .models import CalendarDay, CompanyProfile, DayKind

ONE_DAY = dt.timedelta(days=1)
Hours = float | Decimal | dt.timedelta

# chinese_calendar names its holidays in English; these make them translatable.
STATUTORY_NAMES: dict[str, Any] = {
    "New Year's Day": _("New Year's Day"),
    "Spring Festival": _("Spring Festival"),
    "Tomb-sweeping Day": _("Tomb-sweeping Day"),
    "Labour Day": _("Labour Day"),
    "Dragon Boat Festival": _("Dragon Boat Festival"),
    "National Day": _("National Day"),
    "Mid-autumn Festival": _("Mid-autumn Festival"),
    "Anti-Fascist 70th Day": _("Anti-Fascist War Victory 70th Anniversary"),
}


@dataclass(frozen=True)
class WorkingHours:
    """One working day: a morning and an afternoon period around the lunch break."""

    start: dt.time = dt.time(8, 30)
    break_start: dt.time = dt.time(12, 0)
    break_end: dt.time = dt.time(13, 30)
    end: dt.time = dt.time(17, 30)

    def periods(self) -> tuple[tuple[dt.time, dt.time], ...]:
        """The non-empty working periods of a day, in order."""
        pairs = ((self.start, self.break_start), (self.break_end, self.end))
        return tuple((begin, end) for begin, end in pairs if begin < end)


@dataclass(frozen=True)
class DayRule:
    """What a ``CalendarDay`` row says about its date."""

    workday: bool
    name: str = ""
    statutory: bool = False


@dataclass(frozen=True)
class StatutorySpan:
    """Consecutive days of the bundled calendar with the same kind and occasion."""

    first: dt.date
    last: dt.date
    workday: bool
    name: str


@dataclass(frozen=True)
class WorkCalendar:
    """A loaded schedule: working hours plus the override rows by date."""

    hours: WorkingHours = field(default_factory=WorkingHours)
    rules: Mapping[dt.date, DayRule] = field(default_factory=dict)
    tz: dt.tzinfo = field(default_factory=lambda: ZoneInfo(settings.TIME_ZONE))

    def is_workday(self, day: dt.date) -> bool:
        if (rule := self.rules.get(day)) is not None:
            return rule.workday
        if (detail := statutory_detail(day)) is not None:
            return detail[0]
        return day.weekday() < 5

    def holiday_name(self, day: dt.date) -> str:
        """The occasion of a holiday or adjusted working day; empty for ordinary days."""
        if (rule := self.rules.get(day)) is not None:
            return rule.name
        detail = statutory_detail(day)
        return statutory_name(detail[1]) if detail else ""

    def add_working_days(self, start: dt.date, days: int) -> dt.date:
        """``days`` working days after ``start`` (not counted); 0 means ``start`` or the next
        working day; negative counts backwards."""
        step = ONE_DAY if days >= 0 else -ONE_DAY
        day = start
        if days == 0:
            while not self.is_workday(day):
                day += step
            return day
        for _counted in range(abs(days)):
            day += step
            while not self.is_workday(day):
                day += step
        return day

    def add_working_hours(self, start: dt.datetime, hours: Hours) -> dt.datetime:
        """The moment ``hours`` of working time after ``start`` (before it, if negative).

        Starting outside working time counts from the next working period; a total that
        ends exactly at a break or the end of the day returns that moment.
        """
        remaining = as_timedelta(hours)
        local = self._local(start)
        if remaining >= dt.timedelta(0):
            for begin, end in self._periods_after(local):
                if remaining <= end - begin:
                    return self._aware(begin + remaining)
                remaining -= end - begin
        else:
            remaining = -remaining
            for begin, end in self._periods_before(local):
                if remaining <= end - begin:
                    return self._aware(end - remaining)
                remaining -= end - begin
        raise AssertionError("the period generators never end")

    def working_hours_between(self, start: dt.datetime, end: dt.datetime) -> dt.timedelta:
        """Working time from ``start`` to ``end``; negative when ``end`` is earlier."""
        if end < start:
            return -self.working_hours_between(end, start)
        since, until = self._local(start), self._local(end)
        total = dt.timedelta(0)
        day = since.date()
        while day <= until.date():
            for begin, finish in self._periods_on(day):
                total += max(min(finish, until) - max(begin, since), dt.timedelta(0))
            day += ONE_DAY
        return total

    def _periods_on(self, day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
        if not self.is_workday(day):
            return []
        return [
            (dt.datetime.combine(day, begin), dt.datetime.combine(day, end))
            for begin, end in self.hours.periods()
        ]

    def _periods_after(self, moment: dt.datetime) -> Iterator[tuple[dt.datetime, dt.datetime]]:
        self._require_hours()
        day = moment.date()
        while True:
            for begin, end in self._periods_on(day):
                if end > moment:
                    yield max(begin, moment), end
            day += ONE_DAY

    def _periods_before(self, moment: dt.datetime) -> Iterator[tuple[dt.datetime, dt.datetime]]:
        self._require_hours()
        day = moment.date()
        while True:
            for begin, end in reversed(self._periods_on(day)):
                if begin < moment:
                    yield begin, min(end, moment)
            day -= ONE_DAY

    def _require_hours(self) -> None:
        # Without any working time, counting hours would never end.
        if not self.hours.periods():
            raise ValidationFailed(
                _("The company's working hours are empty; set them in the company settings."),
                code="working_hours_empty",
            )

    def _local(self, moment: dt.datetime) -> dt.datetime:
        """Naive wall-clock time in the calendar's zone (Asia/Shanghai has no DST)."""
        if timezone.is_naive(moment):
            raise ValueError("working-time arithmetic needs aware datetimes")
        return moment.astimezone(self.tz).replace(tzinfo=None)

    def _aware(self, moment: dt.datetime) -> dt.datetime:
        return moment.replace(tzinfo=self.tz)


def as_timedelta(hours: Hours) -> dt.timedelta:
    if isinstance(hours, dt.timedelta):
        return hours
    return dt.timedelta(hours=float(hours))


@lru_cache(maxsize=8192)
def statutory_detail(day: dt.date) -> tuple[bool, str] | None:
    """``(is_workday, occasion)`` from ``chinese_calendar``; ``None`` for years it lacks."""
    try:
        is_holiday, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        return None
    return not is_holiday, name or ""


@cache
def statutory_year_known(year: int) -> bool:
    """Whether the bundled calendar has the official schedule of ``year``."""
    return statutory_detail(dt.date(year, 1, 1)) is not None


def statutory_name(name: str) -> str:
    return str(STATUTORY_NAMES.get(name, name))


def statutory_schedule(year: int) -> list[StatutorySpan] | None:
    """The bundled calendar's holidays and adjusted working days of ``year``, as runs of
    consecutive days; ``None`` when it does not know the year."""
    if not statutory_year_known(year):
        return None
    days = sorted(
        [(day, False, name) for day, name in chinese_calendar.holidays.items() if day.year == year]
        + [(day, True, name) for day, name in chinese_calendar.workdays.items() if day.year == year]
    )
    spans: list[StatutorySpan] = []
    for day, workday, name in days:
        label = statutory_name(name)
        last = spans[-1] if spans else None
        if last and (last.workday, last.name, last.last + ONE_DAY) == (workday, label, day):
            spans[-1] = replace(last, last=day)
        else:
            spans.append(StatutorySpan(day, day, workday, label))
    return spans


MEMO_KEY = "workcalendar"


def current() -> WorkCalendar:
    """The schedule as stored now: two queries (profile, calendar table), once per request."""
    memo = request_memo()
    if memo is not None and isinstance(found := memo.get(MEMO_KEY), WorkCalendar):
        return found
    calendar = load()
    if memo is not None:
        memo[MEMO_KEY] = calendar
    return calendar


def forget(**_signal: Any) -> None:
    """Drop the request's copy after the profile or a calendar day changed (signal handler)."""
    memo = request_memo()
    if memo is not None:
        memo.pop(MEMO_KEY, None)


def load() -> WorkCalendar:
    profile = CompanyProfile.objects.filter(pk=1).first()
    hours = (
        WorkingHours(
            profile.workday_start, profile.break_start, profile.break_end, profile.workday_end
        )
        if profile
        else WorkingHours()
    )
    rules = {
        day: DayRule(kind == DayKind.WORKDAY, name, statutory)
        for day, kind, name, statutory in CalendarDay.objects.values_list(
            "date", "kind", "name", "statutory"
        )
    }
    return WorkCalendar(hours, rules)


def is_workday(day: dt.date) -> bool:
    return current().is_workday(day)


def holiday_name(day: dt.date) -> str:
    return current().holiday_name(day)


def add_working_days(start: dt.date, days: int) -> dt.date:
    return current().add_working_days(start, days)


def add_working_hours(start: dt.datetime, hours: Hours) -> dt.datetime:
    return current().add_working_hours(start, hours)


def working_hours_between(start: dt.datetime, end: dt.datetime) -> dt.timedelta:
    return current().working_hours_between(start, end)


def year_schedule_missing(year: int) -> bool:
    """True when neither the bundled calendar nor a statutory row covers ``year``."""
    if statutory_year_known(year):
        return False
    return not CalendarDay.objects.filter(date__year=year, statutory=True).exists()


def next_year_schedule_missing(today: dt.date | None = None) -> bool:
    return year_schedule_missing((today or timezone.localdate()).year + 1)


def notices_for(user: Any, *, today: dt.date | None = None) -> list[str]:
    """Dashboard warnings about the calendar; only calendar managers can act on them."""
    if not permissions.has(user, "core.manage_calendar"):
        return []
    today = today or timezone.localdate()
    notices = []
    if year_schedule_missing(today.year):
        notices.append(
            gettext(
                "The official holiday schedule for %(year)s is missing, so working days this year "
                "count Monday to Friday only. Enter this year's official holidays and adjusted "
                "working days on the work calendar page."
            )
            % {"year": today.year}
        )
    if next_year_schedule_missing(today):
        notices.append(
            gettext(
                "The official holiday schedule for %(year)s has not been entered yet, so delivery "
                "dates in %(year)s count Monday to Friday only. Enter next year's official holiday "
                "schedule on the work calendar page once the State Council publishes it."
            )
            % {"year": today.year + 1}
        )
    return notices
