"""The navigation bar by business area. Apps add their entries to ``SECTIONS``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Entry:
    label: Any
    url_name: str
    permission: str | None = None


@dataclass(frozen=True)
class Section:
    label: Any
    entries: tuple[Entry, ...]


SECTIONS: list[Section] = [
    Section(
        _("Workbench"),
        (
            Entry(_("Dashboard"), "core:dashboard"),
            Entry(_("My tasks"), "core:my_tasks"),
        ),
    ),
    Section(
        _("Settings"),
        (
            Entry(_("Company"), "core:company", "core.manage_company"),
            Entry(_("Branches"), "core:branches", "core.manage_company"),
            Entry(_("Numbering rules"), "core:numbering", "core.manage_numbering"),
            Entry(_("Work calendar"), "core:calendar", "core.manage_calendar"),
            Entry(_("Audit trail"), "core:audit_log", "core.view_auditentry"),
        ),
    ),
]


def visible_sections(user: Any) -> list[dict[str, Any]]:
    sections = []
    for section in SECTIONS:
        entries = [
            {"label": entry.label, "url": reverse(entry.url_name)}
            for entry in section.entries
            if entry.permission is None or user.has_perm(entry.permission)
        ]
        if entries:
            sections.append({"label": section.label, "entries": entries})
    return sections


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Template context processor: the sections this user may open."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_sections": []}
    return {"nav_sections": visible_sections(user)}
