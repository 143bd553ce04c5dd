"""The demo's order changes (issue 8): one applied with a second revision, one waiting for
approval, one rejected."""

from __future__ import annotations

import io

from orderdesk.changes.models import ChangeRequest, ChangeStatus, OrderRevision
from orderdesk.demo.loader import load_demo


def test_the_demo_has_change_requests_in_each_state(db):
    out = io.StringIO()
    result = load_demo(customers=40, products=80, stdout=out)

    assert result.fulfilment["changes"] == ChangeRequest.objects.count() == 3
    statuses = set(ChangeRequest.objects.values_list("status", flat=True))
    assert statuses == {ChangeStatus.APPLIED, ChangeStatus.OPEN, ChangeStatus.REJECTED}
    applied = ChangeRequest.objects.get(status=ChangeStatus.APPLIED)
    assert list(
        OrderRevision.objects.filter(order=applied.order).values_list("number", flat=True)
    ) == [1, 2]
    waiting = ChangeRequest.objects.get(status=ChangeStatus.OPEN)
    assert waiting.approvals.filter(status="pending").exists()

    again = load_demo(customers=40, products=80)
    assert again.fulfilment.get("changes", 0) == 0
