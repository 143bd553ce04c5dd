"""Reads for accounts."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group, Permission
from django.db.models import CharField, QuerySet, Value
from django.utils.translation import gettext_lazy as _

from orderdesk.core import permissions
from orderdesk.core.errors import NotFound

from .models import SYSTEM_USERNAME, ApiToken, Department, User


def system_user() -> User:
    """The account background jobs act as (created by a data migration, cannot log in)."""
    return User.objects.get(username=SYSTEM_USERNAME)


def acting_for(by: Any, *needed: str) -> Any:
    """Who books a move a business step causes in another area (stock moved by an order
    review, a production completion, a shipment): the user when they hold every permission
    ``needed``, else the system account — the step's own audit entry names the user."""
    return by if all(permissions.has(by, name) for name in needed) else system_user()


def department(code: str) -> Department | None:
    return Department.objects.filter(code=code).first()


def group(name: str) -> Group:
    return Group.objects.get(name=name)


def tokens_visible_to(user: Any) -> QuerySet[ApiToken]:
    tokens = ApiToken.objects.select_related("user")
    if permissions.has(user, "accounts.manage_api_tokens"):
        return tokens
    return tokens.filter(user=user)


def role_names(user: Any) -> list[str]:
    """The user's roles (group names), read once per user object: services asking several
    times within a request (pricing authority, review approvers, catalog access) share it.
    Role changes apply from the next request, which loads the user afresh."""
    if getattr(user, "pk", None) is None:
        return []
    if getattr(user, "_orderdesk_roles", None) is None:
        load_access(user)
    return list(user._orderdesk_roles)


def load_access(user: Any) -> None:
    """Read the user's roles and permissions in one query and keep them on the user object
    (``_perm_cache`` is where Django's ModelBackend looks for them): every API request
    checks both, and three queries per request were a tenth of a small request's cost."""
    by_role = (
        Group.objects.filter(user=user)
        .order_by()
        .values_list("name", "permissions__content_type__app_label", "permissions__codename")
    )
    direct = (
        Permission.objects.filter(user=user)
        .order_by()
        .values_list(Value("", output_field=CharField()), "content_type__app_label", "codename")
    )
    roles: set[str] = set()
    granted: set[str] = set()
    for role, app_label, codename in by_role.union(direct, all=True):
        if role:
            roles.add(role)
        if codename:
            granted.add(f"{app_label}.{codename}")
    user._orderdesk_roles = sorted(roles)
    user._perm_cache = granted


def token_for(user: Any, token_id: int) -> ApiToken:
    """One token the user may see (their own, or any with manage_api_tokens)."""
    token = tokens_visible_to(user).filter(pk=token_id).first()
    if token is None:
        raise NotFound(_("No such API token."))
    return token
