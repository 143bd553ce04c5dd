"""Idempotency keys for creating API calls (``POST`` with ``Idempotency-Key``).

A client that retries after a timeout must not create the order twice. The first
successful call with a key stores its response; a repeat with the same key and the same
request gets the stored response back; the same key with a different request is refused
(409). The claim, the call and the stored response are one transaction, so a repeat while
the first call runs waits for it and gets its answer, and a crash leaves no half-claimed
key. A refused call (4xx/5xx) is rolled back with its claim, so it frees the key for a
corrected retry. Keys are scoped to
the caller's credential and kept for ``RETENTION``; an hourly background job
(``core.tasks``) deletes expired records, and an expired record not yet deleted frees its
key all the same (deleting on every request cost a write transaction per call).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import IdempotencyRecord

HEADER = "Idempotency-Key"
RETENTION = dt.timedelta(hours=24)
MAX_KEY_LENGTH = 100


def digest(*parts: bytes) -> str:
    hasher = hashlib.sha256()
    for part in parts:
        hasher.update(hashlib.sha256(part).digest())
    return hasher.hexdigest()


def caller_scope(request: HttpRequest) -> str:
    credential = request.headers.get("Authorization") or request.COOKIES.get("sessionid", "")
    return digest(credential.encode())


def conflict(code: str, message: str) -> HttpResponse:
    body = {"error": {"code": code, "message": message, "fields": {HEADER: message}}}
    return HttpResponse(
        json.dumps(body, ensure_ascii=False), status=409, content_type="application/json"
    )


def request_payload(request: HttpRequest) -> bytes:
    """The body, except for uploads: reading a large multipart body into memory here would
    trip Django's upload limits, so uploads are told apart by their length instead."""
    if (request.content_type or "").startswith("multipart/"):
        return request.META.get("CONTENT_LENGTH", "").encode()
    return request.body


def claim(scope: str, key: str, fingerprint: str) -> IdempotencyRecord | None:
    """The new record holding ``key``, or None when a live record holds it already."""
    for _attempt in range(2):
        try:
            with transaction.atomic():
                return IdempotencyRecord.objects.create(
                    scope=scope, key=key, fingerprint=fingerprint
                )
        except IntegrityError:
            expired = IdempotencyRecord.objects.filter(
                scope=scope, key=key, created_at__lt=timezone.now() - RETENTION
            )
            if not expired.delete()[0]:
                return None
    return None


def purge_expired() -> int:
    """Delete the records older than ``RETENTION``; returns how many."""
    deleted, _by_model = IdempotencyRecord.objects.filter(
        created_at__lt=timezone.now() - RETENTION
    ).delete()
    return deleted


class IdempotencyMiddleware:
    """Applies to POST requests under /api/ that carry the header; others pass through."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = request.headers.get(HEADER, "").strip()
        if request.method != "POST" or not key or not request.path.startswith("/api/"):
            return self.get_response(request)
        if len(key) > MAX_KEY_LENGTH:
            return conflict("idempotency_key_invalid", _("The Idempotency-Key is too long."))
        scope = caller_scope(request)
        fingerprint = digest(request.path.encode(), request_payload(request))
        # The claim, the call and its stored answer commit together: a crash in between
        # leaves neither a claimed key without an answer (refused for a day) nor an order
        # whose key was not recorded. A second call with the key waits on the unique index
        # and then replays the answer.
        with transaction.atomic():
            record = claim(scope, key, fingerprint)
            if record is None:
                return self.replay(scope, key, fingerprint)
            response = self.get_response(request)
            if response.status_code >= 400 or response.streaming:
                # Refused: nothing is kept, so the client may correct the request and retry.
                transaction.set_rollback(True)
                return response
            record.status = response.status_code
            record.content_type = response.get("Content-Type", "")
            record.body = response.content
            record.save(update_fields=["status", "content_type", "body"])
        return response

    def replay(self, scope: str, key: str, fingerprint: str) -> HttpResponse:
        record = IdempotencyRecord.objects.filter(scope=scope, key=key).first()
        if record is None or record.status is None:
            return conflict(
                "idempotency_key_in_use",
                _(
                    "A request with this Idempotency-Key is still being processed; "
                    "retry in a moment."
                ),
            )
        if record.fingerprint != fingerprint:
            return conflict(
                "idempotency_key_reused",
                _("This Idempotency-Key was used for a different request."),
            )
        response = HttpResponse(
            bytes(record.body),
            status=record.status,
            content_type=record.content_type or "application/json",
        )
        response["Idempotent-Replayed"] = "true"
        return response
