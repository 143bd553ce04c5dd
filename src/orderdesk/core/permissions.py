"""Permission checks for services: roles are Django groups, permissions are business verbs."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from .errors import NotAllowed


def has(user: Any, permission: str) -> bool:
    """``permission`` as ``app_label.codename``; inactive and anonymous users have none.

    The system account (background jobs, the operator's command line) may do everything:
    it cannot log in, so only code running on the server acts as it.
    """
    if getattr(user, "is_system", False):
        return True
    return bool(user and user.is_active and user.has_perm(permission))


def require(user: Any, permission: str) -> None:
    """Raise :class:`NotAllowed` unless ``user`` holds ``permission``."""
    if not has(user, permission):
        raise NotAllowed(
            _(
                "You do not have permission for this action; ask an administrator for the "
                "role that grants it."
            ),
            code="permission_denied",
        )
