"""The statement pages: the list and its empty state, generating one customer's or a whole
month's statements, the statement page with its actions, the customer page's panel, and the
public page where the customer confirms or disputes without logging in."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from orderdesk.billing import statements
from orderdesk.billing.models import Invoice, Statement, StatementStatus
from tests.factories.orders import make_released_order, make_world, user

from .helpers import invoice_per, issued

pytestmark = pytest.mark.django_db


def last_month() -> dt.date:
    return statements.last_month(timezone.localdate())


@pytest.fixture
def world():
    invoice_per("order")
    return make_world()


@pytest.fixture
def finance(client, world):
    client.force_login(world.finance)
    return client


@pytest.fixture
def statement(world):
    return statements.generate_statement(world.customer, last_month(), by=world.finance)


# --- list -----------------------------------------------------------------------------------


def test_the_list_has_an_empty_state_and_the_navigation_entry(finance):
    answer = finance.get(reverse("billing:statements"))
    assert answer.status_code == 200
    page = answer.content.decode()
    assert "card empty" in page
    assert reverse("billing:statement_new") in page
    assert f'href="{reverse("billing:statements")}"' in page  # the navigation entry


def test_the_list_shows_and_filters_statements(finance, world, statement):
    month = f"{last_month():%Y-%m}"
    page = finance.get(reverse("billing:statements"), {"month": month}).content.decode()
    assert f'data-statement="{statement.pk}"' in page
    assert world.customer.name in page
    page = finance.get(reverse("billing:statements"), {"status": "confirmed"}).content.decode()
    assert f'data-statement="{statement.pk}"' not in page
    assert "card empty" in page
    page = finance.get(reverse("billing:statements"), {"q": world.customer.code}).content.decode()
    assert f'data-statement="{statement.pk}"' in page
    answer = finance.get(reverse("billing:statements"), {"month": "soon"})
    assert answer.status_code == 200
    assert f'data-statement="{statement.pk}"' not in answer.content.decode()


def test_pages_are_forbidden_without_a_billing_permission(client, world, statement):
    client.force_login(user("sp_warehouse", "warehouse"))
    assert client.get(reverse("billing:statements")).status_code == 403
    assert client.get(reverse("billing:statement", args=[statement.pk])).status_code == 403
    assert client.get(reverse("billing:statement_new")).status_code == 403


def test_sales_read_their_customers_statements_but_do_not_generate(client, world, statement):
    client.force_login(world.sales)
    page = client.get(reverse("billing:statement", args=[statement.pk])).content.decode()
    assert 'id="statement-status"' in page
    assert 'id="send-statement"' not in page
    assert 'id="record-confirm"' not in page
    assert client.get(reverse("billing:statement_new")).status_code == 403
    client.force_login(user("sp_other_sales", "sales"))
    assert client.get(reverse("billing:statement", args=[statement.pk])).status_code == 404


# --- generating -----------------------------------------------------------------------------


def test_generate_one_customer(finance, world):
    form = finance.get(reverse("billing:statement_new"), {"customer": world.customer.pk})
    assert form.status_code == 200
    assert f"{last_month():%Y-%m}" in form.content.decode()

    answer = finance.post(
        reverse("billing:statement_new"),
        {"customer": world.customer.pk, "month": f"{last_month():%Y-%m}"},
    )

    statement = Statement.objects.get()
    assert answer.status_code == 302
    assert answer.url == reverse("billing:statement", args=[statement.pk])


def test_generate_a_month_that_has_not_ended_shows_the_error(finance, world):
    answer = finance.post(
        reverse("billing:statement_new"),
        {"customer": world.customer.pk, "month": f"{timezone.localdate():%Y-%m}"},
    )
    assert answer.status_code == 200
    assert answer.context["form"].errors["month"]
    assert not Statement.objects.exists()


def test_generate_all_customers_of_a_month(finance, world):
    order = make_released_order(world)
    invoice = issued(order, world.finance)
    Invoice.objects.filter(pk=invoice.pk).update(issued_on=last_month())
    month = f"{last_month():%Y-%m}"

    answer = finance.post(reverse("billing:statement_new"), {"customer": "", "month": month})

    assert answer.status_code == 302
    assert answer.url == f"{reverse('billing:statements')}?month={month}"
    statement = Statement.objects.get()
    assert statement.customer == world.customer
    assert statement.invoiced == invoice.gross_amount


# --- one statement --------------------------------------------------------------------------


def test_the_statement_page_and_its_downloads(finance, world, statement):
    page = finance.get(reverse("billing:statement", args=[statement.pk])).content.decode()
    assert 'id="statement-lines"' in page
    assert statement.token in page  # the link to give the customer
    assert 'id="send-statement"' in page
    pdf = finance.get(reverse("billing:statement_pdf", args=[statement.pk]))
    assert pdf.content.startswith(b"%PDF")
    xlsx = finance.get(reverse("billing:statement_xlsx", args=[statement.pk]))
    assert xlsx.status_code == 200
    assert xlsx.content[:2] == b"PK"


def test_send_from_the_page(finance, world, statement):
    mail.outbox.clear()
    answer = finance.post(reverse("billing:statement_send", args=[statement.pk]))
    assert answer.status_code == 302
    assert len(mail.outbox) == 1
    statement.refresh_from_db()
    assert statement.sent_at is not None


def test_regenerate_from_the_page(finance, world, statement):
    answer = finance.post(reverse("billing:statement_regenerate", args=[statement.pk]))
    assert answer.status_code == 302
    assert Statement.objects.count() == 1


def test_finance_records_a_dispute_which_needs_a_reason(finance, world, statement):
    url = reverse("billing:statement_answer", args=[statement.pk])

    refused = finance.post(url, {"name": "王会计", "note": "", "answer": "dispute"})

    assert refused.status_code == 200
    assert refused.context["answer_form"].errors["note"]
    statement.refresh_from_db()
    assert statement.status == StatementStatus.ISSUED

    done = finance.post(url, {"name": "王会计", "note": "少一笔付款", "answer": "dispute"})

    assert done.status_code == 302
    statement.refresh_from_db()
    assert statement.status == StatementStatus.DISPUTED
    assert statement.recorded_by == world.finance
    page = finance.get(reverse("billing:statement", args=[statement.pk])).content.decode()
    assert 'id="statement-answer"' in page
    assert 'id="record-confirm"' not in page


def test_the_customer_page_lists_statements(finance, world, statement):
    page = finance.get(reverse("customers:detail", args=[world.customer.pk])).content.decode()
    assert 'id="statements"' in page
    assert reverse("billing:statement", args=[statement.pk]) in page
    assert 'id="generate-statement"' in page


# --- the public page ------------------------------------------------------------------------


def test_the_customer_confirms_on_the_public_page_without_logging_in(client, world, statement):
    url = reverse("billing:statement_public", args=[statement.token])

    page = client.get(url)

    assert page.status_code == 200
    assert 'id="public-confirm"' in page.content.decode()
    assert (
        client.get(reverse("billing:statement_public_pdf", args=[statement.token])).content[:4]
        == b"%PDF"
    )
    assert (
        client.get(reverse("billing:statement_public_xlsx", args=[statement.token])).status_code
        == 200
    )

    answer = client.post(url, {"name": "王会计", "note": "", "answer": "confirm"})

    assert answer.status_code == 302
    statement.refresh_from_db()
    assert statement.status == StatementStatus.CONFIRMED
    assert statement.responder_name == "王会计"
    assert statement.recorded_by is None
    shown = client.get(url).content.decode()
    assert 'id="statement-state"' in shown
    assert 'id="public-confirm"' not in shown
    again = client.post(url, {"name": "王会计", "note": "不对", "answer": "dispute"})
    assert again.status_code == 200  # answered already: the page says so
    statement.refresh_from_db()
    assert statement.status == StatementStatus.CONFIRMED


def test_the_customer_disputes_with_a_reason(client, world, statement):
    url = reverse("billing:statement_public", args=[statement.token])

    refused = client.post(url, {"name": "李会计", "note": "", "answer": "dispute"})

    assert refused.status_code == 200
    assert refused.context["form"].errors["note"]
    answer = client.post(url, {"name": "李会计", "note": "发票 FP001 已退回", "answer": "dispute"})
    assert answer.status_code == 302
    statement.refresh_from_db()
    assert statement.status == StatementStatus.DISPUTED
    assert statement.response_note == "发票 FP001 已退回"


def test_a_wrong_link_is_404(client, db):
    assert client.get(reverse("billing:statement_public", args=["x" * 40])).status_code == 404
    assert client.get(reverse("billing:statement_public_pdf", args=["short"])).status_code == 404


def test_an_answer_without_a_button_is_refused(finance, world, statement):
    answer = finance.post(
        reverse("billing:statement_answer", args=[statement.pk]), {"name": "王会计"}
    )
    assert answer.status_code == 200
    assert answer.context["answer_form"].non_field_errors()
    statement.refresh_from_db()
    assert statement.status == StatementStatus.ISSUED


def test_the_list_reads_a_fixed_number_of_queries(
    finance, world, statement, django_assert_max_num_queries
):
    earlier = statements.last_month(last_month())
    statements.generate_statement(world.customer, earlier, by=world.finance)
    with django_assert_max_num_queries(20):
        answer = finance.get(reverse("billing:statements"))
    assert answer.content.decode().count("data-statement=") == 2
