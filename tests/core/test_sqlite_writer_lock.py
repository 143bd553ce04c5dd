"""SQLite write transactions queue on the writer lock file (orderdesk.core.sqlite)."""

import threading
import time

import pytest
from django.db import connection, connections, transaction

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite only")

ALIAS = "writer_lock_test"


@pytest.fixture
def file_database(tmp_path, django_db_blocker):
    """A second database in a file, whose busy timeout (50 ms) is far shorter than the
    time a writer holds it: without the lock file the second writer would fail with
    "database is locked"."""
    django_db_blocker.unblock()  # the test's own database, outside the test database
    connections.settings[ALIAS] = {
        **connection.settings_dict,
        "NAME": str(tmp_path / "orders.sqlite3"),
        "TEST": {},
        "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 0.05},
    }
    with connections[ALIAS].cursor() as cursor:
        cursor.execute("CREATE TABLE taken (who TEXT, at REAL)")
    yield tmp_path / "orders.sqlite3"
    connections[ALIAS].close()
    del connections[ALIAS]
    del connections.settings[ALIAS]
    django_db_blocker.restore()


def write(who, *, hold=0.0, started=None, fail=False):
    try:
        with transaction.atomic(using=ALIAS):
            with connections[ALIAS].cursor() as cursor:
                cursor.execute("INSERT INTO taken VALUES (%s, %s)", [who, time.monotonic()])
            if started is not None:
                started.set()
            time.sleep(hold)
            if fail:
                raise RuntimeError("rolled back")
    except RuntimeError:
        pass
    finally:
        connections[ALIAS].close()


def rows():
    with connections[ALIAS].cursor() as cursor:
        cursor.execute("SELECT who, at FROM taken ORDER BY at")
        return cursor.fetchall()


def test_a_second_writer_waits_for_the_first_instead_of_failing(file_database):
    started = threading.Event()
    first = threading.Thread(
        target=write, args=("first",), kwargs={"hold": 0.4, "started": started}
    )
    first.start()
    started.wait(5)
    second = threading.Thread(target=write, args=("second",))
    begun = time.monotonic()
    second.start()
    second.join(10)
    first.join(10)

    assert [who for who, _at in rows()] == ["first", "second"]
    assert rows()[1][1] - begun > 0.2  # it waited for the first to commit
    assert (file_database.parent / "orders.sqlite3.writer-lock").exists()


def test_a_rolled_back_writer_releases_the_lock(file_database):
    started = threading.Event()
    failing = threading.Thread(
        target=write, args=("rolled back",), kwargs={"hold": 0.2, "started": started, "fail": True}
    )
    failing.start()
    started.wait(5)
    after = threading.Thread(target=write, args=("after",))
    after.start()
    after.join(10)
    failing.join(10)

    assert [who for who, _at in rows()] == ["after"]
