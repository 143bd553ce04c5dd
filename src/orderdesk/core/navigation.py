"""The navigation bar by business area.

Core declares the workbench and settings; each business app registers its own section in
its ``AppConfig.ready()`` (core cannot import the apps above it).
"""

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
    permission: str | tuple[str, ...] | None = None  # any one of them shows the entry

    def visible_to(self, user: Any) -> bool:
        if self.permission is None:
            return True
        wanted = (self.permission,) if isinstance(self.permission, str) else self.permission
        return any(user.has_perm(permission) for permission in wanted)


@dataclass(frozen=True)
class Section:
    label: Any
    entries: tuple[Entry, ...]
    order: int = 50


SECTIONS: list[Section] = [
    Section(
        _("Workbench"),
        (
            Entry(_("Dashboard"), "core:dashboard"),
            Entry(_("My tasks"), "core:my_tasks"),
        ),
        order=0,
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
        order=90,
    ),
]


def register(section: Section) -> None:
    """Add an app's section (called once from its AppConfig.ready)."""
    SECTIONS.append(section)
    SECTIONS.sort(key=lambda item: item.order)


def visible_sections(user: Any) -> list[dict[str, Any]]:
    sections = []
    for section in SECTIONS:
        entries = [
            {"label": entry.label, "url": reverse(entry.url_name)}
            for entry in section.entries
            if entry.visible_to(user)
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
