"""Order services: the only code that writes orders (pages, API, CLI and jobs call these)."""

from .attachments import add_attachment
from .confirmation import (
    confirm_by_token,
    record_confirmation,
    record_signed_copy,
    send_confirmation,
    shift_late_confirmations,
)
from .drafts import create_order, update_order
from .followups import log_follow_up, resolve_follow_up
from .releasing import release
from .review import decide, escalate_overdue, submit
from .status import cancel, hold, resume

__all__ = [
    "add_attachment",
    "cancel",
    "confirm_by_token",
    "create_order",
    "decide",
    "escalate_overdue",
    "hold",
    "log_follow_up",
    "record_confirmation",
    "record_signed_copy",
    "release",
    "resolve_follow_up",
    "resume",
    "send_confirmation",
    "shift_late_confirmations",
    "submit",
    "update_order",
]
