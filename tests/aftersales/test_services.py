"""After-sales cases (售后工单): opening (the contract the shipping app calls), assigning,
statuses, photos, e-mail to customer service, "My tasks"."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from orderdesk.aftersales import selectors, services
from orderdesk.aftersales.models import Case, CaseKind, CasePhoto, CaseStatus
from orderdesk.core import audit, workcalendar
from orderdesk.core.errors import InvalidTransition, NotAllowed, NotFound, ValidationFailed
from tests.factories.orders import make_released_order, make_world, user

pytestmark = pytest.mark.django_db

LINES = [{"shipment_line_id": 3, "sku": "OM-1", "quantity": Decimal("2")}]


@pytest.fixture
def world(db):
    found = make_world()
    found.service.email = "service@example.com"
    found.service.save(update_fields=["email"])
    return found


@pytest.fixture
def order(world):
    return make_released_order(world)


def jpeg(name="damage.jpg", size=100):
    content = (b"\xff\xd8" + b"x" * size)[:size]
    return SimpleUploadedFile(name, content, content_type="image/jpeg")


def open_one(order, by, **overrides):
    values = {
        "order": order,
        "kind": CaseKind.DAMAGE,
        "description": "外箱破损，2 台阀门变形",
        "lines": LINES,
        "source": "shipment FH20261204001",
        "by": by,
    }
    values.update(overrides)
    return services.open_case(**values)


def test_open_case_numbers_audits_and_mails_customer_service(
    world, order, django_capture_on_commit_callbacks
):
    manager = user("cs_boss", "customer_service_manager", email="boss@example.com")
    user("cs_gone", "customer_service", email="gone@example.com", is_active=False)
    reporter = user("x_logistics", "logistics")

    with django_capture_on_commit_callbacks(execute=True):
        case = open_one(order, reporter, photos=[jpeg()])

    assert case.number.startswith("SH" + timezone.localdate().strftime("%Y%m%d"))
    assert case.number.endswith("001")
    assert case.status == CaseStatus.OPEN
    assert case.owner is None
    assert case.lines == [{"shipment_line_id": 3, "sku": "OM-1", "quantity": "2"}]
    assert case.source == "shipment FH20261204001"
    assert case.photos.count() == 1
    assert audit.entries_for(case).filter(action="case_opened").exists()
    assert audit.entries_for(order).filter(action="case_opened").exists()
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sorted(sent.to) == [manager.email, world.service.email]
    assert case.number in sent.subject
    assert f"/cases/{case.pk}/" in sent.body


def test_second_case_of_the_day_gets_the_next_number(world, order):
    first = open_one(order, world.service)
    second = open_one(order, world.service, kind=CaseKind.LATE_ARRIVAL)
    assert int(second.number[-3:]) == int(first.number[-3:]) + 1


def test_case_is_due_two_working_days_later_in_working_hours(world, order):
    case = open_one(order, world.service)
    calendar = workcalendar.current()
    # Two working days of 7.5 hours each (08:30-12:00, 13:30-17:30).
    assert calendar.working_hours_between(case.created_at, case.due_at) == dt.timedelta(hours=15)


def test_due_from_a_friday_evening_is_the_end_of_tuesday():
    zone = workcalendar.current().tz
    friday_evening = dt.datetime(2026, 3, 6, 20, 0, tzinfo=zone)
    assert services.due_from(friday_evening) == dt.datetime(2026, 3, 10, 17, 30, tzinfo=zone)


def test_who_may_open_a_case(world, order):
    for role in ("warehouse", "sales", "aftersales", "logistics"):
        assert services.may_open(user(f"x_{role}", role))
    with pytest.raises(NotAllowed):
        open_one(order, world.finance)
    assert not Case.objects.exists()


def test_a_hidden_order_is_not_found(world, order):
    other_sales = user("x_other_sales", "sales")
    with pytest.raises(NotFound):
        open_one(order, other_sales)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"kind": "lost"}, "kind"),
        ({"kind": ""}, "kind"),
        ({"description": "   "}, "description"),
        ({"description": None}, "description"),
        ({"description": "x" * 4001}, "description"),
        ({"lines": []}, "lines"),
        ({"lines": None}, "lines"),
        ({"lines": "OM-1 x 2"}, "lines"),
        ({"lines": [1, 2]}, "lines"),
        ({"lines": [{}]}, "lines"),
        ({"lines": [{"sku": object()}]}, "lines"),
        ({"source": "s" * 201}, "source"),
        ({"photos": [jpeg("virus.exe")]}, "photos"),
        ({"photos": [jpeg(size=0)]}, "photos"),
        ({"photos": [jpeg(size=10 * 1024 * 1024 + 1)]}, "photos"),
    ],
)
def test_bad_input_is_refused_with_nothing_written(world, order, overrides, field):
    with pytest.raises(ValidationFailed) as refused:
        open_one(order, world.service, **overrides)
    assert field in refused.value.fields
    assert refused.value.code == "invalid_case"
    assert not Case.objects.exists()
    assert not CasePhoto.objects.exists()


def test_every_problem_is_named_at_once(world, order):
    with pytest.raises(ValidationFailed) as refused:
        open_one(order, world.service, kind="?", description="", lines=[])
    assert set(refused.value.fields) == {"kind", "description", "lines"}


def test_allowed_photo_types(world, order):
    photos = [jpeg(f"p.{suffix}") for suffix in ("jpg", "jpeg", "png", "webp", "heic", "pdf")]
    case = open_one(order, world.service, photos=photos)
    assert case.photos.count() == 6


def test_assign_and_notify_owner(world, order, django_capture_on_commit_callbacks):
    case = open_one(order, world.service)
    colleague = user("cs_two", "customer_service", email="two@example.com")

    with django_capture_on_commit_callbacks(execute=True):
        services.assign(case, colleague, by=world.service)

    case.refresh_from_db()
    assert case.owner == colleague
    assert audit.entries_for(case).filter(action="case_assigned").exists()
    assert mail.outbox[-1].to == ["two@example.com"]

    services.assign(case, None, by=world.service)
    case.refresh_from_db()
    assert case.owner is None


def test_assign_refusals(world, order):
    case = open_one(order, world.service)
    with pytest.raises(NotAllowed):
        services.assign(case, world.service, by=world.warehouse)
    with pytest.raises(ValidationFailed) as refused:
        services.assign(case, world.warehouse, by=world.service)
    assert refused.value.code == "invalid_owner"
    inactive = user("cs_left", "customer_service", is_active=False)
    with pytest.raises(ValidationFailed):
        services.assign(case, inactive, by=world.service)
    services.set_status(case, CaseStatus.CLOSED, "客户撤回", by=world.service)
    with pytest.raises(InvalidTransition) as closed:
        services.assign(case, world.service, by=world.service)
    assert closed.value.code == "case_not_active"


def test_status_flow(world, order):
    case = open_one(order, world.service)

    services.set_status(case, CaseStatus.IN_PROGRESS, by=world.service)
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_PROGRESS
    assert case.owner == world.service  # starting unassigned work takes it

    services.set_status(case, CaseStatus.RESOLVED, "已补发 2 台", by=world.service)
    case.refresh_from_db()
    assert case.resolved_at is not None
    entry = audit.entries_for(case).filter(action="case_status_changed").first()
    assert entry.reason == "已补发 2 台"

    services.set_status(case, CaseStatus.IN_PROGRESS, "客户说仍有问题", by=world.service)
    case.refresh_from_db()
    assert case.resolved_at is None
    services.set_status(case, CaseStatus.CLOSED, "已处理", by=world.service)
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED
    with pytest.raises(InvalidTransition):
        services.set_status(case, CaseStatus.OPEN, "again", by=world.service)


def test_status_refusals(world, order):
    case = open_one(order, world.service)
    with pytest.raises(NotAllowed):
        services.set_status(case, CaseStatus.IN_PROGRESS, by=world.warehouse)
    with pytest.raises(ValidationFailed) as unknown:
        services.set_status(case, "done", "x", by=world.service)
    assert "status" in unknown.value.fields
    with pytest.raises(ValidationFailed) as no_note:
        services.set_status(case, CaseStatus.RESOLVED, "  ", by=world.service)
    assert no_note.value.code == "note_required"
    with pytest.raises(ValidationFailed):
        services.set_status(case, CaseStatus.RESOLVED, "x" * 1001, by=world.service)
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN


def test_add_photo(world, order):
    case = open_one(order, world.service)
    services.add_photo(case, jpeg("more.png"), by=world.service)
    assert case.photos.count() == 1
    with pytest.raises(ValidationFailed):
        services.add_photo(case, jpeg("notes.txt"), by=world.service)
    with pytest.raises(NotAllowed):
        services.add_photo(case, jpeg(), by=world.warehouse)
    services.set_status(case, CaseStatus.CLOSED, "done", by=world.service)
    with pytest.raises(InvalidTransition):
        services.add_photo(case, jpeg(), by=world.service)


def test_my_tasks(world, order):
    mine = open_one(order, world.service)
    services.set_status(mine, CaseStatus.IN_PROGRESS, by=world.service)
    unassigned = open_one(order, world.service, kind=CaseKind.SHORT_QUANTITY)
    aftersales_user = user("x_aftersales", "aftersales")

    titles = [task.title for task in selectors.my_tasks(world.service)]
    assert any(mine.number in title for title in titles)
    assert any(unassigned.number in title for title in titles)
    assert all(task.time_left is not None for task in selectors.my_tasks(world.service))
    # Not customer service: only their own cases.
    assert selectors.my_tasks(aftersales_user) == []
    assert selectors.my_tasks(world.warehouse) == []
