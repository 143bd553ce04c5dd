"""/api/v1/production-orders: status codes and the JSON error shape."""

from __future__ import annotations

import pytest
from django.core import mail

from orderdesk.core import workcalendar
from orderdesk.production.models import ProductionOrder
from tests.factories.orders import user
from tests.production.helpers import api, created, outsider, production_world, released

pytestmark = pytest.mark.django_db
URL = "/api/v1/production-orders"


def error_of(response):
    body = response.json()
    assert set(body["error"]) == {"code", "message", "fields"}
    return body["error"]


def test_create_list_and_read(client):
    world = production_world()
    order = released(world)

    response = api(client, "post", URL, world.production, {"order_id": order.pk})

    assert response.status_code == 201, response.content
    made = response.json()
    assert [item["quantity"] for item in made] == ["4.000", "150.000"]
    assert made[0]["status"] == "planned"
    assert made[0]["order_number"] == order.number
    again = api(client, "post", URL, world.production, {"order_id": order.pk})
    assert again.status_code == 409
    assert error_of(again)["code"] == "nothing_to_produce"

    listed = api(client, "get", f"{URL}?order_id={order.pk}&limit=1", world.sales)
    assert listed.status_code == 200
    assert listed.json()["count"] == 2
    assert len(listed.json()["items"]) == 1
    planned = api(client, "get", f"{URL}?status=planned&status=completed", world.production)
    assert planned.json()["count"] == 2
    overdue = api(client, "get", f"{URL}?overdue=true", world.production)
    assert overdue.json()["count"] == 0

    one = api(client, "get", f"{URL}/{made[0]['id']}", world.service)
    assert one.status_code == 200
    assert one.json()["reports"] == []


def test_the_whole_flow_through_the_api(client, django_capture_on_commit_callbacks):
    world = production_world()
    order = released(world)
    po = created(world, order)[0]
    base = f"{URL}/{po.pk}"
    who = world.production

    assert api(client, "post", f"{base}/acknowledge", who).status_code == 200
    assert api(client, "post", f"{base}/start", who).json()["status"] == "in_progress"
    progress = api(client, "post", f"{base}/progress", who, {"percent": 60, "note": "装配中"})
    assert progress.status_code == 200
    assert progress.json()["progress_percent"] == "60.00"
    assert progress.json()["reports"][0]["note"] == "装配中"
    later = workcalendar.add_working_days(order.promised_date, 2)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        problem = api(
            client,
            "post",
            f"{base}/exception",
            who,
            {"kind": "equipment_failure", "note": "注塑机故障", "expected_on": later.isoformat()},
        )
    assert problem.status_code == 200
    assert problem.json()["status"] == "exception"
    assert mail.outbox
    assert api(client, "post", f"{base}/resolve", who, {"note": "已修复"}).status_code == 200
    assert api(client, "post", f"{base}/qc", who).json()["status"] == "qc_passed"
    done = api(
        client,
        "post",
        f"{base}/complete",
        who,
        {"quantity": "4", "warehouse_id": world.warehouse_site.pk},
    )
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "completed"
    assert done.json()["completed_quantity"] == "4.000"


def test_refusals_answer_the_error_shape(client):
    world = production_world()
    order = released(world)
    po = created(world, order)[0]
    base = f"{URL}/{po.pk}"

    denied = api(client, "post", URL, world.sales, {"order_id": order.pk})
    assert denied.status_code == 403
    assert error_of(denied)["code"] == "permission_denied"
    own = api(client, "get", base, world.sales)
    assert own.status_code == 200  # the salesperson sees their order's production
    other = api(client, "get", base, user("x_sales2", "sales"))
    assert other.status_code == 404
    assert error_of(other)["code"] == "production_order_not_found"
    stranger = outsider()
    assert api(client, "get", f"{URL}/999999", stranger).status_code == 404
    assert api(client, "get", f"{URL}/99999999999999999999", stranger).status_code in (404, 422)
    missing = api(client, "post", URL, world.production, {"order_id": 999999})
    assert missing.status_code == 404
    assert error_of(missing)["code"] == "order_not_found"

    wrong = api(client, "post", f"{base}/qc", world.production)
    assert wrong.status_code == 409
    assert error_of(wrong)["code"] == "invalid_transition"
    api(client, "post", f"{base}/start", world.production)
    bad = api(client, "post", f"{base}/progress", world.production, {"percent": 150})
    assert bad.status_code == 422
    assert "percent" in error_of(bad)["fields"]
    typed = api(client, "post", f"{base}/progress", world.production, {"percent": "lots"})
    assert typed.status_code == 422
    assert error_of(typed)["code"] == "invalid_input"
    kind = api(client, "post", f"{base}/exception", world.production, {"kind": "x", "note": ""})
    assert kind.status_code == 422
    assert set(error_of(kind)["fields"]) >= {"kind", "note"}
    no_body = api(client, "post", f"{base}/complete", world.production, {})
    assert no_body.status_code == 422
    too_many = api(
        client,
        "post",
        f"{base}/complete",
        world.production,
        {"quantity": "4", "warehouse_id": world.warehouse_site.pk},
    )
    assert too_many.status_code == 409  # not QC passed yet
    by_sales = api(client, "post", f"{base}/resolve", world.sales, {"note": "x"})
    assert by_sales.status_code == 403
    assert ProductionOrder.objects.get(pk=po.pk).status == "in_progress"
