"""Order changes from several PostgreSQL connections at once: two requests on the same lines
— exactly one is made; two applications of one request — exactly one applies it."""

from __future__ import annotations

from decimal import Decimal

import pytest

from orderdesk.changes import services
from orderdesk.changes.models import ChangeRequest, ChangeStatus, OrderRevision
from orderdesk.orders.models import Order
from tests.factories.concurrency import race
from tests.factories.orders import make_world

from .helpers import ask, decide_all, line, released_order

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_two_requests_on_the_same_line_at_once_make_one():
    world = make_world()
    order = released_order(world)
    first = line(order, 1)

    won, refused, other = race(
        [
            lambda: ask(order, world.service, {"lines": [{"line_id": first.pk, "quantity": "3"}]}),
            lambda: ask(order, world.sales, {"lines": [{"line_id": first.pk, "quantity": "4"}]}),
        ]
    )

    assert other == []
    assert len(won) == 1
    assert [error.code for error in refused] == ["change_pending"]
    assert ChangeRequest.objects.filter(order=order).count() == 1


def test_two_applications_at_once_apply_once():
    world = make_world()
    order = released_order(world)
    request = decide_all(
        ask(order, world.service, {"lines": [{"line_id": line(order, 2).pk, "quantity": "7"}]}),
        world,
    )

    won, refused, other = race(
        [
            lambda: services.apply_change(request, by=world.service),
            lambda: services.apply_change(request, by=world.sales),
        ]
    )

    assert other == []
    assert len(won) == 1
    assert [error.code for error in refused] == ["already_applied"]
    order = Order.objects.get(pk=order.pk)
    assert order.version == 2
    assert line(order, 2).quantity == Decimal(7)
    assert OrderRevision.objects.filter(order=order).count() == 2
    assert ChangeRequest.objects.get(pk=request.pk).status == ChangeStatus.APPLIED
