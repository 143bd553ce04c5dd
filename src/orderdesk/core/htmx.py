"""Rendering domain errors and redirects for pages, with or without htmx."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django_htmx.http import HttpResponseClientRedirect

from .errors import DomainError


def redirect(request: HttpRequest, url: str) -> HttpResponse:
    if getattr(request, "htmx", False):
        return HttpResponseClientRedirect(url)
    return HttpResponseRedirect(url)


def add_form_errors(form: Any, error: DomainError) -> None:
    """Put a service's refusal onto the form: per field where it names one, else on top."""
    placed = False
    for field, message in error.fields.items():
        if field in form.fields:
            form.add_error(field, message)
            placed = True
    if not placed or not error.fields:
        form.add_error(None, str(error.message))


def flash_error(request: HttpRequest, error: DomainError) -> None:
    details = "; ".join(f"{field}: {message}" for field, message in error.fields.items())
    messages.error(request, f"{error.message} {details}".strip())
