"""The work-calendar table (工作日历): company holidays, adjusted working days (调休) and the
official schedule for years the bundled ``chinese_calendar`` does not know yet.

One row per date; a row overrides both the bundled calendar and the Monday-to-Friday rule
(see ``core/workcalendar.py``). Every created, changed or removed row is audited.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from orderdesk.core import audit, permissions
from orderdesk.core.errors import Conflict, NotFound, ValidationFailed
from orderdesk.core.models import CalendarDay, DayKind

FIELDS = ("date", "kind", "name", "statutory")
NAME_MAX_LENGTH = CalendarDay._meta.get_field("name").max_length or 100
MAX_IMPORT_LINES = 2000
KIND_WORDS = {
    "holiday": DayKind.HOLIDAY,
    "休": DayKind.HOLIDAY,
    "假": DayKind.HOLIDAY,
    "workday": DayKind.WORKDAY,
    "班": DayKind.WORKDAY,
}
STATUTORY_WORDS = {
    "1": True,
    "true": True,
    "yes": True,
    "是": True,
    "0": False,
    "false": False,
    "no": False,
    "否": False,
    "": False,
}


@dataclass(frozen=True)
class ImportLine:
    number: int
    day: dt.date
    kind: str
    name: str
    statutory: bool


def set_calendar_day(
    day: dt.date,
    *,
    kind: str,
    name: str = "",
    statutory: bool = False,
    by: Any,
    reason: str = "",
) -> CalendarDay:
    """Make ``day`` a holiday or a working day (设置节假日/调休), creating or changing its row.

    ``statutory`` marks the State Council's schedule, entered for years the bundled calendar
    lacks; it silences the dashboard's missing-schedule notice for that year.
    """
    permissions.require(by, "core.manage_calendar")
    problems = {
        key: message
        for key, message in (("kind", kind_problem(kind)), ("name", name_problem(name)))
        if message
    }
    if problems:
        raise ValidationFailed(
            _("Please correct the marked fields."), code="calendar_day_invalid", fields=problems
        )
    with transaction.atomic():
        entry = CalendarDay.objects.select_for_update().filter(date=day).first()
        entry, _changed = save_day(
            entry, day, kind=kind, name=name, statutory=statutory, by=by, reason=reason
        )
    return entry


def remove_calendar_day(entry: CalendarDay, *, by: Any, reason: str = "") -> None:
    """Delete one row; the date falls back to the bundled calendar or Monday to Friday."""
    permissions.require(by, "core.manage_calendar")
    with transaction.atomic():
        locked = CalendarDay.objects.select_for_update().filter(pk=entry.pk).first()
        if locked is None:
            raise NotFound(
                _("This calendar entry was already removed."), code="calendar_day_not_found"
            )
        before = audit.snapshot(locked, FIELDS)
        # The entry is recorded while the row still exists: the audit trail needs its key.
        audit.record(
            locked,
            "remove_calendar_day",
            by=by,
            reason=reason,
            changes={field: (value, None) for field, value in before.items()},
        )
        locked.delete()


def import_calendar_days(text: str, *, by: Any, reason: str = "") -> int:
    """Import rows from CSV text with the header ``date,kind,name,statutory`` (导入日历).

    All or nothing: any bad line refuses the whole file and names every bad line. Existing
    rows for the same dates are updated. Returns how many rows were created or changed
    (lines that change nothing are skipped, so importing the same file twice returns 0).
    """
    permissions.require(by, "core.manage_calendar")
    lines = parse_import(text)
    changed = 0
    with transaction.atomic():
        existing = {
            entry.date: entry
            for entry in CalendarDay.objects.select_for_update()
            .filter(date__in=[line.day for line in lines])
            .order_by("pk")
        }
        for line in lines:
            _entry, was_changed = save_day(
                existing.get(line.day),
                line.day,
                kind=line.kind,
                name=line.name,
                statutory=line.statutory,
                by=by,
                reason=reason,
            )
            changed += was_changed
    return changed


def save_day(
    entry: CalendarDay | None,
    day: dt.date,
    *,
    kind: str,
    name: str,
    statutory: bool,
    by: Any,
    reason: str,
) -> tuple[CalendarDay, bool]:
    """Create or change one (locked) row and audit it; unchanged rows are not written."""
    created = entry is None
    entry = entry or CalendarDay(date=day)
    before = {} if created else audit.snapshot(entry, FIELDS)
    entry.kind, entry.name, entry.statutory = kind, name, statutory
    changes = audit.diff(before, audit.snapshot(entry, FIELDS))
    if not changes:
        return entry, False
    try:
        with transaction.atomic():
            entry.save()
    except IntegrityError as error:  # another administrator created the date meanwhile
        raise Conflict(
            _("Someone else just entered %(date)s; reload the page and try again.")
            % {"date": day.isoformat()},
            code="calendar_day_taken",
        ) from error
    action = "create_calendar_day" if created else "update_calendar_day"
    audit.record(entry, action, by=by, changes=changes, reason=reason)
    return entry, True


def kind_problem(kind: str) -> Any:
    if kind in DayKind.values:
        return None
    return _("Choose a day off or a working day.")


def name_problem(name: str) -> Any:
    if len(name) <= NAME_MAX_LENGTH:
        return None
    return _("Use at most %(limit)d characters.") % {"limit": NAME_MAX_LENGTH}


def parse_import(text: str) -> list[ImportLine]:
    """Every line of the file, or :class:`ValidationFailed` naming each bad line."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    columns = [cell.strip().lower() for cell in next(reader, [])]
    if "date" not in columns or "kind" not in columns:
        raise ValidationFailed(
            _(
                "The file was not imported: it must start with the header line "
                "date,kind,name,statutory."
            ),
            code="calendar_import_header",
            fields={"line 1": _("Line 1: expected the header date,kind,name,statutory.")},
        )
    lines: list[ImportLine] = []
    errors: dict[str, Any] = {}
    first_line_of: dict[dt.date, int] = {}
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        number = reader.line_num
        line, problems = parse_line(number, columns, row)
        if line and line.day in first_line_of:
            problems.append(
                _("%(date)s is already on line %(line)d.")
                % {"date": line.day.isoformat(), "line": first_line_of[line.day]}
            )
        if problems:
            errors[f"line {number}"] = _("Line %(number)d: %(problems)s") % {
                "number": number,
                "problems": " ".join(str(problem) for problem in problems),
            }
        elif line:
            first_line_of[line.day] = number
            lines.append(line)
    check_import_size(lines, errors)
    return lines


def check_import_size(lines: list[ImportLine], errors: dict[str, Any]) -> None:
    if errors:
        raise ValidationFailed(
            _("Nothing was imported: correct the marked lines and import the file again."),
            code="calendar_import_invalid",
            fields=errors,
        )
    if not lines:
        raise ValidationFailed(
            _("The file has no calendar lines below the header."), code="calendar_import_empty"
        )
    if len(lines) > MAX_IMPORT_LINES:
        raise ValidationFailed(
            _("The file has more than %(limit)d lines; split it into several files.")
            % {"limit": MAX_IMPORT_LINES},
            code="calendar_import_too_long",
        )


def parse_line(
    number: int, columns: list[str], row: list[str]
) -> tuple[ImportLine | None, list[Any]]:
    """One data line as an :class:`ImportLine`, or the reasons it cannot be one."""
    values = dict(zip(columns, (cell.strip() for cell in row), strict=False))
    problems: list[Any] = []
    if any(cell.strip() for cell in row[len(columns) :]):
        problems.append(_("More values than header columns."))
    day = parse_date(values.get("date", ""))
    if day is None:
        problems.append(_("Write the date as YYYY-MM-DD."))
    kind = KIND_WORDS.get(values.get("kind", "").lower())
    if kind is None:
        problems.append(_("Write the kind as holiday, workday, 休 or 班."))
    statutory = STATUTORY_WORDS.get(values.get("statutory", "").lower())
    if statutory is None:
        problems.append(_("Write statutory as 1 or 0 (yes/no, 是/否)."))
    name = values.get("name", "")
    if problem := name_problem(name):
        problems.append(problem)
    if problems or day is None or kind is None or statutory is None:
        return None, problems
    return ImportLine(number, day, kind, name, statutory), problems


def parse_date(value: str) -> dt.date | None:
    """ISO dates, and the 2027/1/1 form spreadsheets often save."""
    parts = value.replace("/", "-").replace(".", "-").split("-")
    if len(parts) != 3 or not all(part.isdigit() for part in parts):
        return None
    try:
        return dt.date(int(parts[0]), int(parts[1]), int(parts[2]))
    except ValueError:
        return None
