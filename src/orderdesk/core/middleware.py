"""Request id for logs and audit entries, and login required everywhere by default."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve

from .context import end_request_memo, reset_request_id, set_request_id, start_request_memo

# Paths reachable without a session: the login page, health checks, static files and the
# API (which authenticates every call itself, by session or bearer token).
PUBLIC_PREFIXES = ("/accounts/login/", "/healthz", "/static/", "/api/", "/i18n/")


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming[:36] if incoming else uuid.uuid4().hex
        token = set_request_id(request_id)
        memo = start_request_memo()
        try:
            response = self.get_response(request)
        finally:
            end_request_memo(memo)
            reset_request_id(token)
        response["X-Request-ID"] = request_id
        return response


class LoginRequiredMiddleware:
    """Every page needs a signed-in user unless its path is listed as public."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.user.is_authenticated and not is_public(request):
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        return self.get_response(request)


def is_public(request: HttpRequest) -> bool:
    """A public prefix, or a view marked with Django's ``@login_not_required`` (a page for
    people outside the company, such as a customer confirming an order by an e-mailed link;
    such a view checks its own token)."""
    if request.path.startswith(PUBLIC_PREFIXES):
        return True
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return False
    return getattr(match.func, "login_required", True) is False
