"""Work calendar settings page (being written with core/workcalendar.py)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def calendar(request: HttpRequest) -> HttpResponse:
    return render(request, "core/calendar.html", {})
