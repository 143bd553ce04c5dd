"""Per-request context that services may read without being handed the request."""

from __future__ import annotations

import logging
from contextvars import ContextVar

_request_id: ContextVar[str | None] = ContextVar("orderdesk_request_id", default=None)
_memo: ContextVar[dict[str, object] | None] = ContextVar("orderdesk_request_memo", default=None)


def request_memo() -> dict[str, object] | None:
    """A dict that lives for one request (``None`` outside requests): settings that many
    services read, such as the work calendar, are read once per request instead of once per
    call. Writers of such settings drop their key (see ``workcalendar.forget``)."""
    return _memo.get()


def start_request_memo() -> object:
    return _memo.set({})


def end_request_memo(token: object) -> None:
    _memo.reset(token)  # type: ignore[arg-type]


def current_request_id() -> str | None:
    return _request_id.get()


def set_request_id(value: str | None) -> object:
    return _request_id.set(value)


def reset_request_id(token: object) -> None:
    _request_id.reset(token)  # type: ignore[arg-type]


class RequestIdFilter(logging.Filter):
    """Adds the current request id to every log record (see settings.LOGGING)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id() or ""
        return True
