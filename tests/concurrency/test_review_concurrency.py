"""A review step decided from many PostgreSQL connections at once: exactly one decision
wins, every other caller gets a clear Conflict (409), and the trail records one decision."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from orderdesk.core import audit
from orderdesk.core.errors import Conflict
from orderdesk.orders import services
from orderdesk.orders.models import Order, OrderStatus, ReviewStep, StepStatus
from tests.factories.orders import make_order, make_world, user

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

THREADS = 8


def race(work: Callable[[int], Any]) -> tuple[list[Any], list[Conflict], list[BaseException]]:
    """Run ``work(n)`` in THREADS threads released together, each on its own connection."""
    barrier = threading.Barrier(THREADS)
    lock = threading.Lock()
    won: list[Any] = []
    refused: list[Conflict] = []
    other: list[BaseException] = []

    def worker(number: int) -> None:
        try:
            barrier.wait()
            result = work(number)
            with lock:
                won.append(result)
        except Conflict as error:
            with lock:
                refused.append(error)
        except BaseException as error:  # collected and reported in the main thread
            with lock:
                other.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return won, refused, other


def test_several_managers_approving_the_sales_step_at_once_one_wins():
    world = make_world()
    managers = [user(f"race_manager_{n}", "sales_manager") for n in range(THREADS)]
    order = make_order(world)
    services.submit(order, by=world.sales)

    won, refused, other = race(
        lambda n: services.decide(
            Order.objects.get(pk=order.pk), "sales", approve=True, by=managers[n], comment=f"#{n}"
        )
    )

    assert other == []
    assert len(won) == 1
    assert len(refused) == THREADS - 1
    assert {error.code for error in refused} == {"step_already_decided"}
    step = ReviewStep.objects.get(order=order, step="sales")
    assert step.status == StepStatus.APPROVED
    assert step.decided_by_id == won[0].decided_by_id
    assert audit.entries_for(order).filter(action="review_sales_approved").count() == 1
    pending = ReviewStep.objects.filter(order=order, status=StepStatus.PENDING)
    assert sorted(pending.values_list("step", flat=True)) == ["finance", "warehouse"]


def test_approving_and_rejecting_the_same_step_at_once_one_decision_holds():
    world = make_world()
    order = make_order(world)
    services.submit(order, by=world.sales)
    services.decide(order, "sales", approve=True, by=world.manager)
    finance = [user(f"race_finance_{n}", "finance") for n in range(THREADS)]

    def decide(n: int) -> ReviewStep:
        approve = n % 2 == 0
        return services.decide(
            Order.objects.get(pk=order.pk),
            "finance",
            approve=approve,
            by=finance[n],
            comment="ok" if approve else "付款条件不符",
        )

    won, refused, other = race(decide)

    assert other == []
    assert len(won) == 1
    assert len(refused) == THREADS - 1
    assert {error.code for error in refused} <= {"step_already_decided", "not_in_review"}
    step = ReviewStep.objects.get(order=order, round=1, step="finance")
    order.refresh_from_db()
    if step.status == StepStatus.REJECTED:
        assert order.status == OrderStatus.RETURNED
        assert audit.entries_for(order).filter(action="review_finance_rejected").count() == 1
        assert not audit.entries_for(order).filter(action="review_finance_approved").exists()
    else:
        assert step.status == StepStatus.APPROVED
        assert order.status == OrderStatus.IN_REVIEW
        assert audit.entries_for(order).filter(action="review_finance_approved").count() == 1
        assert not audit.entries_for(order).filter(action="review_finance_rejected").exists()
