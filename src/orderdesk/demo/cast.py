"""Who does what in the demo: the demo user of a role, or the system account."""

from __future__ import annotations

from orderdesk.accounts.models import User
from orderdesk.accounts.selectors import system_user
from orderdesk.core import permissions


def acting(username: str, permission: str) -> User:
    """The demo user who would do this, or the system account when they cannot."""
    user = User.objects.filter(username=username, is_active=True).first()
    return user if user is not None and permissions.has(user, permission) else system_user()
