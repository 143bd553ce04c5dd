"""Support-staff admin: the audit trail is visible but can never be added, edited or deleted.

Company settings, branches, numbering rules and the calendar are edited on their settings
pages, which go through the services and so leave an audit entry.
"""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import AccessLog, AuditEntry


class ReadOnlyAdmin(admin.ModelAdmin):
    """Append-only records: listed and searchable, never added, changed or deleted."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyAdmin):
    list_display = ("at", "actor", "content_type", "object_repr", "what", "channel")
    list_filter = ("what", "channel", "content_type")
    search_fields = ("object_repr", "object_id")
    date_hierarchy = "at"


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ("at", "actor_name", "content_type", "object_repr", "action", "reason")
    list_filter = ("action", "content_type")
    search_fields = ("actor_name", "object_repr", "object_id", "reason")
    date_hierarchy = "at"
