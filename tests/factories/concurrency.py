"""Running calls at the same moment from several threads, each with its own database
connection (PostgreSQL concurrency tests)."""

from __future__ import annotations

import threading
from typing import Any

from django.db import connection

from orderdesk.core.errors import DomainError


def race(calls: list[Any]) -> tuple[list[Any], list[DomainError], list[BaseException]]:
    """Start ``calls`` together (a barrier); returns what won, the domain refusals and any
    other error (reported in the main thread)."""
    barrier = threading.Barrier(len(calls))
    lock = threading.Lock()
    won: list[Any] = []
    refused: list[DomainError] = []
    other: list[BaseException] = []

    def worker(call: Any) -> None:
        try:
            barrier.wait()
            result = call()
            with lock:
                won.append(result)
        except DomainError as error:
            with lock:
                refused.append(error)
        except BaseException as error:  # reported in the main thread
            with lock:
                other.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return won, refused, other
