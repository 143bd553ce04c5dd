"""Order pages: the list (filters, visibility, saved filters, query budget), the order page
in every status, and the review, submit, cancel, hold and resume forms."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from orderdesk.orders import services
from orderdesk.orders.models import OrderStatus, ReviewStep, SavedFilter, StepStatus
from orderdesk.orders.views import listing
from tests.factories.customers import make_customer
from tests.factories.orders import approve_all, make_order, make_world, order_values

pytestmark = pytest.mark.django_db

LIST = reverse("orders:list")


@pytest.fixture
def world(db):
    return make_world()


def page_url(order):
    return reverse("orders:detail", args=[order.pk])


def approve_url(order, step):
    return reverse("orders:approve", args=[order.pk, step])


def reject_url(order, step):
    return reverse("orders:reject", args=[order.pk, step])


def logged_in(client, user):
    client.force_login(user)
    return client


def other_salespersons_order(world, make_user):
    sales2 = make_user("sales2", "sales")
    customer = make_customer(sales2)
    return services.create_order(order_values(world, customer_id=customer.pk), by=sales2)


# --- the list ------------------------------------------------------------------------------


def test_a_salesperson_sees_own_orders_finance_sees_all(client, world, make_user):
    own = make_order(world)
    other = other_salespersons_order(world, make_user)

    sales_page = logged_in(client, world.sales).get(LIST).content.decode()
    finance_page = logged_in(client, world.finance).get(LIST).content.decode()

    assert own.number in sales_page
    assert other.number not in sales_page
    assert own.number in finance_page
    assert other.number in finance_page
    assert 'name="salesperson"' not in sales_page  # nothing to choose: own orders only
    assert 'name="salesperson"' in finance_page


def test_users_without_order_access_get_403(client, make_user):
    customer_user = make_user("portal1", "customer")

    assert logged_in(client, customer_user).get(LIST).status_code == 403


def test_list_filters_by_status_channel_text_salesperson_and_dates(client, world, make_user):
    draft = make_order(world, channel="email")
    submitted = make_order(world, channel="phone")
    services.submit(submitted, by=world.sales)
    other = other_salespersons_order(world, make_user)
    logged_in(client, world.finance)

    def numbers(**params):
        page = client.get(LIST, params).content.decode()
        return {order.number for order in (draft, submitted, other) if order.number in page}

    assert numbers(status="in_review") == {submitted.number}
    assert numbers(channel="email") == {draft.number}
    assert numbers(q=world.customer.name) == {draft.number, submitted.number}
    assert numbers(q=other.number) == {other.number}
    assert numbers(salesperson=world.sales.pk) == {draft.number, submitted.number}
    today = timezone.localdate()
    assert numbers(received_from=today.isoformat(), received_until=today.isoformat()) == {
        draft.number,
        submitted.number,
        other.number,
    }
    assert numbers(received_from=(today + dt.timedelta(days=1)).isoformat()) == set()


def test_overdue_review_filter_shows_orders_with_a_late_step(client, world):
    late, on_time = make_order(world), make_order(world)
    services.submit(late, by=world.sales)
    services.submit(on_time, by=world.sales)
    # The clock cannot be moved: put the deadline in the past instead.
    ReviewStep.objects.filter(order=late, step="sales").update(
        due_at=timezone.now() - dt.timedelta(hours=1)
    )

    page = logged_in(client, world.finance).get(LIST, {"overdue_review": "on"}).content.decode()

    assert late.number in page
    assert on_time.number not in page
    assert "Overdue" in page


def test_empty_states(client, world):
    logged_in(client, world.sales)

    assert "No orders yet" in client.get(LIST).content.decode()
    make_order(world)
    assert "No orders match" in client.get(LIST, {"status": "cancelled"}).content.decode()


def test_list_pages_by_keyset_with_constant_queries(
    client, world, monkeypatch, django_assert_max_num_queries
):
    monkeypatch.setattr(listing, "PAGE_SIZE", 2)
    orders = [make_order(world) for _ in range(5)]
    for order in orders[:3]:
        services.submit(order, by=world.sales)
    logged_in(client, world.finance)

    with django_assert_max_num_queries(12):
        first = client.get(LIST)
    page = first.content.decode()
    assert orders[4].number in page
    assert orders[3].number in page
    assert orders[2].number not in page
    older = first.context["older_url"]
    assert "after=" in older

    with django_assert_max_num_queries(12):
        second = client.get(LIST + older)
    page = second.content.decode()
    assert orders[2].number in page
    assert orders[1].number in page
    assert orders[4].number not in page
    newer = second.context["newer_url"]
    assert "before=" in newer

    third = client.get(LIST + second.context["older_url"]).content.decode()
    assert orders[0].number in third
    back = client.get(LIST + newer).content.decode()
    assert orders[4].number in back
    assert orders[3].number in back


def test_queries_do_not_grow_with_the_rows_shown(client, world, django_assert_num_queries):
    for _ in range(2):
        services.submit(make_order(world), by=world.sales)
    logged_in(client, world.finance)
    client.get(LIST)  # warm caches (content types, permissions)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(LIST)
    for _ in range(4):
        services.submit(make_order(world), by=world.sales)
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(LIST)


def test_saved_filters_are_per_user_and_can_be_deleted(client, world, make_user):
    logged_in(client, world.sales)

    response = client.post(
        reverse("orders:save_filter"),
        {"name": "Phone drafts", "query": "status=draft&channel=phone&after=1_2"},
    )

    saved = SavedFilter.objects.get(user=world.sales)
    assert saved.query == "channel=phone&status=draft"  # no paging cursor
    assert response.status_code == 302
    page = client.get(LIST).content.decode()
    assert "Phone drafts" in page
    other = make_user("sales9", "sales")
    assert "Phone drafts" not in logged_in(client, other).get(LIST).content.decode()
    assert (
        client.post(reverse("orders:delete_filter", args=[saved.pk])).status_code == 404
    )  # not theirs
    logged_in(client, world.sales)
    client.post(reverse("orders:delete_filter", args=[saved.pk]))
    assert not SavedFilter.objects.exists()


def test_a_filter_needs_a_name(client, world):
    logged_in(client, world.sales)

    response = client.post(
        reverse("orders:save_filter"), {"name": " ", "query": "status=draft"}, follow=True
    )

    assert "Give the filter a name." in response.content.decode()
    assert not SavedFilter.objects.exists()


# --- the order page -------------------------------------------------------------------------


def test_order_page_of_a_draft_lists_missing_items_and_offers_submit(client, world):
    order = make_order(world, contact_phone="", payment_method="")

    page = logged_in(client, world.sales).get(page_url(order)).content.decode()

    assert order.number in page
    assert "Draft" in page
    assert 'data-missing="contact_phone"' in page
    assert 'data-missing="payment_method"' in page
    assert reverse("orders:submit", args=[order.pk]) in page
    assert "Complete the missing information" in page
    assert "¥791.00" in page


def test_order_page_renders_in_every_status(client, world):
    drafted = make_order(world)
    in_review = make_order(world)
    services.submit(in_review, by=world.sales)
    returned = make_order(world)
    services.submit(returned, by=world.sales)
    services.decide(returned, "sales", approve=False, by=world.manager, comment="价格不对")
    approved = approve_all(make_order(world), world)
    cancelled = make_order(world)
    services.cancel(cancelled, by=world.sales, reason="客户取消")
    held = make_order(world)
    services.hold(held, by=world.sales, reason="客户要求暂停")
    logged_in(client, world.finance)

    for order, label in [
        (drafted, "Draft"),
        (in_review, "In review"),
        (returned, "Returned to sales"),
        (approved, "Approved"),
        (cancelled, "Cancelled"),
        (held, "On hold"),
    ]:
        response = client.get(page_url(order))
        page = response.content.decode()
        assert response.status_code == 200, label
        assert order.number in page
        assert label in page
        assert "History" in page

    returned_page = client.get(page_url(returned)).content.decode()
    assert "价格不对" in returned_page
    assert 'data-step="sales"' in returned_page
    held_page = client.get(page_url(held)).content.decode()
    assert "客户要求暂停" in held_page


def test_order_page_shows_steps_with_time_left_and_credit_figures(client, db):
    world = make_world(credit_limit="100")
    order = make_order(world, lines=[{"sku": world.products[0].sku, "quantity": "1000"}])
    services.submit(order, by=world.sales)
    services.decide(order, "sales", approve=True, by=world.manager)

    page = logged_in(client, world.finance).get(page_url(order)).content.decode()

    assert 'data-step="finance"' in page
    assert "Credit limit exceeded" in page
    assert "¥112,900.00" in page  # the excess, with thousands separators
    assert "¥113,000.00" in page  # this order
    assert "left" in page or "overdue" in page
    assert approve_url(order, "finance") in page
    assert "Reason for the credit exception" in page


def test_hidden_order_is_404(client, world, make_user):
    other = other_salespersons_order(world, make_user)

    assert logged_in(client, world.sales).get(page_url(other)).status_code == 404


# --- review decisions -----------------------------------------------------------------------


def test_approve_via_post_moves_the_review_on(client, world):
    order = make_order(world)
    services.submit(order, by=world.sales)

    response = logged_in(client, world.manager).post(approve_url(order, "sales"), {"reason": "ok"})

    assert response.status_code == 302
    assert response["Location"] == page_url(order)
    step = order.reviews.get(step="sales")
    assert step.status == StepStatus.APPROVED
    assert step.decided_by == world.manager
    assert order.reviews.get(step="finance").status == StepStatus.PENDING


def test_reject_needs_a_reason_and_returns_the_order(client, world):
    order = make_order(world)
    services.submit(order, by=world.sales)
    logged_in(client, world.manager)

    refused = client.post(reject_url(order, "sales"), {"reason": ""})

    assert refused.status_code == 200
    assert "A reason is required." in refused.content.decode()
    assert order.reviews.get(step="sales").status == StepStatus.PENDING

    done = client.post(reject_url(order, "sales"), {"reason": "付款条件不符"})

    assert done.status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.RETURNED
    assert order.status_reason == "付款条件不符"


def test_the_dialog_works_as_a_page_and_returns_to_next(client, world):
    order = make_order(world)
    services.submit(order, by=world.sales)
    logged_in(client, world.manager)

    dialog = client.get(approve_url(order, "sales"), {"next": "/tasks/"})
    response = client.post(approve_url(order, "sales"), {"reason": "", "next": "/tasks/"})

    assert dialog.status_code == 200
    assert 'id="action-form"' in dialog.content.decode()
    assert response["Location"] == "/tasks/"


def test_an_off_site_next_is_ignored(client, world):
    order = make_order(world)
    services.submit(order, by=world.sales)
    logged_in(client, world.manager)

    response = client.post(
        reject_url(order, "sales"), {"reason": "x", "next": "https://evil.example/"}
    )

    assert response["Location"] == page_url(order)


def test_approving_someone_elses_step_is_refused_on_the_page(client, world):
    order = make_order(world)
    services.submit(order, by=world.sales)

    response = logged_in(client, world.finance).post(approve_url(order, "sales"), {"reason": "x"})

    assert response.status_code == 403
    assert "Only" in response.content.decode()
    assert order.reviews.get(step="sales").status == StepStatus.PENDING


def test_approving_twice_is_a_message_not_a_500(client, world):
    order = make_order(world)
    services.submit(order, by=world.sales)
    logged_in(client, world.manager)
    client.post(approve_url(order, "sales"), {})

    again = client.post(approve_url(order, "sales"), {})

    assert again.status_code == 409
    assert "already" in again.content.decode()


def test_unknown_step_is_404(client, world):
    order = make_order(world)
    services.submit(order, by=world.sales)

    assert logged_in(client, world.manager).post(approve_url(order, "bogus")).status_code == 404


def test_production_approval_needs_the_earliest_completion_date(client, db):
    world = make_world(stock_each=1)
    order = make_order(world)
    services.submit(order, by=world.sales)
    services.decide(order, "sales", approve=True, by=world.manager)
    logged_in(client, world.production)

    refused = client.post(approve_url(order, "production"), {"reason": "ok"})

    assert refused.status_code == 200
    assert "earliest completion date" in refused.content.decode()
    assert order.reviews.get(step="production").status == StepStatus.PENDING

    completion = timezone.localdate() + dt.timedelta(days=20)
    client.post(approve_url(order, "production"), {"earliest_completion": completion.isoformat()})
    step = order.reviews.get(step="production")
    assert step.status == StepStatus.APPROVED
    assert step.decision["earliest_completion"] == completion.isoformat()


def test_credit_blocked_finance_approval_needs_a_reason(client, db):
    world = make_world(credit_limit="100")
    order = make_order(world, lines=[{"sku": world.products[0].sku, "quantity": "10"}])
    services.submit(order, by=world.sales)
    services.decide(order, "sales", approve=True, by=world.manager)
    logged_in(client, world.finance)

    refused = client.post(approve_url(order, "finance"), {"reason": ""})

    assert refused.status_code == 200
    assert "A reason is required." in refused.content.decode()
    client.post(approve_url(order, "finance"), {"reason": "老客户，特批"})
    assert order.reviews.get(step="finance").status == StepStatus.APPROVED


# --- submit, cancel, hold, resume -----------------------------------------------------------


def test_submit_with_missing_items_shows_every_missing_item(client, world):
    order = make_order(world, contact_phone="", payment_method="", requested_date="", lines=[])

    response = logged_in(client, world.sales).post(reverse("orders:submit", args=[order.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="submit-errors"' in page
    for item in (
        "Contact phone",
        "Payment method",
        "Requested delivery date",
        "At least one product",
    ):
        assert f"Missing: {item}" in page
    order.refresh_from_db()
    assert order.status == OrderStatus.DRAFT


def test_submit_sends_a_complete_order_to_review(client, world):
    order = make_order(world)

    response = logged_in(client, world.sales).post(reverse("orders:submit", args=[order.pk]))

    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.IN_REVIEW


def test_cancel_needs_a_reason(client, world):
    order = make_order(world)
    logged_in(client, world.sales)
    url = reverse("orders:cancel", args=[order.pk])

    refused = client.post(url, {"reason": ""})
    assert refused.status_code == 200
    assert "A reason is required." in refused.content.decode()
    client.post(url, {"reason": "客户取消"})

    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    again = client.post(url, {"reason": "again"})
    assert again.status_code == 409


def test_hold_and_resume_from_the_page(client, world):
    order = make_order(world)
    logged_in(client, world.sales)

    client.post(reverse("orders:hold", args=[order.pk]), {"reason": "等客户回复"})
    order.refresh_from_db()
    assert order.status == OrderStatus.ON_HOLD
    page = client.get(page_url(order)).content.decode()
    assert reverse("orders:resume", args=[order.pk]) in page

    client.post(reverse("orders:resume", args=[order.pk]), {"reason": ""})
    order.refresh_from_db()
    assert order.status == OrderStatus.DRAFT


def test_roles_without_cancel_permission_see_no_cancel_button(client, world):
    order = make_order(world)

    page = logged_in(client, world.warehouse).get(page_url(order)).content.decode()

    assert reverse("orders:cancel", args=[order.pk]) not in page
    assert reverse("orders:submit", args=[order.pk]) not in page
    assert (
        logged_in(client, world.warehouse)
        .post(reverse("orders:cancel", args=[order.pk]), {"reason": "x"})
        .status_code
        == 403
    )


def test_the_customer_page_lists_the_customers_orders(client, db):
    from tests.factories.customers import make_customer
    from tests.factories.orders import make_order, make_world

    world = make_world()
    order = make_order(world)
    client.force_login(world.sales)

    page = client.get(reverse("customers:detail", args=[world.customer.pk])).content.decode()
    assert order.number in page
    assert f"?customer={world.customer.pk}" in page

    quiet = make_customer(world.sales)
    empty = client.get(reverse("customers:detail", args=[quiet.pk])).content.decode()
    assert "No orders from this customer yet." in empty or "该客户还没有订单" in empty
