"""The permission backend: Django's ModelBackend, with a user's roles and permissions read
in one query (``selectors.load_access``) instead of three."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from .selectors import load_access


class RoleBackend(ModelBackend):
    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if user_obj.is_superuser:
            return super().get_all_permissions(user_obj, obj)
        if not hasattr(user_obj, "_perm_cache"):
            load_access(user_obj)
        return user_obj._perm_cache
