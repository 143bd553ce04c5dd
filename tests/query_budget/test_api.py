"""Query budgets of the main API endpoints: the number of SQL queries does not grow with
the rows returned (N rows and 3N rows give the same count)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from tests.factories.accounts import bearer
from tests.factories.orders import make_world

from .helpers import grow, growing, queries, viewer

pytestmark = pytest.mark.django_db

N = 1


def count_endpoints(client: Any, headers: dict[str, str], order: Any) -> dict[str, int]:
    later = (timezone.localdate() + dt.timedelta(days=400)).isoformat()
    return {
        "orders": queries(client, "/api/v1/orders", headers),
        "order": queries(client, f"/api/v1/orders/{order.pk}", headers),
        "order's changes": queries(client, f"/api/v1/orders/{order.pk}/changes", headers),
        "customers": queries(client, "/api/v1/customers", headers),
        "customer": queries(client, f"/api/v1/customers/{order.customer_id}", headers),
        "products": queries(client, "/api/v1/products", headers),
        "shipments": queries(client, "/api/v1/shipments", headers),
        "invoices": queries(client, "/api/v1/invoices", headers),
        "payments": queries(client, "/api/v1/payments", headers),
        "receivables aging": queries(client, "/api/v1/receivables/aging", headers, on=later),
    }


def test_api_queries_do_not_grow_with_the_rows(client):
    world = make_world(stock_each=1000)
    headers = bearer(viewer("qb_api"))
    first = grow(world, N)[0]
    small = count_endpoints(client, headers, first)
    grow(world, 2 * N)
    large = count_endpoints(client, headers, first)

    assert growing(small, large) == []
