"""Shipments: entry, quantities, clearance, confirmation (stock, order status, notice)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from orderdesk.billing import services as billing
from orderdesk.core import audit, workcalendar
from orderdesk.core.errors import Conflict, InvalidTransition, NotAllowed, ValidationFailed
from orderdesk.inventory.models import Reservation, StockLevel
from orderdesk.orders import services as order_services
from orderdesk.orders.models import OrderStatus
from orderdesk.shipping import selectors, services
from orderdesk.shipping.models import (
    Clearance,
    ClearanceKind,
    Shipment,
    ShipmentNotice,
    ShipmentStatus,
    ShippingSettings,
)
from orderdesk.shipping.my_tasks import delivery_tasks, paperwork_tasks
from orderdesk.shipping.services import clearance as clearance_rules
from tests.billing.helpers import invoice_per
from tests.factories.billing import prepaid
from tests.factories.orders import approve_all, make_order, make_released_order, make_world, user

from .helpers import logistics, released, ship, shipped

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return make_world()


@pytest.fixture
def order(world):
    return make_released_order(world)


def test_a_draft_takes_what_is_still_to_ship_and_the_orders_address(world, order):
    shipment = ship(order, logistics())
    assert re.fullmatch(r"FH\d{8}\d{3}", shipment.number)
    assert shipment.status == ShipmentStatus.DRAFT
    quantities = {row.order_line.line_no: row.quantity for row in shipment.lines.all()}
    assert quantities == {1: Decimal(2), 2: Decimal(5)}
    assert shipment.consignee == order.contact_name
    assert shipment.consignee_phone == order.contact_phone
    assert (shipment.province, shipment.city, shipment.address) == (
        order.delivery_province,
        "广州市",
        "天河路 1 号",
    )
    assert shipment.warehouse == world.warehouse_site
    assert shipment.expected_arrival == workcalendar.add_working_days(timezone.localdate(), 2)
    assert audit.entries_for(shipment).filter(action="shipment_created").exists()


def test_confirming_issues_stock_ships_the_order_and_sends_the_notice(
    world, order, django_capture_on_commit_callbacks
):
    by = logistics()
    shipment = ship(order, by)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.confirm_shipment(shipment, by=by)
    shipment.refresh_from_db()
    order.refresh_from_db()
    assert shipment.status == ShipmentStatus.SHIPPED
    assert order.status == OrderStatus.SHIPPED
    line = order.lines.get(line_no=1)
    reservation = Reservation.objects.get(reference=line.reference)
    assert reservation.status == "issued"
    level = StockLevel.objects.get(product=line.product, warehouse=world.warehouse_site)
    assert level.on_hand == Decimal(98)
    # A grade: cleared per contract terms when the first shipment is confirmed.
    clearance = Clearance.objects.get(order=order)
    assert clearance.kind == ClearanceKind.CONTRACT_TERMS
    [message] = mail.outbox
    assert shipment.number in message.subject
    assert "SF1234567890123" in message.body
    assert shipment.expected_arrival.isoformat() in message.body
    assert f"/shipping/d/{shipment.delivery_token}/" in message.body
    [(name, content, kind)] = message.attachments
    assert name == f"{shipment.number}.pdf"
    assert kind == "application/pdf"
    assert content.startswith(b"%PDF")
    notice = ShipmentNotice.objects.get(shipment=shipment)
    assert notice.ok
    assert notice.sent_to == message.to[0]
    assert notice.sent_by == by
    assert (
        shipment.notice_sent_at is not None or Shipment.objects.get(pk=shipment.pk).notice_sent_at
    )
    assert audit.entries_for(order).filter(action="order_shipped").exists()


def test_partial_shipments_move_the_order_once_and_finish_it(world, order):
    by = logistics()
    first = shipped(order, by, lines=[{"line_no": 1, "quantity": "1"}])
    order.refresh_from_db()
    assert order.status == OrderStatus.PARTIALLY_SHIPPED
    shipped(order, by, lines=[{"line_no": 2, "quantity": "5"}])
    order.refresh_from_db()
    assert order.status == OrderStatus.PARTIALLY_SHIPPED  # line 1 still has 1 to go
    last = ship(order, by)
    assert [(row.order_line.line_no, row.quantity) for row in last.lines.all()] == [(1, Decimal(1))]
    services.confirm_shipment(last, by=by)
    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED
    assert first.order_id == order.pk
    rows = {row["line_no"]: row for row in selectors.fulfilment(order)}
    assert rows[1]["shipped"] == Decimal(2)
    assert rows[1]["remaining"] == 0
    assert rows[2]["ordered"] == Decimal(5)
    assert rows[2]["delivered"] == 0


def test_shipping_more_than_remaining_is_refused_and_nothing_written(world, order):
    by = logistics()
    ship(order, by, lines=[{"line_no": 1, "quantity": "2"}])  # a draft holds line 1
    before = Shipment.objects.count()
    with pytest.raises(ValidationFailed) as refused:
        ship(order, by, lines=[{"line_no": 1, "quantity": "1"}, {"line_no": 2, "quantity": "6"}])
    assert refused.value.code == "invalid_shipment"
    assert "line_1.quantity" in refused.value.fields
    assert "line_2.quantity" in refused.value.fields
    assert Shipment.objects.count() == before


def test_the_tolerance_allows_a_little_more(world, order):
    ShippingSettings.objects.filter(pk=1).update(over_shipment_percent=Decimal(10))
    by = logistics()
    shipment = ship(order, by, lines=[{"line_no": 2, "quantity": "5.5"}])
    assert shipment.lines.get().quantity == Decimal("5.5")
    with pytest.raises(ValidationFailed):
        ship(order, by, lines=[{"line_no": 1, "quantity": "2.3"}])


def test_everything_shipped_is_issued_through_the_ledger_even_beyond_the_reservation(world, order):
    from orderdesk.inventory.selectors import ledger_mismatches

    ShippingSettings.objects.filter(pk=1).update(over_shipment_percent=Decimal(10))
    product = order.lines.get(line_no=2).product
    level = StockLevel.objects.get(product=product, warehouse=world.warehouse_site)
    assert (level.on_hand, level.reserved) == (Decimal(100), Decimal(5))

    shipped(order, logistics(), lines=[{"line_no": 2, "quantity": "5.5"}])

    level.refresh_from_db()
    assert (level.on_hand, level.reserved) == (Decimal("94.5"), Decimal(0))
    assert ledger_mismatches() == []


def test_shipping_more_than_the_warehouse_holds_is_refused_and_nothing_moves(world, order):
    from orderdesk.inventory.errors import InsufficientStock

    ShippingSettings.objects.filter(pk=1).update(over_shipment_percent=Decimal(10))
    product = order.lines.get(line_no=2).product
    StockLevel.objects.filter(product=product, warehouse=world.warehouse_site).update(
        on_hand=Decimal(5)
    )
    shipment = ship(order, logistics(), lines=[{"line_no": 2, "quantity": "5.5"}])

    with pytest.raises(InsufficientStock):
        services.confirm_shipment(shipment, by=logistics())

    shipment.refresh_from_db()
    assert shipment.status == ShipmentStatus.DRAFT
    level = StockLevel.objects.get(product=product, warehouse=world.warehouse_site)
    assert (level.on_hand, level.reserved) == (Decimal(5), Decimal(5))


def test_bad_lines_are_named(world, order):
    with pytest.raises(ValidationFailed) as refused:
        ship(
            order,
            logistics(),
            lines=[{"line_no": 9, "quantity": "1"}, {"line_no": 1, "quantity": "-1"}],
        )
    assert set(refused.value.fields) == {"lines.0.line_no", "lines.1.quantity"}


@pytest.mark.parametrize("status", ["cancelled", "on_hold", "unreleased"])
def test_orders_that_may_not_ship_are_refused(world, status):
    by = logistics()
    if status == "unreleased":
        order = approve_all(make_order(world), world)
    else:
        order = make_released_order(world)
        if status == "cancelled":
            order_services.cancel(order, reason="客户取消", by=world.manager)
        else:
            order_services.hold(order, reason="等待", by=world.manager)
    with pytest.raises(InvalidTransition) as refused:
        ship(order, by)
    assert refused.value.code == "order_not_shippable"
    assert refused.value.status == 409
    assert not Shipment.objects.filter(order=order).exists()


def test_a_shipped_order_cannot_ship_again(world, order):
    shipped(order, logistics())
    with pytest.raises(InvalidTransition):
        ship(order, logistics())


def test_a_tracking_number_in_the_wrong_format_is_refused(world, order):
    with pytest.raises(ValidationFailed) as refused:
        ship(order, logistics(), carrier="SF", tracking_number="YT1234567890123")
    assert "tracking_number" in refused.value.fields
    assert not Shipment.objects.exists()
    other = ship(order, logistics(), carrier="OTHER", tracking_number="王师傅 货车 粤A12345")
    assert other.tracking_number == "王师傅 货车 粤A12345"


def test_tracking_can_be_added_later_and_the_notice_goes_again(
    world, order, django_capture_on_commit_callbacks
):
    by = logistics()
    shipment = ship(order, by, tracking_number="")
    with django_capture_on_commit_callbacks(execute=True):
        services.confirm_shipment(shipment, by=by)
    mail.outbox.clear()
    with pytest.raises(ValidationFailed):
        services.set_tracking(shipment, by=by, tracking_number="123", carrier="ZTO")
    with django_capture_on_commit_callbacks(execute=True):
        services.set_tracking(shipment, by=by, tracking_number="ea 123456789 cn", carrier="EMS")
    shipment.refresh_from_db()
    assert shipment.tracking_number == "EA123456789CN"
    assert shipment.carrier.code == "EMS"
    assert shipment.expected_arrival == workcalendar.add_working_days(shipment.ship_date, 4)
    assert len(mail.outbox) == 1
    assert ShipmentNotice.objects.filter(shipment=shipment).count() == 2


def test_a_different_consignee_needs_a_reason_before_confirming(world, order):
    by = logistics()
    shipment = ship(order, by, address={"consignee": "李四", "consignee_phone": "13900139000"})
    with pytest.raises(ValidationFailed) as refused:
        services.confirm_shipment(shipment, by=by)
    assert "difference_reason" in refused.value.fields
    assert "consignee" in refused.value.fields
    shipment.refresh_from_db()
    assert shipment.status == ShipmentStatus.DRAFT
    services.confirm_shipment(shipment, by=by, difference_reason="客户来电改由仓库主管收货")
    shipment.refresh_from_db()
    assert shipment.status == ShipmentStatus.SHIPPED


def test_a_bad_phone_is_refused(world, order):
    with pytest.raises(ValidationFailed) as refused:
        ship(order, logistics(), address={"consignee_phone": "call me"})
    assert "consignee_phone" in refused.value.fields


def test_confirming_twice_is_a_conflict(world, order):
    by = logistics()
    shipment = shipped(order, by, lines=[{"line_no": 1, "quantity": "1"}])
    with pytest.raises(Conflict) as refused:
        services.confirm_shipment(shipment, by=by)
    assert refused.value.code == "shipment_not_draft"


def test_a_future_ship_date_cannot_be_confirmed(world, order):
    by = logistics()
    shipment = ship(order, by, ship_date=timezone.localdate() + dt.timedelta(days=3))
    with pytest.raises(ValidationFailed) as refused:
        services.confirm_shipment(shipment, by=by)
    assert "ship_date" in refused.value.fields


def test_a_cancelled_draft_frees_its_quantities(world, order):
    by = logistics()
    draft = ship(order, by)
    services.cancel_shipment(draft, by=by)
    again = ship(order, by)
    assert again.lines.count() == 2
    with pytest.raises(Conflict):
        services.cancel_shipment(draft, by=by)


def test_only_shipping_roles_enter_shipments(world, order):
    with pytest.raises(NotAllowed):
        ship(order, world.sales)


# --- release to ship ------------------------------------------------------------------------


@pytest.fixture
def b_world():
    return make_world(grade="B")


def test_a_b_grade_order_ships_once_billing_has_the_balance(b_world):
    world = b_world
    order = released(world)
    by = logistics()
    shipment = ship(order, by)
    with pytest.raises(Conflict) as refused:
        services.confirm_shipment(shipment, by=by)
    assert refused.value.code == "not_cleared"
    assert "billing" in str(refused.value.message)
    assert Shipment.objects.get(pk=shipment.pk).status == ShipmentStatus.DRAFT
    with pytest.raises(ValidationFailed) as unpaid:
        services.clear_on_payments(order, by=world.finance)
    assert unpaid.value.code == "balance_not_received"
    with pytest.raises(NotAllowed):
        services.clear_on_payments(order, by=by)

    paid = services.balance_paid(order).amount
    prepaid(order, order.total_amount - paid - Decimal("0.01"), world.finance, reference="招行 1")
    assert clearance_rules.missing_clearance(order)  # a fen short
    prepaid(order, Decimal("0.01"), world.finance, reference="招行 2")
    assert clearance_rules.missing_clearance(order) == ""
    services.confirm_shipment(shipment, by=by)

    clearance = Clearance.objects.get(order=order)
    assert clearance.kind == ClearanceKind.PAYMENT_RECEIVED
    assert clearance.amount_received == order.total_amount
    assert clearance.reference.startswith("SK")
    assert audit.entries_for(order).filter(action="shipment_clearance").exists()
    with pytest.raises(Conflict):
        services.clear_on_payments(order, by=world.finance)


def test_finance_clears_on_payments_allocated_to_the_invoice(b_world):
    world = b_world
    order = released(world)
    invoice_per("order")
    invoice = billing.create_invoice(order, "ordinary", by=world.finance)
    billing.issue_invoice(invoice, by=world.finance)
    paid = services.balance_paid(order).amount
    payment = billing.record_payment(
        order.customer,
        amount=order.total_amount - paid,
        method="bank_transfer",
        reference="ICBC-9",
        received_on=timezone.localdate(),
        by=world.finance,
    )
    billing.allocate(payment, invoice, order.total_amount - paid, by=world.finance)

    clearance = services.clear_on_payments(order, by=world.finance, note="款到发货")

    assert clearance.amount_received == order.total_amount
    assert payment.number in clearance.reference
    assert clearance.note == "款到发货"


def test_only_a_grade_ships_per_terms(b_world):
    order = released(b_world)
    with pytest.raises(ValidationFailed):
        services.clear_per_terms(order, by=b_world.finance)


def test_an_urgent_shipment_needs_a_reason_and_leaves_paperwork_for_finance(b_world):
    world = b_world
    order = released(world)
    supervisor = user("sh_cs_manager", "customer_service_manager")
    with pytest.raises(ValidationFailed):
        services.approve_urgent(order, reason=" ", by=supervisor)
    with pytest.raises(NotAllowed):
        services.approve_urgent(order, reason="急", by=world.service)
    services.approve_urgent(order, reason="客户停产待料，总经理同意先发", by=supervisor)
    by = logistics()
    shipped(order, by)
    tasks = paperwork_tasks(world.finance)
    assert [task.title.split(" ")[0] for task in tasks] == [order.number]
    assert paperwork_tasks(by) == []
    with pytest.raises(ValidationFailed):
        services.complete_paperwork(order, note="", by=world.finance)
    services.complete_paperwork(order, note="余款已到账 招行回单 0099", by=world.finance)
    assert paperwork_tasks(world.finance) == []
    with pytest.raises(Conflict):
        services.complete_paperwork(order, note="again", by=world.finance)


# --- tasks ----------------------------------------------------------------------------------


def test_overdue_arrivals_are_on_the_salespersons_tasks(world, order):
    by = logistics()
    past = workcalendar.add_working_days(timezone.localdate(), -5)
    shipment = shipped(order, by, ship_date=past)
    assert shipment.expected_arrival < timezone.localdate()
    [task] = delivery_tasks(world.sales)
    assert shipment.number in task.title
    assert task.overdue
    assert delivery_tasks(world.manager) == []
    in_transit = selectors.search_shipments(world.sales, overdue=True)
    assert list(in_transit) == [shipment]


def test_a_contact_without_e_mail_is_logged_not_refused(
    world, order, django_capture_on_commit_callbacks
):
    order.customer.contacts.update(email="")
    by = logistics()
    shipment = ship(order, by)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.confirm_shipment(shipment, by=by)
    assert mail.outbox == []
    notice = ShipmentNotice.objects.get(shipment=shipment)
    assert not notice.ok
    assert notice.error
    assert Shipment.objects.get(pk=shipment.pk).status == ShipmentStatus.SHIPPED
    with pytest.raises(ValidationFailed):
        services.send_notice(shipment, by=by)


def test_another_salespersons_shipments_are_hidden(world, order, client):
    from orderdesk.core.errors import NotFound
    from tests.factories.accounts import bearer

    shipment = shipped(order, logistics())
    other = user("sh_other_sales", "sales")
    with pytest.raises(NotFound):
        selectors.shipment_for(other, shipment.pk)
    assert selectors.shipment_for(world.sales, shipment.pk) == shipment
    answer = client.get(f"/api/v1/shipments/{shipment.pk}", headers=bearer(other))
    assert answer.status_code == 404
    answer = client.get("/api/v1/shipments", headers=bearer(other))
    assert answer.json()["count"] == 0
    answer = client.get(f"/api/v1/orders/{order.pk}/fulfilment", headers=bearer(other))
    assert answer.status_code == 404
