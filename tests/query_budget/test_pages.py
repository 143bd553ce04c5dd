"""Query budgets of the main pages: the number of SQL queries does not grow with the
rows shown (N rows and 3N rows give the same count)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories.orders import make_world

from .helpers import grow, growing, queries, viewer

pytestmark = pytest.mark.django_db

N = 1


def count_pages(client: Any, world: Any, admin: Any, order: Any) -> dict[str, int]:
    client.force_login(admin)
    counts = {
        name: queries(client, reverse(url))
        for name, url in [
            ("order list", "orders:list"),
            ("customer list", "customers:list"),
            ("product list", "catalog:list"),
            ("shipment list", "shipping:list"),
            ("invoice list", "billing:invoices"),
            ("payment list", "billing:payments"),
            ("change request list", "changes:list"),
        ]
    }
    # Far ahead, so every open invoice is overdue and its customer listed.
    later = (timezone.localdate() + dt.timedelta(days=400)).isoformat()
    counts["receivables"] = queries(client, reverse("billing:receivables"), on=later)
    counts["order detail"] = queries(client, reverse("orders:detail", args=[order.pk]))
    counts["customer detail"] = queries(
        client, reverse("customers:detail", args=[order.customer_id])
    )
    client.force_login(world.manager)
    counts["my tasks (manager)"] = queries(client, reverse("core:my_tasks"))
    return counts


def test_page_queries_do_not_grow_with_the_rows(client):
    world = make_world(stock_each=1000)
    admin = viewer()
    first = grow(world, N)[0]
    small = count_pages(client, world, admin, first)
    grow(world, 2 * N)
    # The detail pages: the same order, with more of everything around it.
    large = count_pages(client, world, admin, first)

    assert growing(small, large) == []
