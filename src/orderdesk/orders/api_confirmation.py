"""API endpoints for the customer confirmation and release of an order (built by a helper).

``register(router)`` adds them to the orders router in api.py."""

from __future__ import annotations

from ninja import Router


def register(router: Router) -> None:
    """Add the confirmation and release endpoints to ``router``."""
