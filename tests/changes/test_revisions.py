"""Order revisions (订单版本): snapshots, the differences between two revisions, the base
revision, and the customer's acknowledgement of a revised confirmation (PDF, e-mail with a
link, the public page's service, one recorded by staff)."""

from __future__ import annotations

import copy
import io
import json
import re

import pytest
from django.core import mail
from pypdf import PdfReader

from orderdesk.changes import revisions
from orderdesk.changes.documents import revision_pdf
from orderdesk.changes.models import AcknowledgementStatus, OrderRevision
from orderdesk.core import audit
from orderdesk.core.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from orderdesk.core.models import CompanyProfile
from tests.factories.orders import make_world
from tests.shipping.helpers import released

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    CompanyProfile.objects.filter(pk=1).update(name="广州示例阀门制造有限公司")
    return make_world()


@pytest.fixture
def order(world):
    return released(world)


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def second_revision(order, world) -> OrderRevision:
    """v1 and v2 of an order (v2 as recorded after a change: here the order unchanged)."""
    revisions.ensure_base_revision(order, by=world.sales)
    return revisions.record_revision(order, None, by=world.sales)


def send(revision, world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return revisions.send_acknowledgement(revision, by=world.sales)


def token_from_mail() -> str:
    match = re.search(r"/changes/ack/([\w-]+)/", mail.outbox[-1].body)
    assert match, mail.outbox[-1].body
    return match.group(1)


# --- snapshots and differences ----------------------------------------------------------------


def test_snapshot_holds_header_totals_and_lines_as_json(order):
    shot = revisions.snapshot(order)

    assert shot["number"] == order.number
    assert shot["status"] == "released"
    assert shot["version"] == order.version
    assert shot["totals"] == {
        "net": str(order.net_amount),
        "tax": str(order.tax_amount),
        "gross": str(order.total_amount),
    }
    assert shot["header"]["requested_date"] == order.requested_date.isoformat()
    assert shot["header"]["delivery_city"] == "广州市"
    first = order.lines.get(line_no=1)
    assert shot["lines"][0] == {
        "line_id": first.pk,
        "line_no": 1,
        "product_id": first.product_id,
        "sku": first.sku,
        "name": "球阀",
        "spec": "DN50",
        "unit": "台",
        "quantity": "2.000",
        "list_price": str(first.list_price),
        "unit_price": str(first.unit_price),
        "discount_percent": str(first.discount_percent),
        "tax_rate": "0.13",
        "net_amount": str(first.net_amount),
        "tax_amount": str(first.tax_amount),
        "line_total": str(first.line_total),
        "note": "",
    }
    assert json.loads(json.dumps(shot)) == shot


def test_identical_snapshots_have_no_differences(order):
    shot = revisions.snapshot(order)

    assert revisions.diff(shot, copy.deepcopy(shot)) == []


def test_diff_lists_header_fields_with_labels_and_readable_values(order):
    before = revisions.snapshot(order)
    after = copy.deepcopy(before)
    after["header"]["promised_date"] = "2031-03-02"
    after["header"]["delivery_address"] = "科韵路 16 号"
    after["header"]["payment_method"] = "acceptance"

    items = revisions.diff(before, after)

    by_field = {item["field"]: item for item in items}
    assert set(by_field) == {"promised_date", "delivery_address", "payment_method"}
    assert by_field["delivery_address"]["label"] == "Delivery address"
    assert by_field["delivery_address"]["after"] == "科韵路 16 号"
    assert by_field["payment_method"]["shown"] == ["Bank transfer", "Bank acceptance bill"]
    assert by_field["promised_date"]["before"] == before["header"]["promised_date"]
    assert all(item["where"] == "header" and item["change"] == "changed" for item in items)


def test_diff_matches_lines_by_id_changed_added_and_removed(order):
    before = revisions.snapshot(order)
    after = copy.deepcopy(before)
    first, second = after["lines"]
    first["quantity"] = "8.000"
    first["line_total"] = "904.00"
    after["lines"] = [
        first,
        {**second, "line_id": 999_999, "line_no": 3, "sku": "NEW-1", "quantity": "1.000"},
    ]
    after["totals"]["gross"] = "1000.00"

    items = revisions.diff(before, after)

    assert [(item["where"], item["change"], item["line_no"], item["field"]) for item in items] == [
        ("line", "changed", 1, "quantity"),
        ("line", "changed", 1, "line_total"),
        ("line", "removed", 2, "line"),
        ("line", "added", 3, "line"),
        ("header", "changed", None, "total_amount"),
    ]
    quantity = items[0]
    assert (quantity["before"], quantity["after"]) == ("2.000", "8.000")
    assert quantity["shown"] == ["2 台", "8 台"]
    assert quantity["label"] == "Quantity"
    assert items[2]["before"]["sku"] == second["sku"]
    assert items[2]["after"] is None
    assert items[3]["after"]["sku"] == "NEW-1"
    assert "NEW-1" in items[3]["shown"][1]
    assert items[4]["shown"][1] == "¥1,000.00"


def test_a_line_with_another_product_shows_both_products(order):
    before = revisions.snapshot(order)
    after = copy.deepcopy(before)
    after["lines"][0] |= {"sku": "OTHER-9", "name": "闸阀", "spec": "DN80"}

    [item] = revisions.diff(before, after)

    assert item["field"] == "product"
    assert item["shown"][1] == "OTHER-9 闸阀 DN80"


def test_cancellation_shows_the_status_and_the_effect(order):
    before = revisions.snapshot(order)
    after = copy.deepcopy(before) | {"status": "cancelled"}

    [item] = revisions.diff(before, after)
    change = revisions.effect(before, after)

    assert (item["field"], item["shown"]) == ("status", ["Released", "Cancelled"])
    assert change["cancelled"] is True
    assert change["text"] == "The order is cancelled."


def test_effect_states_the_new_total_and_date(order):
    before = revisions.snapshot(order)
    after = copy.deepcopy(before)
    after["totals"]["gross"] = str(order.total_amount + 100)
    after["header"]["promised_date"] = "2031-03-02"

    change = revisions.effect(before, after)

    assert change["price_changed"]
    assert change["date_changed"]
    assert change["shown_difference"] == "+¥100.00"
    assert "2031-03-02" in change["text"]
    assert "+¥100.00" in change["text"]


# --- recording revisions ----------------------------------------------------------------------


def test_base_revision_is_made_once_with_the_orders_confirmation(order, world):
    first = revisions.ensure_base_revision(order, by=world.sales)
    again = revisions.ensure_base_revision(order, by=world.manager)

    assert first.pk == again.pk
    assert OrderRevision.objects.filter(order=order).count() == 1
    assert first.number == 1
    assert first.change_request is None
    assert first.snapshot == revisions.snapshot(order)
    assert first.ack_status == AcknowledgementStatus.ACKNOWLEDGED  # confirmed before release
    assert [entry.action for entry in audit.entries_for(order)].count("revision_recorded") == 1


def test_next_revision_takes_the_next_number_and_is_audited(order, world):
    revision = second_revision(order, world)

    assert revision.number == 2
    assert revisions.previous(revision).number == 1
    entry = audit.entries_for(order).filter(action="revision_recorded").first()
    assert entry.changes["revision"] == [1, 2]


# --- the revised confirmation and the acknowledgement ----------------------------------------


def test_revision_pdf_is_a_pdf_of_the_revision(order, world):
    revision = second_revision(order, world)

    data = revision_pdf(revision)

    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    assert order.number in text
    assert "revision 2" in text
    assert world.customer.name in re.sub(r"\s+", "", text)


def test_sending_mails_the_pdf_with_a_link_and_the_effect(
    order, world, django_capture_on_commit_callbacks
):
    revision = second_revision(order, world)

    sent = send(revision, world, django_capture_on_commit_callbacks)

    assert sent.ack_status == AcknowledgementStatus.SENT
    assert sent.sent_at
    [message] = mail.outbox
    assert message.to == [world.customer.contacts.get().email]
    assert "revision 2" in message.subject
    assert "Effect on price and date: The total stays" in message.body
    name, content, mimetype = message.attachments[0]
    assert (name, mimetype) == (f"{order.number}-v2.pdf", "application/pdf")
    assert content.startswith(b"%PDF")
    assert token_from_mail() == sent.ack_token
    assert audit.entries_for(order).filter(action="revision_sent").exists()


def test_sending_again_keeps_the_link(order, world, django_capture_on_commit_callbacks):
    revision = second_revision(order, world)
    first = send(revision, world, django_capture_on_commit_callbacks)

    again = send(revision, world, django_capture_on_commit_callbacks)

    assert again.ack_token == first.ack_token
    assert len(mail.outbox) == 2


def test_no_e_mail_address_is_refused(order, world):
    revision = second_revision(order, world)
    world.customer.contacts.update(email="")

    with pytest.raises(ValidationFailed) as refused:
        revisions.send_acknowledgement(revision, by=world.sales)

    assert refused.value.status == 422
    assert refused.value.code == "no_contact_email"
    revision.refresh_from_db()
    assert revision.ack_status == AcknowledgementStatus.NOT_SENT
    assert not revision.ack_token


def test_the_base_and_superseded_revisions_are_not_sent(order, world):
    revision = second_revision(order, world)
    base = revisions.previous(revision)
    revisions.record_revision(order, None, by=world.sales)

    with pytest.raises(Conflict) as base_refused:
        revisions.send_acknowledgement(base, by=world.sales)
    with pytest.raises(Conflict) as old_refused:
        revisions.send_acknowledgement(revision, by=world.sales)

    assert base_refused.value.code == "base_revision"
    assert old_refused.value.code == "revision_superseded"


def test_only_order_staff_send(order, world):
    revision = second_revision(order, world)

    with pytest.raises(NotAllowed):
        revisions.send_acknowledgement(revision, by=world.warehouse)


def test_customer_acknowledges_by_token_once(order, world, django_capture_on_commit_callbacks):
    revision = second_revision(order, world)
    send(revision, world, django_capture_on_commit_callbacks)
    token = token_from_mail()

    acknowledged = revisions.acknowledge_by_token(token, name="王经理", note="同意")
    with pytest.raises(Conflict) as twice:
        revisions.acknowledge_by_token(token, name="王经理")

    assert twice.value.status == 409
    assert twice.value.code == "already_acknowledged"
    assert acknowledged.ack_status == AcknowledgementStatus.ACKNOWLEDGED
    assert (acknowledged.acknowledged_by_name, acknowledged.ack_note) == ("王经理", "同意")
    entry = audit.entries_for(order).filter(action="revision_acknowledged").get()
    assert entry.changes["via"] == [None, "link"]


def test_acknowledging_needs_a_name_and_a_valid_token(order, world):
    with pytest.raises(NotFound):
        revisions.acknowledge_by_token("x" * 43, name="王经理")
    with pytest.raises(ValidationFailed) as nameless:
        revisions.acknowledge_by_token("x" * 43, name=" ")

    assert "name" in nameless.value.fields


def test_staff_record_an_acknowledgement_by_phone(order, world):
    revision = second_revision(order, world)

    recorded = revisions.record_acknowledgement(revision, by=world.service, name="", note="电话")

    assert recorded.ack_status == AcknowledgementStatus.ACKNOWLEDGED
    assert recorded.acknowledged_by_name == order.contact_name
    with pytest.raises(Conflict):
        revisions.record_acknowledgement(revision, by=world.service, name="李四")
