"""Order changes (订单变更): change requests, the departments' approvals, and the order's
numbered revisions with the customer's acknowledgement (seed 001 §六, 004 合同变更记录).

A change request holds what should change (``proposal``) and what the system found it would
do (``impact``); it is decided by the departments whose check it affects and applied in one
transaction. Each application adds an :class:`OrderRevision` — a snapshot of the order's
header and lines — so any two revisions can be compared.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from orderdesk.orders.models import Order


class ChangeStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("change request status", "Under approval")  # 审批中
    APPROVED = "approved", pgettext_lazy("change request status", "Approved")  # 已批准，待执行
    REJECTED = "rejected", pgettext_lazy("change request status", "Rejected")
    APPLIED = "applied", pgettext_lazy("change request status", "Applied")  # 已生效
    WITHDRAWN = "withdrawn", pgettext_lazy("change request status", "Withdrawn")


UNDECIDED = (ChangeStatus.OPEN, ChangeStatus.APPROVED)
"""A request in these statuses holds its lines: a second request on them is refused."""


class Party(models.TextChoices):
    CUSTOMER = "customer", _("The customer")
    INTERNAL = "internal", _("Internal")


class ReasonCategory(models.TextChoices):
    """Why the order changed after approval — counted for the order-accuracy KPI."""

    CUSTOMER_REQUEST = "customer_request", _("Customer's request")
    ENTRY_ERROR = "entry_error", _("Entry error")
    STOCK = "stock", _("Stock or supply")
    PRODUCTION = "production", _("Production capacity or quality")
    PRICE = "price", _("Price or terms renegotiated")
    OTHER = "other", _("Other")


class ChangeKind(models.TextChoices):
    QUANTITY = "quantity", _("Quantity")
    PRODUCT = "product", _("Product or specification")
    ADD_LINE = "add_line", _("Line added")
    REMOVE_LINE = "remove_line", _("Line removed")
    DELIVERY_DATE = "delivery_date", _("Delivery date")
    PRICE = "price", _("Price")
    ADDRESS = "address", _("Delivery address")
    PAYMENT_TERMS = "payment_terms", _("Payment terms")
    CANCELLATION = "cancellation", _("Cancellation")


class Department(models.TextChoices):
    SALES = "sales", _("Sales")
    PRICING = "pricing", _("Pricing authority")
    FINANCE = "finance", _("Finance")
    WAREHOUSE = "warehouse", _("Warehouse")
    PRODUCTION = "production", _("Production / technical")
    LOGISTICS = "logistics", _("Logistics")


class ChangeRequest(models.Model):
    """订单变更申请表: one request may change several fields and lines at once."""

    number = models.CharField(_("number"), max_length=40, unique=True, editable=False)
    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.PROTECT, related_name="change_requests"
    )
    status = models.CharField(
        _("status"), max_length=12, choices=ChangeStatus.choices, default=ChangeStatus.OPEN
    )
    party = models.CharField(_("asked by"), max_length=10, choices=Party.choices)
    requested_by_name = models.CharField(_("who asked"), max_length=100, blank=True)
    requested_at = models.DateTimeField(_("asked at"))
    reason = models.CharField(_("reason"), max_length=1000)
    reason_category = models.CharField(
        _("reason category"), max_length=20, choices=ReasonCategory.choices
    )
    base_version = models.PositiveIntegerField(_("order version asked against"))
    proposal = models.JSONField(_("proposed changes"), default=dict)
    """``{"header": {field: value}, "lines": [{"line_id", "quantity"?, "unit_price"?,
    "product_id"?}], "add": [{"product_id", "quantity", "unit_price"?}], "remove": [line_id],
    "cancel": bool}`` — values as entered (strings for amounts and dates)."""
    impact = models.JSONField(_("impact assessment"), default=dict, blank=True)
    kinds = models.JSONField(_("what changes"), default=list, blank=True)
    line_ids = models.JSONField(_("order lines concerned"), default=list, blank=True)
    header_fields = models.JSONField(_("order fields concerned"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    applied_at = models.DateTimeField(_("applied"), null=True, blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    withdrawn_reason = models.CharField(_("reason for withdrawing"), max_length=1000, blank=True)
    invoices_to_correct = models.BooleanField(_("invoices to correct"), default=False)
    """Applied with issued invoices to correct (``impact["invoices"]``): a task for finance
    until it records the correction."""
    invoices_corrected_at = models.DateTimeField(_("invoices corrected"), null=True, blank=True)
    invoices_corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    invoices_note = models.CharField(_("invoice correction note"), max_length=1000, blank=True)

    class Meta:
        ordering: ClassVar = ["-created_at", "-id"]
        verbose_name = _("change request")
        verbose_name_plural = _("change requests")
        indexes: ClassVar = [
            models.Index(fields=["order", "status"], name="change_order_status"),
            models.Index(fields=["status", "applied_at"], name="change_applied"),
        ]
        permissions: ClassVar = [
            ("request_changes", "Request order changes"),
            ("approve_logistics_changes", "Approve order changes for logistics"),
        ]

    def __str__(self) -> str:
        return self.number


class ApprovalStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class ChangeApproval(models.Model):
    """One department's decision on a change request, due within its time limit."""

    request = models.ForeignKey(ChangeRequest, on_delete=models.CASCADE, related_name="approvals")
    department = models.CharField(_("department"), max_length=12, choices=Department.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=ApprovalStatus.choices, default=ApprovalStatus.PENDING
    )
    why = models.CharField(_("why this department"), max_length=300, blank=True)
    role = models.CharField(_("approver role"), max_length=40, blank=True)
    """The group whose members decide: the department's reviewers, the price authority the
    change needs, or the general manager for a credit excess beyond finance's limit."""
    due_at = models.DateTimeField(_("due"))
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(_("comment or reason"), max_length=1000, blank=True)
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)
    escalated_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering: ClassVar = ["request", "id"]
        verbose_name = _("change approval")
        verbose_name_plural = _("change approvals")
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["request", "department"], name="one_approval_per_department"
            ),
        ]
        indexes: ClassVar = [
            models.Index(fields=["status", "department", "due_at"], name="change_approval_queue"),
        ]

    def __str__(self) -> str:
        return f"{self.request_id} {self.department}"


class AcknowledgementStatus(models.TextChoices):
    NOT_SENT = "not_sent", _("Not sent")
    SENT = "sent", _("Sent to the customer")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged by the customer")


class OrderRevision(models.Model):
    """Version N of an order (v1 = as approved, before the first change): header and lines
    as they were, and the customer's acknowledgement of the revised confirmation."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField(_("revision"))
    snapshot = models.JSONField(_("order as of this revision"))
    change_request = models.OneToOneField(
        ChangeRequest,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="revision",
        verbose_name=_("change request"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    ack_status = models.CharField(
        _("customer acknowledgement"),
        max_length=14,
        choices=AcknowledgementStatus.choices,
        default=AcknowledgementStatus.NOT_SENT,
    )
    ack_token = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    acknowledged_by_name = models.CharField(_("acknowledged by"), max_length=100, blank=True)
    ack_note = models.CharField(_("customer's note"), max_length=1000, blank=True)

    class Meta:
        ordering: ClassVar = ["order", "number"]
        verbose_name = _("order revision")
        verbose_name_plural = _("order revisions")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["order", "number"], name="one_revision_number"),
        ]

    def __str__(self) -> str:
        return f"{self.order_id} v{self.number}"
