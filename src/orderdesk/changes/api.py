"""/api/v1/orders/{id}/changes. Being built (issue 8)."""

from __future__ import annotations

from ninja import Router

changes_router = Router(tags=["changes"])
