"""/api/v1/statements: monthly customer statements (对账单). Being built (issue 7)."""

from __future__ import annotations

from ninja import Router

statements_router = Router(tags=["billing"])
