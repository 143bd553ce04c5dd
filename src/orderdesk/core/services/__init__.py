"""Writes for the shared core: company settings, branches, numbering rules, work calendar.

Each is one transaction with its audit entry; see the modules for the rules.
"""

from .calendar import import_calendar_days, remove_calendar_day, set_calendar_day
from .company import create_branch, update_branch, update_company_profile
from .numbering import update_numbering_rule

__all__ = [
    "create_branch",
    "import_calendar_days",
    "remove_calendar_day",
    "set_calendar_day",
    "update_branch",
    "update_company_profile",
    "update_numbering_rule",
]
