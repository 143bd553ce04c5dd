"""The audit trail: who changed what, when and why.

Services call :func:`record` inside the transaction that makes the change, so an entry
exists exactly when the change does. Entries are append-only (see ``AuditEntry``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction

from .context import current_request_id
from .models import AuditEntry

Changes = Mapping[str, tuple[Any, Any]]


def record(
    obj: models.Model,
    action: str,
    *,
    by: Any,
    changes: Changes | None = None,
    reason: str = "",
) -> AuditEntry:
    """Append one audit entry for ``obj``; must run inside the caller's transaction."""
    require_transaction()
    entry = build_entry(obj, action, by=by, changes=changes, reason=reason)
    entry.save()
    return entry


def record_many(
    items: Iterable[tuple[models.Model, str, Changes]], *, by: Any, reason: str = ""
) -> None:
    """Append one entry per ``(obj, action, changes)`` in one insert (bulk imports)."""
    require_transaction()
    AuditEntry.objects.bulk_create(
        [
            build_entry(obj, action, by=by, changes=changes, reason=reason)
            for obj, action, changes in items
        ],
        batch_size=500,
    )


def require_transaction() -> None:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit entries must be written inside the transaction of the change")


def build_entry(
    obj: models.Model, action: str, *, by: Any, changes: Changes | None, reason: str
) -> AuditEntry:
    return AuditEntry(
        actor=by if getattr(by, "pk", None) else None,
        actor_name=actor_label(by),
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        action=action,
        changes={field: [plain(old), plain(new)] for field, (old, new) in (changes or {}).items()},
        reason=reason or "",
        request_id=current_request_id() or "",
    )


def actor_label(by: Any) -> str:
    if by is None:
        return "system"
    full_name = by.get_full_name() if hasattr(by, "get_full_name") else ""
    return full_name or getattr(by, "username", str(by))


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The values of ``fields`` now, to compare with :func:`diff` after a change."""
    return {field: getattr(obj, field) for field in fields}


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, tuple[Any, Any]]:
    """Only the fields whose value changed, as ``{field: (old, new)}``."""
    return {
        field: (before.get(field), after.get(field))
        for field in after
        if before.get(field) != after.get(field)
    }


def plain(value: Any) -> Any:
    """A JSON-friendly value: model instances by their text, decimals and dates as strings."""
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, Decimal | dt.date | dt.time | dt.datetime):
        return value.isoformat() if not isinstance(value, Decimal) else str(value)
    if hasattr(value, "name") and hasattr(value, "url"):  # a stored file
        return value.name or ""
    return value


def entries_for(obj: models.Model) -> models.QuerySet[AuditEntry]:
    """The timeline of one object, newest first."""
    content_type = ContentType.objects.get_for_model(obj, for_concrete_model=False)
    return AuditEntry.objects.filter(
        content_type=content_type, object_id=str(obj.pk)
    ).select_related("actor")
