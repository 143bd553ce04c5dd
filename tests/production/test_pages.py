"""Production pages: the board, a production order, the panel on the order page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from orderdesk.production import services
from orderdesk.production.models import ProductionOrder, ProgressReport
from tests.factories.orders import make_order, user
from tests.production.helpers import created, outsider, production_world, released

pytestmark = pytest.mark.django_db


def test_board_groups_by_status_and_marks_overdue(client):
    world = production_world()
    first, second = created(world, released(world))
    services.start(first, by=world.production)
    ProductionOrder.objects.filter(pk=second.pk).update(
        due_date=timezone.localdate() - dt.timedelta(days=2)
    )
    client.force_login(world.production)

    page = client.get(reverse("production:board"))

    html = page.content.decode()
    assert page.status_code == 200
    assert f'data-po="{first.number}"' in html
    assert f'data-po="{second.number}"' in html
    assert 'data-column="in_progress"' in html
    assert "badge overdue" in html
    overdue = client.get(reverse("production:board") + "?overdue=on").content.decode()
    assert second.number in overdue
    assert first.number not in overdue


def test_board_empty_states(client):
    world = production_world()
    client.force_login(world.production)
    assert "No production orders yet" in client.get(reverse("production:board")).content.decode()
    filtered = client.get(reverse("production:board") + "?q=XX").content.decode()
    assert "No production orders match" in filtered


def test_detail_page_actions_and_forms(client):
    world = production_world()
    po = created(world, released(world))[0]
    client.force_login(world.production)
    url = reverse("production:detail", args=[po.pk])

    page = client.get(url).content.decode()
    assert po.number in page
    assert 'name="acknowledge"' in page
    assert 'name="start"' in page

    response = client.post(reverse("production:act", args=[po.pk, "start"]))
    assert response.status_code == 302
    po.refresh_from_db()
    assert po.status == "in_progress"

    bad = client.post(
        reverse("production:act", args=[po.pk, "progress"]), {"percent": "120", "note": ""}
    )
    assert bad.status_code == 422
    assert "Enter 0 to 100" in bad.content.decode()
    good = client.post(
        reverse("production:act", args=[po.pk, "progress"]), {"percent": "30", "note": "开始"}
    )
    assert good.status_code == 302
    assert ProgressReport.objects.filter(production_order=po).count() == 1
    page = client.get(url).content.decode()
    assert 'data-report="' in page
    assert "30%" in page
    assert "History" in page

    qc = client.post(reverse("production:act", args=[po.pk, "qc"]))
    assert qc.status_code == 302
    done = client.post(
        reverse("production:act", args=[po.pk, "complete"]),
        {"quantity": "4", "warehouse_id": str(world.warehouse_site.pk)},
    )
    assert done.status_code == 302
    po.refresh_from_db()
    assert po.status == "completed"


def test_detail_page_is_hidden_from_who_cannot_see_the_order_and_actions_need_the_permission(
    client,
):
    world = production_world()
    po = created(world, released(world))[0]
    client.force_login(user("x_sales2", "sales"))
    assert client.get(reverse("production:detail", args=[po.pk])).status_code == 404
    client.force_login(outsider())  # logistics sees every order, runs no production
    page = client.get(reverse("production:detail", args=[po.pk])).content.decode()
    assert po.number in page
    assert 'name="start"' not in page
    assert client.post(reverse("production:act", args=[po.pk, "start"])).status_code == 403
    assert client.post(reverse("production:act", args=[po.pk, "nonsense"])).status_code == 404


def test_order_page_panel_lists_production_orders_with_exceptions(client):
    world = production_world()
    order = released(world)
    client.force_login(world.production)
    page = client.get(reverse("orders:detail", args=[order.pk])).content.decode()
    assert 'id="production"' in page
    assert 'name="create-production-orders"' in page

    response = client.post(reverse("production:create", args=[order.pk]))
    assert response.status_code == 302
    po = ProductionOrder.objects.filter(order=order).first()
    services.report_exception(po, kind="quality_problem", note="尺寸超差", by=world.production)

    client.force_login(world.sales)
    page = client.get(reverse("orders:detail", args=[order.pk])).content.decode()
    assert po.number in page
    assert 'id="production-exceptions"' in page
    assert "尺寸超差" in page
    assert 'name="create-production-orders"' not in page


def test_order_page_without_production_shows_no_panel(client):
    world = production_world()
    order = make_order(world)
    client.force_login(world.sales)
    page = client.get(reverse("orders:detail", args=[order.pk])).content.decode()
    assert 'id="production"' not in page


def test_my_tasks_page_and_navigation_show_production(client):
    world = production_world()
    made = created(world, released(world))
    client.force_login(world.production)
    page = client.get(reverse("core:my_tasks")).content.decode()
    assert made[0].number in page
    assert "Production orders to acknowledge" in page
    assert reverse("production:board") in page  # the navigation entry
    client.force_login(user("x_sales3", "sales"))
    assert reverse("production:board") not in client.get(reverse("core:my_tasks")).content.decode()
