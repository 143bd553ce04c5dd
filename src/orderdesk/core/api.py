"""REST endpoints of the core: the audit trail."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema

from . import selectors

router = Router(tags=["audit"])


class AuditEntryOut(Schema):
    id: int
    at: dt.datetime
    actor: str
    object_type: str
    object_id: str
    object_repr: str
    action: str
    changes: dict[str, Any]
    reason: str


class AuditFilter(Schema):
    actor: str = ""
    action: str = ""
    object_type: str = ""
    object_id: str = ""
    since: dt.date | None = None
    until: dt.date | None = None
    limit: int = 100
    offset: int = 0


@router.get("/audit", response=list[AuditEntryOut], summary="Audit trail, newest first")
def audit_entries(request: HttpRequest, filters: Query[AuditFilter]) -> list[dict[str, Any]]:
    limit = max(1, min(filters.limit, 500))
    offset = max(0, filters.offset)
    entries = selectors.audit_entries_visible_to(
        request.user, **filters.dict(exclude={"limit", "offset"})
    )[offset : offset + limit]
    return [
        {
            "id": entry.pk,
            "at": entry.at,
            "actor": entry.actor_name,
            "object_type": entry.content_type.model,
            "object_id": entry.object_id,
            "object_repr": entry.object_repr,
            "action": entry.action,
            "changes": entry.changes,
            "reason": entry.reason,
        }
        for entry in entries
    ]
