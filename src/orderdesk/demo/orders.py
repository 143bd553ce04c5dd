"""Demo sales orders (issue 5): about 70 orders in every state the order services reach.

Every order is entered, submitted, reviewed, returned, cancelled or put on hold through the
real order services, by the person who would do it: the owning salesperson enters what came
in by phone or in person, customer service what came by fax or e-mail; the sales manager,
finance, the warehouse and production decide their review steps; the general manager signs
off what needs authority. So numbers, totals, review steps, stock reservations and the
audit trail are exactly what the same work typed in would leave.

The stories (``STORIES``) cover drafts (some still incomplete), orders waiting at each
review step (a few overdue), a discount waiting for price approval, a finance step blocked
by credit (a customer whose limit finance lowered) next to an approved credit exception,
orders returned to sales with the reviewer's reason (one amended and resubmitted, its
sales approval carried over), approved orders, orders awaiting the customer's confirmation
(two of them late, their promised date moved by the daily job) and released ones (before
the confirmation for an A-grade customer; after it and the deposit for the others),
cancelled ones and orders on hold.

Two things are not done through a service, for the demo alone: deadlines are computed from
the moment of the action, so a freshly loaded demo would have nothing late. With a direct
update, :func:`make_overdue` moves the start and due time of a few pending review steps
into the past (the escalation job then finds them as it would in real life), and
:func:`make_confirmation_late` dates two confirmations back (the daily job then moves those
orders' promised dates). Loading sends no e-mail (:func:`mail_held`).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from typing import Any

from django.conf import settings
from django.db.models import F, Sum
from django.utils import timezone

from orderdesk.accounts.models import User
from orderdesk.accounts.selectors import system_user
from orderdesk.catalog.models import Product, SalesKind, Supply
from orderdesk.core import permissions, workcalendar
from orderdesk.customers import models as customer_models
from orderdesk.customers import services as customer_services
from orderdesk.inventory.models import StockLevel
from orderdesk.orders import selectors as order_selectors
from orderdesk.orders import services
from orderdesk.orders.models import Order, OrderStatus, ReviewStep, Step, StepStatus
from orderdesk.orders.services.releasing import EARLY_RELEASE_GRADES, deposit_required
from orderdesk.pricing.models import PriceListItem, PriceListKind

from .payments import prepay

ENTRY_CLERK = "cs1"  # customer service enters the faxes and e-mails, and releases orders
SALES_MANAGER = "salesmgr"
FINANCE = "finance1"
WAREHOUSE = "warehouse1"
PRODUCTION = "production1"
GENERAL_MANAGER = "gm"
# Who decides a step: the step's role names the group (see orders.services.review).
DECIDERS: dict[str, str] = {
    "sales_manager": SALES_MANAGER,
    "finance": FINANCE,
    "warehouse": WAREHOUSE,
    "production": PRODUCTION,
    "general_manager": GENERAL_MANAGER,
}
ENTER = "orders.enter_orders"
CANCEL = "orders.cancel_orders"
MANAGE_CREDIT = "customers.manage_credit"

MIN_CUSTOMERS = 8  # fewer eligible customers or products than this: no demo orders
MIN_PRODUCTS = 15
MAX_LINES = 5
BUDGET_SHARE = Decimal("0.3")  # an order stays under 30 % of its customer's credit limit
LIMIT_STEP = Decimal(1_000)

# fmt: off
CHANNELS: tuple[tuple[str, int], ...] = (
    ("phone", 25), ("salesperson", 22), ("email", 20), ("fax", 8), ("website", 8),
    ("ecommerce", 8), ("api", 5), ("walk_in", 4),
)
CLERK_CHANNELS = frozenset({"email", "fax", "website", "ecommerce", "api"})
SPECIAL_REQUIREMENTS = (
    "", "", "送货前一天电话联系收货人", "需随货提供合格证和材质证明", "分两批发货，首批不少于一半",
    "工作日9:00-16:00收货，周末不收货", "随货附中文安装说明书",
)
PACKING = ("", "木箱包装，防潮防震", "原厂包装，外加纸箱", "托盘打包，缠绕膜加固")
LABELS = ("", "每箱贴客户物料编码标签", "外箱标注订单号和收货人")
LOGISTICS = ("", "德邦物流", "顺丰快运", "客户自提", "专车配送")
DRAFT_GAPS = (("requested_date",), ("payment_method", "requested_date"))
REJECTIONS: dict[str, str] = {
    "sales": "付款条件与合同约定不符：合同为月结30天，订单写的是款到发货，请与客户确认后修改。",
    "finance": "按B级客户条件需预付30%定金，定金尚未到账，请催款后重新提交。",
    "production": "定制件图纸未经客户签字确认，请补充确认后的图纸再提交。",
}
AMENDMENT = "客户已补充采购单号，定金已安排支付"
CANCEL_REASONS = (
    "客户项目取消，采购计划撤回",
    "客户改为下季度采购，本单取消后重新下单",
    "客户选择其他供应商，取消订单",
)
HOLD_REASONS = ("客户项目延期，暂缓执行", "客户要求暂停，等待设计变更确认")
CREDIT_REASON = "演示数据：客户付款多次逾期，下调信用额度"
CREDIT_EXCEPTION = "客户承诺本月底前结清前期欠款，同意本单超额度放行"
CONFIRMATION_NOTES = ("客户邮件回复确认订单内容无误", "客户采购经理电话确认，回签件随后寄回")
APPROVAL_COMMENT = "同意"
# fmt: on

# (story, how many): older stories first, so the order numbers follow the time received.
STORIES: tuple[tuple[str, int], ...] = (
    ("released", 16),  # fulfilment (issue 6) ships, prepares and produces these
    ("awaiting_confirmation", 6),
    ("cancelled_approved", 1),
    ("credit_exception", 1),
    ("approved", 10),
    ("held_approved", 1),
    ("returned", 3),
    ("resubmitted", 1),
    ("cancelled_in_review", 1),
    ("held_in_review", 2),
    ("credit_blocked", 1),
    ("departments", 6),
    ("production", 3),
    ("pricing", 1),
    ("sales_review", 6),
    ("cancelled_draft", 1),
    ("draft", 8),
)
# Working days back the order was received: (newest, oldest) per story.
AGES: dict[str, tuple[int, int]] = {
    "released": (12, 30),
    "awaiting_confirmation": (6, 12),
    "cancelled_approved": (8, 14),
    "credit_exception": (6, 10),
    "approved": (3, 10),
    "held_approved": (5, 9),
    "returned": (2, 5),
    "resubmitted": (3, 6),
    "cancelled_in_review": (2, 4),
    "held_in_review": (2, 5),
    "credit_blocked": (1, 2),
    "departments": (1, 3),
    "production": (1, 4),
    "pricing": (0, 1),
    "sales_review": (0, 2),
    "cancelled_draft": (1, 3),
    "draft": (0, 2),
}
# How many orders of a story have their pending steps overdue (hours late: low, high).
OVERDUE: dict[str, int] = {"sales_review": 2, "departments": 2, "production": 1}
LATE_HOURS = (2, 30)
LATE_CONFIRMATIONS = 2  # orders awaiting confirmation whose answer is overdue


@dataclass(frozen=True)
class OrdersResult:
    orders_created: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    overdue_steps: int = 0
    credit_blocked: str = ""  # the number of the order whose finance step credit blocks
    late_confirmations: int = 0  # orders whose promised date moved for a late confirmation


@dataclass
class Cast:
    """The people who act in the stories (the system account where one cannot)."""

    clerk: User
    by_role: dict[str, User]
    system: User

    def decider(self, step: ReviewStep) -> User:
        return self.by_role.get(step.role, self.system)


@dataclass
class Stock:
    product: Product
    available: Decimal
    price: Decimal


@dataclass
class World:
    rng: random.Random
    cast: Cast
    customers: list[customer_models.Customer]
    stocked: list[Stock]
    made_to_order: list[Stock]
    now: dt.datetime
    today: dt.date
    used: int = 0  # customers handed out so far
    credit_customer: customer_models.Customer | None = None

    def next_customer(self) -> customer_models.Customer:
        customer = self.customers[self.used % len(self.customers)]
        self.used += 1
        return customer


def create_orders(*, seed: int) -> OrdersResult:
    """The demo orders of ``STORIES``, unless orders exist already or the demo has too few
    customers or products to tell the stories (tests load small demos)."""
    if Order.objects.exists():
        return OrdersResult()
    customers = eligible_customers()
    stocked, made_to_order = priced_products()
    if len(customers) < MIN_CUSTOMERS or len(stocked) < MIN_PRODUCTS or not made_to_order:
        return OrdersResult()
    cast = demo_cast()
    rng = random.Random(f"{seed}:orders")
    rng.shuffle(customers)
    world = World(
        rng=rng,
        cast=cast,
        customers=customers,
        stocked=stocked,
        made_to_order=made_to_order,
        now=timezone.now(),
        today=timezone.localdate(),
    )
    created = 0
    overdue = 0
    blocked = ""
    for story, count in STORIES:
        tell = TELLERS[story]
        for index in range(count):
            outcome = tell(world, story, index)
            created += 1
            if index < OVERDUE.get(story, 0):
                overdue += make_overdue(outcome.order, world)
            if story == "credit_blocked":
                blocked = outcome.order.number
    # The daily job moves the promised dates of the late confirmations, as it would overnight.
    late_confirmations = services.shift_late_confirmations()
    statuses = dict.fromkeys(OrderStatus.values, 0)
    for status in Order.objects.values_list("status", flat=True):
        statuses[status] += 1
    return OrdersResult(
        orders_created=created,
        statuses={status: n for status, n in statuses.items() if n},
        overdue_steps=overdue,
        credit_blocked=blocked,
        late_confirmations=late_confirmations,
    )


# --- who, to whom, what ----------------------------------------------------------------


def acting(username: str, permission: str | None = None) -> User | None:
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None or (permission and not permissions.has(user, permission)):
        return None
    return user


def demo_cast() -> Cast:
    system = system_user()
    clerk = acting(ENTRY_CLERK, ENTER) or system
    by_role = {role: acting(username) or system for role, username in DECIDERS.items()}
    return Cast(clerk=clerk, by_role=by_role, system=system)


def eligible_customers() -> list[customer_models.Customer]:
    """Active A and B customers owned by an active salesperson who may enter orders."""
    customers = list(
        customer_models.Customer.objects.filter(
            status=customer_models.CustomerStatus.ACTIVE,
            credit__grade__in=("A", "B"),
            credit__credit_limit__gte=50_000,
            owner__is_active=True,
        )
        .select_related("owner", "credit")
        .order_by("pk")
    )
    return [customer for customer in customers if permissions.has(customer.owner, ENTER)]


def priced_products() -> tuple[list[Stock], list[Stock]]:
    """Orderable products with a standard price: stocked ones with stock to spare, and the
    make-to-order ones (custom-made or work done to order)."""
    prices = dict(
        PriceListItem.objects.filter(
            price_list__kind=PriceListKind.STANDARD, min_quantity=1
        ).values_list("product_id", "unit_price")
    )
    available = dict(
        StockLevel.objects.values("product_id")
        .annotate(free=Sum(F("on_hand") - F("reserved")))
        .values_list("product_id", "free")
    )
    products = Product.objects.filter(is_active=True, pk__in=prices).exclude(
        sales_kind=SalesKind.PROHIBITED
    )
    stocked, made = [], []
    for product in products.order_by("pk"):
        if product.supply == Supply.MAKE_TO_ORDER:
            made.append(Stock(product, Decimal(0), prices[product.pk]))
        elif (free := Decimal(available.get(product.pk) or 0)) >= 30:
            stocked.append(Stock(product, free, prices[product.pk]))
    return stocked, made


# --- the stories -----------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    order: Order


def received_at(world: World, story: str) -> dt.datetime:
    """A moment in office hours ``AGES[story]`` working days back, never in the future."""
    newest, oldest = AGES[story]
    back = world.rng.randint(newest, oldest)
    day = world.today
    for _step in range(back):
        day -= dt.timedelta(days=1)
        while not workcalendar.is_workday(day):
            day -= dt.timedelta(days=1)
    moment = timezone.make_aware(
        dt.datetime.combine(day, dt.time(world.rng.randint(8, 16), world.rng.randint(0, 59)))
    )
    return min(moment, world.now - dt.timedelta(minutes=world.rng.randint(20, 90)))


def pick_lines(
    world: World, customer: customer_models.Customer, *, made_to_order: int = 0
) -> list[dict[str, Any]]:
    """One to five stocked lines, plus ``made_to_order`` lines, within the customer's
    budget (a share of their credit limit) and the stock left for later orders."""
    rng = world.rng
    limit = customer.credit.credit_limit
    budget = max(Decimal(5_000), limit * BUDGET_SHARE)
    lines: list[dict[str, Any]] = []
    total = Decimal(0)
    chosen = rng.sample(world.made_to_order, min(made_to_order, len(world.made_to_order)))
    for item in chosen:
        lines.append({"sku": item.product.sku, "quantity": "1"})
        total += item.price
    for item in rng.sample(world.stocked, min(len(world.stocked), 12)):
        if len(lines) >= MAX_LINES or (lines and rng.random() < 0.3):
            break
        most = min(int(item.available / 6), 20 if item.price < 1_000 else 5)
        if most < 1:
            continue
        quantity = rng.randint(1, most)
        while quantity > 1 and total + item.price * quantity > budget:
            quantity -= 1
        if lines and total + item.price * quantity > budget:
            continue
        item.available -= quantity
        total += item.price * quantity
        lines.append({"sku": item.product.sku, "quantity": str(quantity)})
    return lines


def order_values(
    world: World,
    customer: customer_models.Customer,
    story: str,
    *,
    lines: list[dict[str, Any]] | None = None,
    made_to_order: int = 0,
) -> tuple[dict[str, Any], User]:
    """A complete order body and who enters it."""
    rng = world.rng
    channel = weighted(rng, CHANNELS)
    owner = customer.owner
    clerk_enters = channel in CLERK_CHANNELS and world.cast.clerk is not world.cast.system
    entered_by = world.cast.clerk if clerk_enters else owner
    contacts = list(customer.contacts.filter(left_on__isnull=True).order_by("-is_primary", "pk"))
    # The one with an e-mail address first: the order confirmation is e-mailed to them.
    contact = next((c for c in contacts if c.email), contacts[0] if contacts else None)
    address = customer.addresses.order_by("-is_default", "pk").first()
    lines = lines if lines is not None else pick_lines(world, customer, made_to_order=made_to_order)
    lead = max(
        (product.lead_time_days for product in products_of(world, lines)),
        default=0,
    )
    values: dict[str, Any] = {
        "customer_id": customer.pk,
        "channel": channel,
        "received_at": received_at(world, story),
        "salesperson_id": owner.pk,
        "payment_method": "acceptance"
        if customer.credit.grade == "A" and rng.random() < 0.3
        else "bank_transfer",
        "requested_date": workcalendar.add_working_days(world.today, lead + rng.randint(5, 20)),
        "special_requirements": rng.choice(SPECIAL_REQUIREMENTS),
        "packing_requirements": rng.choice(PACKING),
        "label_requirements": rng.choice(LABELS),
        "logistics_preference": rng.choice(LOGISTICS),
        "customer_reference": f"PO{rng.randint(2026_0001, 2026_9999)}"
        if rng.random() < 0.6
        else "",
        "lines": lines,
    }
    if contact is not None:
        values["contact_id"] = contact.pk
    if address is not None:
        values |= {
            "delivery_province": address.province,
            "delivery_city": address.city,
            "delivery_district": address.district,
            "delivery_address": address.detail,
            "consignee": address.receiver,
            "consignee_phone": address.receiver_phone,
        }
    else:
        values |= {
            "delivery_province": customer.province,
            "delivery_city": customer.city,
            "delivery_district": customer.district,
            "delivery_address": customer.address,
        }
    return values, entered_by


def products_of(world: World, lines: Sequence[dict[str, Any]]) -> list[Product]:
    skus = {line["sku"] for line in lines}
    return [
        item.product for item in (*world.stocked, *world.made_to_order) if item.product.sku in skus
    ]


def weighted(rng: random.Random, choices: Sequence[tuple[str, int]]) -> str:
    return rng.choices([value for value, _weight in choices], [w for _v, w in choices])[0]


def enter(
    world: World,
    story: str,
    *,
    customer: customer_models.Customer | None = None,
    made_to_order: int = 0,
    lines: list[dict[str, Any]] | None = None,
    drop: Sequence[str] = (),
) -> tuple[Order, User]:
    customer = customer or world.next_customer()
    values, by = order_values(world, customer, story, lines=lines, made_to_order=made_to_order)
    for name in drop:
        values.pop(name, None)
    return services.create_order(values, by=by), by


def refreshed(order: Order) -> Order:
    return Order.objects.get(pk=order.pk)


def pending(order: Order) -> list[ReviewStep]:
    return [
        step for step in order_selectors.current_steps(order) if step.status == StepStatus.PENDING
    ]


def decide_pending(
    world: World,
    order: Order,
    *,
    only: Callable[[ReviewStep], bool] = lambda step: True,
    comment: str = APPROVAL_COMMENT,
) -> Order:
    """Approve the pending steps ``only`` selects, stage after stage, until none is left
    (a credit exception above finance's authority goes on to the general manager)."""
    for _round in range(6):
        order = refreshed(order)
        if order.status != OrderStatus.IN_REVIEW:
            break
        steps = [step for step in pending(order) if only(step)]
        if not steps:
            break
        for step in steps:
            decision: dict[str, Any] = {}
            if step.step == Step.PRODUCTION:
                decision["earliest_completion"] = order.requested_date or world.today
            blocked = step.step == Step.FINANCE and step.findings.get("credit", {}).get("blocked")
            services.decide(
                order,
                step.step,
                approve=True,
                by=world.cast.decider(step),
                comment=CREDIT_EXCEPTION if blocked else comment,
                decision=decision,
            )
    return refreshed(order)


def approve(world: World, order: Order, by: User) -> Order:
    services.submit(order, by=by)
    return decide_pending(world, order)


def story_draft(world: World, story: str, index: int) -> Outcome:
    drop = DRAFT_GAPS[index] if index < len(DRAFT_GAPS) else ()
    order, _by = enter(world, story, drop=drop)
    return Outcome(order)


def story_sales_review(world: World, story: str, index: int) -> Outcome:
    order, by = enter(world, story)
    services.submit(order, by=by)
    return Outcome(refreshed(order))


def story_departments(world: World, story: str, index: int) -> Outcome:
    """Sales approved; finance and the warehouse (and production, every other one) open."""
    order, by = enter(world, story, made_to_order=index % 2)
    services.submit(order, by=by)
    order = decide_pending(world, order, only=lambda step: step.step == Step.SALES)
    return Outcome(order)


def story_production(world: World, story: str, index: int) -> Outcome:
    """A custom or made-to-order line: every department approved but production."""
    order, by = enter(world, story, made_to_order=1)
    services.submit(order, by=by)
    order = decide_pending(world, order, only=lambda step: step.step != Step.PRODUCTION)
    return Outcome(order)


def story_pricing(world: World, story: str, index: int) -> Outcome:
    """A 12 % discount the salesperson may not give alone: price approval waits."""
    customer = world.next_customer()
    lines = pick_lines(world, customer)
    lines[0]["discount_percent"] = "12"
    order, by = enter(world, story, customer=customer, lines=lines)
    services.submit(order, by=by)
    order = decide_pending(world, order, only=lambda step: step.step == Step.SALES)
    return Outcome(order)


def story_credit(world: World, story: str, index: int) -> Outcome:
    """Finance lowers a customer's limit after late payments; the customer's next order
    passes with a credit exception, the one after it waits at a blocked finance step."""
    customer = credit_customer(world)
    order, by = enter(world, story, customer=customer)
    if story == "credit_exception":
        lower_limit(world, customer, order)
        return Outcome(approve(world, order, by))
    services.submit(order, by=by)
    order = decide_pending(world, order, only=lambda step: step.step == Step.SALES)
    return Outcome(order)


def credit_customer(world: World) -> customer_models.Customer:
    """The same customer for both credit stories: the first B customer, kept out of the
    other stories (so its exposure is just these orders)."""
    if world.credit_customer is None:
        grade_b = [c for c in world.customers if c.credit.grade == "B"] or world.customers
        world.credit_customer = grade_b[-1]
        world.customers = [c for c in world.customers if c.pk != world.credit_customer.pk]
    return world.credit_customer


def lower_limit(world: World, customer: customer_models.Customer, order: Order) -> None:
    """A limit a little under the draft order's total: finance may excuse the excess."""
    finance = acting(FINANCE, MANAGE_CREDIT) or world.cast.system
    limit = (order.total_amount * Decimal("0.8")).quantize(Decimal(1), rounding=ROUND_DOWN)
    if limit >= LIMIT_STEP:
        limit = limit // LIMIT_STEP * LIMIT_STEP  # a round figure, as finance would set
    customer_services.set_credit(
        customer,
        grade=customer.credit.grade,
        credit_limit=limit,
        by=finance,
        reason=CREDIT_REASON,
    )
    customer.credit.refresh_from_db()


def story_returned(world: World, story: str, index: int) -> Outcome:
    """Returned to sales with the reason: by the sales manager, finance or production."""
    rejecting = (Step.SALES, Step.FINANCE, Step.PRODUCTION)[index % 3]
    order, by = enter(world, story, made_to_order=int(rejecting == Step.PRODUCTION))
    services.submit(order, by=by)
    return Outcome(reject(world, order, rejecting))


def reject(world: World, order: Order, rejecting: str) -> Order:
    order = decide_pending(world, order, only=lambda step: step.step != rejecting)
    step = next(step for step in pending(order) if step.step == rejecting)
    services.decide(
        order,
        rejecting,
        approve=False,
        by=world.cast.decider(step),
        comment=REJECTIONS[rejecting],
    )
    return refreshed(order)


def story_resubmitted(world: World, story: str, index: int) -> Outcome:
    """Finance returned it; sales added what was missing and resubmitted: the sales
    approval carries over, finance and the warehouse review again."""
    order, by = enter(world, story)
    services.submit(order, by=by)
    order = reject(world, order, Step.FINANCE)
    order = services.update_order(
        order, {"customer_reference": f"PO{order.pk:06d}", "special_requirements": AMENDMENT}, by=by
    )
    services.submit(order, by=by)
    return Outcome(refreshed(order))


def story_approved(world: World, story: str, index: int) -> Outcome:
    order, by = enter(world, story, made_to_order=int(index % 3 == 0))
    return Outcome(approve(world, order, by))


def story_confirmation(world: World, story: str, index: int) -> Outcome:
    """Approved, then the order confirmation e-mailed to the customer; an order awaiting
    the answer stops there (the first ones late). To release, an A-grade customer's order
    goes every other time before the confirmation returns (it is chased afterwards);
    otherwise customer service records the customer's confirmation and finance the deposit
    due. Customer service releases."""
    order, by = enter(world, story, made_to_order=int(index % 4 == 0))
    order = approve(world, order, by)
    services.send_confirmation(order, by=by)
    if story == "awaiting_confirmation":
        if index < LATE_CONFIRMATIONS:
            make_confirmation_late(refreshed(order), world)
        return Outcome(refreshed(order))
    clerk = world.cast.clerk
    early = order.customer.credit.grade in EARLY_RELEASE_GRADES and index % 2 == 0
    if not early:
        services.record_confirmation(order, by=clerk, note=world.rng.choice(CONFIRMATION_NOTES))
        if (due := deposit_required(refreshed(order))) > 0:
            prepay(order, due, rng=world.rng)
    services.release(order, by=clerk)
    return Outcome(refreshed(order))


def story_cancelled(world: World, story: str, index: int) -> Outcome:
    order, by = enter(world, story)
    if story != "cancelled_draft":
        services.submit(order, by=by)
    if story == "cancelled_approved":
        order = decide_pending(world, order)
    services.cancel(order, by=canceller(world, order, by), reason=world.rng.choice(CANCEL_REASONS))
    return Outcome(refreshed(order))


def story_held(world: World, story: str, index: int) -> Outcome:
    order, by = enter(world, story)
    services.submit(order, by=by)
    if story == "held_approved":
        order = decide_pending(world, order)
    else:
        order = decide_pending(world, order, only=lambda step: step.step == Step.SALES)
    services.hold(order, by=canceller(world, order, by), reason=HOLD_REASONS[index % 2])
    return Outcome(refreshed(order))


def canceller(world: World, order: Order, entered_by: User) -> User:
    """The salesperson cancels and holds their orders (customer service when it entered)."""
    return entered_by if permissions.has(entered_by, CANCEL) else world.cast.system


TELLERS: dict[str, Callable[[World, str, int], Outcome]] = {
    "released": story_confirmation,
    "awaiting_confirmation": story_confirmation,
    "cancelled_approved": story_cancelled,
    "credit_exception": story_credit,
    "approved": story_approved,
    "held_approved": story_held,
    "returned": story_returned,
    "resubmitted": story_resubmitted,
    "cancelled_in_review": story_cancelled,
    "held_in_review": story_held,
    "credit_blocked": story_credit,
    "departments": story_departments,
    "production": story_production,
    "pricing": story_pricing,
    "sales_review": story_sales_review,
    "cancelled_draft": story_cancelled,
    "draft": story_draft,
}


# --- demo-only: late review steps ------------------------------------------------------


def make_overdue(order: Order, world: World) -> int:
    """Move the pending steps of ``order`` into the past so they are overdue now.

    DEMO ONLY: services compute ``due_at`` from the moment of submitting, so a freshly
    loaded demo would have no late step. Here the start and due times are shifted with a
    direct update (the step's allowed hours, counted as plain hours, before a due time
    ``LATE_HOURS`` in the past), and earlier decisions and the submission with them.
    Nothing else changes; the escalation job finds these steps as it would in real life.
    """
    steps = pending(order)
    if not steps:
        return 0
    review = order_selectors.review_settings()
    due = world.now - dt.timedelta(hours=world.rng.randint(*LATE_HOURS))
    longest = max(review.hours_for(step.step) for step in steps)
    started = due - dt.timedelta(hours=float(longest))
    for step in steps:
        ReviewStep.objects.filter(pk=step.pk).update(
            started_at=started, due_at=due - dt.timedelta(minutes=world.rng.randint(0, 90))
        )
    decided = [
        step
        for step in order_selectors.current_steps(order)
        if step.status == StepStatus.APPROVED and not step.carried_over
    ]
    for step in decided:
        ReviewStep.objects.filter(pk=step.pk).update(
            started_at=started - dt.timedelta(hours=2), decided_at=started
        )
    submitted = started - dt.timedelta(hours=2) if decided else started
    Order.objects.filter(pk=order.pk).update(
        submitted_at=submitted, received_at=min(order.received_at, submitted)
    )
    return len(steps)


def make_confirmation_late(order: Order, world: World) -> None:
    """Date the confirmation of ``order`` back so the customer's answer is overdue now.

    DEMO ONLY, like :func:`make_overdue`: the confirmation was just sent, so its deadline
    lies ahead. A direct update moves the sending back to a few working days after the order
    came in, with its deadline ``confirmation_days`` working days later (in the past); the
    daily job (``shift_late_confirmations``) then moves the promised date as it would.
    """
    review = order_selectors.review_settings()
    sent_on = workcalendar.add_working_days(timezone.localdate(order.received_at), 2)
    due_on = workcalendar.add_working_days(sent_on, review.confirmation_days)
    if due_on >= world.today:
        return
    sent_at = timezone.make_aware(dt.datetime.combine(sent_on, dt.time(10, 0)))
    Order.objects.filter(pk=order.pk).update(
        confirmation_sent_at=sent_at,
        confirmation_due_on=due_on,
        approved_at=min(order.approved_at or sent_at, sent_at),
        submitted_at=min(order.submitted_at or sent_at, sent_at),
    )


@contextmanager
def mail_held() -> Iterator[None]:
    """Loading the demo sends no e-mail: the confirmations, notices and reminders its
    stories cause go to Django's dummy backend instead of the configured one (the console
    in development, a real mail server in production)."""
    before = settings.EMAIL_BACKEND
    settings.EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
    try:
        yield
    finally:
        settings.EMAIL_BACKEND = before
