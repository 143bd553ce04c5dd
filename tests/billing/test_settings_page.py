"""The billing settings page: both settings rows saved together with the reason, errors on
the fields, only for billing.manage_billing_settings."""

from __future__ import annotations

import pytest
from django.urls import reverse

from orderdesk.billing import collection, selectors
from orderdesk.core import audit
from tests.factories.orders import user

URL = reverse("billing:settings")
GOOD = {
    "invoice_per": "order",
    "default_due_days": "45",
    "first_reminder_days_overdue": "3",
    "second_reminder_after_days": "10",
    "notice_after_days": "20",
    "escalate_after_days": "40",
    "reason": "财务制度调整",
}


@pytest.fixture
def finance(db):
    return user("bs_finance", "finance")


def test_saves_both_settings_with_the_reason(client, finance):
    client.force_login(finance)
    assert client.get(URL).status_code == 200

    response = client.post(URL, GOOD)

    assert response.status_code == 302
    assert selectors.billing_settings().invoice_per == "order"
    assert selectors.billing_settings().default_due_days == 45
    chasing = collection.collection_settings()
    assert (chasing.first_reminder_days_overdue, chasing.escalate_after_days) == (3, 40)
    assert audit.entries_for(chasing).get().reason == "财务制度调整"


def test_a_bad_interval_is_shown_on_its_field_and_nothing_changes(client, finance):
    client.force_login(finance)

    response = client.post(URL, {**GOOD, "notice_after_days": "0"})

    assert response.status_code == 200
    assert "notice_after_days" in response.context["form"].errors
    assert selectors.billing_settings().invoice_per == "shipment"
    assert collection.collection_settings().first_reminder_days_overdue == 1


def test_without_the_permission_the_page_is_refused(client, db):
    client.force_login(user("bs_sales", "sales"))

    assert client.get(URL).status_code == 403
