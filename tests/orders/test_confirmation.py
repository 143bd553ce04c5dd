"""The order confirmation (订单确认书): the PDF, sending it, the customer confirming by the
link or customer service recording the signed copy, and late confirmations moving dates."""

from __future__ import annotations

import datetime as dt
import io
import os
import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from pypdf import PdfReader

from orderdesk.core import audit, workcalendar
from orderdesk.core.errors import Conflict, InvalidTransition, NotFound, ValidationFailed
from orderdesk.core.models import CompanyProfile
from orderdesk.orders import documents
from orderdesk.orders.models import AttachmentKind, ConfirmationStatus, Order, OrderStatus
from orderdesk.orders.services import confirmation
from tests.factories.orders import approve_all, make_order, make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    CompanyProfile.objects.filter(pk=1).update(
        name="广州示例阀门制造有限公司",
        address="广州市天河区科韵路 16 号",
        phone="020-12345678",
        tax_number="91440101MA59ABCD1X",
    )
    return make_world()


@pytest.fixture
def approved(world):
    order = make_order(world, customer_reference="采购单 PO-2026-118", packing_requirements="木箱")
    return approve_all(order, world)


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def send(order, world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return confirmation.send_confirmation(order, by=world.sales)


def token_from_mail() -> str:
    match = re.search(r"/orders/confirm/([\w-]+)/", mail.outbox[-1].body)
    assert match, mail.outbox[-1].body
    return match.group(1)


# --- the document --------------------------------------------------------------------------


def test_confirmation_pdf_shows_company_customer_lines_totals_and_signatures(approved, world):
    data = confirmation.confirmation_document(approved)

    assert data.startswith(b"%PDF")
    text = squeeze(pdf_text(data))
    assert squeeze(world.customer.name) in text  # Chinese extracted, not boxes
    assert "广州示例阀门制造有限公司" in text
    assert approved.number in text
    assert "球阀" in text
    assert "天河路1号" in text
    assert "¥791.00" in text  # the total, with the yuan sign
    assert "柒佰玖拾壹元整" in text  # and in capital numerals (人民币大写)
    assert "¥113.00" in text
    assert approved.promised_date.strftime("%Y-%m-%d") in text
    assert "Signatureandcompanystamp" in text
    if path := os.environ.get("ORDERDESK_PDF_DUMP"):
        with open(path, "wb") as handle:
            handle.write(data)


def test_big_amounts_have_thousands_separators(approved, world):
    Order.objects.filter(pk=approved.pk).update(total_amount="1234567.80")
    approved.refresh_from_db()

    text = pdf_text(documents.confirmation_pdf(approved))

    assert "¥1,234,567.80" in squeeze(text)


def test_a_draft_has_no_confirmation(world):
    order = make_order(world)

    with pytest.raises(InvalidTransition) as refused:
        confirmation.confirmation_document(order)

    assert refused.value.code == "not_approved"


# --- sending ------------------------------------------------------------------------------


def test_send_mails_the_pdf_and_link_and_waits_for_the_customer(
    approved, world, django_capture_on_commit_callbacks
):
    today = timezone.localdate()

    order = send(approved, world, django_capture_on_commit_callbacks)

    order.refresh_from_db()
    assert order.status == OrderStatus.AWAITING_CONFIRMATION
    assert order.confirmation_status == ConfirmationStatus.SENT
    assert order.confirmation_due_on == workcalendar.add_working_days(today, 2)
    assert len(order.confirmation_token) >= 40
    [message] = mail.outbox
    contact = world.customer.contacts.get(is_primary=True)
    assert message.to == [contact.email]
    assert order.number in message.subject
    assert f"/orders/confirm/{order.confirmation_token}/" in message.body
    [(filename, content, mimetype)] = message.attachments
    assert (filename, mimetype) == (f"{order.number}.pdf", "application/pdf")
    assert squeeze(world.customer.name) in squeeze(pdf_text(content))
    actions = set(audit.entries_for(order).values_list("action", flat=True))
    assert {"confirmation_sent", "order_awaiting_confirmation"} <= actions


def test_sending_again_keeps_the_link_and_the_deadline(
    approved, world, django_capture_on_commit_callbacks
):
    first = send(approved, world, django_capture_on_commit_callbacks)
    first.refresh_from_db()

    again = send(first, world, django_capture_on_commit_callbacks)

    again.refresh_from_db()
    assert again.confirmation_token == first.confirmation_token
    assert again.confirmation_due_on == first.confirmation_due_on
    assert len(mail.outbox) == 2
    assert audit.entries_for(again).filter(action="confirmation_resent").exists()


def test_no_e_mail_address_is_refused_and_nothing_changes(approved, world):
    world.customer.contacts.update(email="")

    with pytest.raises(ValidationFailed) as refused:
        confirmation.send_confirmation(approved, by=world.sales)

    assert refused.value.code == "no_contact_email"
    approved.refresh_from_db()
    assert approved.status == OrderStatus.APPROVED
    assert approved.confirmation_status == ConfirmationStatus.NOT_SENT


def test_an_order_in_review_cannot_be_sent(world):
    order = make_order(world)

    with pytest.raises(InvalidTransition):
        confirmation.send_confirmation(order, by=world.sales)


def test_only_order_staff_may_send(approved, world):
    from orderdesk.core.errors import NotAllowed

    with pytest.raises(NotAllowed):
        confirmation.send_confirmation(approved, by=world.warehouse)


# --- the customer confirms by the link ------------------------------------------------------


def test_customer_confirms_on_the_public_page_without_login(
    approved, world, client, django_capture_on_commit_callbacks
):
    send(approved, world, django_capture_on_commit_callbacks)
    token = token_from_mail()
    url = f"/orders/confirm/{token}/"

    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert world.customer.name in html
    assert "¥791.00" in html
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(url, {"name": "王经理", "note": "请尽快发货"})

    assert done.status_code == 302
    order = Order.objects.get(pk=approved.pk)
    assert order.confirmation_status == ConfirmationStatus.CONFIRMED
    assert order.confirmed_by_name == "王经理"
    assert order.confirmation_note == "请尽快发货"
    assert order.confirmed_at is not None
    entry = audit.entries_for(order).get(action="confirmation_received")
    assert entry.changes["via"] == [None, "link"]
    assert "Confirmed by 王经理" in client.get(url).content.decode()
    pdf = client.get(f"/orders/confirm/{token}/confirmation.pdf")
    assert pdf["Content-Type"] == "application/pdf"


def test_public_page_needs_a_name_and_a_valid_token(
    approved, world, client, django_capture_on_commit_callbacks
):
    send(approved, world, django_capture_on_commit_callbacks)
    token = token_from_mail()

    blank = client.post(f"/orders/confirm/{token}/", {"name": "  "})
    wrong = client.get("/orders/confirm/" + "x" * 43 + "/")

    assert blank.status_code == 200
    assert "name" in blank.context["form"].errors
    assert wrong.status_code == 404
    assert Order.objects.get(pk=approved.pk).confirmation_status == ConfirmationStatus.SENT


def test_confirming_twice_is_a_conflict(approved, world, django_capture_on_commit_callbacks):
    order = send(approved, world, django_capture_on_commit_callbacks)
    order.refresh_from_db()
    confirmation.confirm_by_token(order.confirmation_token, name="王经理")

    with pytest.raises(Conflict):
        confirmation.confirm_by_token(order.confirmation_token, name="李四")

    with pytest.raises(NotFound):
        confirmation.confirm_by_token("not-a-token", name="李四")


def test_a_cancelled_order_cannot_be_confirmed(approved, world, django_capture_on_commit_callbacks):
    from orderdesk.orders import services

    order = send(approved, world, django_capture_on_commit_callbacks)
    order.refresh_from_db()
    services.cancel(order, by=world.sales, reason="客户取消")

    with pytest.raises(InvalidTransition):
        confirmation.confirm_by_token(order.confirmation_token, name="王经理")


# --- customer service records it ---------------------------------------------------------------


def test_signed_copy_upload_confirms_and_files_the_copy(approved, world):
    scan = SimpleUploadedFile("回签.pdf", b"%PDF-1.4 signed", content_type="application/pdf")

    attachment = confirmation.record_signed_copy(approved, file=scan, by=world.service)

    order = Order.objects.get(pk=approved.pk)
    assert order.confirmation_status == ConfirmationStatus.CONFIRMED
    assert attachment.kind == AttachmentKind.SIGNED_CONFIRMATION
    assert attachment.filename == "回签.pdf"
    assert attachment.file.read() == b"%PDF-1.4 signed"
    actions = set(audit.entries_for(order).values_list("action", flat=True))
    assert {"attachment_added", "confirmation_received"} <= actions


def test_signed_copy_of_a_wrong_type_is_refused_and_nothing_is_stored(approved, world):
    program = SimpleUploadedFile("setup.exe", b"MZ", content_type="application/octet-stream")

    with pytest.raises(ValidationFailed) as refused:
        confirmation.record_signed_copy(approved, file=program, by=world.service)

    assert "file" in refused.value.fields
    assert not approved.attachments.exists()
    assert Order.objects.get(pk=approved.pk).confirmation_status == ConfirmationStatus.NOT_SENT


def test_record_signed_copy_page(approved, world, client):
    client.force_login(world.service)
    url = f"/orders/{approved.pk}/confirmation/record"

    form = client.get(url)
    done = client.post(
        url, {"file": SimpleUploadedFile("signed.jpg", b"\xff\xd8jpeg"), "note": "传真回签"}
    )

    assert form.status_code == 200
    assert done.status_code == 302
    order = Order.objects.get(pk=approved.pk)
    assert order.confirmation_status == ConfirmationStatus.CONFIRMED
    assert order.attachments.get().kind == AttachmentKind.SIGNED_CONFIRMATION


# --- late confirmations ----------------------------------------------------------------------


def test_each_working_day_late_moves_the_promised_date_once(
    approved, world, django_capture_on_commit_callbacks
):
    world.sales.email = "sales@example.com"
    world.sales.save(update_fields=["email"])
    order = send(approved, world, django_capture_on_commit_callbacks)
    order.refresh_from_db()
    promised, due = order.promised_date, order.confirmation_due_on
    calendar = workcalendar.current()
    one_late = calendar.add_working_days(due, 1)
    two_late = calendar.add_working_days(due, 2)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        assert confirmation.shift_late_confirmations(today=due) == 0
        assert confirmation.shift_late_confirmations(today=one_late) == 1
        assert confirmation.shift_late_confirmations(today=one_late) == 0  # same day: nothing
    order.refresh_from_db()
    assert order.promised_date == calendar.add_working_days(promised, 1)
    assert order.confirmation_delay_days == 1
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == sorted([world.customer.contacts.get().email, world.sales.email])
    assert all(order.number in message.subject for message in mail.outbox)

    with django_capture_on_commit_callbacks(execute=True):
        confirmation.shift_late_confirmations(today=two_late)
    order.refresh_from_db()
    assert order.promised_date == calendar.add_working_days(promised, 2)
    assert order.confirmation_delay_days == 2
    entries = audit.entries_for(order).filter(action="confirmation_late")
    assert entries.count() == 2


def test_a_confirmed_order_keeps_its_date(approved, world, django_capture_on_commit_callbacks):
    order = send(approved, world, django_capture_on_commit_callbacks)
    order.refresh_from_db()
    promised = order.promised_date
    confirmation.confirm_by_token(order.confirmation_token, name="王经理")

    later = order.confirmation_due_on + dt.timedelta(days=10)
    assert confirmation.shift_late_confirmations(today=later) == 0

    order.refresh_from_db()
    assert order.promised_date == promised


def test_the_daily_task_runs_as_the_system_user(
    approved, world, django_capture_on_commit_callbacks
):
    from orderdesk.orders import tasks

    send(approved, world, django_capture_on_commit_callbacks)

    utc = dt.datetime(2026, 11, 23, 17, 0, tzinfo=dt.UTC)  # 01:00 on the 24th in Beijing
    assert tasks.daily_at_one(utc.replace(tzinfo=None)) is True  # Huey passes naive UTC
    assert tasks.daily_at_one(utc.replace(hour=1, tzinfo=None)) is False
    tasks.shift_late_confirmations_daily.call_local()  # nothing late yet: nothing moves
    assert Order.objects.get(pk=approved.pk).confirmation_delay_days == 0


def test_open_confirmations_are_the_salespersons_tasks(
    approved, world, django_capture_on_commit_callbacks
):
    send(approved, world, django_capture_on_commit_callbacks)

    tasks = confirmation.chase_tasks_for(world.sales)

    assert [task.title.split(" ")[0] for task in tasks] == [approved.number]
    assert confirmation.chase_tasks_for(world.manager) == []
