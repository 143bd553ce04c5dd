"""Preparation (备货): pick lists (拣货单) for the stock lines of released orders.

One pick list per warehouse covers what the warehouse review reserved for each order line
(the open reservation with reference ``orders.OrderLine:<id>``) and is not on another
open or picked pick list yet. The warehouse records what it picked; what is picked on the
lists that are not cancelled is the line's prepared quantity (``selectors.prepared_by_line``),
shown on the order as "80 % prepared".
"""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from orderdesk.catalog.models import Product
from orderdesk.core import fields
from orderdesk.inventory.models import Warehouse
from orderdesk.orders.models import Order, OrderLine

ZERO = Decimal(0)


class PickListStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("pick list status", "Open")  # 待拣货
    PICKED = "picked", pgettext_lazy("pick list status", "Picked")  # 已拣货
    CANCELLED = "cancelled", pgettext_lazy("pick list status", "Cancelled")  # 已取消


class PickList(models.Model):
    number = models.CharField(_("pick list number"), max_length=40, unique=True, editable=False)
    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.PROTECT, related_name="pick_lists"
    )
    warehouse = models.ForeignKey(
        Warehouse, verbose_name=_("warehouse"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=PickListStatus.choices,
        default=PickListStatus.OPEN,
        db_index=True,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    completed_at = models.DateTimeField(_("picked at"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=500, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["-created_at", "-id"]
        verbose_name = _("pick list")
        verbose_name_plural = _("pick lists")
        indexes: ClassVar = [
            models.Index(fields=["warehouse", "status"], name="picklist_wh_status"),
        ]
        permissions: ClassVar = [
            ("prepare_orders", "Prepare orders (pick lists)"),
        ]

    def __str__(self) -> str:
        return self.number


class PickLine(models.Model):
    pick_list = models.ForeignKey(PickList, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(
        OrderLine, verbose_name=_("order line"), on_delete=models.PROTECT, related_name="+"
    )
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="+"
    )
    location = models.CharField(_("location"), max_length=100, blank=True)
    quantity = fields.quantity(_("quantity to pick"))
    picked_quantity = fields.quantity(_("picked"), default=ZERO)

    class Meta:
        ordering: ClassVar = ["pick_list", "location", "order_line__line_no", "id"]
        verbose_name = _("pick line")
        verbose_name_plural = _("pick lines")
        constraints: ClassVar = [
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="pick_quantity_pos"),
            models.CheckConstraint(
                condition=models.Q(picked_quantity__gte=0)
                & models.Q(picked_quantity__lte=models.F("quantity")),
                name="picked_within_quantity",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pick_list_id}/{self.order_line_id} {self.quantity}"

    @property
    def complete(self) -> bool:
        return self.picked_quantity >= self.quantity
