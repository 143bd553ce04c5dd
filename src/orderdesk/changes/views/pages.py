"""Order change pages. Being built (issue 8)."""

from __future__ import annotations

from typing import Any

urlpatterns: list[Any] = []
