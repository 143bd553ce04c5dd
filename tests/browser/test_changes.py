"""Order changes in real Chromium: sales asks for more of a line on a released order, checks
the impact (the new total) before submitting, the departments approve on the request's page,
sales applies the change, and the difference page shows the old and the new quantity."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from orderdesk.changes.models import ChangeRequest, ChangeStatus
from orderdesk.core.money import yuan
from tests.changes.helpers import deciders, line
from tests.factories.orders import make_world
from tests.shipping.helpers import released

from .conftest import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
PASSWORD = "Pa55word-for-tests"


def as_user(page, user):
    page.context.clear_cookies()
    log_in(page, user.username, PASSWORD)
    page.wait_for_url("**/")


def test_quantity_change_is_checked_approved_applied_and_compared(page):
    world = make_world()
    people = {**deciders(world), "pricing": world.gm}
    for person in (world.sales, *people.values()):
        person.set_password(PASSWORD)
        person.save()
    order = released(world)
    first = line(order, 1)
    new_total = order.total_amount + 2 * first.unit_price

    as_user(page, world.sales)
    page.goto(f"/orders/{order.pk}/")
    page.click("#request-change")
    page.wait_for_url(f"**/changes/orders/{order.pk}/new")
    page.fill(f"#id_line-{first.pk}-quantity", "4")
    page.fill("#id_reason", "客户追加 2 台")
    page.evaluate("window.notReloaded = true")
    page.click("#check-impact")
    expect(page.locator("[data-gross-after]")).to_have_text(yuan(new_total))
    assert page.evaluate("window.notReloaded === true")  # htmx swapped the impact in place
    expect(page.locator("[data-impact-departments]")).to_be_visible()
    page.click("#submit-change")
    page.wait_for_url(re.compile(r".*/changes/\d+/$"))
    change = ChangeRequest.objects.get()
    assert change.status == ChangeStatus.OPEN

    for approval in change.approvals.all():
        as_user(page, people[approval.department])
        page.goto(f"/changes/{change.pk}/")
        decision = page.locator(f"tr[data-decide={approval.department}]")
        decision.locator("textarea").fill("同意")
        decision.locator("button[name=approve]").click()
        expect(page.locator(f"tr[data-department={approval.department}]")).to_have_attribute(
            "data-approval-status", "approved"
        )
    change.refresh_from_db()
    assert change.status == ChangeStatus.APPROVED

    as_user(page, world.sales)
    page.goto(f"/changes/{change.pk}/")
    page.on("dialog", lambda dialog: dialog.accept())
    page.click("#apply-change")
    page.wait_for_url(f"**/changes/orders/{order.pk}/revisions/2/")
    page.goto(f"/changes/orders/{order.pk}/revisions/diff?from=1&to=2")
    quantity = page.locator("[data-diff] tr[data-field=quantity]")
    expect(quantity.locator("[data-before]")).to_have_text(f"2 {first.unit}")
    expect(quantity.locator("[data-after]")).to_have_text(f"4 {first.unit}")
    expect(page.locator("[data-effect]")).to_contain_text(yuan(new_total))
    assert page.console.errors == []
