"""Which departments decide a change request, and why (变更审批路由).

A change goes to the departments of the order review (`orders/services/review.py`) whose
check it affects, plus logistics for a new delivery address — not to every department:

- sales (``orders.review_sales``): the terms as agreed change — address, dates, payment
  terms, a product, lines added or removed, a cancellation;
- pricing (the authority the price needs, as at submit): a price outside the price policy
  (always);
- finance (``orders.review_finance``): the total rises, a price or the payment terms change,
  the order is cancelled; always when the credit check blocks after the change or issued
  invoices need a credit note or an extra invoice;
- warehouse (``orders.review_warehouse``): stock is to be reserved; always when picked goods
  must go back to stock;
- production (``orders.review_production``): goods are to be made (make to order, short of
  stock); always for custom products, a date before the earliest possible, production
  orders the change touches, or a date change while production is under way;
- logistics (``changes.approve_logistics_changes``): the delivery address or consignee
  changes (always).

As in the review, the company's settings switch the "terms", "every order", "availability"
and "make or short" checks on and off (``ReviewSettings``); the rules in the right-hand
"always" parts cannot be switched off. Each approval is due a number of working hours
after the request: the matching review step's hours, 8 for logistics. A credit excess
above what finance may approve alone goes to the general manager, as in the review.

:func:`departments` is pure (plain facts in, departments out) so hypothesis can walk its
cases (``tests/changes/test_routing.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from orderdesk.accounts.selectors import role_names
from orderdesk.core import permissions
from orderdesk.orders.models import Step
from orderdesk.orders.services.review import GENERAL_MANAGER, STEP_PERMISSION, STEP_ROLE

from .models import ChangeKind, Department

K = ChangeKind
D = Department
LOGISTICS = "changes.approve_logistics_changes"
LOGISTICS_ROLE = "logistics"
LOGISTICS_HOURS = Decimal(8)

PERMISSION: dict[str, str] = {
    D.SALES: STEP_PERMISSION[Step.SALES],
    D.FINANCE: STEP_PERMISSION[Step.FINANCE],
    D.WAREHOUSE: STEP_PERMISSION[Step.WAREHOUSE],
    D.PRODUCTION: STEP_PERMISSION[Step.PRODUCTION],
    D.LOGISTICS: LOGISTICS,
}
"""The approver permission of each department (pricing goes by role, see :func:`may_decide`)."""
ROLE: dict[str, str] = {
    D.SALES: STEP_ROLE[Step.SALES],
    D.FINANCE: STEP_ROLE[Step.FINANCE],
    D.WAREHOUSE: STEP_ROLE[Step.WAREHOUSE],
    D.PRODUCTION: STEP_ROLE[Step.PRODUCTION],
    D.LOGISTICS: LOGISTICS_ROLE,
}
"""The group whose members approve for the department (their supervisors are escalated to)."""
ORDER = (D.SALES, D.PRICING, D.FINANCE, D.WAREHOUSE, D.PRODUCTION, D.LOGISTICS)
TERMS = frozenset(
    {
        K.ADDRESS,
        K.DELIVERY_DATE,
        K.PAYMENT_TERMS,
        K.PRODUCT,
        K.ADD_LINE,
        K.REMOVE_LINE,
        K.CANCELLATION,
    }
)
"""What the sales manager's review of the terms as agreed looks at."""


@dataclass(frozen=True)
class Facts:
    """What the impact assessment found, as far as routing cares."""

    kinds: frozenset[str]
    price_role: str = ""
    """The strongest authority a changed price needs (empty: within the requester's)."""
    total_increases: bool = False
    credit_blocked: bool = False
    """The credit check blocks with the new total (only counted when the total rises)."""
    credit_needs_general_manager: bool = False
    invoices_to_correct: bool = False
    stock_to_reserve: bool = False
    prepared_to_return: bool = False
    to_make: bool = False
    """Goods to make or buy: a make-to-order product, or stock short of the new quantity."""
    custom: bool = False
    """A custom-made product is added or a line changes to one."""
    production_orders: bool = False
    """Production orders of the order change or lose their purpose."""
    date_not_met: bool = False
    """The delivery date asked for is before the earliest the company can promise."""
    scheduled_production: bool = False
    """The order has production under way (open production orders, make-to-order lines),
    whose schedule a date change moves."""


def departments(facts: Facts, settings: Any) -> list[tuple[str, str]]:
    """``[(department, why)]`` in a fixed order, each department once, with its reasons."""
    why: dict[str, list[str]] = {}

    def need(department: str, reason: str) -> None:
        why.setdefault(department, []).append(reason)

    kinds = facts.kinds
    if settings.sales_step and kinds & TERMS:
        labels = [
            str(ChangeKind(kind).label) for kind in ChangeKind.values if kind in kinds & TERMS
        ]
        need(D.SALES, _("The terms as agreed change: {what}.").format(what=", ".join(labels)))
    if facts.price_role:
        need(D.PRICING, _("A price is outside the price policy."))
    if facts.credit_blocked:
        need(D.FINANCE, _("The credit check blocks with the new total."))
    if facts.invoices_to_correct:
        need(D.FINANCE, _("Issued invoices need a credit note or an extra invoice."))
    if settings.finance_step:
        if facts.total_increases:
            need(D.FINANCE, _("The order total rises."))
        if K.PRICE in kinds:
            need(D.FINANCE, _("A price changes."))
        if K.PAYMENT_TERMS in kinds:
            need(D.FINANCE, _("The payment terms change."))
        if K.CANCELLATION in kinds:
            need(D.FINANCE, _("The order is cancelled: deposit and receivables."))
    if settings.warehouse_step and facts.stock_to_reserve:
        need(D.WAREHOUSE, _("Stock is to be reserved."))
    if facts.prepared_to_return:
        need(D.WAREHOUSE, _("Picked goods go back to stock."))
    if facts.custom:
        need(D.PRODUCTION, _("A custom-made product needs the technical review."))
    if facts.date_not_met:
        need(D.PRODUCTION, _("The date asked for is before the earliest possible date."))
    if facts.production_orders:
        need(D.PRODUCTION, _("Production orders of the order change."))
    if settings.production_step and facts.to_make:
        need(D.PRODUCTION, _("Goods are to be made or are short of stock."))
    if K.DELIVERY_DATE in kinds and facts.scheduled_production:
        need(D.PRODUCTION, _("The production schedule follows the delivery date."))
    if K.ADDRESS in kinds:
        need(D.LOGISTICS, _("The delivery address or consignee changes."))
    return [
        (department, " ".join(dict.fromkeys(why[department]))[:300])
        for department in ORDER
        if department in why
    ]


def hours_for(department: str, settings: Any) -> Decimal:
    """Working hours to decide: the matching review step's, 8 for logistics."""
    if department == D.LOGISTICS:
        return LOGISTICS_HOURS
    return Decimal(settings.hours_for(department))


def approver_role(department: str, facts: Facts) -> str:
    if department == D.PRICING:
        return facts.price_role
    if department == D.FINANCE and facts.credit_needs_general_manager:
        return GENERAL_MANAGER
    return ROLE[department]


def may_decide(user: Any, department: str, role: str) -> bool:
    """The price authority (and the general manager above it) by role, as in the review;
    the other departments by their approver permission."""
    if getattr(user, "is_system", False):
        return True
    if not getattr(user, "is_active", False):
        return False
    if department == D.PRICING or role == GENERAL_MANAGER:
        names = set(role_names(user))
        return role in names or GENERAL_MANAGER in names
    return permissions.has(user, PERMISSION[department])
