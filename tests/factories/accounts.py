"""API credentials for tests."""

from __future__ import annotations

from typing import Any

from orderdesk.accounts import services


def bearer(user: Any) -> dict[str, str]:
    """One token per user, reused like a real client does (idempotency keys are per token)."""
    if not hasattr(user, "test_token"):
        _token, raw = services.create_api_token(user, by=user)
        user.test_token = raw
    return {"Authorization": f"Bearer {user.test_token}"}
