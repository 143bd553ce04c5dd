"""Applying the order's paid deposit to its invoice (定金抵扣): the deposit allocation moves to
the invoice in full or in part, oldest first, the deposit still counts as received, the
running totals and the balance stay right, refusals (409) change nothing; the API endpoint
and the button on the invoice page."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.db.models import Sum
from django.urls import reverse

from orderdesk.billing import selectors, services
from orderdesk.billing.models import Allocation, DepositRequest, Invoice, Payment
from orderdesk.core import audit
from orderdesk.core.errors import Conflict, InvalidTransition, NotAllowed
from tests.factories.accounts import bearer
from tests.factories.orders import make_released_order, make_world, user

from .helpers import invoice_per, issued, paid

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    invoice_per("order")
    return make_world()


@pytest.fixture
def order(world):
    return make_released_order(world)


def deposit_paid(order: Any, amount: str, by: Any) -> tuple[DepositRequest, Payment]:
    request = services.request_deposit(order, by=by, amount=amount)
    payment = paid(order.customer, amount, by)
    services.allocate(payment, request, amount, by=by)
    return request, payment


def part_invoice(order: Any, by: Any, quantity: str = "1") -> Invoice:
    """An issued invoice for ``quantity`` of the order's first line."""
    first = order.lines.order_by("line_no").first()
    return issued(order, by, lines=[{"order_line_id": first.pk, "quantity": quantity}])


def summed(rows: Any) -> Decimal:
    return rows.aggregate(total=Sum("amount"))["total"] or Decimal(0)


def assert_totals_agree(customer: Any) -> None:
    """Every running total equals its active allocations; nothing is over-allocated."""
    active = Allocation.objects.filter(reversed_at__isnull=True)
    for invoice in Invoice.objects.filter(customer=customer):
        assert invoice.allocated_amount == summed(active.filter(invoice=invoice))
        assert invoice.gross_amount - invoice.credited_amount - invoice.allocated_amount >= 0
    for request in DepositRequest.objects.filter(customer=customer):
        assert request.allocated_amount == summed(active.filter(deposit_request=request))
        assert request.open_amount >= 0
    for payment in Payment.objects.filter(customer=customer):
        assert payment.allocated_amount == summed(active.filter(payment=payment))
        assert payment.unallocated_amount >= 0


# --- the service ----------------------------------------------------------------------------


def test_a_paid_deposit_moves_to_the_invoice_in_full(world, order):
    request, payment = deposit_paid(order, "200.00", world.finance)
    original = Allocation.objects.get()
    invoice = issued(order, world.finance)
    balance = selectors.balance(order.customer)

    made = services.apply_deposit(invoice, by=world.finance)

    [moved] = made
    assert (moved.invoice_id, moved.payment_id, moved.amount) == (
        invoice.pk,
        payment.pk,
        Decimal("200.00"),
    )
    original.refresh_from_db()
    assert original.reversed_at is not None
    assert original.reversed_by == world.finance
    assert original.moved_to == moved
    assert invoice.number in original.reverse_reason
    invoice.refresh_from_db()
    request.refresh_from_db()
    payment.refresh_from_db()
    assert invoice.allocated_amount == Decimal("200.00")
    assert invoice.open_amount == order.total_amount - Decimal("200.00")
    assert request.allocated_amount == 0
    assert payment.allocated_amount == Decimal("200.00")  # the money stays allocated
    assert selectors.deposit_received(order) == Decimal("200.00")
    assert selectors.balance(order.customer) == balance
    assert_totals_agree(order.customer)
    assert audit.entries_for(invoice).filter(action="deposit_applied").exists()
    assert audit.entries_for(payment).filter(action="deposit_applied").exists()


def test_only_what_is_open_moves_and_the_rest_stays_on_the_deposit(world, order):
    request, payment = deposit_paid(order, "500.00", world.finance)
    original = Allocation.objects.get()
    invoice = part_invoice(order, world.finance)  # 1 × 113.00
    assert invoice.gross_amount == Decimal("113.00")

    [moved] = services.apply_deposit(invoice, by=world.finance)

    assert moved.amount == Decimal("113.00")
    original.refresh_from_db()
    assert original.reversed_at is not None
    assert original.moved_to is None  # split: replaced by the two rows below
    rest = Allocation.objects.get(deposit_request=request, reversed_at__isnull=True)
    assert rest.amount == Decimal("387.00")
    assert rest.payment_id == payment.pk
    part = Allocation.objects.get(deposit_request=request, moved_to__isnull=False)
    assert (part.amount, part.moved_to, part.reversed_at is not None) == (
        Decimal("113.00"),
        moved,
        True,
    )
    request.refresh_from_db()
    invoice.refresh_from_db()
    payment.refresh_from_db()
    assert request.allocated_amount == Decimal("387.00")
    assert invoice.open_amount == 0
    assert payment.allocated_amount == Decimal("500.00")
    assert selectors.deposit_received(order) == Decimal("500.00")
    assert_totals_agree(order.customer)

    second = issued(order, world.finance)  # the rest of the order
    [later] = services.apply_deposit(second, by=world.finance)

    assert later.amount == Decimal("387.00")
    request.refresh_from_db()
    second.refresh_from_db()
    assert request.allocated_amount == 0
    assert second.allocated_amount == Decimal("387.00")
    assert selectors.deposit_received(order) == Decimal("500.00")
    assert_totals_agree(order.customer)


def test_several_deposits_move_oldest_first_up_to_the_open_amount(world, order):
    first_request, first_payment = deposit_paid(order, "100.00", world.finance)
    second_request, second_payment = deposit_paid(order, "100.00", world.finance)
    invoice = part_invoice(order, world.finance, "1.5")  # 169.50
    balance = selectors.balance(order.customer)

    made = services.apply_deposit(invoice, by=world.finance)

    assert [(a.payment_id, a.amount) for a in made] == [
        (first_payment.pk, Decimal("100.00")),
        (second_payment.pk, Decimal("69.50")),
    ]
    first_request.refresh_from_db()
    second_request.refresh_from_db()
    assert first_request.allocated_amount == 0
    assert second_request.allocated_amount == Decimal("30.50")
    invoice.refresh_from_db()
    assert invoice.open_amount == 0
    assert selectors.deposit_received(order) == Decimal("200.00")
    assert selectors.balance(order.customer) == balance
    assert_totals_agree(order.customer)


def test_nothing_to_apply_is_refused_and_changes_nothing(world, order):
    invoice = issued(order, world.finance)
    with pytest.raises(Conflict) as refused:
        services.apply_deposit(invoice, by=world.finance)
    assert refused.value.code == "no_paid_deposit"
    assert refused.value.status == 409

    deposit_paid(order, "50.00", world.finance)
    services.allocate(
        paid(order.customer, str(order.total_amount), world.finance),
        invoice,
        str(order.total_amount),
        by=world.finance,
    )
    before = list(Allocation.objects.order_by("pk").values_list("pk", "reversed_at"))
    with pytest.raises(Conflict) as refused:
        services.apply_deposit(invoice, by=world.finance)
    assert refused.value.code == "nothing_open"
    assert list(Allocation.objects.order_by("pk").values_list("pk", "reversed_at")) == before


def test_a_draft_invoice_and_a_user_without_payments_are_refused(world, order):
    deposit_paid(order, "50.00", world.finance)
    draft = services.create_invoice(order, "ordinary", by=world.finance)
    with pytest.raises(InvalidTransition):
        services.apply_deposit(draft, by=world.finance)
    invoice = services.issue_invoice(draft, by=world.finance)
    with pytest.raises(NotAllowed):
        services.apply_deposit(invoice, by=world.sales)
    assert Allocation.objects.filter(invoice=invoice).count() == 0


def test_the_invoice_allocation_can_be_reversed_afterwards(world, order):
    request, payment = deposit_paid(order, "200.00", world.finance)
    invoice = issued(order, world.finance)
    [moved] = services.apply_deposit(invoice, by=world.finance)
    balance = selectors.balance(order.customer)

    services.reverse_allocation(moved, reason="Wrong invoice", by=world.finance)

    invoice.refresh_from_db()
    payment.refresh_from_db()
    request.refresh_from_db()
    assert invoice.allocated_amount == 0
    assert payment.unallocated_amount == Decimal("200.00")  # back to the customer's credit
    assert request.allocated_amount == 0
    assert selectors.balance(order.customer) == balance
    assert_totals_agree(order.customer)
    # The credit can be allocated again, for example to the invoice.
    services.allocate(payment, invoice, "200.00", by=world.finance)
    invoice.refresh_from_db()
    assert invoice.allocated_amount == Decimal("200.00")
    assert_totals_agree(order.customer)


# --- the API and the page -------------------------------------------------------------------


def test_apply_deposit_over_the_api(client, world, order):
    deposit_paid(order, "200.00", world.finance)
    invoice = issued(order, world.finance)
    url = f"/api/v1/invoices/{invoice.pk}/apply-deposit"

    answer = client.post(url, content_type="application/json", headers=bearer(world.finance))

    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["paid_amount"] == "200.00"
    assert body["open_amount"] == str(order.total_amount - Decimal("200.00"))
    again = client.post(url, content_type="application/json", headers=bearer(world.finance))
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "no_paid_deposit"
    denied = client.post(url, content_type="application/json", headers=bearer(world.sales))
    assert denied.status_code == 403
    outsider = user("ad_warehouse", "warehouse")
    hidden = client.post(url, content_type="application/json", headers=bearer(outsider))
    assert hidden.status_code == 404


def test_invoice_page_offers_the_button_when_a_deposit_is_paid(client, world, order):
    invoice = issued(order, world.finance)
    client.force_login(world.finance)
    page_url = reverse("billing:invoice", args=[invoice.pk])
    assert b'id="apply-deposit"' not in client.get(page_url).content
    deposit_paid(order, "200.00", world.finance)
    assert b'id="apply-deposit"' in client.get(page_url).content
    client.force_login(world.sales)  # sees the invoice, may not move payments
    assert b'id="apply-deposit"' not in client.get(page_url).content
    action = reverse("billing:invoice_apply_deposit", args=[invoice.pk])
    assert client.post(action).status_code == 403
    assert not Allocation.objects.filter(invoice=invoice).exists()

    client.force_login(world.finance)
    answer = client.post(action)

    assert answer.status_code == 302
    assert answer["Location"] == page_url + "#allocations"
    invoice.refresh_from_db()
    assert invoice.allocated_amount == Decimal("200.00")
    page = client.get(page_url).content
    assert b'id="apply-deposit"' not in page  # nothing left to apply
    again = client.post(action)
    assert again.status_code == 302
    [message] = get_messages(again.wsgi_request)
    assert message.level_tag == "error"  # nothing left to apply: 409, shown as a message
