"""The impact assessment: totals through the pricing path, the price policy, credit, stock,
production orders, shipments, invoices and the promised date — computed before anyone
approves, writing nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from orderdesk.changes import impact
from orderdesk.core import workcalendar
from orderdesk.core.models import AuditEntry
from orderdesk.inventory.models import Reservation
from orderdesk.orders.models import ReviewSettings
from tests.factories.orders import make_world

from .helpers import (
    approved_order,
    ask,
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


def departments(found: dict) -> dict[str, str]:
    return {item["department"]: item["why"] for item in found["departments"]}


def test_assessing_writes_nothing(world, order):
    entries, reservations = AuditEntry.objects.count(), Reservation.objects.count()

    found = impact.assess(order, {"lines": [{"line_id": line(order, 1).pk, "quantity": "9"}]})

    assert found["refusals"] == {}
    assert AuditEntry.objects.count() == entries
    assert Reservation.objects.count() == reservations
    order.refresh_from_db()
    assert line(order, 1).quantity == Decimal(2)


def test_a_quantity_change_keeps_the_agreed_unit_price(world, order):
    found = impact.assess(order, {"lines": [{"line_id": line(order, 2).pk, "quantity": "8"}]})

    changed = found["lines"][0]
    assert changed["quantity"] == ["5.000", "8.000"]
    assert changed["unit_price"] == ["113.00", "113.00"]
    assert changed["line_total"] == ["565.00", "904.00"]
    assert found["totals"]["gross"] == ["791.00", "1130.00"]
    assert found["totals"]["net"] == ["700.00", "1000.00"]
    assert found["totals"]["tax"] == ["91.00", "130.00"]
    assert found["difference"] == "339.00"
    assert found["price_policy"] == []
    assert set(departments(found)) == {"finance", "warehouse"}


def test_a_price_within_the_requesters_authority_needs_finance_only(world, order):
    found = impact.assess(
        order, {"lines": [{"line_id": line(order, 1).pk, "unit_price": "110.00"}]}, by=world.sales
    )

    assert found["price_policy"] == []
    assert found["totals"]["gross"][1] == "785.00"
    assert set(departments(found)) == {"finance"}
    assert found["kinds"] == ["price"]


def test_a_discount_beyond_authority_needs_the_authority_that_covers_it(world, order):
    request = ask(
        order, world.sales, {"lines": [{"line_id": line(order, 1).pk, "unit_price": "100.00"}]}
    )

    [verdict] = request.impact["price_policy"]
    assert verdict["role"] == "sales_manager"
    assert verdict["line"] == 1
    assert "beyond your authority" in verdict["message"]
    pricing = request.approvals.get(department="pricing")
    assert pricing.role == "sales_manager"
    assert {approval.department for approval in request.approvals.all()} == {"pricing", "finance"}


def test_a_price_below_the_floor_needs_the_general_manager(world, order):
    request = ask(
        order, world.service, {"lines": [{"line_id": line(order, 1).pk, "unit_price": "80.00"}]}
    )

    [verdict] = request.impact["price_policy"]
    assert verdict["reason"] == "below_floor"
    assert request.approvals.get(department="pricing").role == "general_manager"


def test_a_new_product_on_a_line_is_repriced_and_reserved(world, order):
    first = line(order, 1)

    found = impact.assess(
        order, {"lines": [{"line_id": first.pk, "product_id": world.products[2].pk}]}
    )

    changed = found["lines"][0]
    assert changed["sku"] == [world.products[0].sku, world.products[2].sku]
    assert changed["unit_price"] == ["113.00", "113.00"]
    assert found["kinds"] == ["product"]
    rows = {row["sku"]: row for row in found["stock"]}
    assert rows[world.products[0].sku]["reserve"] == "-2.000"
    assert rows[world.products[2].sku]["reserve"] == "+2.000"
    assert set(departments(found)) == {"sales", "warehouse"}


def test_the_credit_check_runs_on_the_new_total():
    world = make_world(credit_limit="1000")
    order = released_order(world)

    request = ask(
        order, world.service, {"lines": [{"line_id": line(order, 2).pk, "quantity": "10"}]}
    )

    credit = request.impact["credit"]
    assert credit["limit"] == "1000.00"
    assert credit["exposure_after"] == "1356.00"
    assert credit["excess"] == "356.00"
    assert credit["blocked"] is True
    finance = request.approvals.get(department="finance")
    assert "credit" in finance.why
    assert finance.role == "finance"


def test_a_credit_excess_beyond_finance_goes_to_the_general_manager():
    world = make_world(credit_limit="1000")
    order = released_order(world)
    ReviewSettings.objects.filter(pk=1).update(gm_credit_excess=Decimal(100))

    request = ask(
        order, world.service, {"lines": [{"line_id": line(order, 2).pk, "quantity": "10"}]}
    )

    assert request.approvals.get(department="finance").role == "general_manager"


def test_a_lower_total_never_blocks_on_credit():
    world = make_world(credit_limit="100")
    order = approved_order(world)

    found = impact.assess(order, {"lines": [{"line_id": line(order, 2).pk, "quantity": "1"}]})

    assert found["credit"]["blocked"] is False
    assert "finance" not in departments(found)


def test_stock_short_of_an_increase_goes_to_production_with_the_restock_date():
    world = make_world(stock_each=6)
    order = released_order(world)  # holds 2 and 5: 4 and 1 left

    found = impact.assess(order, {"lines": [{"line_id": line(order, 2).pk, "quantity": "8"}]})

    [row] = found["stock"]
    assert row["reserve"] == "0.000"
    assert row["short"] == "3.000"
    assert row["available"] == "1.000"
    assert row["restock_on"] == workcalendar.add_working_days(timezone.localdate(), 3).isoformat()
    assert {"production", "finance"} <= set(departments(found))
    assert "warehouse" not in departments(found)


def test_a_reduction_releases_reserved_stock(world, order):
    found = impact.assess(order, {"lines": [{"line_id": line(order, 2).pk, "quantity": "1"}]})

    [row] = found["stock"]
    assert row["reserve"] == "-4.000"
    assert departments(found) == {}


def test_planned_production_orders_follow_the_line(world):
    product = made_to_order(world)
    order = released_order(world, lines=[{"sku": product.sku, "quantity": "10"}])
    [po] = production_orders(order, world)

    less = impact.assess(order, {"lines": [{"line_id": line(order, 1).pk, "quantity": "6"}]})
    more = impact.assess(order, {"lines": [{"line_id": line(order, 1).pk, "quantity": "12"}]})

    [row] = less["production"]
    assert row["number"] == po.number
    assert row["status"] == "planned"
    assert row["made"] == "0.000"
    assert row["quantity"] == "10.000"
    assert row["new_quantity"] == "6.000"
    assert row["action"] == "adjust"
    assert "production" in departments(less)
    assert more["production"][0]["new_quantity"] == "12.000"
    assert more["stock"] == []


def test_production_under_way_is_listed_with_what_was_made(world):
    from orderdesk.production import services as production

    product = made_to_order(world)
    order = released_order(world, lines=[{"sku": product.sku, "quantity": "10"}])
    [po] = production_orders(order, world)
    production.start(po, by=world.production)
    production.report_progress(po, by=world.production, quantity="4")
    order.refresh_from_db()

    found = impact.assess(order, {"lines": [{"line_id": line(order, 1).pk, "quantity": "6"}]})

    [row] = found["production"]
    assert row["status"] == "in_progress"
    assert row["made"] == "4.000"
    assert row["new_quantity"] == "10.000"
    assert row["action"] == "unchanged"


def test_issued_invoices_need_a_credit_note_or_an_extra_invoice(world, order):
    invoice = invoiced(order, world, 2, "5")

    cheaper = impact.assess(
        order, {"lines": [{"line_id": line(order, 2).pk, "unit_price": "100.00"}]}, by=world.gm
    )
    dearer = impact.assess(
        order, {"lines": [{"line_id": line(order, 2).pk, "unit_price": "120.00"}]}, by=world.gm
    )
    fewer = impact.assess(order, {"lines": [{"line_id": line(order, 2).pk, "quantity": "3"}]})
    more = impact.assess(order, {"lines": [{"line_id": line(order, 2).pk, "quantity": "9"}]})

    assert cheaper["invoices"] == [
        {"number": invoice.number, "action": "credit_note", "amount": "65.00"}
    ]
    assert dearer["invoices"] == [
        {"number": invoice.number, "action": "extra_invoice", "amount": "35.00"}
    ]
    assert fewer["invoices"] == [
        {"number": invoice.number, "action": "credit_note", "amount": "226.00"}
    ]
    assert more["invoices"] == []
    assert "Issued invoices" in departments(fewer)["finance"]


def test_cancelling_credits_every_issued_invoice(world, order):
    invoice = invoiced(order, world, 1, "2")

    found = impact.assess(order, {"cancel": True})

    assert found["invoices"] == [
        {"number": invoice.number, "action": "credit_note", "amount": "226.00"}
    ]
    assert found["totals"]["gross"] == ["791.00", "0.00"]
    assert {row["reserve"] for row in found["stock"]} == {"-2.000", "-5.000"}
    assert set(departments(found)) == {"sales", "finance"}


def test_a_later_requested_date_moves_the_promise(world, order):
    later = workcalendar.add_working_days(order.promised_date, 5)

    found = impact.assess(order, {"header": {"requested_date": later.isoformat()}})

    assert found["promised_date"] == [order.promised_date.isoformat(), later.isoformat()]
    assert found["kinds"] == ["delivery_date"]


def test_an_earlier_date_stays_behind_production_under_way(world):
    product = made_to_order(world)
    order = released_order(world, lines=[{"sku": product.sku, "quantity": "10"}])
    [po] = production_orders(order, world)
    earlier = timezone.localdate() + dt.timedelta(days=1)

    moved = impact.assess(order, {"header": {"requested_date": earlier.isoformat()}})
    promised = impact.assess(order, {"header": {"promised_date": earlier.isoformat()}})

    assert moved["promised_date"][1] == po.due_date.isoformat()
    assert "production" in departments(moved)
    assert promised["refusals"]["header.promised_date"].endswith(f"{po.due_date.isoformat()}.")


def test_making_more_takes_the_lead_time(world):
    product = made_to_order(world)
    order = approved_order(world, lines=[{"sku": product.sku, "quantity": "10"}])
    soon = timezone.localdate() + dt.timedelta(days=1)
    order.promised_date = soon
    order.save(update_fields=["promised_date"])

    found = impact.assess(order, {"lines": [{"line_id": line(order, 1).pk, "quantity": "15"}]})

    lead = workcalendar.add_working_days(timezone.localdate(), 5)
    assert found["promised_date"] == [soon.isoformat(), lead.isoformat()]
    assert "production" in departments(found)


def test_a_custom_product_needs_the_technical_review(world, order):
    custom = made_to_order(world, sales_kind="custom")
    ReviewSettings.objects.filter(pk=1).update(production_step=False)

    found = impact.assess(order, {"add": [{"product_id": custom.pk, "quantity": "1"}]})

    assert "custom" in departments(found)["production"]


def test_lines_other_documents_refer_to_cannot_be_removed(world, order):
    ship_part(order, 1, "1")
    invoiced(order, world, 2, "1")

    found = impact.assess(order, {"remove": [line(order, 2).pk]})

    assert "invoice" in found["refusals"]["remove.0"]


def test_a_free_line_is_removed_and_its_stock_released(world, order):
    found = impact.assess(order, {"remove": [line(order, 1).pk]})

    assert found["refusals"] == {}
    assert found["lines"][0]["change"] == "removed"
    assert found["stock"][0]["reserve"] == "-2.000"
    assert found["kinds"] == ["remove_line"]


def test_removing_every_line_is_a_cancellation(world, order):
    found = impact.assess(order, {"remove": [line(order, 1).pk, line(order, 2).pk]})

    assert found["cancel"] is True
    assert found["kinds"] == ["cancellation"]


def test_a_closed_order_is_refused_in_the_assessment(world, order):
    from orderdesk.orders import services as order_services

    order_services.cancel(order, by=world.manager, reason="客户取消")
    order.refresh_from_db()

    found = impact.assess(order, {"header": {"consignee": "李四"}})

    assert "order" in found["refusals"]


def test_an_earlier_date_stays_behind_the_completion_production_confirmed(world):
    product = made_to_order(world)
    order = approved_order(world, lines=[{"sku": product.sku, "quantity": "10"}])
    confirmed = order.promised_date  # production's earliest completion at the review
    earlier = timezone.localdate() + dt.timedelta(days=1)

    found = impact.assess(order, {"header": {"requested_date": earlier.isoformat()}})

    assert found["promised_date"] == [confirmed.isoformat(), confirmed.isoformat()]
    assert "earliest possible" in departments(found)["production"]
