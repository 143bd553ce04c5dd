import datetime as dt

import pytest

from orderdesk.core.errors import Conflict, ValidationFailed
from orderdesk.core.models import AuditEntry
from orderdesk.customers import selectors, services
from tests.factories.customers import contact_values, make_customer


def test_contact_who_left_is_kept_and_primary_passes_on(sales1):
    customer = make_customer(sales1, contacts=2)
    old, successor = customer.contacts.order_by("id")

    services.mark_contact_left(
        old, by=sales1, reason="原联系人已离职", left_on=dt.date(2024, 3, 15)
    )

    old.refresh_from_db()
    successor.refresh_from_db()
    assert old.left_on == dt.date(2024, 3, 15)
    assert not old.is_primary
    assert successor.is_primary
    entry = AuditEntry.objects.get(action="mark_contact_left")
    assert entry.reason == "原联系人已离职"
    assert entry in selectors.history(customer)


def test_new_primary_contact_demotes_the_old_one(sales1):
    customer = make_customer(sales1)
    old = customer.contacts.get()

    new = services.add_contact(
        customer, contact_values(is_primary=True), by=sales1, reason="新采购负责人"
    )

    old.refresh_from_db()
    assert new.is_primary
    assert not old.is_primary
    assert customer.contacts.filter(is_primary=True).count() == 1


def test_contact_changes_need_a_reason_and_valid_data(sales1):
    contact = make_customer(sales1).contacts.get()

    with pytest.raises(ValidationFailed) as no_reason:
        services.update_contact(contact, {"title": "总经理"}, by=sales1, reason="")
    with pytest.raises(ValidationFailed) as bad_mobile:
        services.update_contact(contact, {"mobile": "555"}, by=sales1, reason="换号")

    assert no_reason.value.code == "reason_required"
    assert "mobile" in bad_mobile.value.fields


def test_a_contact_who_left_cannot_be_edited_or_promoted(sales1):
    customer = make_customer(sales1, contacts=2)
    gone = customer.contacts.order_by("id").last()
    services.mark_contact_left(gone, by=sales1, reason="离职")

    with pytest.raises(Conflict):
        services.update_contact(gone, {"title": "x"}, by=sales1, reason="x")
    with pytest.raises(Conflict):
        services.set_primary_contact(gone, by=sales1, reason="x")
