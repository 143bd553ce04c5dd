"""Order pages (confirmation). Built by a helper; see urls.py for the routes it serves."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
