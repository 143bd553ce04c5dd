"""Demo pick lists (拣货单, issue 6: preparation 备货) for the demo's released orders.

The warehouse (``warehouse1``, else the system account) creates the pick lists of released
(or in-production, partially shipped) orders through ``preparation.services`` and records
what was picked: some lists stay open with nothing picked yet, some are about 80 % picked,
some are fully picked. Everything goes through the services, so numbers, audit entries and
the "prepared" percentages on the order pages are what real work would leave. Safe when
there is no such order (it then creates nothing) and when run twice (it then adds nothing).
"""

from __future__ import annotations

import random
from decimal import ROUND_DOWN, Decimal
from typing import Any

from orderdesk.accounts.models import User
from orderdesk.accounts.selectors import system_user
from orderdesk.core import permissions
from orderdesk.core.errors import DomainError
from orderdesk.orders.models import Order
from orderdesk.preparation import services
from orderdesk.preparation.models import PickList, PickListStatus

WAREHOUSE = "warehouse1"
# The first lists show one of each state; later ones follow the seed.
STATES = ("partly", "picked", "open")
SHARE = Decimal("0.8")


def picker() -> User:
    found = User.objects.filter(username=WAREHOUSE, is_active=True).first()
    if found is not None and permissions.has(found, services.PREPARE):
        return found
    return system_user()


def create_pick_lists(*, seed: int) -> dict[str, int]:
    """Create the demo's pick lists; returns counts by status (``pick_lists``: all)."""
    rng = random.Random(f"{seed}:preparation")
    counts: dict[str, int] = {"pick_lists": 0}
    if PickList.objects.exists():
        return counts  # already loaded
    by = picker()
    orders = Order.objects.filter(status__in=services.PREPARABLE).order_by("pk")
    index = 0
    for order in orders:
        if index >= len(STATES) and rng.random() < 0.3:
            continue  # leave some orders without pick lists
        try:
            created = services.create_pick_lists(order, by=by)
        except DomainError:
            continue  # nothing reserved (made to order), or a state the demo cannot take on
        for pick_list in created:
            state = STATES[index] if index < len(STATES) else rng.choice(STATES)
            index += 1
            try:
                pick(pick_list, state, by=by)
            except DomainError:
                continue
    for status in PickListStatus.values:
        counts[status] = PickList.objects.filter(status=status).count()
    counts["pick_lists"] = PickList.objects.count()
    return counts


def pick(pick_list: PickList, state: str, *, by: Any) -> None:
    """Record picked quantities: all of them, about 80 % of each line, or none."""
    if state == "open":
        return
    lines = list(pick_list.lines.all())
    if state == "picked":
        quantities = {line.pk: line.quantity for line in lines}
    else:
        quantities = {
            line.pk: (line.quantity * SHARE).quantize(Decimal(1), rounding=ROUND_DOWN)
            for line in lines
        }
    services.record_picked(pick_list, quantities, by=by)
