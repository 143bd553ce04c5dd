"""Shipping pages: entry from the order, shipment page, lists, settings, public link."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from orderdesk.core import workcalendar
from orderdesk.orders.models import OrderStatus
from orderdesk.shipping.documents import notice_pdf
from orderdesk.shipping.models import Carrier, Clearance, Shipment, ShipmentStatus, ShippingSettings
from orderdesk.shipping.services import balance_paid
from tests.factories.billing import prepaid
from tests.factories.orders import make_released_order, make_world, user

from .helpers import logistics, photo, released, ship, shipped

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return make_world()


@pytest.fixture
def order(world):
    return make_released_order(world)


def test_the_order_page_shows_the_panel_and_the_entry_is_prefilled(client, world, order):
    by = logistics()
    client.force_login(by)
    page = client.get(reverse("orders:detail", args=[order.pk]))
    html = page.content.decode()
    assert 'id="shipping"' in html
    assert 'id="fulfilment"' in html
    assert reverse("shipping:create", args=[order.pk]) in html
    entry = client.get(reverse("shipping:create", args=[order.pk]))
    assert entry.status_code == 200
    line = order.lines.get(line_no=2)
    assert f'name="qty-{line.pk}" id="qty-{line.pk}" value="5"' in entry.content.decode()


def test_save_and_confirm_from_the_entry_page(client, world, order):
    by = logistics()
    client.force_login(by)
    first, second = order.lines.order_by("line_no")
    data = {
        f"qty-{first.pk}": "2",
        f"qty-{second.pk}": "0",
        "carrier": "SF",
        "tracking_number": "SF123456789012",
        "packages": "1",
        "ship_date": timezone.localdate().isoformat(),
        "consignee": order.contact_name,
        "consignee_phone": order.contact_phone,
        "province": order.delivery_province,
        "city": order.delivery_city,
        "district": order.delivery_district,
        "address": order.delivery_address,
        "confirm": "1",
    }
    answer = client.post(reverse("shipping:create", args=[order.pk]), data)
    assert answer.status_code == 302
    shipment = Shipment.objects.get()
    assert shipment.status == ShipmentStatus.SHIPPED
    assert shipment.lines.count() == 1
    order.refresh_from_db()
    assert order.status == OrderStatus.PARTIALLY_SHIPPED
    detail = client.get(answer.url).content.decode()
    assert shipment.number in detail
    assert "SF123456789012" in detail
    panel = client.get(reverse("orders:detail", args=[order.pk])).content.decode()
    assert f'data-shipment="{shipment.number}"' in panel


def test_entry_errors_go_on_the_lines_and_fields(client, world, order):
    client.force_login(logistics())
    first, second = order.lines.order_by("line_no")
    answer = client.post(
        reverse("shipping:create", args=[order.pk]),
        {
            f"qty-{first.pk}": "9",
            f"qty-{second.pk}": "1",
            "carrier": "YTO",
            "tracking_number": "123",
            "packages": "1",
        },
    )
    assert answer.status_code == 200
    html = answer.content.decode()
    assert "still to ship" in html or "还需发" in html or "errorlist" in html
    assert not Shipment.objects.exists()


def test_the_shipment_page_offers_delivery_and_records_it(client, world, order):
    shipment = shipped(order, logistics())
    client.force_login(world.sales)
    page = client.get(reverse("shipping:detail", args=[shipment.pk]))
    assert page.status_code == 200
    assert 'id="delivery"' in page.content.decode()
    answer = client.post(
        reverse("shipping:deliver", args=[shipment.pk]),
        {"signer": "", "delivered_on": timezone.localdate().isoformat()},
    )
    assert answer.status_code == 200
    assert "errorlist" in answer.content.decode()
    answer = client.post(
        reverse("shipping:deliver", args=[shipment.pk]),
        {"signer": "王经理", "delivered_on": timezone.localdate().isoformat(), "proof": photo()},
    )
    assert answer.status_code == 302
    shipment.refresh_from_db()
    assert shipment.status == ShipmentStatus.DELIVERED
    proof = client.get(reverse("shipping:proof", args=[shipment.pk]))
    assert proof.status_code == 200


def test_the_notice_pdf_shows_chinese_text(world, order):
    shipment = shipped(order, logistics())
    text = "".join(
        page.extract_text() for page in PdfReader(io.BytesIO(notice_pdf(shipment))).pages
    )
    assert shipment.number in text
    assert order.customer.name in text
    assert "球阀" in text


def test_the_notice_pdf_page_and_the_exception_form(client, world, order):
    shipment = shipped(order, logistics())
    client.force_login(world.service)
    pdf = client.get(reverse("shipping:notice_pdf", args=[shipment.pk]))
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    form = client.get(reverse("shipping:report_exception", args=[shipment.pk]))
    assert form.status_code == 200
    row = shipment.lines.first()
    answer = client.post(
        reverse("shipping:report_exception", args=[shipment.pk]),
        {"kind": "damage", "description": "外箱破损", f"qty-{row.pk}": "1", "photos": [photo()]},
    )
    assert answer.status_code == 302, answer.content.decode()[:2000]
    assert shipment.exceptions.count() == 1


def test_in_transit_highlights_overdue_arrivals(client, world, order):
    by = logistics()
    past = workcalendar.add_working_days(timezone.localdate(), -6)
    late = shipped(order, by, ship_date=past, lines=[{"line_no": 1, "quantity": "1"}])
    fresh = shipped(order, by, lines=[{"line_no": 2, "quantity": "1"}])
    client.force_login(by)
    html = client.get(reverse("shipping:in_transit")).content.decode()
    assert f'data-shipment="{late.number}" class="overdue"' in html
    assert f'data-shipment="{fresh.number}">' in html
    listing = client.get(reverse("shipping:list") + "?overdue=on").content.decode()
    assert late.number in listing
    assert fresh.number not in listing


def test_the_public_delivery_page_works_without_login_on_a_phone(client, world, order):
    shipment = shipped(order, logistics())
    url = reverse("shipping:deliver_public", args=[shipment.delivery_token])
    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert 'name="viewport"' in html
    assert 'name="signer"' in html
    early = (shipment.ship_date - dt.timedelta(days=1)).isoformat()
    answer = client.post(url, {"signer": "收货人", "delivered_on": early})
    assert answer.status_code == 200
    assert "errorlist" in answer.content.decode()
    answer = client.post(
        url, {"signer": "收货人", "delivered_on": timezone.localdate().isoformat()}
    )
    assert answer.status_code == 302
    again = client.get(url).content.decode()
    assert 'id="delivery-state"' in again
    assert 'name="signer"' not in again
    assert client.get(reverse("shipping:deliver_public", args=["z" * 43])).status_code == 404


def test_carriers_and_settings_page(client, world):
    admin = user("sh_admin_logistics", "logistics")
    client.force_login(admin)
    assert client.get(reverse("shipping:carriers")).status_code == 200
    sf = Carrier.objects.get(code="SF")
    answer = client.post(
        reverse("shipping:carriers"),
        {"carrier": sf.pk, "name": "顺丰速运", "transit_working_days": "1", "active": "on"},
    )
    assert answer.status_code == 302
    sf.refresh_from_db()
    assert sf.transit_working_days == 1
    answer = client.post(
        reverse("shipping:carriers"), {"settings": "1", "over_shipment_percent": "5"}
    )
    assert answer.status_code == 302
    assert ShippingSettings.objects.get(pk=1).over_shipment_percent == 5
    client.force_login(world.sales)
    assert client.get(reverse("shipping:carriers")).status_code == 403


def test_clearance_pages_for_finance_and_the_supervisor(client):
    world = make_world(grade="B")
    order = released(world)
    client.force_login(world.finance)
    panel = client.get(reverse("orders:detail", args=[order.pk])).content.decode()
    assert 'data-clearance="none"' in panel
    assert 'id="clear-on-payments"' not in panel  # nothing paid yet
    url = reverse("shipping:clearance", args=[order.pk, "payment"])
    assert client.get(url).status_code == 404  # a one-button action
    refused = client.post(url, follow=True)
    assert "ships once its balance is received" in refused.content.decode()
    assert not Clearance.objects.filter(order=order).exists()
    allocation = prepaid(order, order.total_amount - balance_paid(order).amount, world.finance)
    panel = client.get(reverse("orders:detail", args=[order.pk])).content.decode()
    assert 'id="clear-on-payments"' in panel
    answer = client.post(url)
    assert answer.status_code == 302
    assert allocation.payment.number in Clearance.objects.get(order=order).reference
    client.force_login(world.sales)
    assert client.post(url).status_code == 403


def test_entry_shows_what_blocks_a_b_grade_order(client):
    world = make_world(grade="B")
    order = released(world)
    client.force_login(logistics())
    html = client.get(reverse("shipping:create", args=[order.pk])).content.decode()
    assert 'id="shipment-blockers"' in html
    ship(order, logistics())


def test_the_customers_order_page_shows_progress_and_shipments_without_login(client, world, order):
    sent = shipped(order, logistics(), lines=[{"line_no": 1, "quantity": "2"}])
    order.refresh_from_db()
    url = reverse("orders:confirm_public", args=[order.confirmation_token])

    page = client.get(url)

    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="customer-progress"' in html
    assert sent.number in html
    assert sent.tracking_number in html
    assert reverse("shipping:deliver_public", args=[sent.delivery_token]) in html
    assert 'data-order-status="partially_shipped"' in html
    assert "Release to ship" not in html  # nothing internal
    assert "发货放行" not in html
