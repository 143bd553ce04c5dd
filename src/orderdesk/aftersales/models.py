"""After-sales cases (售后工单): a minimal case model opened by delivery exceptions.

Issue 6 opens one case per delivery exception (damage, short quantity, wrong model, late
arrival) and tells customer service; the after-sales issue extends the model (resolutions,
returns, compensation). A case is due two working days after it was opened.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from orderdesk.orders.models import Order


class CaseKind(models.TextChoices):
    DAMAGE = "damage", _("Damaged goods")  # 货损
    SHORT_QUANTITY = "short_quantity", _("Short quantity")  # 少货
    WRONG_MODEL = "wrong_model", _("Wrong model")  # 错货
    LATE_ARRIVAL = "late_arrival", _("Late arrival")  # 延迟到货
    OTHER = "other", _("Other")


class CaseStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("case status", "Open")  # 待处理
    IN_PROGRESS = "in_progress", pgettext_lazy("case status", "In progress")  # 处理中
    RESOLVED = "resolved", pgettext_lazy("case status", "Resolved")  # 已解决
    CLOSED = "closed", pgettext_lazy("case status", "Closed")  # 已关闭


ACTIVE = (CaseStatus.OPEN, CaseStatus.IN_PROGRESS)


class Case(models.Model):
    number = models.CharField(_("case number"), max_length=40, unique=True, editable=False)
    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.PROTECT, related_name="cases"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=CaseKind.choices)
    lines = models.JSONField(_("lines"), default=list, blank=True)
    """What the case is about, as the caller gave it, e.g.
    ``[{"shipment_line_id": 3, "sku": "…", "quantity": "2"}]``."""
    description = models.TextField(_("description"), max_length=4000)
    source = models.CharField(_("source"), max_length=200, blank=True)
    """Where the case came from, e.g. "shipment FH20261204001"."""
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=CaseStatus.choices,
        default=CaseStatus.OPEN,
        db_index=True,
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    due_at = models.DateTimeField(_("due"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opened by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("opened"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["-created_at", "-id"]
        verbose_name = _("after-sales case")
        verbose_name_plural = _("after-sales cases")
        indexes: ClassVar = [
            models.Index(fields=["status", "due_at"], name="case_status_due"),
        ]
        permissions: ClassVar = [
            ("handle_cases", "Handle after-sales cases"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def active(self) -> bool:
        return self.status in ACTIVE


class CasePhoto(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(_("file"), upload_to="cases/%Y/%m/")
    filename = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size"), default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        ordering: ClassVar = ["case", "uploaded_at", "id"]
        verbose_name = _("case photo")
        verbose_name_plural = _("case photos")

    def __str__(self) -> str:
        return self.filename
