import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from orderdesk.accounts.models import ApiToken
from tests.factories.accounts import bearer
from tests.factories.concurrency import race


def post(client, headers, name, key):
    return client.post(
        "/api/v1/tokens",
        {"name": name},
        content_type="application/json",
        headers={**headers, "Idempotency-Key": key},
    )


def test_repeated_create_with_the_same_key_creates_once(client, sales1):
    headers = bearer(sales1)

    first = post(client, headers, "nightly", "key-1")
    again = post(client, headers, "nightly", "key-1")

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert ApiToken.objects.filter(name="nightly").count() == 1


def test_same_key_with_a_different_body_is_refused(client, sales1):
    headers = bearer(sales1)
    post(client, headers, "nightly", "key-2")

    reused = post(client, headers, "weekly", "key-2")

    assert reused.status_code == 409
    assert reused.json()["error"]["code"] == "idempotency_key_reused"
    assert not ApiToken.objects.filter(name="weekly").exists()


def test_keys_are_scoped_to_the_caller(client, sales1, finance1):
    post(client, bearer(sales1), "mine", "shared-key")

    other = post(client, bearer(finance1), "mine", "shared-key")

    assert other.status_code == 201
    assert ApiToken.objects.filter(name="mine").count() == 2


def test_without_a_key_every_call_creates(client, sales1):
    headers = bearer(sales1)

    for _ in range(2):
        client.post(
            "/api/v1/tokens", {"name": "plain"}, content_type="application/json", headers=headers
        )

    assert ApiToken.objects.filter(name="plain").count() == 2


def test_an_expired_key_creates_again_and_the_hourly_job_deletes_expired_keys(client, sales1):
    from orderdesk.core import idempotency
    from orderdesk.core.models import IdempotencyRecord
    from orderdesk.core.tasks import purge_idempotency_keys

    headers = bearer(sales1)
    post(client, headers, "daily", "key-3")
    post(client, headers, "fresh", "key-4")
    old = timezone.now() - idempotency.RETENTION - dt.timedelta(minutes=1)
    IdempotencyRecord.objects.filter(key="key-3").update(created_at=old)

    again = post(client, headers, "daily", "key-3")

    assert again.status_code == 201
    assert "Idempotent-Replayed" not in again.headers
    assert ApiToken.objects.filter(name="daily").count() == 2

    IdempotencyRecord.objects.filter(key="key-3").update(created_at=old)
    purge_idempotency_keys.call_local()

    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["key-4"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_calls_with_one_key_at_once_create_once_and_both_get_the_answer(sales1):
    headers = bearer(sales1)

    def call() -> Any:
        return post(Client(), headers, "concurrent", "key-race")

    won, refused, other = race([call, call])

    assert other == []
    assert refused == []
    assert sorted(answer.status_code for answer in won) == [201, 201]
    assert sum(answer.headers.get("Idempotent-Replayed") == "true" for answer in won) == 1
    assert won[0].json() == won[1].json()
    assert ApiToken.objects.filter(name="concurrent").count() == 1
