"""Dashboard, my tasks, the audit trail and the health check."""

from __future__ import annotations

from django.contrib.auth.decorators import permission_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from orderdesk.core import selectors, workcalendar, worklist
from orderdesk.core.forms import AuditFilterForm
from orderdesk.core.paging import page_of


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and database check for load balancers and `make run`."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # any database failure means unhealthy, whatever its type
        return JsonResponse({"status": "error", "database": str(error)[:200]}, status=503)
    return JsonResponse({"status": "ok", "database": connection.vendor})


def dashboard(request: HttpRequest) -> HttpResponse:
    notices = workcalendar.notices_for(request.user)
    return render(request, "core/dashboard.html", {"notices": notices})


def my_tasks(request: HttpRequest) -> HttpResponse:
    # Review steps, follow-ups and reminders: registered by the apps (core.worklist).
    return render(request, "core/my_tasks.html", {"tasks": worklist.tasks_for(request.user)})


@permission_required("core.view_auditentry", raise_exception=True)
def audit_log(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    entries = selectors.audit_entries_visible_to(request.user, **filters)
    page, query = page_of(request, entries, 50)
    return render(
        request,
        "core/audit_log.html",
        {"form": form, "page": page, "entries": page.object_list, "query": query},
    )
