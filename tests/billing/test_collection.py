"""Collection (催收): the daily job over simulated dates, promises, payment contacts, the
notice PDF and e-mails, the worklist and the settings."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from orderdesk.billing import collection, services
from orderdesk.billing.collection_documents import collection_notice_pdf
from orderdesk.billing.models import (
    CollectionCase,
    CollectionSettings,
    Invoice,
    PaymentContact,
)
from orderdesk.billing.my_tasks import collection_tasks
from orderdesk.billing.tasks import advance_collection_daily, daily_at_two
from orderdesk.core import audit
from orderdesk.core.errors import NotAllowed, NotFound, ValidationFailed
from orderdesk.core.models import AuditEntry
from tests.factories.customers import make_customer
from tests.factories.orders import make_released_order, make_world, user

from .helpers import invoice_per, issued, paid

pytestmark = pytest.mark.django_db


def day(n: int) -> dt.date:
    # Today when the test runs (a session may pass midnight in the company's time zone).
    return timezone.localdate() + dt.timedelta(days=n)


@pytest.fixture
def world():
    invoice_per("order")
    return make_world()


@pytest.fixture
def invoice(world):
    """An issued invoice that fell due yesterday."""
    found = issued(make_released_order(world), world.finance)
    Invoice.objects.filter(pk=found.pk).update(due_on=day(-1))
    found.refresh_from_db()
    return found


def run(n: int) -> dict[str, int]:
    return collection.advance_collection(on=day(n))


def case_of(invoice: Invoice) -> CollectionCase:
    return CollectionCase.objects.get(invoice=invoice)


def test_levels_over_simulated_days(world, invoice):
    assert run(-1)["opened"] == 0  # due that day: not overdue
    assert run(0)["opened"] == 1
    case = case_of(invoice)
    assert (case.level, case.status, case.opened_on) == ("first_reminder", "open", day(0))
    assert case.salesperson == invoice.order.salesperson
    assert case.finance == world.finance
    assert case.next_action_on == day(7)
    assert run(6)["advanced"] == 0
    assert run(7)["advanced"] == 1
    assert case_of(invoice).level == "second_reminder"
    assert run(21)["advanced"] == 0
    assert run(22)["advanced"] == 1
    case = case_of(invoice)
    assert case.level == "collection_notice"
    assert case.next_action_on == day(52)
    assert run(51)["advanced"] == 0
    assert run(52)["escalated"] == 1
    case = case_of(invoice)
    assert case.level == "escalated"
    assert case.next_action_on is None
    assert run(200) == dict.fromkeys(
        ("opened", "advanced", "lapsed", "closed", "notices", "escalated"), 0
    )
    actions = list(audit.entries_for(case).values_list("action", flat=True))
    assert actions.count("collection_level_raised") == 3
    assert "collection_opened" in actions


def test_running_twice_a_day_changes_nothing_the_second_time(world, invoice):
    for n in (0, 7, 22, 52):
        first = run(n)
        assert sum(first.values()) >= 1
        entries = AuditEntry.objects.count()
        mails = len(mail.outbox)
        contacts = PaymentContact.objects.count()
        assert sum(run(n).values()) == 0
        assert len(mail.outbox) == mails
        assert PaymentContact.objects.count() == contacts
        assert AuditEntry.objects.count() == entries
    assert CollectionCase.objects.count() == 1


def test_first_reminder_waits_for_the_configured_days(world, invoice):
    CollectionSettings.objects.update_or_create(pk=1, defaults={"first_reminder_days_overdue": 5})
    assert run(3)["opened"] == 0
    assert run(4)["opened"] == 1  # due day(-1): 5 days overdue on day(4)


def test_notice_is_emailed_with_the_pdf_and_logged(world, invoice):
    run(0)
    run(7)
    mail.outbox.clear()
    result = run(22)
    assert result["notices"] == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to
    name, content, mimetype = message.attachments[0]
    assert mimetype == "application/pdf"
    assert content.startswith(b"%PDF")
    assert name.endswith(f"{day(22):%Y%m%d}.pdf")
    case = case_of(invoice)
    assert case.notice_sent_on == day(22)
    contact = PaymentContact.objects.get(case=case)
    assert contact.channel == "email"
    assert contact.invoice == invoice
    assert message.to[0] in contact.summary


def test_one_notice_per_customer_for_several_invoices(world, invoice):
    second = issued(make_released_order(world), world.finance)
    Invoice.objects.filter(pk=second.pk).update(due_on=day(-1))
    for n in (0, 7):
        run(n)
    mail.outbox.clear()
    assert run(22)["notices"] == 1
    assert len(mail.outbox) == 1
    assert PaymentContact.objects.filter(channel="email").count() == 2


def test_without_a_contact_email_the_notice_is_flagged(world, invoice):
    world.customer.contacts.update(email="")
    for n in (0, 7, 22):
        run(n)
    case = case_of(invoice)
    assert case.level == "collection_notice"
    assert case.notice_sent_on is None
    assert not mail.outbox
    rows = collection_tasks(world.finance)
    assert rows[0].flag


def test_escalation_emails_the_supervisor_and_finance(world, invoice):
    world.finance.email = "finance@example.com"
    world.finance.save()
    for n in (0, 7, 22):
        run(n)
    mail.outbox.clear()
    assert run(52)["escalated"] == 1
    assert len(mail.outbox) == 1
    assert set(mail.outbox[0].to) == {"manager@example.com", "finance@example.com"}
    assert invoice.number in mail.outbox[0].subject


def test_escalation_without_a_supervisor_goes_to_the_general_manager(world, invoice):
    type(world.sales).objects.filter(pk=world.sales.pk).update(supervisor=None)
    for n in (0, 7, 22):
        run(n)
    mail.outbox.clear()
    run(52)
    assert mail.outbox[0].to == ["gm@example.com"]


def test_a_promise_pauses_the_chase_and_lapses_when_unpaid(world, invoice):
    run(0)  # first reminder
    contact = collection.log_payment_contact(
        invoice.customer,
        by=world.sales,
        channel="phone",
        summary="客户答应下周付款",
        invoice=invoice,
        promised_amount="100.00",
        promised_on=day(10),
    )
    case = case_of(invoice)
    assert contact.case == case
    assert (case.status, case.promised_on, case.promised_amount) == (
        "promised",
        day(10),
        Decimal("100.00"),
    )
    assert case.next_action_on == day(11)
    assert run(7)["advanced"] == 0
    assert run(10) == dict.fromkeys(
        ("opened", "advanced", "lapsed", "closed", "notices", "escalated"), 0
    )
    result = run(11)
    assert result["lapsed"] == 1
    assert result["advanced"] == 1  # the interval passed meanwhile
    case = case_of(invoice)
    assert (case.status, case.level) == ("open", "second_reminder")
    assert audit.entries_for(case).filter(action="collection_promise_lapsed").exists()


def test_a_promise_without_an_invoice_covers_all_the_customers_cases(world, invoice):
    second = issued(make_released_order(world), world.finance)
    Invoice.objects.filter(pk=second.pk).update(due_on=day(-1))
    run(0)
    collection.log_payment_contact(
        invoice.customer, by=world.finance, channel="visit", summary="上门", promised_on=day(3)
    )
    assert set(CollectionCase.objects.values_list("status", flat=True)) == {"promised"}


def test_payment_closes_the_case(world, invoice):
    run(0)
    payment = paid(invoice.customer, str(invoice.gross_amount), world.finance)
    services.allocate(payment, invoice, invoice.gross_amount, by=world.finance)
    assert run(1)["closed"] == 1
    case = case_of(invoice)
    assert (case.status, case.closed_on) == ("closed", day(1))
    assert collection_tasks(world.sales) == []
    assert run(2)["opened"] == 0


def test_a_partial_payment_keeps_the_case_open(world, invoice):
    run(0)
    payment = paid(invoice.customer, "10.00", world.finance)
    services.allocate(payment, invoice, "10.00", by=world.finance)
    assert run(1)["closed"] == 0
    assert case_of(invoice).status == "open"


def test_a_reversed_payment_opens_a_new_case(world, invoice):
    run(0)
    payment = paid(invoice.customer, str(invoice.gross_amount), world.finance)
    allocation = services.allocate(payment, invoice, invoice.gross_amount, by=world.finance)
    run(1)
    services.reverse_allocation(allocation, reason="退票", by=world.finance)
    assert run(2)["opened"] == 1
    assert CollectionCase.objects.filter(invoice=invoice).count() == 2


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"promised_on": day(-1)}, "promised_on"),
        ({"promised_on": "tomorrow"}, "promised_on"),
        ({"promised_amount": "0", "promised_on": day(1)}, "promised_amount"),
        ({"promised_amount": "-1", "promised_on": day(1)}, "promised_amount"),
        ({"promised_amount": "1.005", "promised_on": day(1)}, "promised_amount"),
        ({"promised_amount": "abc", "promised_on": day(1)}, "promised_amount"),
        ({"promised_amount": "99999999", "promised_on": day(1)}, "promised_amount"),
        ({"promised_amount": "10"}, "promised_on"),
        ({"channel": "pigeon"}, "channel"),
        ({"summary": "  "}, "summary"),
        ({"summary": "x" * 2001}, "summary"),
    ],
)
def test_bad_contacts_are_refused_and_nothing_is_written(world, invoice, values, field):
    run(0)
    body = {"channel": "phone", "summary": "催款", "invoice": invoice, **values}
    with pytest.raises(ValidationFailed) as error:
        collection.log_payment_contact(invoice.customer, by=world.sales, **body)
    assert field in error.value.fields
    assert PaymentContact.objects.count() == 0
    assert case_of(invoice).status == "open"


def test_contact_permissions(world, invoice):
    other = make_customer(user("bi_other_sales", "sales"))
    with pytest.raises(NotFound):
        collection.log_payment_contact(other, by=world.sales, channel="phone", summary="x")
    with pytest.raises(NotAllowed):
        collection.log_payment_contact(
            invoice.customer, by=world.warehouse, channel="phone", summary="x"
        )
    with pytest.raises(ValidationFailed) as error:
        collection.log_payment_contact(
            other, by=world.finance, channel="phone", summary="x", invoice=invoice
        )
    assert "invoice" in error.value.fields
    contact = collection.log_payment_contact(
        invoice.customer, by=world.sales, channel="message", summary="微信提醒"
    )
    assert contact.case is None
    assert audit.entries_for(contact).filter(action="payment_contact_logged").exists()


def test_worklist_rows(world, invoice):
    assert collection_tasks(world.sales) == []
    run(0)
    rows = collection_tasks(world.sales)
    assert len(rows) == 1
    row = rows[0]
    assert invoice.number in row.title
    assert invoice.customer.name in row.title
    assert "1" in row.detail
    assert row.url
    assert [t.title for t in collection_tasks(world.finance)] == [row.title]
    assert collection_tasks(world.warehouse) == []
    assert collection_tasks(user("bi_other_sales", "sales")) == []
    CollectionCase.objects.filter(invoice=invoice).update(status="promised", promised_on=day(-1))
    assert collection_tasks(world.sales)[0].flag


def test_settings_are_changed_with_a_reason(world):
    with pytest.raises(NotAllowed):
        collection.update_collection_settings(by=world.sales, reason="x", notice_after_days=3)
    with pytest.raises(ValidationFailed) as error:
        collection.update_collection_settings(
            by=world.finance, reason="", notice_after_days=0, escalate_after_days="x"
        )
    assert set(error.value.fields) == {"reason", "notice_after_days", "escalate_after_days"}
    current = collection.update_collection_settings(
        by=world.finance, reason="公司新规", notice_after_days=10
    )
    assert current.notice_after_days == 10
    entry = audit.entries_for(current).get(action="collection_settings_changed")
    assert entry.reason == "公司新规"


def test_the_notice_pdf_lists_the_invoices(world, invoice):
    pdf = collection_notice_pdf(invoice.customer, [invoice], on=day(22))
    assert pdf.startswith(b"%PDF")
    assert len(pdf) > 1000


def test_the_periodic_task_runs_at_two_in_company_time(world, invoice):
    # 02:00 Beijing is 18:00 UTC the day before.
    utc = dt.datetime(2026, 3, 1, 18, 0, tzinfo=dt.UTC)
    assert daily_at_two(utc.replace(tzinfo=None))  # Huey passes naive UTC
    assert not daily_at_two(utc.replace(hour=2, tzinfo=None))
    result = advance_collection_daily.call_local()
    assert result["opened"] == 1


def test_a_promise_logged_before_the_case_opens_holds(world, invoice):
    collection.log_payment_contact(
        invoice.customer,
        by=world.sales,
        channel="phone",
        summary="客户说月底付",
        invoice=invoice,
        promised_on=day(5),
    )
    assert run(0)["opened"] == 1
    case = case_of(invoice)
    assert (case.status, case.promised_on, case.next_action_on) == ("promised", day(5), day(6))
    assert run(7)["lapsed"] == 1
    assert case_of(invoice).status == "open"


def test_a_voided_invoice_closes_its_case(world, invoice):
    run(0)
    services.void_invoice(invoice, reason="开错抬头", by=world.finance)
    assert run(1)["closed"] == 1
    entry = audit.entries_for(case_of(invoice)).get(action="collection_closed")
    assert entry.reason


def test_the_my_tasks_page_shows_the_cases(client, world, invoice, monkeypatch):
    from django.urls import reverse

    from orderdesk.core import worklist

    monkeypatch.setattr(worklist, "_SOURCES", [collection_tasks])
    run(0)
    client.force_login(world.sales)
    response = client.get(reverse("core:my_tasks"))
    assert response.status_code == 200
    assert invoice.number in response.content.decode()
