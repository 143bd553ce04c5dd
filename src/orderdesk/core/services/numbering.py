"""Changing numbering rules (编号规则)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from orderdesk.core import audit, permissions
from orderdesk.core.errors import ValidationFailed
from orderdesk.core.models import NumberingRule, ResetPeriod
from orderdesk.core.numbering import Pattern


def update_numbering_rule(
    rule: NumberingRule, *, pattern: str, reset: str, by: Any, reason: str = ""
) -> NumberingRule:
    """Change a rule's pattern or reset period. Numbers already issued stay as they are;
    serials continue per prefix and period, and each document table's unique constraint
    refuses a number that a changed pattern would produce twice."""
    permissions.require(by, "core.manage_numbering")
    if reset not in ResetPeriod.values:
        raise ValidationFailed(_("Unknown reset period."), fields={"reset": _("Choose one.")})
    if problems := Pattern(pattern).problems(reset):
        raise ValidationFailed(
            _("The pattern cannot be used."), code="invalid_pattern", fields=problems
        )
    with transaction.atomic():
        rule = NumberingRule.objects.select_for_update().get(pk=rule.pk)
        before = audit.snapshot(rule, ("pattern", "reset"))
        rule.pattern, rule.reset = pattern, reset
        changes = audit.diff(before, audit.snapshot(rule, ("pattern", "reset")))
        if changes:
            rule.save(update_fields=["pattern", "reset"])
            audit.record(rule, "update_numbering_rule", by=by, changes=changes, reason=reason)
    return rule
