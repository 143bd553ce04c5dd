"""Warehouses and stock (仓库与库存): stored levels per product and warehouse, the
append-only movement ledger they can be rebuilt from, reservations and purchase requests
(the expected restock date).

Quantities are ``Decimal`` with three places (kg, m, pieces alike). ``StockLevel`` holds the
running totals the services update under a row lock; ``StockMovement`` is the ledger; the
database refuses a level whose reserved exceeds on hand, so even a bug cannot oversell.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from orderdesk.core.models import AppendOnlyModel


class Warehouse(models.Model):
    code = models.SlugField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    province = models.CharField(_("province"), max_length=30, blank=True)
    city = models.CharField(_("city"), max_length=30, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering: ClassVar = ["code"]
        verbose_name = _("warehouse")
        verbose_name_plural = _("warehouses")
        permissions: ClassVar = [
            ("manage_stock", "Receive, adjust and issue stock; manage warehouses"),
            ("reserve_stock", "Reserve and release stock for orders"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Location(models.Model):
    """A bin or shelf inside a warehouse (库位)."""

    warehouse = models.ForeignKey(
        Warehouse, verbose_name=_("warehouse"), on_delete=models.PROTECT, related_name="locations"
    )
    code = models.CharField(_("code"), max_length=30)
    name = models.CharField(_("name"), max_length=100, blank=True)

    class Meta:
        ordering: ClassVar = ["warehouse", "code"]
        verbose_name = _("location")
        verbose_name_plural = _("locations")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["warehouse", "code"], name="unique_location_code")
        ]

    def __str__(self) -> str:
        return f"{self.warehouse.code}/{self.code}"


class StockLevel(models.Model):
    """On hand and reserved of one product in one warehouse; available = on hand − reserved."""

    product = models.ForeignKey(
        "catalog.Product",
        verbose_name=_("product"),
        on_delete=models.PROTECT,
        related_name="stock_levels",
    )
    warehouse = models.ForeignKey(
        Warehouse, verbose_name=_("warehouse"), on_delete=models.PROTECT, related_name="levels"
    )
    on_hand = models.DecimalField(_("on hand"), default=0, max_digits=14, decimal_places=3)
    reserved = models.DecimalField(_("reserved"), default=0, max_digits=14, decimal_places=3)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering: ClassVar = ["product", "warehouse"]
        verbose_name = _("stock level")
        verbose_name_plural = _("stock levels")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["product", "warehouse"], name="unique_stock_level"),
            models.CheckConstraint(condition=models.Q(on_hand__gte=0), name="on_hand_not_negative"),
            models.CheckConstraint(
                condition=models.Q(reserved__gte=0), name="reserved_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(reserved__lte=models.F("on_hand")),
                name="reserved_within_on_hand",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product.sku} @ {self.warehouse.code}"

    @property
    def available(self) -> Any:
        return self.on_hand - self.reserved


class MovementKind(models.TextChoices):
    RECEIPT = "receipt", _("Receipt")  # 入库
    RESERVATION = "reservation", _("Reservation")  # 预留
    RELEASE = "release", _("Release")  # 释放预留
    ISSUE = "issue", _("Issue")  # 出库
    ADJUSTMENT = "adjustment", _("Adjustment")  # 盘点调整
    RETURN = "return", _("Return")  # 退货入库


class StockMovement(AppendOnlyModel):
    """One line of the stock ledger (库存台账). Never updated or deleted.

    ``quantity`` is always positive; the kind gives the sign (see
    ``calculations.movement_effect``), and ``decrease`` marks a downward adjustment.
    """

    kind = models.CharField(_("kind"), max_length=12, choices=MovementKind.choices)
    product = models.ForeignKey(
        "catalog.Product", verbose_name=_("product"), on_delete=models.PROTECT, related_name="+"
    )
    warehouse = models.ForeignKey(
        Warehouse, verbose_name=_("warehouse"), on_delete=models.PROTECT, related_name="movements"
    )
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=3)
    decrease = models.BooleanField(_("decrease"), default=False)
    reservation = models.ForeignKey(
        "Reservation",
        verbose_name=_("reservation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="movements",
    )
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    source_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    source_id = models.CharField(max_length=64, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    class Meta:
        ordering: ClassVar = ["-at", "-id"]
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")
        default_permissions = ("view",)
        indexes: ClassVar = [models.Index(fields=["product", "warehouse", "kind"])]
        constraints: ClassVar = [
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="movement_positive"),
            models.CheckConstraint(
                condition=models.Q(decrease=False) | models.Q(kind="adjustment"),
                name="only_adjustments_decrease",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.quantity} {self.product_id}@{self.warehouse_id}"


class ReservationStatus(models.TextChoices):
    OPEN = "open", _("Open")
    RELEASED = "released", _("Released")
    ISSUED = "issued", _("Issued")


class Reservation(models.Model):
    """Stock held for one order line (or anything else named by ``reference``).

    ``reference`` is a key such as ``orders.OrderLine:17``: at most one open reservation per
    key. ``issued`` counts what already left the warehouse; the open remainder is
    ``quantity − issued``.
    """

    product = models.ForeignKey(
        "catalog.Product", verbose_name=_("product"), on_delete=models.PROTECT, related_name="+"
    )
    warehouse = models.ForeignKey(
        Warehouse,
        verbose_name=_("warehouse"),
        on_delete=models.PROTECT,
        related_name="reservations",
    )
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=3)
    issued = models.DecimalField(_("issued"), default=0, max_digits=14, decimal_places=3)
    reference = models.CharField(_("reference"), max_length=100)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ReservationStatus.choices,
        default=ReservationStatus.OPEN,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reserved by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("reserved at"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["-created_at", "-id"]
        verbose_name = _("reservation")
        verbose_name_plural = _("reservations")
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["reference"],
                condition=models.Q(status="open"),
                name="one_open_reservation_per_reference",
            ),
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="reservation_positive"),
            models.CheckConstraint(
                condition=models.Q(issued__gte=0) & models.Q(issued__lte=models.F("quantity")),
                name="issued_within_reservation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference}: {self.quantity}"

    @property
    def open_quantity(self) -> Any:
        return self.quantity - self.issued if self.status == ReservationStatus.OPEN else Decimal(0)


class PurchaseStatus(models.TextChoices):
    OPEN = "open", _("Open")
    RECEIVED = "received", _("Received")
    CANCELLED = "cancelled", _("Cancelled")


class PurchaseRequest(models.Model):
    """Restock on the way (采购/生产申请): its ``expected_on`` is the restock date quoted
    to a customer whose order cannot be served from stock."""

    product = models.ForeignKey(
        "catalog.Product", verbose_name=_("product"), on_delete=models.PROTECT, related_name="+"
    )
    warehouse = models.ForeignKey(
        Warehouse,
        verbose_name=_("warehouse"),
        on_delete=models.PROTECT,
        related_name="purchase_requests",
    )
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=3)
    expected_on = models.DateField(_("expected on"))
    status = models.CharField(
        _("status"), max_length=10, choices=PurchaseStatus.choices, default=PurchaseStatus.OPEN
    )
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering: ClassVar = ["expected_on", "id"]
        verbose_name = _("purchase request")
        verbose_name_plural = _("purchase requests")
        indexes: ClassVar = [models.Index(fields=["product", "status", "expected_on"])]
        constraints: ClassVar = [
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="purchase_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.product_id} × {self.quantity} on {self.expected_on}"
