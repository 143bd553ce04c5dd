"""The collection pages (催收): the task queue (filters, visibility, order, empty states), one
case with its history and contacts, logging a payment contact (and its refusals on the
form), the collection notice PDF, and the collection on the customer and order panels."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from orderdesk.billing import collection
from orderdesk.billing.models import CollectionCase, Invoice, PaymentContact
from tests.factories.orders import make_released_order, make_world, user

from .helpers import invoice_per, issued

pytestmark = pytest.mark.django_db
QUEUE = "billing:collection"


def day(n: int) -> dt.date:
    # Today when the test runs (a session may pass midnight in the company's time zone).
    return timezone.localdate() + dt.timedelta(days=n)


@pytest.fixture
def world():
    invoice_per("order")
    return make_world()


def overdue_invoice(world, due: int = -1) -> Invoice:
    found = issued(make_released_order(world), world.finance)
    Invoice.objects.filter(pk=found.pk).update(due_on=day(due))
    found.refresh_from_db()
    return found


@pytest.fixture
def invoice(world):
    """An issued invoice that fell due yesterday, with its case opened by today's run."""
    found = overdue_invoice(world)
    collection.advance_collection(on=day(0))
    return found


@pytest.fixture
def case(invoice):
    return CollectionCase.objects.get(invoice=invoice)


@pytest.fixture
def finance(client, world):
    client.force_login(world.finance)
    return client


def rows(answer) -> list[str]:
    """The invoice numbers of the queue's rows, in order."""
    text = answer.content.decode()
    numbers = Invoice.objects.values_list("number", flat=True)
    found = [(text.find(f">{n}</a>"), n) for n in numbers if f">{n}</a>" in text]
    return [n for _position, n in sorted(found)]


# --- the queue ------------------------------------------------------------------------------


def test_queue_shows_the_open_case_with_what_to_do_next(finance, world, invoice, case):
    answer = finance.get(reverse(QUEUE))

    assert answer.status_code == 200
    page = answer.content.decode()
    assert 'id="collection-cases"' in page
    assert f'data-case="{case.pk}"' in page
    assert invoice.customer.name in page
    assert str(invoice.gross_amount) in page
    assert 'data-level="first_reminder"' in page
    assert case.next_action_on.isoformat() in page
    assert world.sales.username in page
    assert reverse("billing:collection_case", args=[case.pk]) in page


def test_queue_empty_state(finance):
    answer = finance.get(reverse(QUEUE))
    assert answer.status_code == 200
    assert b'id="collection-empty"' in answer.content
    assert b'id="collection-cases"' not in answer.content


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        ({"level": "first_reminder"}, True),
        ({"level": "escalated"}, False),
        ({"status": "open"}, True),
        ({"status": "promised"}, False),
        ({"status": "closed"}, False),
        ({"status": "all"}, True),
        ({"customer": "测试"}, True),
        ({"customer": "无此客户"}, False),
        ({"mine": "on"}, False),  # finance owns no customer
        ({"level": "nonsense"}, True),  # an invalid filter is ignored, not a 500
    ],
)
def test_queue_filters(finance, invoice, case, query, shown):
    answer = finance.get(reverse(QUEUE), query)
    assert answer.status_code == 200
    assert (f'data-case="{case.pk}"' in answer.content.decode()) is shown
    if not shown:
        assert b'id="collection-no-match"' in answer.content


def test_queue_by_customer_code_and_id(finance, invoice, case):
    code = invoice.customer.code
    assert (
        f'data-case="{case.pk}"' in finance.get(reverse(QUEUE), {"customer": code}).content.decode()
    )
    answer = finance.get(reverse(QUEUE), {"customer_id": invoice.customer_id})
    assert f'data-case="{case.pk}"' in answer.content.decode()
    answer = finance.get(reverse(QUEUE), {"customer_id": invoice.customer_id + 1000})
    assert f'data-case="{case.pk}"' not in answer.content.decode()
    answer = finance.get(reverse(QUEUE), {"customer_id": "9" * 30})  # ignored, not a 500
    assert f'data-case="{case.pk}"' in answer.content.decode()


def test_queue_visibility(client, world, invoice, case):
    client.force_login(world.sales)  # the customer's owner
    assert f'data-case="{case.pk}"' in client.get(reverse(QUEUE), {"mine": "on"}).content.decode()
    client.force_login(user("cp_other_sales", "sales"))
    answer = client.get(reverse(QUEUE))
    assert answer.status_code == 200
    assert f'data-case="{case.pk}"' not in answer.content.decode()
    client.force_login(world.warehouse)
    assert client.get(reverse(QUEUE)).status_code == 403


def test_queue_is_most_urgent_first_and_pages(finance, world):
    older = overdue_invoice(world, -1)
    newer = overdue_invoice(world, 5)
    collection.advance_collection(on=day(0))  # opens the older one
    collection.advance_collection(on=day(6))  # opens the newer one
    collection.advance_collection(on=day(7))  # the older one: second reminder
    assert rows(finance.get(reverse(QUEUE))) == [older.number, newer.number]
    collection.log_payment_contact(
        older.customer,
        by=world.finance,
        channel="phone",
        summary="答应下周付款",
        invoice=older,
        promised_on=day(7),
    )
    # A promise pauses the chase: the case waiting for it comes after those being chased.
    assert rows(finance.get(reverse(QUEUE))) == [newer.number, older.number]
    answer = finance.get(reverse(QUEUE), {"page": "99"})
    assert answer.status_code == 200  # out of range: the last page


def test_queue_query_budget(finance, world, django_assert_max_num_queries):
    for _ in range(3):
        overdue_invoice(world)
    collection.advance_collection(on=day(0))
    with django_assert_max_num_queries(20):
        answer = finance.get(reverse(QUEUE))
    assert answer.content.count(b"data-case=") == 3


# --- one case -------------------------------------------------------------------------------


def test_case_page_shows_invoice_history_and_contacts(finance, world, invoice, case):
    collection.log_payment_contact(
        invoice.customer, by=world.sales, channel="visit", summary="上门拜访整个账户"
    )
    answer = finance.get(reverse("billing:collection_case", args=[case.pk]))

    assert answer.status_code == 200
    page = answer.content.decode()
    assert invoice.number in page
    assert 'id="case-levels"' in page
    assert "collection_opened" in page  # the level history (audit)
    assert "上门拜访整个账户" in page  # a contact about the whole account
    assert 'id="contact-form"' in page
    assert reverse("billing:collection_notice", args=[invoice.customer_id]) in page


def test_case_page_is_hidden_from_others(client, world, case):
    client.force_login(user("cp_other_sales2", "sales"))
    assert client.get(reverse("billing:collection_case", args=[case.pk])).status_code == 404
    client.force_login(world.warehouse)
    assert client.get(reverse("billing:collection_case", args=[case.pk])).status_code == 403
    client.force_login(world.finance)
    assert client.get(reverse("billing:collection_case", args=[999999])).status_code == 404


def test_log_a_contact_with_a_promise_from_the_case_page(client, world, invoice, case):
    client.force_login(world.sales)
    url = reverse("billing:collection_case", args=[case.pk])
    answer = client.post(
        url,
        {
            "channel": "phone",
            "summary": "客户承诺周五付款",
            "promised_amount": "500.50",
            "promised_on": day(3).isoformat(),
        },
    )

    assert answer.status_code == 302
    assert answer["Location"] == url + "#contacts"
    contact = PaymentContact.objects.get()
    assert (contact.invoice, contact.case, contact.by) == (invoice, case, world.sales)
    case.refresh_from_db()
    assert (case.status, case.promised_on) == ("promised", day(3))
    page = client.get(url).content.decode()
    assert "客户承诺周五付款" in page
    assert day(3).isoformat() in page


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"channel": ""}, "channel"),
        ({"channel": "pigeon"}, "channel"),
        ({"summary": ""}, "summary"),
        ({"promised_on": "someday"}, "promised_on"),
        ({"promised_on": "2000-01-01"}, "promised_on"),
        ({"promised_amount": "abc", "promised_on": "+1"}, "promised_amount"),
        ({"promised_amount": "99999999", "promised_on": "+1"}, "promised_amount"),
        ({"promised_amount": "10"}, "promised_on"),
    ],
)
def test_bad_contacts_come_back_on_the_form(finance, case, data, field):
    body = {"channel": "phone", "summary": "催款", **data}
    if body.get("promised_on") == "+1":
        body["promised_on"] = day(1).isoformat()

    answer = finance.post(reverse("billing:collection_case", args=[case.pk]), body)

    assert answer.status_code == 200
    assert f'id="id_{field}_error"' in answer.content.decode()
    assert not PaymentContact.objects.exists()


# --- contacts about the whole account, and the notice ---------------------------------------


def test_log_a_contact_about_the_whole_account(client, world, invoice, case):
    client.force_login(world.sales)
    url = reverse("billing:collection_contact", args=[invoice.customer_id])
    page = client.get(url)
    assert page.status_code == 200
    assert f'value="{invoice.pk}"' in page.content.decode()  # an open invoice to choose
    answer = client.post(
        url,
        {
            "payment_contact-channel": "message",
            "payment_contact-summary": "微信催款",
            "payment_contact-invoice": "",
        },
    )
    assert answer.status_code == 302
    assert answer["Location"].endswith("#collection")
    contact = PaymentContact.objects.get()
    assert contact.invoice is None
    answer = client.post(
        url,
        {
            "payment_contact-channel": "phone",
            "payment_contact-summary": "x",
            "payment_contact-invoice": "999999",
        },
    )
    assert answer.status_code == 200
    assert b'id="id_payment_contact-invoice_error"' in answer.content
    answer = client.post(
        url,
        {
            "payment_contact-channel": "phone",
            "payment_contact-summary": "电话",
            "payment_contact-invoice": str(invoice.pk),
            "payment_contact-promised_on": day(2).isoformat(),
        },
    )
    assert answer.status_code == 302
    case.refresh_from_db()
    assert case.status == "promised"
    client.force_login(user("cp_other_sales3", "sales"))
    assert client.get(url).status_code == 404


def test_notice_pdf_download(finance, world, invoice):
    url = reverse("billing:collection_notice", args=[invoice.customer_id])

    answer = finance.get(url)

    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/pdf"
    assert answer["Content-Disposition"].startswith("attachment;")
    assert invoice.customer.code in answer["Content-Disposition"]
    assert answer.content.startswith(b"%PDF")


def test_notice_pdf_permissions_and_nothing_overdue(client, world, invoice):
    url = reverse("billing:collection_notice", args=[invoice.customer_id])
    client.force_login(user("cp_other_sales4", "sales"))
    assert client.get(url).status_code == 404
    client.force_login(world.warehouse)
    assert client.get(url).status_code == 403
    client.force_login(world.sales)
    assert client.get(url).status_code == 200
    Invoice.objects.filter(pk=invoice.pk).update(due_on=day(5))
    answer = client.get(url)
    assert answer.status_code == 302
    assert answer["Location"].endswith("#collection")


# --- the panels -----------------------------------------------------------------------------


def test_customer_panel_shows_cases_contacts_and_the_contact_form(finance, world, invoice, case):
    collection.log_payment_contact(
        invoice.customer,
        by=world.sales,
        channel="phone",
        summary="承诺付款",
        invoice=invoice,
        promised_on=day(4),
    )

    page = finance.get(reverse("customers:detail", args=[invoice.customer_id])).content.decode()

    assert 'id="account-cases"' in page
    assert reverse("billing:collection_case", args=[case.pk]) in page
    assert f'data-case="{case.pk}" data-level="first_reminder"' in page
    assert 'id="account-contacts"' in page
    assert "承诺付款" in page
    assert day(4).isoformat() in page
    assert reverse("billing:collection_contact", args=[invoice.customer_id]) in page
    assert 'name="payment_contact-channel"' in page
    assert reverse("billing:collection_notice", args=[invoice.customer_id]) in page


def test_customer_panel_without_cases(finance, world):
    customer = world.customer
    page = finance.get(reverse("customers:detail", args=[customer.pk])).content.decode()
    assert 'id="account"' in page
    assert 'id="account-cases"' not in page
    assert reverse("billing:collection_notice", args=[customer.pk]) not in page


def test_order_panel_shows_the_collection_level(finance, world, invoice, case):
    page = finance.get(reverse("orders:detail", args=[invoice.order_id])).content.decode()
    assert 'data-collection-level="first_reminder"' in page
    assert reverse("billing:collection_case", args=[case.pk]) in page
