"""Pick lists created for one order from many PostgreSQL connections at once: the order row
lock serialises them, so exactly one caller creates the pick list and every other one gets
409 ``nothing_to_pick`` (no line is ever on two open pick lists)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection
from django.db.models import Sum

from orderdesk.core.errors import Conflict
from orderdesk.orders.models import Order
from orderdesk.preparation import services
from orderdesk.preparation.models import PickLine, PickList
from tests.factories.orders import make_released_order, make_world, user

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

THREADS = 6


def test_concurrent_creation_makes_one_pick_list():
    world = make_world()
    order = make_released_order(world)
    pickers = [user(f"race_picker_{n}", "warehouse") for n in range(THREADS)]
    barrier = threading.Barrier(THREADS)
    lock = threading.Lock()
    won: list[Any] = []
    refused: list[Conflict] = []
    other: list[BaseException] = []

    def worker(number: int) -> None:
        try:
            barrier.wait()
            result = services.create_pick_lists(Order.objects.get(pk=order.pk), by=pickers[number])
            with lock:
                won.append(result)
        except Conflict as error:
            with lock:
                refused.append(error)
        except BaseException as error:  # reported in the main thread
            with lock:
                other.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert other == []
    assert len(won) == 1
    assert {error.code for error in refused} == {"nothing_to_pick"}
    assert PickList.objects.filter(order=order).count() == 1
    total = PickLine.objects.filter(pick_list__order=order).aggregate(total=Sum("quantity"))
    assert total["total"] == 7
