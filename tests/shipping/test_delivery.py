"""Delivery confirmation (到货回单) and delivery exceptions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from orderdesk.aftersales.models import Case
from orderdesk.core import audit, workcalendar
from orderdesk.core.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from orderdesk.orders.models import OrderStatus
from orderdesk.shipping import services
from orderdesk.shipping.models import DeliveryException, ShipmentStatus
from tests.factories.orders import make_released_order, make_world, user

from .helpers import logistics, photo, shipped

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return make_world()


@pytest.fixture
def order(world):
    return make_released_order(world)


def test_staff_confirm_a_delivery_with_proof_and_the_order_is_delivered(world, order):
    shipment = shipped(order, logistics())
    services.confirm_delivery(
        shipment,
        signer="王经理",
        delivered_on=timezone.localdate(),
        proof=photo(),
        note="外箱完好",
        by=world.sales,
    )
    shipment.refresh_from_db()
    order.refresh_from_db()
    assert shipment.status == ShipmentStatus.DELIVERED
    assert shipment.signer == "王经理"
    assert shipment.delivery_confirmed_by == world.sales
    assert shipment.delivery_proof.name.endswith(".png")
    assert all(row.delivered_quantity == row.quantity for row in shipment.lines.all())
    assert order.status == OrderStatus.DELIVERED
    assert audit.entries_for(shipment).filter(action="delivery_confirmed").exists()


def test_confirming_twice_is_a_conflict(world, order):
    shipment = shipped(order, logistics())
    today = timezone.localdate()
    services.confirm_delivery(shipment, signer="王", delivered_on=today, by=world.sales)
    with pytest.raises(Conflict) as refused:
        services.confirm_delivery(shipment, signer="李", delivered_on=today, by=world.sales)
    assert refused.value.code == "already_delivered"
    shipment.refresh_from_db()
    assert shipment.signer == "王"


def test_a_delivery_date_before_the_ship_date_or_in_the_future_is_refused(world, order):
    ship_day = workcalendar.add_working_days(timezone.localdate(), -3)
    shipment = shipped(order, logistics(), ship_date=ship_day)
    for day in (
        ship_day - dt.timedelta(days=1),
        timezone.localdate() + dt.timedelta(days=1),
        "2026-13-40",
    ):
        with pytest.raises(ValidationFailed) as refused:
            services.confirm_delivery(shipment, signer="王", delivered_on=day, by=world.sales)
        assert "delivered_on" in refused.value.fields
    with pytest.raises(ValidationFailed) as refused:
        services.confirm_delivery(shipment, signer="", delivered_on=ship_day, by=world.sales)
    assert "signer" in refused.value.fields
    shipment.refresh_from_db()
    assert shipment.status == ShipmentStatus.SHIPPED


def test_a_draft_cannot_be_delivered_and_production_may_not_confirm(world, order):
    from .helpers import ship

    draft = ship(order, logistics())
    with pytest.raises(Conflict):
        services.confirm_delivery(
            draft, signer="王", delivered_on=timezone.localdate(), by=world.sales
        )
    with pytest.raises(NotAllowed):
        services.confirm_delivery(
            draft, signer="王", delivered_on=timezone.localdate(), by=world.production
        )


def test_the_order_is_delivered_only_when_every_line_is(world, order):
    by = logistics()
    first = shipped(order, by, lines=[{"line_no": 1, "quantity": "2"}])
    services.confirm_delivery(first, signer="王", delivered_on=timezone.localdate(), by=world.sales)
    order.refresh_from_db()
    assert order.status == OrderStatus.PARTIALLY_SHIPPED
    second = shipped(order, by)
    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED
    services.confirm_delivery_by_token(
        second.delivery_token, signer="客户仓管", delivered_on=timezone.localdate()
    )
    order.refresh_from_db()
    second.refresh_from_db()
    assert second.delivery_confirmed_via == "link"
    assert order.status == OrderStatus.DELIVERED


def test_a_wrong_link_is_not_found(world, order):
    with pytest.raises(NotFound):
        services.confirm_delivery_by_token("x" * 43, signer="王", delivered_on=timezone.localdate())


def test_an_exception_opens_an_after_sales_case(world, order, django_capture_on_commit_callbacks):
    shipment = shipped(order, logistics())
    row = shipment.lines.get(order_line__line_no=2)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        found = services.report_exception(
            shipment,
            kind="damage",
            lines=[{"shipment_line_id": row.pk, "quantity": "2"}],
            description="两台外壳破损",
            photos=[photo("damage.png")],
            by=world.sales,
        )
    case = Case.objects.get(pk=found.case_id)
    assert case.number == found.case_number
    assert case.order == order
    assert case.kind == "damage"
    assert case.lines[0]["shipment_line_id"] == row.pk
    assert found.photos == 1
    assert audit.entries_for(shipment).filter(action="delivery_exception").exists()
    # open_case tells customer service (once).
    assert len(mail.outbox) <= 1


def test_a_late_arrival_concerns_the_whole_shipment(world, order):
    shipment = shipped(order, logistics())
    found = services.report_exception(
        shipment, kind="late_arrival", lines=[], description="晚到三天", by=world.service
    )
    assert len(found.lines) == 2


def test_bad_exceptions_are_refused_and_nothing_written(world, order):
    shipment = shipped(order, logistics())
    row = shipment.lines.first()
    cases = [
        (
            {
                "kind": "lost",
                "lines": [{"shipment_line_id": row.pk, "quantity": "1"}],
                "description": "x",
            },
            "kind",
        ),
        ({"kind": "damage", "lines": [], "description": "x"}, "lines"),
        (
            {
                "kind": "damage",
                "lines": [{"shipment_line_id": 999999, "quantity": "1"}],
                "description": "x",
            },
            "lines.0.shipment_line_id",
        ),
        (
            {
                "kind": "short_quantity",
                "lines": [{"shipment_line_id": row.pk, "quantity": "99"}],
                "description": "x",
            },
            "lines.0.quantity",
        ),
        (
            {
                "kind": "damage",
                "lines": [{"shipment_line_id": row.pk, "quantity": "1"}],
                "description": " ",
            },
            "description",
        ),
    ]
    for values, field in cases:
        with pytest.raises(ValidationFailed) as refused:
            services.report_exception(shipment, by=world.sales, **values)
        assert field in refused.value.fields, (values, refused.value.fields)
    assert not DeliveryException.objects.exists()
    assert not Case.objects.exists()
    with pytest.raises(NotAllowed):
        services.report_exception(
            shipment,
            kind="damage",
            lines=[{"shipment_line_id": row.pk, "quantity": "1"}],
            description="x",
            by=user("sh_legal", "legal"),
        )
