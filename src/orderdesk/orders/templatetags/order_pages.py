"""Template filters for the order pages: amounts in yuan and role names."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import template

from orderdesk.accounts.roles import ROLE_BY_NAME
from orderdesk.core import money

register = template.Library()


@register.filter
def yuan(value: Any) -> str:
    """``¥1,234.50`` for a Decimal or a decimal string (findings store strings); "—" else."""
    if value in (None, ""):
        return "—"
    try:
        return money.yuan(Decimal(str(value)))
    except (InvalidOperation, ValueError):
        return str(value)


@register.filter
def role_label(name: str) -> str:
    """The translated label of a role (group) name such as ``finance``."""
    role = ROLE_BY_NAME.get(name)
    return str(role.label) if role is not None else name
