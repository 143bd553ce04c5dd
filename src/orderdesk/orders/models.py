"""Sales orders (销售订单): the order, its lines, review steps, follow-ups, attachments and
the company's review settings.

The order's ``status`` is the only stored lifecycle state (see ``lifecycle.py`` for the
transitions); fulfilment, invoicing and payment statuses are derived from shipments,
invoices and payments by the issues that add them. ``version`` counts saved changes of the
order's content and lets a stale edit be refused (optimistic locking).
"""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from orderdesk.catalog.models import Product
from orderdesk.core.fields import money, quantity
from orderdesk.customers.models import Contact, Customer

ZERO = Decimal(0)


class OrderStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("order status", "Draft")  # 草稿
    IN_REVIEW = "in_review", pgettext_lazy("order status", "In review")  # 待审核
    RETURNED = "returned", pgettext_lazy("order status", "Returned to sales")  # 已退回
    APPROVED = "approved", pgettext_lazy("order status", "Approved")  # 已审核
    AWAITING_CONFIRMATION = (
        "awaiting_confirmation",
        pgettext_lazy("order status", "Awaiting customer confirmation"),  # 待客户确认
    )
    RELEASED = "released", pgettext_lazy("order status", "Released")  # 已下达
    IN_PRODUCTION = "in_production", pgettext_lazy("order status", "In production")  # 生产中/备货中
    PARTIALLY_SHIPPED = "partially_shipped", pgettext_lazy("order status", "Partially shipped")
    SHIPPED = "shipped", pgettext_lazy("order status", "Shipped")  # 已发货
    DELIVERED = "delivered", pgettext_lazy("order status", "Delivered")  # 已签收
    COMPLETED = "completed", pgettext_lazy("order status", "Completed")  # 已完成
    CANCELLED = "cancelled", pgettext_lazy("order status", "Cancelled")  # 已取消
    ON_HOLD = "on_hold", pgettext_lazy("order status", "On hold")  # 挂起


class Channel(models.TextChoices):
    WEBSITE = "website", _("Website")
    ECOMMERCE = "ecommerce", _("E-commerce platform")
    EMAIL = "email", _("E-mail")
    FAX = "fax", _("Fax")
    PHONE = "phone", _("Phone")
    SALESPERSON = "salesperson", _("Salesperson")
    WALK_IN = "walk_in", _("Walk-in")
    PORTAL = "portal", _("Customer portal")
    API = "api", _("API")


class PaymentMethod(models.TextChoices):
    BANK_TRANSFER = "bank_transfer", _("Bank transfer")
    CASH = "cash", _("Cash")
    CHEQUE = "cheque", _("Cheque")
    ONLINE = "online", _("Online payment")
    ACCEPTANCE = "acceptance", _("Bank acceptance bill")  # 承兑汇票


class ConfirmationStatus(models.TextChoices):
    NOT_SENT = "not_sent", _("Not sent")
    SENT = "sent", _("Sent, awaiting the customer")
    CONFIRMED = "confirmed", _("Confirmed by the customer")


class Order(models.Model):
    number = models.CharField(_("order number"), max_length=40, unique=True, editable=False)
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="orders"
    )
    contact = models.ForeignKey(
        Contact,
        verbose_name=_("contact"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    contact_name = models.CharField(_("contact name"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    received_at = models.DateTimeField(_("received at"))
    salesperson = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("salesperson"),
        on_delete=models.PROTECT,
        related_name="orders",
    )
    customer_reference = models.CharField(_("customer's reference"), max_length=60, blank=True)
    payment_method = models.CharField(
        _("payment method"), max_length=20, choices=PaymentMethod.choices, blank=True
    )
    payment_terms = models.CharField(_("payment terms"), max_length=200, blank=True)
    deposit_percent = models.DecimalField(
        _("deposit %"), max_digits=5, decimal_places=2, default=ZERO
    )
    deposit_amount = money(_("deposit required"), default=ZERO)
    delivery_province = models.CharField(_("province"), max_length=20, blank=True)
    delivery_city = models.CharField(_("city"), max_length=30, blank=True)
    delivery_district = models.CharField(_("district"), max_length=30, blank=True)
    delivery_address = models.CharField(_("delivery address"), max_length=200, blank=True)
    consignee = models.CharField(_("consignee"), max_length=50, blank=True)
    consignee_phone = models.CharField(_("consignee phone"), max_length=30, blank=True)
    requested_date = models.DateField(_("requested delivery date"), null=True, blank=True)
    promised_date = models.DateField(_("promised date"), null=True, blank=True)
    special_requirements = models.TextField(_("special requirements"), max_length=2000, blank=True)
    packing_requirements = models.CharField(_("packing"), max_length=200, blank=True)
    label_requirements = models.CharField(_("labels"), max_length=200, blank=True)
    logistics_preference = models.CharField(_("logistics preference"), max_length=200, blank=True)
    net_amount = money(_("net amount"), default=ZERO)
    tax_amount = money(_("tax"), default=ZERO)
    total_amount = money(_("total"), default=ZERO)
    status = models.CharField(
        _("status"),
        max_length=24,
        choices=OrderStatus.choices,
        default=OrderStatus.DRAFT,
        db_index=True,
    )
    held_from = models.CharField(
        _("status before hold"), max_length=24, choices=OrderStatus.choices, blank=True
    )
    status_reason = models.CharField(_("reason"), max_length=500, blank=True)
    review_round = models.PositiveIntegerField(_("review round"), default=0)
    confirmation_status = models.CharField(
        _("customer confirmation"),
        max_length=12,
        choices=ConfirmationStatus.choices,
        default=ConfirmationStatus.NOT_SENT,
    )
    confirmation_sent_at = models.DateTimeField(_("confirmation sent"), null=True, blank=True)
    confirmation_due_on = models.DateField(_("confirmation due"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed by the customer"), null=True, blank=True)
    confirmation_token = models.CharField(max_length=64, blank=True, db_index=True)
    confirmation_delay_days = models.PositiveIntegerField(
        _("working days the confirmation was late"), default=0
    )
    confirmed_by_name = models.CharField(_("confirmed by"), max_length=100, blank=True)
    """Who confirmed for the customer: the name typed on the confirmation page, or the person
    who recorded the signed copy."""
    confirmation_note = models.CharField(_("confirmation note"), max_length=1000, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    released_at = models.DateTimeField(_("released"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["-received_at", "-id"]
        verbose_name = _("sales order")
        verbose_name_plural = _("sales orders")
        indexes: ClassVar = [
            models.Index(fields=["customer", "-received_at"], name="order_customer_received"),
            models.Index(fields=["salesperson", "-received_at"], name="order_sales_received"),
            models.Index(fields=["status", "-received_at"], name="order_status_received"),
            models.Index(fields=["-received_at", "-id"], name="order_received_keyset"),
        ]
        permissions: ClassVar = [
            ("view_all_orders", "View every order"),
            ("view_team_orders", "View the orders of one's team"),
            ("enter_orders", "Enter and edit draft orders"),
            ("cancel_orders", "Cancel or hold orders"),
            ("release_orders", "Release approved orders"),
            ("review_sales", "Approve the sales review"),
            ("review_finance", "Approve the finance review"),
            ("review_warehouse", "Approve the warehouse review"),
            ("review_production", "Approve the production/technical review"),
            ("approve_credit_excess", "Approve a credit excess above the finance limit"),
            ("manage_order_settings", "Change the order review settings"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def delivery_full_address(self) -> str:
        return "".join(
            (
                self.delivery_province,
                self.delivery_city,
                self.delivery_district,
                self.delivery_address,
            )
        )


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    line_no = models.PositiveIntegerField(_("line"))
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="+"
    )
    # What the customer ordered, as it was when the line was priced (the product may change).
    sku = models.CharField(_("SKU"), max_length=40)
    name = models.CharField(_("product name"), max_length=200)
    spec = models.CharField(_("specification"), max_length=200, blank=True)
    unit = models.CharField(_("unit"), max_length=20)
    quantity = quantity(_("quantity"))
    list_price = money(_("list price"))
    unit_price = money(_("unit price"))
    discount_percent = models.DecimalField(
        _("discount %"), max_digits=6, decimal_places=2, default=ZERO
    )
    tax_rate = models.DecimalField(_("VAT rate"), max_digits=4, decimal_places=2)
    net_amount = money(_("net amount"))
    tax_amount = money(_("tax"))
    line_total = money(_("line total"))
    promotion = models.CharField(_("promotion"), max_length=200, blank=True)
    approval_role = models.CharField(_("price approval by"), max_length=40, blank=True)
    approval_reason = models.CharField(max_length=40, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering: ClassVar = ["order", "line_no"]
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["order", "line_no"], name="one_line_number"),
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="line_quantity_pos"),
        ]

    def __str__(self) -> str:
        return f"{self.order_id}/{self.line_no} {self.sku}"

    @property
    def reference(self) -> str:
        """The key stock reservations use for this line."""
        return f"orders.OrderLine:{self.pk}"


class Step(models.TextChoices):
    SALES = "sales", _("Sales review")
    PRICING = "pricing", _("Price approval")
    FINANCE = "finance", _("Finance review")
    WAREHOUSE = "warehouse", _("Warehouse review")
    PRODUCTION = "production", _("Production / technical review")


class StepStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting for an earlier step")
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    SUPERSEDED = "superseded", _("Superseded")


class ReviewStep(models.Model):
    """One department's review of one submission of an order (订单审核)."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="reviews")
    round = models.PositiveIntegerField(_("round"))
    step = models.CharField(_("step"), max_length=12, choices=Step.choices)
    stage = models.PositiveSmallIntegerField(_("stage"))
    status = models.CharField(
        _("status"), max_length=12, choices=StepStatus.choices, default=StepStatus.WAITING
    )
    role = models.CharField(_("approver role"), max_length=40)
    """The group whose members decide the step (the price approval names the authority)."""
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    comment = models.CharField(_("comment or reason"), max_length=1000, blank=True)
    findings = models.JSONField(_("findings"), default=dict, blank=True)
    """What the system found for the approver (credit figures, shortfalls, late lines)."""
    decision = models.JSONField(_("decision details"), default=dict, blank=True)
    """What the approver entered (earliest completion date, credit exception)."""
    checked = models.CharField(max_length=64, blank=True)
    """A digest of what the step checked: a resubmission re-runs the step only when it changed."""
    carried_over = models.BooleanField(_("carried over"), default=False)
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)
    escalated_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering: ClassVar = ["order", "round", "stage", "id"]
        verbose_name = _("review step")
        verbose_name_plural = _("review steps")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["order", "round", "step"], name="one_step_per_round"),
        ]
        indexes: ClassVar = [
            models.Index(fields=["status", "role", "due_at"], name="review_queue"),
        ]

    def __str__(self) -> str:
        return f"{self.order_id} r{self.round} {self.step} {self.status}"


class FollowUp(models.Model):
    """A question to the customer about missing information (缺失信息跟进), with a deadline."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="follow_ups")
    items = models.JSONField(_("missing items"), default=list)
    note = models.CharField(_("note"), max_length=1000, blank=True)
    due_on = models.DateField(_("answer due"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering: ClassVar = ["order", "-created_at"]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")

    def __str__(self) -> str:
        return f"{self.order_id} {self.due_on}"


class AttachmentKind(models.TextChoices):
    FAX = "fax", _("Fax")
    EMAIL = "email", _("E-mail")
    SCREENSHOT = "screenshot", _("Chat screenshot")
    SIGNED_CONFIRMATION = "signed_confirmation", _("Signed confirmation")
    CONTRACT = "contract", _("Contract")
    OTHER = "other", _("Other")


class Attachment(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(_("kind"), max_length=20, choices=AttachmentKind.choices)
    file = models.FileField(_("file"), upload_to="orders/%Y/%m/")
    filename = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size"), default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        ordering: ClassVar = ["order", "uploaded_at"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.filename


class ReviewSettings(models.Model):
    """Company settings for the order review (one row, created by migration)."""

    sales_hours = models.DecimalField(
        _("sales review hours"), max_digits=5, decimal_places=1, default=Decimal(4)
    )
    pricing_hours = models.DecimalField(
        _("price approval hours"), max_digits=5, decimal_places=1, default=Decimal(8)
    )
    finance_hours = models.DecimalField(
        _("finance review hours"), max_digits=5, decimal_places=1, default=Decimal(8)
    )
    warehouse_hours = models.DecimalField(
        _("warehouse review hours"), max_digits=5, decimal_places=1, default=Decimal(8)
    )
    production_hours = models.DecimalField(
        _("production review hours"), max_digits=5, decimal_places=1, default=Decimal(16)
    )
    sales_first = models.BooleanField(
        _("sales reviews first, the other departments after it in parallel"), default=True
    )
    parallel = models.BooleanField(
        _("departments after sales review in parallel (else one after another)"), default=True
    )
    # Which steps apply. The rules themselves cannot be switched off: an off-policy price
    # always needs its approver, a blocked credit check always goes to finance, custom
    # products and dates before the lead time always go to production.
    sales_step = models.BooleanField(_("sales manager reviews the terms"), default=True)
    finance_step = models.BooleanField(
        _("finance reviews every order (else only orders the credit check blocks)"), default=True
    )
    warehouse_step = models.BooleanField(
        _("warehouse reviews availability (else stock is reserved when the order is approved)"),
        default=True,
    )
    production_step = models.BooleanField(
        _(
            "production reviews make-to-order and short lines (custom products and early dates "
            "always)"
        ),
        default=True,
    )
    credit_tolerance_percent = models.DecimalField(
        _("credit tolerance %"), max_digits=5, decimal_places=2, default=ZERO
    )
    gm_credit_excess = money(
        _("credit excess finance may approve alone"), default=Decimal("50000.00")
    )
    credit_check_on_release = models.BooleanField(_("credit check at release"), default=True)
    follow_up_days = models.PositiveSmallIntegerField(
        _("working days for the customer to answer a follow-up"), default=2
    )
    confirmation_days = models.PositiveSmallIntegerField(
        _("working days for the customer to confirm"), default=2
    )

    class Meta:
        verbose_name = _("review settings")
        verbose_name_plural = _("review settings")

    def __str__(self) -> str:
        return "review settings"

    def hours_for(self, step: str) -> Decimal:
        return Decimal(getattr(self, f"{step}_hours"))


class SavedFilter(models.Model):
    """A user's named order-list filter (保存的筛选条件): the list's query string."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_order_filters"
    )
    name = models.CharField(_("name"), max_length=60)
    query = models.CharField(_("filters"), max_length=1000, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering: ClassVar = ["user", "name"]
        verbose_name = _("saved order filter")
        verbose_name_plural = _("saved order filters")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["user", "name"], name="one_saved_filter_name"),
        ]

    def __str__(self) -> str:
        return self.name
