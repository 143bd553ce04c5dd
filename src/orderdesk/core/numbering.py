"""Document numbers from configurable rules (编号规则), unique and gapless.

A rule's pattern mixes literal text with tokens::

    {company}   company abbreviation        {branch}  the branch (store) code, e.g. GD001
    {yyyy} {yy} {mm} {dd} {yyyymmdd}        the document date
    {seq:N}     the serial, zero-padded to N digits (widens past N instead of wrapping)

The serial counts per rule, per rendered prefix (company/branch) and per reset period
(never / yearly / daily). :func:`next_number` draws inside the caller's transaction from a
row lock, so a rolled-back document gives its number back and no number is skipped.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .errors import NotFound, ValidationFailed
from .models import Branch, CompanyProfile, NumberingRule, NumberSequence, ResetPeriod

TOKEN = re.compile(r"\{([a-z]+)(?::(\d+))?\}")
DATE_TOKENS = {"yyyy", "yy", "mm", "dd", "yyyymmdd"}
KNOWN_TOKENS = DATE_TOKENS | {"company", "branch", "seq"}


@dataclass(frozen=True)
class Pattern:
    text: str

    def tokens(self) -> list[tuple[str, str | None]]:
        return [(m.group(1), m.group(2)) for m in TOKEN.finditer(self.text)]

    def problems(self, reset: str) -> dict[str, str]:
        """What is wrong with this pattern for the given reset period (empty: fine)."""
        names = [name for name, _width in self.tokens()]
        unknown = sorted(set(names) - KNOWN_TOKENS)
        if unknown:
            return {"pattern": str(_("Unknown token(s): %s.") % ", ".join(unknown))}
        stripped = TOKEN.sub("", self.text)
        if "{" in stripped or "}" in stripped:
            return {"pattern": str(_("A brace is not part of a known token."))}
        if names.count("seq") != 1:
            return {"pattern": str(_("The pattern needs exactly one {seq:N} serial."))}
        has_year = bool({"yyyy", "yy", "yyyymmdd"} & set(names))
        has_day = (
            "yyyymmdd" in names
            or {"yyyy", "mm", "dd"} <= set(names)
            or {"yy", "mm", "dd"} <= set(names)
        )
        if reset == ResetPeriod.DAILY and not has_day:
            return {
                "pattern": str(
                    _(
                        "A serial that resets daily needs the full date in the "
                        "pattern, e.g. {yyyymmdd}."
                    )
                )
            }
        if reset == ResetPeriod.YEARLY and not has_year:
            return {
                "pattern": str(
                    _("A serial that resets yearly needs the year in the pattern, e.g. {yyyy}.")
                )
            }
        return {}

    def render(self, *, values: dict[str, str], serial: int | None) -> str:
        def replace(match: re.Match[str]) -> str:
            name, width = match.group(1), match.group(2)
            if name == "seq":
                if serial is None:
                    return match.group(0)
                return str(serial).zfill(int(width or 1))
            return values[name]

        return TOKEN.sub(replace, self.text)


def period_key(reset: str, on: dt.date) -> str:
    if reset == ResetPeriod.DAILY:
        return on.strftime("%Y%m%d")
    if reset == ResetPeriod.YEARLY:
        return on.strftime("%Y")
    return ""


def token_values(on: dt.date, branch_code: str, pattern: str = "{company}") -> dict[str, str]:
    """The values of the pattern's tokens; the company abbreviation is read only when the
    pattern uses it."""
    return {
        "yyyy": on.strftime("%Y"),
        "yy": on.strftime("%y"),
        "mm": on.strftime("%m"),
        "dd": on.strftime("%d"),
        "yyyymmdd": on.strftime("%Y%m%d"),
        "company": (
            CompanyProfile.objects.values_list("abbreviation", flat=True).first() or ""
            if "{company" in pattern
            else ""
        ),
        "branch": branch_code,
    }


def require_branch(rule: NumberingRule, branch: Branch | None) -> None:
    if "{branch" in rule.pattern and branch is None:
        raise ValidationFailed(
            _("Numbers of this kind include the branch code; choose a branch first."),
            code="branch_required",
            fields={"branch": _("A branch is required.")},
        )


def next_number(kind: str, *, on: dt.date | None = None, branch: Branch | None = None) -> str:
    """Draw the next number of ``kind``; call inside the transaction that uses it."""
    return next_numbers(kind, 1, on=on, branch=branch)[0]


def next_numbers(
    kind: str, count: int, *, on: dt.date | None = None, branch: Branch | None = None
) -> list[str]:
    """Draw ``count`` consecutive numbers at once (bulk imports), under one row lock."""
    if count < 1:
        return []
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_number() must run inside the transaction of the document")
    rule = NumberingRule.objects.filter(kind=kind).first()
    if rule is None:
        raise NotFound(_("No numbering rule exists for %s.") % kind, code="numbering_rule_missing")
    on = on or timezone.localdate()
    pattern = Pattern(rule.pattern)
    require_branch(rule, branch)
    values = token_values(on, branch.code if branch else "", rule.pattern)
    prefix = pattern.render(values={**values, **dict.fromkeys(DATE_TOKENS, "")}, serial=None)
    last = draw(rule.pk, prefix, period_key(rule.reset, on), count)
    first = last - count + 1
    return [pattern.render(values=values, serial=serial) for serial in range(first, last + 1)]


def draw(rule_id: int, prefix: str, period: str, count: int) -> int:
    """Add ``count`` to the sequence of (rule, prefix, period), creating it at zero, and
    return the new last value — one statement (SQLite 3.35+ and PostgreSQL both have
    ``ON CONFLICT … DO UPDATE … RETURNING``). The row stays locked until the caller's
    transaction ends, so concurrent draws queue and a rolled-back draw gives its numbers
    back (gapless); concurrent first draws of a new period meet on the unique index."""
    table = NumberSequence._meta.db_table  # our own model's table; the values are parameters
    with transaction.get_connection().cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (rule_id, prefix, period, last_value) VALUES (%s, %s, %s, %s) "  # noqa: S608
            "ON CONFLICT (rule_id, prefix, period) "
            f"DO UPDATE SET last_value = {table}.last_value + excluded.last_value "
            "RETURNING last_value",
            [rule_id, prefix, period, count],
        )
        (last,) = cursor.fetchone()
    return int(last)


def preview(
    pattern: str, reset: str, *, on: dt.date | None = None, branch_code: str = "GD001"
) -> str:
    """What the first number of a pattern would look like (for the settings page)."""
    if Pattern(pattern).problems(reset):
        return ""
    values = token_values(on or timezone.localdate(), branch_code)
    return Pattern(pattern).render(values=values, serial=1)
