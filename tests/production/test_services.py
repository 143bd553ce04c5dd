"""Production orders (生产指令单): creation, transitions, progress, completion, exceptions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from orderdesk.core import audit, workcalendar
from orderdesk.core.errors import (
    Conflict,
    InvalidTransition,
    NotAllowed,
    ValidationFailed,
)
from orderdesk.customers.models import Interaction
from orderdesk.inventory import selectors as stock_selectors
from orderdesk.inventory.models import StockLevel
from orderdesk.orders import services as order_services
from orderdesk.orders.models import FollowUp, OrderStatus
from orderdesk.production import my_tasks, selectors, services
from orderdesk.production.models import ProductionOrder, ProductionStatus, ProgressReport
from tests.factories.orders import make_released_order, user
from tests.production.helpers import created, production_world, released

pytestmark = pytest.mark.django_db
P = ProductionStatus


# --- creation ---------------------------------------------------------------------------------


def test_creates_one_production_order_per_line_that_needs_one():
    world = production_world()
    order = released(world)

    made = created(world, order)

    assert [(po.order_line.line_no, po.quantity) for po in made] == [
        (1, Decimal("4.000")),  # make to order: the whole line
        (2, Decimal("150.000")),  # short of stock: no reservation covers it
    ]
    first = made[0]
    assert first.number.startswith("SC" + timezone.localdate().strftime("%Y%m%d"))
    assert first.number.endswith("001")
    assert made[1].number.endswith("002")
    assert first.status == P.PLANNED
    assert first.responsible == world.production  # the production reviewer
    assert first.due_date == order.promised_date
    assert first.packing_requirements == order.packing_requirements
    assert audit.entries_for(first).filter(action="production_order_created").exists()
    assert audit.entries_for(order).filter(action="production_orders_created").exists()


def test_creation_is_idempotent_and_says_when_nothing_is_left():
    world = production_world()
    order = released(world)
    created(world, order)

    with pytest.raises(Conflict) as refused:
        created(world, order)

    assert refused.value.code == "nothing_to_produce"
    assert ProductionOrder.objects.filter(order=order).count() == 2


def test_an_order_with_everything_in_stock_needs_nothing():
    world = production_world()
    order = make_released_order(world, lines=[{"sku": world.products[2].sku, "quantity": "3"}])
    with pytest.raises(Conflict):
        created(world, order)


def test_only_released_orders_and_production_staff():
    world = production_world()
    order = released(world)
    with pytest.raises(NotAllowed):
        services.create_for_order(order, by=world.sales)
    order_services.hold(order, by=world.manager, reason="客户要求暂停")
    order.refresh_from_db()
    with pytest.raises(InvalidTransition) as held:
        created(world, order)
    assert held.value.code == "order_on_hold"
    order_services.resume(order, by=world.manager)
    order_services.cancel(order, by=world.manager, reason="客户取消")
    order.refresh_from_db()
    with pytest.raises(InvalidTransition) as cancelled:
        created(world, order)
    assert cancelled.value.code == "order_cancelled"
    assert not ProductionOrder.objects.exists()


def test_tolerance_and_responsible_are_checked():
    world = production_world()
    order = released(world)
    with pytest.raises(ValidationFailed) as refused:
        created(world, order, tolerance_percent="20.5", responsible=world.sales)
    assert set(refused.value.fields) == {"tolerance_percent", "responsible"}
    made = created(world, order, tolerance_percent="5")
    assert made[0].tolerance_percent == Decimal("5")


# --- acknowledge, start ------------------------------------------------------------------------


def test_acknowledge_by_the_responsible_person_once():
    world = production_world()
    po = created(world, released(world))[0]
    other = user("x_production2", "production")
    with pytest.raises(NotAllowed) as refused:
        services.acknowledge(po, by=other)
    assert refused.value.code == "not_responsible"

    services.acknowledge(po, by=world.production)

    po.refresh_from_db()
    assert po.acknowledged_by == world.production
    assert po.acknowledged_at
    with pytest.raises(Conflict):
        services.acknowledge(po, by=world.production)


def test_start_moves_a_released_order_into_production():
    world = production_world()
    order = released(world)
    first, second = created(world, order)

    services.start(first, by=world.production)

    first.refresh_from_db()
    order.refresh_from_db()
    assert first.status == P.IN_PROGRESS
    assert first.started_at
    assert first.acknowledged_at  # the responsible person starting it acknowledges it
    assert order.status == OrderStatus.IN_PRODUCTION
    services.start(second, by=world.production)  # the order stays in production
    order.refresh_from_db()
    assert order.status == OrderStatus.IN_PRODUCTION
    with pytest.raises(InvalidTransition):
        services.start(first, by=world.production)


def test_illegal_transitions_are_refused():
    world = production_world()
    po = created(world, released(world))[0]
    with pytest.raises(InvalidTransition):
        services.pass_qc(po, by=world.production)
    with pytest.raises(InvalidTransition):
        services.complete(po, quantity="4", warehouse=world.warehouse_site.pk, by=world.production)
    with pytest.raises(InvalidTransition):
        services.resolve_exception(po, note="好了", by=world.production)
    po.refresh_from_db()
    assert po.status == P.PLANNED


def test_nothing_starts_for_a_cancelled_order():
    world = production_world()
    order = released(world)
    po = created(world, order)[0]
    order_services.cancel(order, by=world.manager, reason="客户取消")
    with pytest.raises(InvalidTransition) as refused:
        services.start(po, by=world.production)
    assert refused.value.code == "order_cancelled"


# --- progress -----------------------------------------------------------------------------------


def started(world, **kwargs):
    po = created(world, released(world), **kwargs)[0]
    services.start(po, by=world.production)
    po.refresh_from_db()
    return po


def test_progress_reports_one_per_day_updated_and_audited():
    world = production_world()
    po = started(world)

    services.report_progress(po, percent="40", note="下料完成", by=world.production)
    services.report_progress(po, percent="50", quantity="2", note="焊接中", by=world.production)

    reports = list(ProgressReport.objects.filter(production_order=po))
    assert len(reports) == 1
    assert reports[0].percent == Decimal("50")
    assert reports[0].quantity_done == Decimal("2")
    assert audit.entries_for(po).filter(action="progress_report_updated").exists()
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    ProductionOrder.objects.filter(pk=po.pk).update(
        created_at=timezone.now() - dt.timedelta(days=3)
    )
    po.refresh_from_db()
    services.report_progress(po, quantity="1", day=yesterday, by=world.production)
    assert po.reports.count() == 2
    assert selectors.progress_percent(po) == Decimal("50")


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"percent": "101"}, "percent"),
        ({"percent": "-1"}, "percent"),
        ({"percent": "abc"}, "percent"),
        ({"quantity": "4.5"}, "quantity"),  # above 4 + 0 % tolerance
        ({"quantity": "1.0001"}, "quantity"),
        ({}, "percent"),
        ({"percent": "10", "day": dt.date(2099, 1, 1)}, "day"),
        ({"percent": "10", "note": "x" * 1001}, "note"),
    ],
)
def test_progress_validation(values, field):
    world = production_world()
    po = started(world)
    with pytest.raises(ValidationFailed) as refused:
        services.report_progress(po, by=world.production, **values)
    assert field in refused.value.fields
    assert not ProgressReport.objects.exists()


def test_progress_quantity_may_use_the_tolerance_and_needs_a_started_order():
    world = production_world()
    po = created(world, released(world), tolerance_percent="10")[0]
    with pytest.raises(InvalidTransition):
        services.report_progress(po, percent="10", by=world.production)
    services.start(po, by=world.production)
    services.report_progress(po, quantity="4.4", by=world.production)  # 4 + 10 %
    with pytest.raises(ValidationFailed):
        services.report_progress(po, quantity="4.401", by=world.production)


# --- QC and completion ----------------------------------------------------------------------------


def test_completion_receives_the_goods_and_reserves_them_for_the_line():
    world = production_world()
    po = started(world)
    services.pass_qc(po, by=world.production)
    site = world.warehouse_site
    before = StockLevel.objects.get(product=po.product, warehouse=site)

    services.complete(po, quantity="4", warehouse=site.pk, by=world.production)

    po.refresh_from_db()
    assert po.status == P.COMPLETED
    assert po.completed_quantity == Decimal("4")
    assert po.warehouse == site
    level = StockLevel.objects.get(product=po.product, warehouse=site)
    assert level.on_hand == before.on_hand + 4
    assert level.reserved == before.reserved + 4
    reservation = stock_selectors.open_reservations(po.order_line.reference).get()
    assert reservation.quantity == Decimal("4")
    assert reservation.warehouse == site
    assert stock_selectors.ledger_mismatches() == []
    # the line is covered now: nothing more to make for it
    assert po.order_line_id not in [need.line.pk for need in services.needs_of(po.order)]


def test_completion_respects_the_tolerance_bounds():
    world = production_world()
    po = created(world, released(world, made="100"), tolerance_percent="2")[0]
    services.start(po, by=world.production)
    services.pass_qc(po, by=world.production)
    site = world.warehouse_site.pk
    for wrong in ("97.999", "102.001", "0", "abc"):
        with pytest.raises(ValidationFailed) as refused:
            services.complete(po, quantity=wrong, warehouse=site, by=world.production)
        assert "quantity" in refused.value.fields
    with pytest.raises(ValidationFailed) as no_place:
        services.complete(po, quantity="100", warehouse=999999, by=world.production)
    assert "warehouse_id" in no_place.value.fields

    services.complete(po, quantity="98", warehouse=site, by=world.production)

    po.refresh_from_db()
    assert po.completed_quantity == Decimal("98")
    # 2 short within the tolerance: accepted, no new production order for the line
    assert po.order_line_id not in [need.line.pk for need in services.needs_of(po.order)]


def test_completion_above_the_need_reserves_only_the_line_and_joins_an_open_reservation():
    world = production_world()
    order = released(world, short="150")
    short_po = created(world, order, tolerance_percent="10")[1]
    line = short_po.order_line
    # Meanwhile the warehouse reserved 50 of the line from other stock.
    from orderdesk.inventory import services as stock

    ProductionOrder.objects.filter(pk=short_po.pk).update(quantity=Decimal("100"))
    stock.reserve(
        line.product,
        "50",
        reference=line.reference,
        by=world.warehouse,
        warehouse=world.warehouse_site,
    )
    short_po.refresh_from_db()
    services.start(short_po, by=world.production)
    services.pass_qc(short_po, by=world.production)

    services.complete(
        short_po, quantity="110", warehouse=world.warehouse_site.pk, by=world.production
    )

    reservation = stock_selectors.open_reservations(line.reference).get()
    assert reservation.quantity == Decimal("150")  # 50 + the 100 still needed, not 110
    level = StockLevel.objects.get(product=line.product, warehouse=world.warehouse_site)
    assert level.on_hand == Decimal("210")
    assert level.reserved == Decimal("150")
    assert stock_selectors.ledger_mismatches() == []


def test_completion_into_another_warehouse_than_the_lines_reservation_is_refused():
    from orderdesk.inventory import services as stock
    from orderdesk.inventory.models import Warehouse

    world = production_world()
    order = released(world, short="150")
    po = created(world, order)[1]
    line = po.order_line
    stock.reserve(line.product, "10", reference=line.reference, by=world.warehouse)
    other = Warehouse.objects.create(code="OM-WH2", name="二号仓")
    services.start(po, by=world.production)
    services.pass_qc(po, by=world.production)
    with pytest.raises(ValidationFailed) as refused:
        services.complete(po, quantity="150", warehouse=other.pk, by=world.production)
    assert refused.value.code == "warehouse_mismatch"
    po.refresh_from_db()
    assert po.status == P.QC_PASSED
    assert not StockLevel.objects.filter(warehouse=other).exclude(on_hand=0).exists()


# --- exceptions ---------------------------------------------------------------------------------


def test_exception_mails_service_and_sales_and_moves_the_promised_date(
    django_capture_on_commit_callbacks,
):
    world = production_world()
    po = started(world)
    order = po.order
    order.refresh_from_db()
    promised = order.promised_date
    later = workcalendar.add_working_days(promised, 5)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.report_exception(
            po, kind="material_shortage", note="钢材未到", expected_on=later, by=world.production
        )

    po.refresh_from_db()
    order.refresh_from_db()
    assert po.status == P.EXCEPTION
    assert po.exception_kind == "material_shortage"
    assert po.expected_on == later
    assert order.promised_date == later
    moved = audit.entries_for(order).get(action="promised_date_moved")
    assert moved.changes["promised_date"] == [promised.isoformat(), later.isoformat()]
    staff = next(m for m in mail.outbox if "service@example.com" in m.to)
    assert "sales@example.com" in staff.to
    assert po.number in staff.subject
    customer_mail = next(m for m in mail.outbox if m.to[0].startswith("buyer"))
    assert later.isoformat() in customer_mail.body
    interaction = Interaction.objects.get(customer=order.customer)
    assert interaction.kind == "email"
    assert later.isoformat() in interaction.summary

    with pytest.raises(InvalidTransition):
        services.report_exception(po, kind="other", note="again", by=world.production)
    services.resolve_exception(po, note="钢材已到", by=world.production)
    po.refresh_from_db()
    assert po.status == P.IN_PROGRESS
    assert audit.entries_for(po).filter(action="production_exception_resolved").exists()


def test_exception_before_the_promised_date_leaves_it_and_without_email_logs_a_follow_up(
    django_capture_on_commit_callbacks,
):
    world = production_world()
    po = created(world, released(world))[0]
    order = po.order
    order.refresh_from_db()
    promised = order.promised_date
    with django_capture_on_commit_callbacks(execute=True):
        services.report_exception(
            po, kind="equipment_failure", note="设备检修", expected_on=promised, by=world.production
        )
    order.refresh_from_db()
    assert order.promised_date == promised
    assert not Interaction.objects.exists()
    services.resolve_exception(po, note="修好了", by=world.production)

    order.customer.contacts.update(email="")
    later = workcalendar.add_working_days(promised, 3)
    po.refresh_from_db()
    services.report_exception(
        po, kind="quality_problem", note="返工", expected_on=later, by=world.production
    )
    follow_up = FollowUp.objects.get(order=order)
    assert later.isoformat() in follow_up.items[0]


def test_exception_input_is_checked():
    world = production_world()
    po = created(world, released(world))[0]
    with pytest.raises(ValidationFailed) as refused:
        services.report_exception(
            po, kind="bad", note=" ", expected_on=dt.date(2000, 1, 1), by=world.production
        )
    assert set(refused.value.fields) == {"kind", "note", "expected_on"}
    with pytest.raises(NotAllowed):
        services.report_exception(po, kind="other", note="x", by=world.sales)
    services.report_exception(po, kind="other", note="x", by=world.production)
    with pytest.raises(ValidationFailed) as no_note:
        services.resolve_exception(po, note=" ", by=world.production)
    assert "note" in no_note.value.fields


# --- permissions, tasks ---------------------------------------------------------------------------


def test_other_departments_may_not_run_production():
    world = production_world()
    po = created(world, released(world))[0]
    for action in (services.start, services.pass_qc):
        with pytest.raises(NotAllowed):
            action(po, by=world.warehouse)
    with pytest.raises(NotAllowed):
        services.report_progress(po, percent="1", by=world.sales)
    with pytest.raises(NotAllowed):
        services.complete(po, quantity="4", warehouse=world.warehouse_site.pk, by=world.sales)


def test_my_tasks_list_unacknowledged_and_overdue_production_orders():
    world = production_world()
    made = created(world, released(world))
    tasks = my_tasks.production_tasks(world.production)
    assert len(tasks) == 2
    assert len({task.kind for task in tasks}) == 1
    services.acknowledge(made[0], by=world.production)
    services.acknowledge(made[1], by=world.production)
    assert my_tasks.production_tasks(world.production) == []
    ProductionOrder.objects.filter(pk=made[0].pk).update(
        due_date=timezone.localdate() - dt.timedelta(days=1)
    )
    other = user("x_production3", "production")
    overdue = my_tasks.production_tasks(other)
    assert [task.url for task in overdue] == [f"/production/{made[0].pk}/"]
    assert my_tasks.production_tasks(world.sales) == []


def test_completing_for_a_cancelled_order_receives_without_reserving():
    world = production_world()
    po = started(world)
    services.pass_qc(po, by=world.production)
    order_services.cancel(po.order, by=world.manager, reason="客户取消")

    services.complete(po, quantity="4", warehouse=world.warehouse_site.pk, by=world.production)

    po.refresh_from_db()
    assert po.status == P.COMPLETED
    assert not stock_selectors.open_reservations(po.order_line.reference).exists()
    level = StockLevel.objects.get(product=po.product, warehouse=world.warehouse_site)
    assert level.on_hand == Decimal("104")
