"""The order change pages with the real database: the panel on the order page, the change
request form (bad input on the form, the impact checked before submitting), the request's
page (approve, reject, apply through the services), the revision and difference pages, and
the customer's public acknowledgement page."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from orderdesk.changes import revisions, services
from orderdesk.changes.models import (
    AcknowledgementStatus,
    ApprovalStatus,
    ChangeRequest,
    ChangeStatus,
    OrderRevision,
)
from orderdesk.changes.views.pages import order_panel_context
from orderdesk.orders import services as order_services
from orderdesk.orders.models import Order
from tests.factories.orders import make_world, user
from tests.shipping.helpers import released

from .helpers import ask, decide_all, deciders, line, ship_part

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return make_world()


@pytest.fixture
def order(world):
    return released(world)


@pytest.fixture
def sales(client, world):
    client.force_login(world.sales)
    return client


def two_revisions(order, world) -> OrderRevision:
    revisions.ensure_base_revision(order, by=world.sales)
    return revisions.record_revision(order, None, by=world.sales)


# --- revisions ------------------------------------------------------------------------------


def test_revision_page_shows_lines_acknowledgement_and_selector(sales, order, world):
    revision = two_revisions(order, world)

    answer = sales.get(reverse("changes:revision", args=[order.pk, 2]))

    assert answer.status_code == 200
    html = answer.content.decode()
    assert 'data-revision="2"' in html
    assert 'data-ack-status="not_sent"' in html
    assert 'name="send-acknowledgement"' in html
    assert revision.snapshot["lines"][0]["sku"] in html
    assert f'href="/changes/orders/{order.pk}/revisions/1/"' in html
    assert "data-no-differences" in html


def test_revision_pages_need_a_visible_order_and_a_revision(client, order, world):
    two_revisions(order, world)
    client.force_login(user("cp_outsider", "sales"))

    assert client.get(reverse("changes:revision", args=[order.pk, 1])).status_code == 404
    client.force_login(world.sales)
    assert client.get(reverse("changes:revision", args=[order.pk, 7])).status_code == 404
    assert client.get(reverse("changes:diff", args=[order.pk]) + "?from=x&to=9").status_code == 200


def test_revision_pdf_is_a_pdf(sales, order, world):
    two_revisions(order, world)

    answer = sales.get(reverse("changes:revision_pdf", args=[order.pk, 2]))

    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/pdf"
    assert answer.content.startswith(b"%PDF")


def test_send_and_record_acknowledgement_on_the_revision_page(
    sales, order, world, django_capture_on_commit_callbacks
):
    two_revisions(order, world)

    with django_capture_on_commit_callbacks(execute=True):
        answer = sales.post(reverse("changes:send_acknowledgement", args=[order.pk, 2]))
    recorded = sales.post(
        reverse("changes:record_acknowledgement", args=[order.pk, 2]),
        {"name": "王经理", "note": "电话确认"},
    )

    assert answer.status_code == 302
    assert len(mail.outbox) == 1
    assert recorded.status_code == 302
    revision = OrderRevision.objects.get(order=order, number=2)
    assert revision.ack_status == AcknowledgementStatus.ACKNOWLEDGED
    assert revision.acknowledged_by_name == "王经理"
    page = sales.get(reverse("changes:revision", args=[order.pk, 2])).content.decode()
    assert 'data-ack-status="acknowledged"' in page
    assert 'name="send-acknowledgement"' not in page


def test_sending_without_an_e_mail_address_is_a_message_not_an_error(sales, order, world):
    two_revisions(order, world)
    world.customer.contacts.update(email="")

    answer = sales.post(reverse("changes:send_acknowledgement", args=[order.pk, 2]), follow=True)

    assert answer.status_code == 200
    assert "no e-mail address" in answer.content.decode()
    assert OrderRevision.objects.get(order=order, number=2).ack_status == "not_sent"


def test_recording_twice_is_a_message_and_bad_input_stays_on_the_form(sales, order, world):
    revision = two_revisions(order, world)
    revisions.record_acknowledgement(revision, by=world.sales, name="王经理")

    answer = sales.post(
        reverse("changes:record_acknowledgement", args=[order.pk, 2]), {"name": "李四"}, follow=True
    )
    too_long = sales.post(
        reverse("changes:record_acknowledgement", args=[order.pk, 2]), {"name": "x" * 101}
    )

    assert answer.status_code == 200
    assert "already acknowledged" in answer.content.decode()
    assert OrderRevision.objects.get(order=order, number=2).acknowledged_by_name == "王经理"
    assert too_long.status_code == 422


# --- the public acknowledgement page --------------------------------------------------------


def public_token(order, world, capture) -> str:
    revision = two_revisions(order, world)
    with capture(execute=True):
        revisions.send_acknowledgement(revision, by=world.sales)
    match = re.search(r"/changes/ack/([\w-]+)/", mail.outbox[-1].body)
    assert match
    return match.group(1)


def test_customer_acknowledges_on_the_public_page_without_login(
    client, order, world, django_capture_on_commit_callbacks
):
    token = public_token(order, world, django_capture_on_commit_callbacks)
    url = reverse("changes:acknowledge_public", args=[token])

    page = client.get(url)
    nameless = client.post(url, {"name": " "})
    answer = client.post(url, {"name": "王经理", "note": "收到"})
    again = client.post(url, {"name": "王经理"})

    assert page.status_code == 200
    html = page.content.decode()
    assert order.number in html
    assert "data-effect" in html
    assert "The total stays" in html
    assert nameless.status_code == 200
    assert "errorlist" in nameless.content.decode()
    assert answer.status_code == 302
    assert again.status_code == 200
    assert 'id="acknowledgement-state"' in again.content.decode()
    revision = OrderRevision.objects.get(order=order, number=2)
    assert revision.ack_status == AcknowledgementStatus.ACKNOWLEDGED
    assert revision.ack_note == "收到"
    assert client.get(reverse("changes:acknowledge_public_pdf", args=[token])).content.startswith(
        b"%PDF"
    )


def test_a_wrong_link_is_a_404(client, db):
    assert client.get(reverse("changes:acknowledge_public", args=["x" * 43])).status_code == 404
    assert client.get(reverse("changes:acknowledge_public", args=["short"])).status_code == 404


# --- the order page panel --------------------------------------------------------------------


def panel_html(order, by) -> str:
    request = RequestFactory().get(f"/orders/{order.pk}/")
    request.user = by
    context = order_panel_context(request, order)
    assert context is not None
    return render_to_string("changes/order_panel.html", context, request)


def test_panel_lists_requests_with_pending_departments_and_revisions(order, world):
    change = ask(order, world.sales, {"lines": [{"line_id": line(order, 1).pk, "quantity": "4"}]})

    html = panel_html(order, world.sales)

    assert f'data-change="{change.number}"' in html
    pending = [approval.get_department_display() for approval in change.approvals.all()]
    assert pending
    for department in pending:
        assert str(department) in html
    assert 'id="request-change"' in html
    decide_all(change, world)
    services.apply_change(change, by=world.sales)
    order.refresh_from_db()
    html = panel_html(order, world.sales)
    assert 'data-revision="1"' in html
    assert 'data-revision="2"' in html
    assert f"/changes/orders/{order.pk}/revisions/diff?from=1&amp;to=2" in html


def test_order_page_shows_the_panel_with_request_a_change(sales, order):
    html = sales.get(reverse("orders:detail", args=[order.pk])).content.decode()

    assert 'id="changes"' in html
    assert f'href="{reverse("changes:new", args=[order.pk])}"' in html


def test_panel_offers_no_change_without_the_permission_or_on_a_closed_order(order, world):
    assert order_panel_context(request_as(world.warehouse, order), order) is None
    order_services.cancel(order, by=world.sales, reason="客户取消")
    order.refresh_from_db()

    assert order_panel_context(request_as(world.sales, order), order) is None


def request_as(by, order):
    request = RequestFactory().get(f"/orders/{order.pk}/")
    request.user = by
    return request


# --- the change request form -----------------------------------------------------------------


def form_data(order: Order, **values: Any) -> dict[str, Any]:
    """The form as loaded (nothing changed), with ``values`` typed over it."""
    data: dict[str, Any] = {
        "version": order.version,
        "party": "customer",
        "requested_by_name": "王经理",
        "requested_at": "",
        "reason_category": "customer_request",
        "reason": "客户来电追加数量",
        "add-TOTAL_FORMS": "2",
        "add-INITIAL_FORMS": "0",
        "add-MIN_NUM_FORMS": "0",
        "add-MAX_NUM_FORMS": "1000",
    }
    for field in revisions.HEADER_FIELDS:
        value = getattr(order, field)
        data[field] = value.isoformat() if hasattr(value, "isoformat") else value
    for item in order.lines.all():
        data[f"line-{item.pk}-quantity"] = format(item.quantity.normalize(), "f")
        data[f"line-{item.pk}-unit_price"] = str(item.unit_price)
        data[f"line-{item.pk}-sku"] = item.sku
    data.update(values)
    return data


def quantity_key(order, number: int) -> str:
    return f"line-{line(order, number).pk}-quantity"


def test_form_shows_the_order_lines_and_its_version(sales, order):
    answer = sales.get(reverse("changes:new", args=[order.pk]))

    assert answer.status_code == 200
    html = answer.content.decode()
    assert f'name="version" value="{order.version}"' in html
    assert f'name="{quantity_key(order, 1)}" value="2"' in html
    assert 'id="check-impact"' in html
    assert reverse("orders:entry_product_lookup") in html


def test_form_needs_the_permission(client, order, world):
    client.force_login(world.warehouse)

    assert client.get(reverse("changes:new", args=[order.pk])).status_code == 403


def test_submitting_an_unchanged_form_is_refused_on_the_form(sales, order):
    answer = sales.post(reverse("changes:new", args=[order.pk]), form_data(order))

    assert answer.status_code == 422
    assert "errorlist" in answer.content.decode()
    assert not ChangeRequest.objects.exists()


def test_bad_input_comes_back_on_the_fields(sales, order):
    key = quantity_key(order, 1)
    answer = sales.post(
        reverse("changes:new", args=[order.pk]),
        form_data(order, **{key: "abc", "add-0-sku": "NO-SUCH-SKU", "add-0-quantity": "1"}),
    )

    assert answer.status_code == 422
    html = answer.content.decode()
    assert "Enter a number." in html
    assert "Unknown SKU NO-SUCH-SKU." in html
    assert not ChangeRequest.objects.exists()


def test_reducing_below_the_shipped_quantity_is_refused_on_the_line(sales, order, world):
    ship_part(order, 2, "3")

    answer = sales.post(
        reverse("changes:new", args=[order.pk]),
        form_data(order, **{quantity_key(order, 2): "1"}),
    )

    assert answer.status_code == 422
    row = re.search(r'<tr data-line="2".*?</tr>', answer.content.decode(), re.S)
    assert row
    assert "already shipped" in row.group(0)
    assert not ChangeRequest.objects.exists()


def test_a_cancelled_order_cannot_be_changed(sales, order, world):
    order_services.cancel(order, by=world.sales, reason="客户取消")

    answer = sales.get(reverse("changes:new", args=[order.pk]), follow=True)

    assert answer.redirect_chain[-1][0] == reverse("orders:detail", args=[order.pk])
    assert "can no longer change" in answer.content.decode()


def test_a_second_request_on_the_same_line_is_refused(sales, order, world):
    first = ask(order, world.sales, {"lines": [{"line_id": line(order, 1).pk, "quantity": "3"}]})

    answer = sales.post(
        reverse("changes:new", args=[order.pk]),
        form_data(order, **{quantity_key(order, 1): "4"}),
    )

    assert answer.status_code == 409
    assert first.number in answer.content.decode()
    assert ChangeRequest.objects.count() == 1


def test_a_stale_form_says_what_changed(sales, order, world):
    loaded = Order.objects.get(pk=order.pk)
    change = ask(order, world.sales, {"lines": [{"line_id": line(order, 1).pk, "quantity": "3"}]})
    services.apply_change(decide_all(change, world), by=world.sales)

    answer = sales.post(
        reverse("changes:new", args=[order.pk]),
        form_data(loaded, **{quantity_key(loaded, 2): "6"}),
    )

    assert answer.status_code == 409
    html = answer.content.decode()
    assert "was changed since you loaded it" in html
    assert "2 台 → 3 台" in html
    assert ChangeRequest.objects.count() == 1


def test_check_impact_shows_the_new_total_before_submitting(sales, order):
    data = form_data(order, **{quantity_key(order, 1): "4"})

    preview = sales.post(reverse("changes:impact", args=[order.pk]), data, HTTP_HX_REQUEST="true")
    page = sales.post(reverse("changes:new", args=[order.pk]), data | {"action": "check"})

    new_total = order.total_amount + 2 * line(order, 1).unit_price
    for answer in (preview, page):
        assert answer.status_code == 200
        html = answer.content.decode()
        assert f"¥{new_total:,.2f}" in html
        assert "data-impact-departments" in html
        assert "data-impact-stock" in html
    assert "<html" not in preview.content.decode()
    assert not ChangeRequest.objects.exists()


def test_check_impact_shows_bad_input_and_refusals(sales, order):
    ship_part(order, 2, "3")
    url = reverse("changes:impact", args=[order.pk])

    typo = sales.post(url, form_data(order, **{quantity_key(order, 1): "x"}))
    below = sales.post(url, form_data(order, **{quantity_key(order, 2): "1"}))

    assert "data-impact-errors" in typo.content.decode()
    assert "data-refusals" in below.content.decode()
    assert "already shipped" in below.content.decode()


def test_submitting_creates_the_request_and_opens_its_page(sales, order):
    key = quantity_key(order, 1)
    answer = sales.post(
        reverse("changes:new", args=[order.pk]),
        form_data(order, **{key: "4", "promised_date": ""})
        | {"delivery_address": "科韵路 16 号", "requested_by_name": "王经理"},
    )

    change = ChangeRequest.objects.get()
    assert answer.status_code == 302
    assert answer["Location"] == reverse("changes:detail", args=[change.pk])
    assert change.proposal["lines"] == [{"line_id": line(order, 1).pk, "quantity": "4"}]
    assert change.proposal["header"]["delivery_address"] == "科韵路 16 号"
    assert "promised_date" in change.proposal["header"] or order.promised_date is None
    assert change.party == "customer"
    assert change.base_version == order.version


def test_adding_and_removing_lines_on_the_form(sales, order, world):
    answer = sales.post(
        reverse("changes:new", args=[order.pk]),
        form_data(
            order,
            **{
                f"line-{line(order, 2).pk}-remove": "on",
                "add-0-sku": world.products[2].sku,
                "add-0-quantity": "3",
            },
        ),
    )

    assert answer.status_code == 302, answer.content.decode()[:2000]
    change = ChangeRequest.objects.get()
    assert change.proposal["remove"] == [line(order, 2).pk]
    assert change.proposal["add"] == [{"product_id": world.products[2].pk, "quantity": "3"}]


# --- the request's page ------------------------------------------------------------------------


def asked_for_more(order, world) -> ChangeRequest:
    return ask(order, world.sales, {"lines": [{"line_id": line(order, 1).pk, "quantity": "4"}]})


def test_request_page_shows_proposal_impact_and_approvals(sales, order, world):
    change = asked_for_more(order, world)

    answer = sales.get(reverse("changes:detail", args=[change.pk]))

    assert answer.status_code == 200
    html = answer.content.decode()
    assert change.number in html
    assert "data-proposal-lines" in html
    assert "data-impact-totals" in html
    for key in ("data-impact-credit", "data-impact-departments"):
        assert key in html
    for approval in change.approvals.all():
        assert f'data-department="{approval.department}"' in html
    assert "data-decide=" not in html  # sales decides no department here
    assert 'id="apply-change"' not in html


def test_departments_approve_on_the_page_then_the_change_is_applied(client, order, world):
    change = asked_for_more(order, world)
    people = deciders(world)

    for approval in change.approvals.all():
        by = world.gm if approval.department == "pricing" else people[approval.department]
        client.force_login(by)
        page = client.get(reverse("changes:detail", args=[change.pk])).content.decode()
        assert f'data-decide="{approval.department}"' in page
        answer = client.post(
            reverse("changes:approve", args=[change.pk]),
            {"department": approval.department, "note": "同意"},
        )
        assert answer.status_code == 302
    change.refresh_from_db()
    assert change.status == ChangeStatus.APPROVED
    client.force_login(world.sales)
    assert (
        'id="apply-change"'
        in client.get(reverse("changes:detail", args=[change.pk])).content.decode()
    )

    applied = client.post(reverse("changes:apply", args=[change.pk]))

    assert applied.status_code == 302
    assert applied["Location"] == reverse("changes:revision", args=[order.pk, 2])
    order.refresh_from_db()
    assert line(order, 1).quantity == Decimal(4)
    diff = client.get(reverse("changes:diff", args=[order.pk]) + "?from=1&to=2").content.decode()
    assert "<del data-before>2 台</del>" in diff
    assert "<ins data-after>4 台</ins>" in diff
    revision = client.get(reverse("changes:revision", args=[order.pk, 2])).content.decode()
    assert "data-changed" in revision
    # the applied request shows the order as it was before it, not as it is now
    detail = client.get(reverse("changes:detail", args=[change.pk]))
    assert detail.status_code == 200
    assert detail.context["proposal"]["applied"]
    [item] = detail.context["proposal"]["lines"][0]["items"]
    assert item["now"] == "2 台"
    assert item["asked"] == "4 台"


def test_another_department_cannot_decide_and_a_rejection_needs_a_reason(client, order, world):
    change = asked_for_more(order, world)
    department = change.approvals.first().department
    client.force_login(user("cp_logistics_only", "logistics"))

    refused = client.post(
        reverse("changes:approve", args=[change.pk]), {"department": department, "note": ""}
    )
    client.force_login(world.gm if department == "pricing" else deciders(world)[department])
    nameless = client.post(
        reverse("changes:reject", args=[change.pk]), {"department": department, "note": ""}
    )
    rejected = client.post(
        reverse("changes:reject", args=[change.pk]),
        {"department": department, "note": "库存不足"},
    )

    assert refused.status_code in (403, 404)
    assert nameless.status_code == 422
    assert "errorlist" in nameless.content.decode()
    assert rejected.status_code == 302
    change.refresh_from_db()
    assert change.status == ChangeStatus.REJECTED
    assert change.approvals.get(department=department).status == ApprovalStatus.REJECTED


def test_applying_an_undecided_request_is_a_message(sales, order, world):
    change = asked_for_more(order, world)

    answer = sales.post(reverse("changes:apply", args=[change.pk]), follow=True)

    assert answer.status_code == 200
    assert "only an approved request is applied" in answer.content.decode()
    change.refresh_from_db()
    assert change.status == ChangeStatus.OPEN


def test_withdraw_needs_a_reason(sales, order, world):
    change = asked_for_more(order, world)
    url = reverse("changes:withdraw", args=[change.pk])

    empty = sales.post(url, {"reason": ""})
    done = sales.post(url, {"reason": "客户改主意"})

    assert empty.status_code == 422
    assert done.status_code == 302
    change.refresh_from_db()
    assert change.status == ChangeStatus.WITHDRAWN


def test_request_pages_of_hidden_orders_are_404(client, order, world):
    change = asked_for_more(order, world)
    client.force_login(user("cp_stranger", "sales"))

    assert client.get(reverse("changes:detail", args=[change.pk])).status_code == 404
    assert client.get(reverse("changes:new", args=[order.pk])).status_code == 404
    assert change.number not in client.get(reverse("changes:list")).content.decode()


# --- the list ---------------------------------------------------------------------------------


def test_list_filters_by_status_department_and_order(sales, order, world):
    change = asked_for_more(order, world)
    department = change.approvals.first().department
    url = reverse("changes:list")

    everything = sales.get(url).content.decode()
    waiting = sales.get(url, {"department": department}).content.decode()
    applied = sales.get(url, {"status": "applied"}).content.decode()
    by_order = sales.get(url, {"order": order.number[-6:]}).content.decode()
    other = sales.get(url, {"order": "NO-SUCH"}).content.decode()

    assert change.number in everything
    assert change.number in waiting
    assert change.number not in applied
    assert change.number in by_order
    assert "No change requests match" in other


def test_list_queries_do_not_grow_with_the_rows(sales, order, world, django_assert_max_num_queries):
    first = asked_for_more(order, world)
    services.withdraw_change(first, by=world.sales, reason="重复")
    for quantity in ("5", "6", "7"):
        change = ask(
            order, world.sales, {"lines": [{"line_id": line(order, 1).pk, "quantity": quantity}]}
        )
        services.withdraw_change(change, by=world.sales, reason="重复")

    with django_assert_max_num_queries(12):
        answer = sales.get(reverse("changes:list"))

    assert answer.content.decode().count("data-change=") == 4
