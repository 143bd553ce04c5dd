"""Invoicing and collection (开票与收款): invoices (发票) with their lines, credit notes (红字发票),
deposit requests (定金), payments received (收款) and their allocations (核销).

Running totals are kept on the rows the services lock (``credited_amount`` and
``allocated_amount`` on invoices, ``allocated_amount`` on deposit requests and payments), so
an open amount is one expression and the aging report is one aggregate query. Check
constraints make an over-allocation or a negative open amount impossible even if a service
had a bug.
"""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from orderdesk.core.fields import money, quantity
from orderdesk.customers.models import Customer
from orderdesk.orders.models import Order, OrderLine, PaymentMethod
from orderdesk.shipping.models import Shipment

ZERO = Decimal(0)


class InvoicePer(models.TextChoices):
    ORDER = "order", _("Whole order")
    SHIPMENT = "shipment", _("Per shipment")


class BillingSettings(models.Model):
    """Company settings for invoicing (one row, created by migration)."""

    invoice_per = models.CharField(
        _("invoice by default"), max_length=10, choices=InvoicePer.choices, default="shipment"
    )
    default_due_days = models.PositiveSmallIntegerField(
        _("days to pay when the customer's terms give none"), default=30
    )
    deposit_due_days = models.PositiveSmallIntegerField(_("days to pay a deposit"), default=7)

    class Meta:
        verbose_name = _("billing settings")
        verbose_name_plural = _("billing settings")
        permissions: ClassVar = [
            ("issue_invoices", "Create, issue and void invoices and credit notes"),
            ("record_payments", "Record payments and allocate them"),
            ("view_receivables", "See invoices, payments and receivables"),
            ("manage_billing_settings", "Change the billing settings"),
        ]

    def __str__(self) -> str:
        return "billing settings"


class InvoiceKind(models.TextChoices):
    SPECIAL = "special", _("VAT special invoice")  # 增值税专用发票 (专票)
    ORDINARY = "ordinary", _("VAT ordinary invoice")  # 增值税普通发票 (普票)


class InvoiceStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("invoice status", "Draft")
    ISSUED = "issued", pgettext_lazy("invoice status", "Issued")
    VOID = "void", pgettext_lazy("invoice status", "Void")


class Invoice(models.Model):
    number = models.CharField(_("invoice number"), max_length=40, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=10, choices=InvoiceKind.choices)
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="invoices"
    )
    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.PROTECT, related_name="invoices"
    )
    shipment = models.ForeignKey(
        Shipment,
        verbose_name=_("shipment"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="invoices",
    )
    status = models.CharField(
        _("status"), max_length=8, choices=InvoiceStatus.choices, default=InvoiceStatus.DRAFT
    )
    # The buyer as printed on the invoice, copied from the customer when it was created.
    buyer_title = models.CharField(_("buyer"), max_length=200)
    buyer_tax_number = models.CharField(_("buyer's tax number"), max_length=20, blank=True)
    buyer_address_phone = models.CharField(_("address and phone"), max_length=240, blank=True)
    buyer_bank_account = models.CharField(_("bank and account"), max_length=150, blank=True)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    # NULL until the tax system issues it, so the unique constraint ignores the empty ones.
    fapiao_number = models.CharField(  # noqa: DJ001
        _("fapiao number"), max_length=40, null=True, blank=True
    )
    net_amount = money(_("net amount"), default=ZERO)
    tax_amount = money(_("tax"), default=ZERO)
    gross_amount = money(_("total"), default=ZERO)
    credited_amount = money(_("credited"), default=ZERO)
    allocated_amount = money(_("paid"), default=ZERO)
    void_reason = models.CharField(_("void reason"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    voided_at = models.DateTimeField(_("voided"), null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["-created_at", "-id"]
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["fapiao_number"],
                condition=Q(fapiao_number__isnull=False),
                name="invoice_unique_fapiao",
            ),
            models.CheckConstraint(
                condition=Q(credited_amount__gte=0)
                & Q(allocated_amount__gte=0)
                & Q(gross_amount__gte=F("credited_amount") + F("allocated_amount")),
                name="invoice_open_not_negative",
            ),
        ]
        indexes: ClassVar = [
            models.Index(fields=["status", "due_on"], name="invoice_status_due"),
            models.Index(fields=["customer", "status", "due_on"], name="invoice_customer_due"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def open_amount(self) -> Decimal:
        if self.status != InvoiceStatus.ISSUED:
            return ZERO
        return self.gross_amount - self.credited_amount - self.allocated_amount


class InvoiceLine(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="+")
    line_no = models.PositiveIntegerField(_("line"))
    sku = models.CharField(_("SKU"), max_length=40)
    name = models.CharField(_("product name"), max_length=200)
    spec = models.CharField(_("specification"), max_length=200, blank=True)
    unit = models.CharField(_("unit"), max_length=20)
    quantity = quantity(_("quantity"))
    unit_price = models.DecimalField(_("unit price (net)"), max_digits=18, decimal_places=6)
    tax_rate = models.DecimalField(_("VAT rate"), max_digits=4, decimal_places=2)
    net_amount = money(_("net amount"))
    tax_amount = money(_("tax"))
    gross_amount = money(_("total"))

    class Meta:
        ordering: ClassVar = ["invoice", "line_no"]
        verbose_name = _("invoice line")
        verbose_name_plural = _("invoice lines")
        constraints: ClassVar = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="invoice_line_quantity_pos"),
        ]

    def __str__(self) -> str:
        return f"{self.invoice_id}/{self.line_no} {self.sku}"


class CreditNote(models.Model):
    """A red-letter invoice (红字发票) that reverses all or part of an issued invoice."""

    number = models.CharField(_("credit note number"), max_length=40, unique=True, editable=False)
    invoice = models.ForeignKey(
        Invoice, verbose_name=_("invoice"), on_delete=models.PROTECT, related_name="credit_notes"
    )
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="+"
    )
    issued_on = models.DateField(_("issued on"))
    reason = models.CharField(_("reason"), max_length=500)
    net_amount = money(_("net amount"), default=ZERO)
    tax_amount = money(_("tax"), default=ZERO)
    gross_amount = money(_("total"), default=ZERO)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering: ClassVar = ["-created_at", "-id"]
        verbose_name = _("credit note")
        verbose_name_plural = _("credit notes")

    def __str__(self) -> str:
        return self.number


class CreditNoteLine(models.Model):
    credit_note = models.ForeignKey(CreditNote, on_delete=models.CASCADE, related_name="lines")
    invoice_line = models.ForeignKey(
        InvoiceLine, on_delete=models.PROTECT, related_name="credit_lines"
    )
    quantity = quantity(_("quantity"))
    net_amount = money(_("net amount"))
    tax_amount = money(_("tax"))
    gross_amount = money(_("total"))

    class Meta:
        ordering: ClassVar = ["credit_note", "id"]
        verbose_name = _("credit note line")
        verbose_name_plural = _("credit note lines")
        constraints: ClassVar = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="credit_line_quantity_pos"),
        ]

    def __str__(self) -> str:
        return f"{self.credit_note_id}/{self.invoice_line_id} {self.quantity}"


class DepositStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("deposit request status", "Open")
    CANCELLED = "cancelled", pgettext_lazy("deposit request status", "Cancelled")


class DepositRequest(models.Model):
    """A request for a deposit (定金) on an order, before production or release."""

    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.PROTECT, related_name="deposit_requests"
    )
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="+"
    )
    percent = models.DecimalField(
        _("deposit %"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    amount = money(_("amount"))
    due_on = models.DateField(_("due on"))
    status = models.CharField(
        _("status"), max_length=10, choices=DepositStatus.choices, default=DepositStatus.OPEN
    )
    allocated_amount = money(_("paid"), default=ZERO)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering: ClassVar = ["-created_at", "-id"]
        verbose_name = _("deposit request")
        verbose_name_plural = _("deposit requests")
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(amount__gt=0)
                & Q(allocated_amount__gte=0)
                & Q(amount__gte=F("allocated_amount")),
                name="deposit_open_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order} {self.amount}"

    @property
    def open_amount(self) -> Decimal:
        if self.status != DepositStatus.OPEN:
            return ZERO
        return self.amount - self.allocated_amount


class Payment(models.Model):
    """Money received from a customer (收款), allocated to deposit requests and invoices; what
    is not allocated stays on the customer's account as credit."""

    number = models.CharField(_("receipt number"), max_length=40, unique=True, editable=False)
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="payments"
    )
    amount = money(_("amount"))
    method = models.CharField(_("method"), max_length=20, choices=PaymentMethod.choices)
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    received_on = models.DateField(_("received on"))
    note = models.CharField(_("note"), max_length=1000, blank=True)
    allocated_amount = money(_("allocated"), default=ZERO)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering: ClassVar = ["-received_on", "-id"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(amount__gt=0)
                & Q(allocated_amount__gte=0)
                & Q(amount__gte=F("allocated_amount")),
                name="payment_not_over_allocated",
            ),
        ]
        indexes: ClassVar = [
            models.Index(fields=["customer", "received_on"], name="payment_customer_received"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def unallocated_amount(self) -> Decimal:
        return self.amount - self.allocated_amount


class Allocation(models.Model):
    """Part of a payment applied to one invoice or one deposit request (核销)."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="allocations")
    invoice = models.ForeignKey(
        Invoice, null=True, blank=True, on_delete=models.PROTECT, related_name="allocations"
    )
    deposit_request = models.ForeignKey(
        DepositRequest,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="allocations",
    )
    amount = money(_("amount"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    reversed_at = models.DateTimeField(_("reversed"), null=True, blank=True)
    reversed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reverse_reason = models.CharField(_("reason for the reversal"), max_length=500, blank=True)
    # Set when a paid deposit is applied to the order's invoice: the deposit allocation is
    # reversed and the money moves to the invoice, yet the deposit still counts as received.
    moved_to = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="moved_from",
        verbose_name=_("moved to"),
    )

    class Meta:
        ordering: ClassVar = ["payment", "id"]
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        constraints: ClassVar = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="allocation_amount_pos"),
            models.CheckConstraint(
                condition=(Q(invoice__isnull=False) & Q(deposit_request__isnull=True))
                | (Q(invoice__isnull=True) & Q(deposit_request__isnull=False)),
                name="allocation_one_target",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.payment_id} → {self.invoice_id or self.deposit_request_id} {self.amount}"

    @property
    def active(self) -> bool:
        return self.reversed_at is None


# --- collection (催收) ------------------------------------------------------------------------


class CollectionSettings(models.Model):
    """When overdue invoices are chased (one row, created on first use). The intervals are
    calendar days: a customer's payment is late by calendar days whatever our working
    calendar says, and the job runs every day."""

    first_reminder_days_overdue = models.PositiveSmallIntegerField(
        _("first reminder after days overdue"), default=1
    )
    second_reminder_after_days = models.PositiveSmallIntegerField(
        _("second reminder days after the first"), default=7
    )
    notice_after_days = models.PositiveSmallIntegerField(
        _("collection notice days after the second reminder"), default=15
    )
    escalate_after_days = models.PositiveSmallIntegerField(
        _("escalation days after the collection notice"), default=30
    )

    class Meta:
        verbose_name = _("collection settings")
        verbose_name_plural = _("collection settings")

    def __str__(self) -> str:
        return "collection settings"


class CollectionLevel(models.TextChoices):
    FIRST_REMINDER = "first_reminder", _("First reminder")
    SECOND_REMINDER = "second_reminder", _("Second reminder")
    COLLECTION_NOTICE = "collection_notice", _("Collection notice")
    ESCALATED = "escalated", _("Escalated to the manager")


class CollectionStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("collection case status", "Open")
    PROMISED = "promised", pgettext_lazy("collection case status", "Payment promised")
    CLOSED = "closed", pgettext_lazy("collection case status", "Closed")


class CollectionCase(models.Model):
    """The chase of one overdue invoice (催收): opened by the daily job, raised a level when
    the interval since the last one passed without a live promise, closed when the invoice
    is no longer open."""

    invoice = models.ForeignKey(
        Invoice,
        verbose_name=_("invoice"),
        on_delete=models.PROTECT,
        related_name="collection_cases",
    )
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="+"
    )
    level = models.CharField(_("level"), max_length=20, choices=CollectionLevel.choices)
    level_reached_on = models.DateField(_("level reached on"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=CollectionStatus.choices,
        default=CollectionStatus.OPEN,
    )
    salesperson = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("salesperson"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    finance = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("finance"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    opened_on = models.DateField(_("opened on"))
    promised_on = models.DateField(_("payment promised for"), null=True, blank=True)
    promised_amount = money(_("amount promised"), null=True, blank=True)
    next_action_on = models.DateField(_("next action on"), null=True, blank=True)
    notice_sent_on = models.DateField(_("collection notice sent on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["-opened_on", "-id"]
        verbose_name = _("collection case")
        verbose_name_plural = _("collection cases")
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["invoice"],
                condition=~Q(status="closed"),
                name="collection_one_live_case_per_invoice",
            ),
        ]
        indexes: ClassVar = [
            models.Index(fields=["status", "salesperson"], name="collection_status_sales"),
        ]

    def __str__(self) -> str:
        return f"{self.invoice} {self.level}"


class ContactChannel(models.TextChoices):
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("E-mail")
    VISIT = "visit", _("Visit")
    MESSAGE = "message", _("Message (WeChat/SMS)")
    LETTER = "letter", _("Letter")


class PaymentContact(models.Model):
    """One contact with the customer about payment (催收记录), by a person or by the job."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="+"
    )
    invoice = models.ForeignKey(
        Invoice,
        verbose_name=_("invoice"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payment_contacts",
    )
    case = models.ForeignKey(
        CollectionCase,
        verbose_name=_("collection case"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contacts",
    )
    channel = models.CharField(_("channel"), max_length=10, choices=ContactChannel.choices)
    summary = models.CharField(_("summary"), max_length=2000)
    promised_amount = money(_("amount promised"), null=True, blank=True)
    promised_on = models.DateField(_("payment promised for"), null=True, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        ordering: ClassVar = ["-at", "-id"]
        verbose_name = _("payment contact")
        verbose_name_plural = _("payment contacts")
        indexes: ClassVar = [
            models.Index(fields=["customer", "-at"], name="payment_contact_customer"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.channel} {self.at:%Y-%m-%d}"


# --- statements (对账单) ----------------------------------------------------------------------


class StatementStatus(models.TextChoices):
    ISSUED = "issued", pgettext_lazy("statement status", "Awaiting the customer")  # 待确认
    CONFIRMED = "confirmed", pgettext_lazy("statement status", "Confirmed")  # 已确认
    DISPUTED = "disputed", pgettext_lazy("statement status", "Disputed")  # 有异议


class Statement(models.Model):
    """A customer's monthly statement (对账单): the balance at the start of the month, the
    invoices, credit notes, voids and payments of the month, and the balance at its end,
    as the customer is asked to confirm them.

    A snapshot: the figures and ``lines`` (date, kind, number, reference, order, debit,
    credit and running balance, amounts as strings) are copied when it is generated, so
    what the customer confirmed or disputed stays as they saw it. ``token`` is the key of
    the public page the e-mail links to.
    """

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="statements"
    )
    period = models.DateField(_("month"), help_text=_("The first day of the month."))
    opening_balance = money(_("opening balance"), default=ZERO)
    invoiced = money(_("invoiced"), default=ZERO)
    credited = money(_("credited"), default=ZERO)
    paid = money(_("paid"), default=ZERO)
    closing_balance = money(_("closing balance"), default=ZERO)
    lines = models.JSONField(_("lines"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=StatementStatus.choices, default=StatementStatus.ISSUED
    )
    token = models.CharField(max_length=64, unique=True, editable=False)
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    generated_at = models.DateTimeField(_("generated"))
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    sent_to = models.CharField(_("sent to"), max_length=254, blank=True)
    responded_at = models.DateTimeField(_("answered"), null=True, blank=True)
    responder_name = models.CharField(_("answered by"), max_length=100, blank=True)
    response_note = models.CharField(
        _("note or reason of the dispute"), max_length=1000, blank=True
    )
    # The staff member who recorded the customer's answer; empty when the customer answered
    # on the page the e-mail links to.
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering: ClassVar = ["-period", "customer_id"]
        verbose_name = _("statement")
        verbose_name_plural = _("statements")
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["customer", "period"], name="statement_one_per_customer_month"
            ),
        ]
        indexes: ClassVar = [
            models.Index(fields=["period", "status"], name="statement_period_status"),
        ]

    def __str__(self) -> str:
        return f"{self.customer.code} {self.period:%Y-%m}"

    @property
    def month(self) -> str:
        """The period as ``YYYY-MM``."""
        return f"{self.period:%Y-%m}"

    @property
    def answered(self) -> bool:
        return self.status != StatementStatus.ISSUED
