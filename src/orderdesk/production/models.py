"""Production orders (生产指令单) and their daily progress reports (生产日报).

A production order is made from a released order for a line that is made to order or short
of stock. Its ``status`` moves planned → in progress → QC passed → completed (the finished
goods received into a warehouse and reserved for the order line), with an exception state
in between that is resolved back to in progress. See ``services.py`` for the rules.
"""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from orderdesk.catalog.models import Product
from orderdesk.core.fields import quantity as quantity_field
from orderdesk.inventory.models import Warehouse
from orderdesk.orders.models import Order, OrderLine

ZERO = Decimal(0)


class ProductionStatus(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("production status", "Planned")  # 已计划
    IN_PROGRESS = "in_progress", pgettext_lazy("production status", "In progress")  # 生产中
    QC_PASSED = "qc_passed", pgettext_lazy("production status", "QC passed")  # 质检合格
    COMPLETED = "completed", pgettext_lazy("production status", "Completed")  # 已完工入库
    EXCEPTION = "exception", pgettext_lazy("production status", "Exception")  # 异常


OPEN_STATUSES = (
    ProductionStatus.PLANNED,
    ProductionStatus.IN_PROGRESS,
    ProductionStatus.QC_PASSED,
    ProductionStatus.EXCEPTION,
)


class ExceptionKind(models.TextChoices):
    MATERIAL_SHORTAGE = "material_shortage", _("Material shortage")  # 缺料
    EQUIPMENT_FAILURE = "equipment_failure", _("Equipment failure")  # 设备故障
    QUALITY_PROBLEM = "quality_problem", _("Quality problem")  # 质量问题
    OTHER = "other", _("Other")


class ProductionOrder(models.Model):
    number = models.CharField(
        _("production order number"), max_length=40, unique=True, editable=False
    )
    order = models.ForeignKey(
        Order,
        verbose_name=_("sales order"),
        on_delete=models.PROTECT,
        related_name="production_orders",
    )
    order_line = models.ForeignKey(
        OrderLine, verbose_name=_("order line"), on_delete=models.PROTECT, related_name="+"
    )
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="+"
    )
    quantity = quantity_field(_("quantity"))
    tolerance_percent = models.DecimalField(
        _("allowed tolerance %"),
        max_digits=5,
        decimal_places=2,
        default=ZERO,
        validators=[MinValueValidator(ZERO), MaxValueValidator(Decimal(20))],
    )
    packing_requirements = models.CharField(_("packing"), max_length=200, blank=True)
    due_date = models.DateField(_("due date"))
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible"),
        on_delete=models.PROTECT,
        related_name="production_orders",
    )
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=ProductionStatus.choices,
        default=ProductionStatus.PLANNED,
        db_index=True,
    )
    completed_quantity = quantity_field(_("completed quantity"), default=ZERO)
    warehouse = models.ForeignKey(
        Warehouse,
        verbose_name=_("warehouse"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    exception_kind = models.CharField(
        _("exception"), max_length=20, choices=ExceptionKind.choices, blank=True
    )
    exception_note = models.CharField(_("exception note"), max_length=1000, blank=True)
    exception_at = models.DateTimeField(_("exception reported"), null=True, blank=True)
    expected_on = models.DateField(_("now expected on"), null=True, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    qc_passed_at = models.DateTimeField(_("QC passed"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering: ClassVar = ["due_date", "id"]
        verbose_name = _("production order")
        verbose_name_plural = _("production orders")
        constraints: ClassVar = [
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="production_qty_pos"),
        ]
        indexes: ClassVar = [
            models.Index(fields=["status", "due_date"], name="production_board"),
        ]
        permissions: ClassVar = [
            ("manage_production_orders", "Create and run production orders"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status != ProductionStatus.COMPLETED

    @property
    def lower_bound(self) -> Decimal:
        return (self.quantity * (1 - self.tolerance_percent / 100)).quantize(Decimal("0.001"))

    @property
    def upper_bound(self) -> Decimal:
        return (self.quantity * (1 + self.tolerance_percent / 100)).quantize(Decimal("0.001"))


class ProgressReport(models.Model):
    """One day's progress of a production order (生产日报): a percentage and/or the
    quantity done so far, with a note. One per order and day; a second report the same day
    replaces the first (audited)."""

    production_order = models.ForeignKey(
        ProductionOrder, on_delete=models.CASCADE, related_name="reports"
    )
    day = models.DateField(_("day"))
    percent = models.DecimalField(
        _("percent done"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(ZERO), MaxValueValidator(Decimal(100))],
    )
    quantity_done = quantity_field(_("quantity done"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=1000, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("reported at"), auto_now=True)

    class Meta:
        ordering: ClassVar = ["production_order", "-day"]
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["production_order", "day"], name="one_progress_report_per_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.production_order_id} {self.day}"
