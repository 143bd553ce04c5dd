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


def token_values(on: dt.date, branch_code: str) -> dict[str, str]:
    return {
        "yyyy": on.strftime("%Y"),
        "yy": on.strftime("%y"),
        "mm": on.strftime("%m"),
        "dd": on.strftime("%d"),
        "yyyymmdd": on.strftime("%Y%m%d"),
        "company": CompanyProfile.objects.values_list("abbreviation", flat=True).first() or "",
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
    values = token_values(on, branch.code if branch else "")
    prefix = pattern.render(values={**values, **dict.fromkeys(DATE_TOKENS, "")}, serial=None)
    period = period_key(rule.reset, on)
    # Insert-if-missing first, then lock: concurrent first draws of a new period wait on
    # the unique index instead of both creating a row.
    NumberSequence.objects.bulk_create(
        [NumberSequence(rule=rule, prefix=prefix, period=period)], ignore_conflicts=True
    )
    sequence = NumberSequence.objects.select_for_update().get(
        rule=rule, prefix=prefix, period=period
    )
    first = sequence.last_value + 1
    sequence.last_value += count
    sequence.save(update_fields=["last_value"])
    return [
        pattern.render(values=values, serial=serial)
        for serial in range(first, sequence.last_value + 1)
    ]


def preview(
    pattern: str, reset: str, *, on: dt.date | None = None, branch_code: str = "GD001"
) -> str:
    """What the first number of a pattern would look like (for the settings page)."""
    if Pattern(pattern).problems(reset):
        return ""
    values = token_values(on or timezone.localdate(), branch_code)
    return Pattern(pattern).render(values=values, serial=1)
