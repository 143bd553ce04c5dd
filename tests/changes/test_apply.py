"""Applying an approved change in one transaction: the order's lines, header, totals and
version; reservations; production orders; invoices flagged for finance; revisions;
cancellation; the refusals at apply time; and the KPI of orders changed after approval."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from orderdesk.changes import selectors, services
from orderdesk.changes.models import ChangeStatus, OrderRevision
from orderdesk.core import worklist
from orderdesk.core.errors import Conflict, NotAllowed, ValidationFailed
from orderdesk.core.models import AuditEntry
from orderdesk.inventory import selectors as stock_selectors
from orderdesk.orders.models import OrderStatus
from orderdesk.production.models import ProductionOrder
from tests.factories.orders import make_world

from .helpers import (
    ask,
    decide_all,
    invoiced,
    line,
    made_to_order,
    production_orders,
    released_order,
    ship_part,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return make_world()


@pytest.fixture
def order(world):
    return released_order(world)


def held(target) -> Decimal:
    reservation = stock_selectors.open_reservations(target.reference).first()
    return reservation.quantity - reservation.issued if reservation else Decimal(0)


def approved(order, world, proposal, by=None):
    return decide_all(ask(order, by or world.service, proposal), world)


def test_applying_changes_lines_header_totals_stock_and_version(world, order):
    first, second = line(order, 1), line(order, 2)
    request = approved(
        order,
        world,
        {
            "lines": [
                {"line_id": first.pk, "quantity": "4"},
                {"line_id": second.pk, "quantity": "3"},
            ],
            "header": {"delivery_city": "深圳市", "consignee": "李四"},
            "add": [{"product_id": world.products[2].pk, "quantity": "1"}],
        },
    )

    services.apply_change(request, by=world.service)

    order.refresh_from_db()
    request.refresh_from_db()
    assert request.status == ChangeStatus.APPLIED
    assert request.applied_by == world.service
    assert request.impact["lines"][0]["quantity"] == ["2.000", "4.000"]  # as applied
    assert request.impact["header"]["delivery_city"] == ["广州市", "深圳市"]
    assert order.status == OrderStatus.RELEASED
    assert order.version == 2
    assert (order.delivery_city, order.consignee) == ("深圳市", "李四")
    lines = list(order.lines.order_by("line_no"))
    assert [(item.line_no, item.sku, item.quantity) for item in lines] == [
        (1, world.products[0].sku, Decimal("4.000")),
        (2, world.products[1].sku, Decimal("3.000")),
        (3, world.products[2].sku, Decimal("1.000")),
    ]
    assert lines[0].pk == first.pk  # changed in place: documents keep pointing at it
    assert order.total_amount == Decimal("452.00") + Decimal("339.00") + Decimal("113.00")
    assert order.net_amount + order.tax_amount == order.total_amount
    assert [held(item) for item in lines] == [Decimal(4), Decimal(3), Decimal(1)]
    entry = AuditEntry.objects.get(action="order_changed", object_id=str(order.pk))
    assert entry.changes["change_request"] == [None, request.number]
    assert entry.changes["version"] == [1, 2]
    assert entry.reason == request.reason


def test_applying_records_the_revisions(world, order):
    request = approved(order, world, {"lines": [{"line_id": line(order, 1).pk, "quantity": "3"}]})

    services.apply_change(request, by=world.service)

    first, second = OrderRevision.objects.filter(order=order).order_by("number")
    assert first.number == 1
    assert first.change_request is None
    assert first.snapshot["lines"][0]["quantity"] == "2.000"
    assert second.number == 2
    assert second.change_request == request
    assert second.snapshot["lines"][0]["quantity"] == "3.000"
    assert second.snapshot["version"] == 2


def test_a_product_change_moves_the_reservation_to_the_new_product(world, order):
    first = line(order, 1)
    request = approved(
        order, world, {"lines": [{"line_id": first.pk, "product_id": world.products[2].pk}]}
    )

    services.apply_change(request, by=world.service)

    first.refresh_from_db()
    assert first.product == world.products[2]
    reservation = stock_selectors.open_reservations(first.reference).get()
    assert reservation.product == world.products[2]
    assert reservation.quantity == Decimal(2)


def test_planned_production_orders_follow_the_quantity(world):
    product = made_to_order(world)
    order = released_order(world, lines=[{"sku": product.sku, "quantity": "10"}])
    [po] = production_orders(order, world)
    request = approved(order, world, {"lines": [{"line_id": line(order, 1).pk, "quantity": "7"}]})

    services.apply_change(request, by=world.service)

    po.refresh_from_db()
    assert po.quantity == Decimal(7)
    assert AuditEntry.objects.filter(
        action="production_quantity_changed", object_id=str(po.pk)
    ).exists()


def test_issued_invoices_are_flagged_for_finance_until_corrected(world, order):
    invoice = invoiced(order, world, 2, "5")
    request = approved(order, world, {"lines": [{"line_id": line(order, 2).pk, "quantity": "3"}]})

    services.apply_change(request, by=world.service)

    invoice.refresh_from_db()
    assert invoice.gross_amount == Decimal("565.00")  # never changed
    request.refresh_from_db()
    assert request.invoices_to_correct is True
    assert AuditEntry.objects.filter(action="invoices_to_correct").exists()
    [task] = [
        task
        for task in worklist.tasks_for(world.finance)
        if task.kind == "Invoices to correct after an order change"
    ]
    assert invoice.number in task.detail
    with pytest.raises(NotAllowed):
        services.mark_invoices_corrected(request, by=world.service)

    services.mark_invoices_corrected(request, by=world.finance, note="红字发票 HC001 已开")

    assert not any(
        task.kind == "Invoices to correct after an order change"
        for task in worklist.tasks_for(world.finance)
    )
    with pytest.raises(Conflict) as again:
        services.mark_invoices_corrected(request, by=world.finance)
    assert again.value.code == "already_corrected"


def test_cancelling_the_order_releases_its_stock(world, order):
    request = approved(order, world, {"cancel": True}, by=world.sales)

    services.apply_change(request, by=world.sales)

    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert order.version == 2
    assert [held(item) for item in order.lines.all()] == [Decimal(0), Decimal(0)]
    assert order.lines.count() == 2
    assert AuditEntry.objects.filter(action="order_cancelled", object_id=str(order.pk)).exists()


def test_removing_a_line_deletes_it_and_releases_its_stock(world, order):
    first = line(order, 1)
    reference = first.reference
    request = approved(order, world, {"remove": [first.pk]})

    services.apply_change(request, by=world.service)

    assert list(order.lines.values_list("line_no", flat=True)) == [2]
    assert not stock_selectors.open_reservations(reference).exists()
    order.refresh_from_db()
    assert order.total_amount == Decimal("565.00")


def test_reducing_the_rest_to_what_was_shipped_ships_the_order(world, order):
    ship_part(order, 1, "2")
    ship_part(order, 2, "3")
    assert order.status == OrderStatus.PARTIALLY_SHIPPED
    request = approved(order, world, {"lines": [{"line_id": line(order, 2).pk, "quantity": "3"}]})

    services.apply_change(request, by=world.service)

    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED


def test_a_partly_shipped_order_keeps_its_status(world, order):
    ship_part(order, 1, "1")
    request = approved(order, world, {"lines": [{"line_id": line(order, 2).pk, "quantity": "6"}]})

    services.apply_change(request, by=world.service)

    order.refresh_from_db()
    assert order.status == OrderStatus.PARTIALLY_SHIPPED


def test_only_an_approved_request_is_applied_and_only_once(world, order):
    request = ask(
        order, world.service, {"lines": [{"line_id": line(order, 1).pk, "quantity": "3"}]}
    )

    with pytest.raises(Conflict) as open_:
        services.apply_change(request, by=world.service)
    decide_all(request, world)
    services.apply_change(request, by=world.service)
    with pytest.raises(Conflict) as twice:
        services.apply_change(request, by=world.service)

    assert open_.value.code == "change_not_approved"
    assert twice.value.code == "already_applied"


def test_shipping_meanwhile_still_refuses_the_reduction(world, order):
    request = approved(order, world, {"lines": [{"line_id": line(order, 2).pk, "quantity": "2"}]})
    ship_part(order, 2, "4")

    with pytest.raises(ValidationFailed) as refused:
        services.apply_change(request, by=world.service)

    assert refused.value.code == "below_shipped"
    request.refresh_from_db()
    assert request.status == ChangeStatus.APPROVED


def test_a_touched_field_changed_since_makes_the_request_stale(world, order):
    later = order.promised_date + dt.timedelta(days=3)
    request = approved(order, world, {"header": {"promised_date": later.isoformat()}})
    # Production moves the promise meanwhile (a production exception does this).
    moved = order.promised_date + dt.timedelta(days=1)
    order.promised_date = moved
    order.save(update_fields=["promised_date"])

    with pytest.raises(Conflict) as refused:
        services.apply_change(request, by=world.service)

    assert refused.value.code == "stale_order"
    assert refused.value.fields["header.promised_date"].endswith(moved.isoformat())


def test_requests_on_other_lines_apply_one_after_the_other(world, order):
    one = approved(order, world, {"lines": [{"line_id": line(order, 1).pk, "quantity": "3"}]})
    two = approved(order, world, {"lines": [{"line_id": line(order, 2).pk, "quantity": "6"}]})

    services.apply_change(one, by=world.service)
    services.apply_change(two, by=world.service)

    order.refresh_from_db()
    assert order.version == 3
    assert order.total_amount == Decimal("339.00") + Decimal("678.00")
    assert OrderRevision.objects.filter(order=order).count() == 3


def test_orders_changed_after_approval_are_counted_per_reason_and_kind(world, order):
    today = timezone.localdate()
    services.apply_change(
        approved(order, world, {"lines": [{"line_id": line(order, 1).pk, "quantity": "3"}]}),
        by=world.service,
    )
    other = released_order(world)
    services.apply_change(
        decide_all(
            ask(
                other,
                world.service,
                {
                    "header": {"consignee": "李四"},
                    "lines": [{"line_id": line(other, 2).pk, "quantity": "4"}],
                },
                reason_category="entry_error",
                party="internal",
            ),
            world,
        ),
        by=world.service,
    )
    ask(order, world.service, {"header": {"consignee": "赵六"}})  # not applied: not counted

    found = selectors.changed_after_approval(today, today)

    assert found["requests"] == 2
    assert found["orders"] == 2
    assert {row["reason_category"]: row["count"] for row in found["by_reason"]} == {
        "customer_request": 1,
        "entry_error": 1,
    }
    assert {row["kind"]: row["count"] for row in found["by_kind"]} == {
        "quantity": 2,
        "address": 1,
    }
    assert (
        selectors.changed_after_approval(
            today - dt.timedelta(days=9), today - dt.timedelta(days=1)
        )["requests"]
        == 0
    )


def test_a_cancelled_order_leaves_its_production_orders_to_production(world):
    product = made_to_order(world)
    order = released_order(world, lines=[{"sku": product.sku, "quantity": "10"}])
    [po] = production_orders(order, world)
    request = approved(order, world, {"cancel": True})

    assert "production" in {approval.department for approval in request.approvals.all()}
    services.apply_change(request, by=world.service)

    assert ProductionOrder.objects.get(pk=po.pk).quantity == Decimal(10)
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED


def test_an_order_on_hold_takes_a_change_and_stays_on_hold(world, order):
    from orderdesk.orders import services as order_services

    order_services.hold(order, by=world.manager, reason="等待客户确认变更")
    order.refresh_from_db()
    request = approved(order, world, {"lines": [{"line_id": line(order, 1).pk, "quantity": "3"}]})

    services.apply_change(request, by=world.service)

    order.refresh_from_db()
    assert order.status == OrderStatus.ON_HOLD
    assert order.held_from == OrderStatus.RELEASED
    assert line(order, 1).quantity == Decimal(3)
