"""Settings, due dates, deposit cancellation, audit entries and who sees what."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from orderdesk.billing import selectors, services
from orderdesk.billing.models import BillingSettings
from orderdesk.core import audit
from orderdesk.core.errors import Conflict, InvalidTransition, NotAllowed, ValidationFailed
from orderdesk.customers.models import CreditFile, GradeTerms
from tests.factories.orders import make_released_order, make_world, user

from .helpers import invoice_per, issued, paid

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    invoice_per("order")
    return make_world()


def test_settings_are_changed_by_finance_only_and_audited(world):
    with pytest.raises(NotAllowed):
        services.update_settings(by=world.sales, invoice_per="order")
    with pytest.raises(ValidationFailed) as error:
        services.update_settings(by=world.finance, invoice_per="monthly", default_due_days="-1")
    assert set(error.value.fields) == {"invoice_per", "default_due_days"}
    found = services.update_settings(by=world.finance, invoice_per="shipment", default_due_days=45)
    assert (found.invoice_per, found.default_due_days) == ("shipment", 45)
    assert BillingSettings.objects.get().default_due_days == 45
    assert audit.entries_for(found).filter(action="billing_settings_changed").exists()


def test_due_date_falls_back_to_the_default_without_grade_terms(world):
    GradeTerms.objects.filter(grade="A").delete()
    services.update_settings(by=world.finance, default_due_days=15)
    invoice = issued(make_released_order(world), world.finance)
    assert invoice.due_on == timezone.localdate() + dt.timedelta(days=15)


def test_a_cash_in_advance_customer_owes_on_issue(world):
    order = make_released_order(world)
    CreditFile.objects.filter(customer=world.customer).update(grade="C")
    world.customer.refresh_from_db()
    invoice = issued(order, world.finance)
    assert invoice.due_on == timezone.localdate()  # C: 款到发货, 0 settlement days


def test_cancelling_a_deposit_request(world):
    order = make_released_order(world)
    request = services.request_deposit(order, by=world.finance, percent="30")
    payment = paid(world.customer, "50.00", world.finance)
    allocation = services.allocate(payment, request, "50.00", by=world.finance)
    with pytest.raises(Conflict):
        services.cancel_deposit_request(request, reason="客户取消", by=world.finance)
    services.reverse_allocation(allocation, reason="退回", by=world.finance)
    services.cancel_deposit_request(request, reason="客户取消", by=world.finance)
    request.refresh_from_db()
    assert request.status == "cancelled"
    assert request.open_amount == 0
    with pytest.raises(InvalidTransition):
        services.allocate(payment, request, "1.00", by=world.finance)
    with pytest.raises(InvalidTransition):
        services.cancel_deposit_request(request, reason="again", by=world.finance)
    # the amount is free again for a new request
    again = services.request_deposit(order, by=world.finance, amount=str(order.total_amount))
    assert again.amount == order.total_amount


def test_allocations_are_audited_on_both_sides(world):
    invoice = issued(make_released_order(world), world.finance)
    payment = paid(world.customer, "10.00", world.finance)
    allocation = services.allocate(payment, invoice, "10.00", by=world.finance)
    assert audit.entries_for(allocation).filter(action="payment_allocated").exists()
    assert audit.entries_for(invoice).filter(action="paid").exists()
    services.reverse_allocation(allocation, reason="错误", by=world.finance)
    assert audit.entries_for(invoice).filter(action="payment_reversed", reason="错误").exists()


def test_sales_see_their_own_customers_receivables_only(world):
    invoice = issued(make_released_order(world), world.finance)
    assert selectors.invoices_visible_to(world.sales).filter(pk=invoice.pk).exists()
    assert selectors.invoices_visible_to(world.manager).filter(pk=invoice.pk).exists()
    assert selectors.invoices_visible_to(world.service).filter(pk=invoice.pk).exists()
    assert selectors.invoices_visible_to(world.gm).filter(pk=invoice.pk).exists()
    other = user("bi_sales2", "sales")
    assert not selectors.invoices_visible_to(other).exists()
    assert not selectors.invoices_visible_to(world.warehouse).exists()
    assert selectors.aging(user=other)["total"]["total"] == Decimal("0.00")


def test_exposure_counts_uninvoiced_orders_until_invoiced(world):
    order = make_released_order(world)
    assert selectors.exposure(world.customer) == order.total_amount
    line = order.lines.order_by("line_no").first()
    draft = services.create_invoice(
        order, "ordinary", by=world.finance, lines=[{"order_line_id": line.pk, "quantity": "1"}]
    )
    # a draft is neither receivable nor invoiced yet: the order still counts in full
    assert selectors.exposure(world.customer) == order.total_amount
    services.issue_invoice(draft, by=world.finance)
    assert selectors.exposure(world.customer) == order.total_amount
    payment = paid(world.customer, "50.00", world.finance)
    services.allocate(payment, draft, "50.00", by=world.finance)
    assert selectors.exposure(world.customer) == order.total_amount - Decimal("50.00")
    credited_line = draft.lines.get()
    services.create_credit_note(
        draft,
        reason="退货",
        by=world.finance,
        lines=[{"invoice_line_id": credited_line.pk, "quantity": "0.5"}],
    )
    assert selectors.exposure(world.customer) == order.total_amount - Decimal("50.00")
