"""Shipping and delivery (发货与签收): carriers, the release to ship (发货放行), shipments
(发货单) with their lines, the shipping notices sent (发货告知书), delivery confirmation
(到货回单 / 签收) and delivery exceptions.

A shipment's quantities count against the order line while the shipment is a draft or
shipped/delivered; a cancelled draft frees them. Delivery is recorded per shipment line
(``delivered_quantity``); the order becomes delivered when every line is.
"""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from orderdesk.core.fields import money
from orderdesk.core.fields import quantity as quantity_field
from orderdesk.inventory.models import Warehouse
from orderdesk.orders.models import Order, OrderLine

ZERO = Decimal(0)


class Carrier(models.Model):
    """A carrier (承运商) with its transit time and tracking-number format (seeded by
    migration from ``tracking.CARRIERS``; an empty pattern accepts any text)."""

    code = models.CharField(_("code"), max_length=10, unique=True)
    name = models.CharField(_("name"), max_length=60)
    transit_working_days = models.PositiveSmallIntegerField(
        _("transit time (working days)"), default=3
    )
    tracking_pattern = models.CharField(_("tracking number format"), max_length=200, blank=True)
    tracking_example = models.CharField(_("example"), max_length=40, blank=True)
    active = models.BooleanField(_("active"), default=True)
    sort = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering: ClassVar = ["sort", "code"]
        verbose_name = _("carrier")
        verbose_name_plural = _("carriers")

    def __str__(self) -> str:
        return self.name


class ShippingSettings(models.Model):
    """Company settings for shipping (one row)."""

    over_shipment_percent = models.DecimalField(
        _("over-shipment tolerance %"), max_digits=5, decimal_places=2, default=ZERO
    )

    class Meta:
        verbose_name = _("shipping settings")
        verbose_name_plural = _("shipping settings")

    def __str__(self) -> str:
        return "shipping settings"


class ClearanceKind(models.TextChoices):
    CONTRACT_TERMS = "contract_terms", _("Per contract terms (A grade)")
    PAYMENT_RECEIVED = "payment_received", _("Balance received (finance)")
    URGENT = "urgent", _("Urgent release without paperwork")


class Clearance(models.Model):
    """The release to ship (发货放行) of one order.

    For B and C customers it records the amount billing had received on the order and the
    receipt numbers (services/clearance.py).
    """

    order = models.OneToOneField(Order, on_delete=models.CASCADE, related_name="clearance")
    kind = models.CharField(_("kind"), max_length=20, choices=ClearanceKind.choices)
    amount_received = money(_("amount received"), default=ZERO)
    reference = models.CharField(_("payment reference"), max_length=100, blank=True)
    note = models.CharField(_("note"), max_length=1000, blank=True)
    cleared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    cleared_at = models.DateTimeField(_("cleared at"), auto_now_add=True)
    paperwork_open = models.BooleanField(_("paperwork to complete"), default=False)
    paperwork_completed_at = models.DateTimeField(_("paperwork completed"), null=True, blank=True)
    paperwork_completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    paperwork_note = models.CharField(_("paperwork note"), max_length=1000, blank=True)

    class Meta:
        verbose_name = _("release to ship")
        verbose_name_plural = _("releases to ship")

    def __str__(self) -> str:
        return f"{self.order_id} {self.kind}"


class ShipmentStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("shipment status", "Draft")  # 草稿
    SHIPPED = "shipped", pgettext_lazy("shipment status", "Shipped")  # 已发货 / 在途
    DELIVERED = "delivered", pgettext_lazy("shipment status", "Delivered")  # 已签收
    CANCELLED = "cancelled", pgettext_lazy("shipment status", "Cancelled")


COUNTED = (ShipmentStatus.DRAFT, ShipmentStatus.SHIPPED, ShipmentStatus.DELIVERED)
"""Shipment statuses whose quantities count against the order line."""
SENT = (ShipmentStatus.SHIPPED, ShipmentStatus.DELIVERED)


class Shipment(models.Model):
    number = models.CharField(_("shipment number"), max_length=40, unique=True, editable=False)
    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.PROTECT, related_name="shipments"
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=ShipmentStatus.choices,
        default=ShipmentStatus.DRAFT,
        db_index=True,
    )
    ship_date = models.DateField(_("ship date"))
    warehouse = models.ForeignKey(
        Warehouse, verbose_name=_("warehouse"), on_delete=models.PROTECT, related_name="+"
    )
    carrier = models.ForeignKey(
        Carrier, verbose_name=_("carrier"), on_delete=models.PROTECT, related_name="shipments"
    )
    tracking_number = models.CharField(_("tracking number"), max_length=60, blank=True)
    packages = models.PositiveIntegerField(_("packages"), default=1)
    expected_arrival = models.DateField(_("expected arrival"))
    consignee = models.CharField(_("consignee"), max_length=50, blank=True)
    consignee_phone = models.CharField(_("consignee phone"), max_length=30, blank=True)
    province = models.CharField(_("province"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=30, blank=True)
    district = models.CharField(_("district"), max_length=30, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    difference_reason = models.CharField(
        _("reason for a consignee or address other than the order's"), max_length=500, blank=True
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    shipped_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    shipped_at = models.DateTimeField(_("shipped at"), null=True, blank=True)
    notice_sent_at = models.DateTimeField(_("notice sent"), null=True, blank=True)
    delivery_token = models.CharField(max_length=64, blank=True, db_index=True)
    delivered_on = models.DateField(_("delivered on"), null=True, blank=True)
    signer = models.CharField(_("signed by"), max_length=50, blank=True)
    delivery_proof = models.FileField(
        _("proof of delivery"), upload_to="shipping/%Y/%m/", blank=True
    )
    delivery_note = models.CharField(_("delivery note"), max_length=1000, blank=True)
    delivery_confirmed_at = models.DateTimeField(_("delivery confirmed"), null=True, blank=True)
    delivery_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    delivery_confirmed_via = models.CharField(_("confirmed via"), max_length=10, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["-ship_date", "-id"]
        verbose_name = _("shipment")
        verbose_name_plural = _("shipments")
        indexes: ClassVar = [
            models.Index(fields=["status", "expected_arrival"], name="shipment_in_transit"),
        ]
        permissions: ClassVar = [
            ("ship_orders", "Enter and confirm shipments"),
            ("manage_carriers", "Manage carriers and shipping settings"),
            ("clear_shipments", "Clear orders for shipment (finance)"),
            ("approve_urgent_shipments", "Approve urgent shipments without paperwork"),
            ("confirm_deliveries", "Confirm deliveries"),
            ("report_delivery_exceptions", "Report delivery exceptions"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def full_address(self) -> str:
        return "".join((self.province, self.city, self.district, self.address))


class ShipmentLine(models.Model):
    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(
        OrderLine, verbose_name=_("order line"), on_delete=models.PROTECT, related_name="+"
    )
    quantity = quantity_field(_("quantity"))
    delivered_quantity = quantity_field(_("delivered"), default=ZERO)

    class Meta:
        ordering: ClassVar = ["shipment", "order_line__line_no"]
        verbose_name = _("shipment line")
        verbose_name_plural = _("shipment lines")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["shipment", "order_line"], name="one_shipment_line"),
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0), name="shipment_line_quantity_pos"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.shipment_id}/{self.order_line_id} {self.quantity}"


class ShipmentNotice(models.Model):
    """One sending of the shipping notice (发货告知书): to whom, when, whether it left."""

    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="notices")
    sent_to = models.CharField(_("sent to"), max_length=300)
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ok = models.BooleanField(_("sent"), default=True)
    error = models.CharField(_("error"), max_length=500, blank=True)

    class Meta:
        ordering: ClassVar = ["shipment", "-sent_at", "-id"]
        verbose_name = _("shipping notice")
        verbose_name_plural = _("shipping notices")

    def __str__(self) -> str:
        return f"{self.shipment_id} → {self.sent_to}"


class DeliveryException(models.Model):
    """A problem found on receipt (damage, short quantity, wrong model, late arrival); each
    opens an after-sales case (售后工单), whose id and number are kept here."""

    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="exceptions")
    kind = models.CharField(_("kind"), max_length=20)
    lines = models.JSONField(_("lines"), default=list, blank=True)
    description = models.TextField(_("description"), max_length=4000)
    photos = models.PositiveSmallIntegerField(_("photos"), default=0)
    case_id = models.PositiveBigIntegerField(_("case"), null=True, blank=True)
    case_number = models.CharField(_("case number"), max_length=40, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reported_at = models.DateTimeField(_("reported at"), auto_now_add=True)

    class Meta:
        ordering: ClassVar = ["shipment", "-reported_at"]
        verbose_name = _("delivery exception")
        verbose_name_plural = _("delivery exceptions")

    def __str__(self) -> str:
        return f"{self.shipment_id} {self.kind}"
