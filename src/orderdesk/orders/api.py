"""REST API for orders at /api/v1/orders (built by a helper)."""

from __future__ import annotations

from ninja import Router

from . import api_confirmation

router = Router(tags=["orders"])

api_confirmation.register(router)
