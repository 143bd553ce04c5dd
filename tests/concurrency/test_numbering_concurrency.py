"""Numbers drawn from many PostgreSQL connections at once: no duplicate, no gap."""

import datetime as dt
import threading

import pytest
from django.db import connection, transaction

from orderdesk.core import numbering
from orderdesk.core.models import Branch

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

THREADS = 8
DRAWS_PER_THREAD = 25


def run_in_threads(work) -> list[str]:
    barrier = threading.Barrier(THREADS)
    results: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def worker() -> None:
        try:
            barrier.wait()
            for _ in range(DRAWS_PER_THREAD):
                number = work()
                with lock:
                    results.append(number)
        except BaseException as error:  # collected and re-raised in the main thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return results


def test_parallel_order_numbers_are_unique_and_gapless():
    branch = Branch.objects.create(code="GD001", name="广州一店", province="广东")
    day = dt.date(2026, 11, 23)

    def draw() -> str:
        with transaction.atomic():
            return numbering.next_number("order", on=day, branch=branch)

    numbers = run_in_threads(draw)

    serials = sorted(int(number.rsplit("-", 1)[1]) for number in numbers)
    assert len(numbers) == len(set(numbers)) == THREADS * DRAWS_PER_THREAD
    assert serials == list(range(1, THREADS * DRAWS_PER_THREAD + 1))


def test_rolled_back_draws_leave_no_gap_under_concurrency():
    day = dt.date(2026, 11, 23)
    counter = {"n": 0}
    lock = threading.Lock()

    def draw_or_abort() -> str:
        with lock:
            counter["n"] += 1
            abort = counter["n"] % 3 == 0
        try:
            with transaction.atomic():
                number = numbering.next_number("customer", on=day)
                if abort:
                    raise RuntimeError("document failed after drawing")
                return number
        except RuntimeError:
            return ""

    numbers = [number for number in run_in_threads(draw_or_abort) if number]

    serials = sorted(int(number[-4:]) for number in numbers)
    assert serials == list(range(1, len(numbers) + 1))
