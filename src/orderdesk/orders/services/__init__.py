"""Order services: the only code that writes orders (pages, API, CLI and jobs call these)."""

from .drafts import create_order, update_order
from .review import decide, escalate_overdue, submit
from .status import cancel, hold, resume

__all__ = [
    "cancel",
    "create_order",
    "decide",
    "escalate_overdue",
    "hold",
    "resume",
    "submit",
    "update_order",
]
