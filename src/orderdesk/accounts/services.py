"""Writes for accounts: API tokens, administrators and demo users."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orderdesk.core import audit, permissions
from orderdesk.core.errors import Conflict, ValidationFailed

from . import selectors
from .models import ApiToken, User

TOKEN_PREFIX = "od_"  # noqa: S105 - a marker, not a secret


def token_digest(raw: str) -> str:
    # Tokens carry 256 random bits, so a plain SHA-256 is enough and lookups stay cheap.
    return hashlib.sha256(raw.encode()).hexdigest()


def create_api_token(user: User, *, by: Any, name: str = "") -> tuple[ApiToken, str]:
    """Issue a bearer token for ``user``; the raw token is returned once and never stored."""
    if by != user:
        permissions.require(by, "accounts.manage_api_tokens")
    if not user.is_active:
        raise ValidationFailed(_("Inactive users cannot get API tokens."), code="user_inactive")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user, name=name[:100], prefix=raw[:12], digest=token_digest(raw)
        )
        audit.record(token, "create_api_token", by=by, changes={"name": ("", token.name)})
    return token, raw


def revoke_api_token(token: ApiToken, *, by: Any, reason: str = "") -> ApiToken:
    """Revoke a token: it stops working at once and stays listed as revoked."""
    if by != token.user:
        permissions.require(by, "accounts.manage_api_tokens")
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().get(pk=token.pk)
        if token.revoked_at is not None:
            raise Conflict(_("This token was already revoked."), code="token_revoked")
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(
            token,
            "revoke_api_token",
            by=by,
            changes={"revoked_at": (None, token.revoked_at)},
            reason=reason,
        )
    return token


def authenticate_token(raw: str) -> User | None:
    """The active user behind a raw bearer token, or None."""
    if not raw.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=token_digest(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    # Touch at most once a minute: a busy client should not turn every read into a write.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def create_administrator(*, username: str, password: str, email: str = "", by: Any) -> User:
    """Create a superuser in the administrator role (``orderdesk createadmin``)."""
    if User.objects.filter(username=username).exists():
        raise Conflict(
            _("A user named %s already exists.") % username,
            code="username_taken",
            fields={"username": _("This username is taken.")},
        )
    candidate = User(username=username, email=email)
    try:
        validate_password(password, user=candidate)
    except DjangoValidationError as error:
        raise ValidationFailed(
            _("The password is too weak."),
            code="weak_password",
            fields={"password": " ".join(error.messages)},
        ) from error
    with transaction.atomic():
        candidate.is_staff = True
        candidate.is_superuser = True
        candidate.department = selectors.department("it")
        candidate.set_password(password)
        candidate.save()
        candidate.groups.add(selectors.group("administrator"))
        audit.record(candidate, "create_administrator", by=by, changes={"username": ("", username)})
    return candidate
