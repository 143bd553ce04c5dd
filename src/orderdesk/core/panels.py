"""Panels that higher apps add to a lower app's page.

The product page belongs to ``catalog``, but stock comes from ``inventory`` and price lists
from ``pricing``, which catalog may not import (see the layers in pyproject.toml). Like the
navigation bar, the page names a slot (``"catalog.product"``) and the apps above register a
panel for it in their ``AppConfig.ready()``; the page renders whatever is registered.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString


@dataclass(frozen=True)
class Panel:
    template: str
    context: Callable[[HttpRequest, Any], Mapping[str, Any] | None]
    """The panel's context for this request and object; ``None`` hides the panel (for
    example when the user may not see what it shows)."""
    order: int = 50


_SLOTS: dict[str, list[Panel]] = defaultdict(list)


def register(slot: str, panel: Panel) -> None:
    if panel not in _SLOTS[slot]:
        _SLOTS[slot].append(panel)
        _SLOTS[slot].sort(key=lambda item: item.order)


def render(request: HttpRequest, slot: str, obj: Any) -> list[SafeString]:
    """The HTML of every panel registered for ``slot`` that has something to show."""
    html = []
    for panel in _SLOTS.get(slot, ()):
        context = panel.context(request, obj)
        if context is not None:
            # Template output is already a SafeString (the template escaped what it shows).
            html.append(SafeString(render_to_string(panel.template, dict(context), request)))
    return html
