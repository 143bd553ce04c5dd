"""Price policy (价格执行方案): price lists and their prices, the discount authority of each
role, and promotions (促销).

Floors are stored on the price list item (``floor_price``): the minimum price travels with
the price it guards and has the same validity. When the list that priced a line carries
no floor, the standard list's floor for the product applies (see ``services.quote``).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from orderdesk.core.fields import money
from orderdesk.customers.models import Grade

ZERO = Decimal(0)


def percent(label: Any, **options: Any) -> Any:
    return models.DecimalField(
        label,
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(ZERO), MaxValueValidator(Decimal(100))],
        **options,
    )


class PriceListKind(models.TextChoices):
    STANDARD = "standard", _("Standard")  # 标准价
    GRADE = "grade", _("Customer grade")  # 等级价
    CUSTOMER = "customer", _("Customer")  # 客户专属价


class PriceList(models.Model):
    """A set of prices valid from ``valid_from`` to ``valid_until`` (inclusive; open if empty).

    Scope: the standard list, one credit grade, or one customer. Two active lists of the
    same scope never overlap in time (checked by ``services.price_lists``).
    """

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(
        _("kind"), max_length=10, choices=PriceListKind.choices, default=PriceListKind.STANDARD
    )
    grade = models.CharField(_("grade"), max_length=1, choices=Grade.choices, blank=True)
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="price_lists",
    )
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="CNY", editable=False)
    prices_include_tax = models.BooleanField(_("prices include VAT"), default=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering: ClassVar = ["kind", "grade", "customer_id", "-valid_from"]
        verbose_name = _("price list")
        verbose_name_plural = _("price lists")
        indexes: ClassVar = [models.Index(fields=["kind", "active", "valid_from"])]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=F("valid_from")),
                name="pricing_price_list_until_after_from",
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind="standard", grade="", customer__isnull=True)
                    | (Q(kind="grade", customer__isnull=True) & ~Q(grade=""))
                    | Q(kind="customer", grade="", customer__isnull=False)
                ),
                name="pricing_price_list_scope",
            ),
        ]
        permissions: ClassVar = [
            ("manage_prices", "Create and change price lists, prices and promotions"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class PriceListItem(models.Model):
    """The price of one product from ``min_quantity`` up (several rows = quantity breaks)."""

    price_list = models.ForeignKey(
        PriceList, verbose_name=_("price list"), on_delete=models.CASCADE, related_name="items"
    )
    product = models.ForeignKey(
        "catalog.Product", verbose_name=_("product"), on_delete=models.PROTECT, related_name="+"
    )
    min_quantity = models.DecimalField(
        _("from quantity"), max_digits=12, decimal_places=3, default=Decimal(1)
    )
    unit_price = money(_("unit price"), validators=[MinValueValidator(ZERO)])
    floor_price = money(
        _("minimum price"), null=True, blank=True, validators=[MinValueValidator(ZERO)]
    )

    class Meta:
        ordering: ClassVar = ["price_list", "product", "min_quantity"]
        verbose_name = _("price")
        verbose_name_plural = _("prices")
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["price_list", "product", "min_quantity"],
                name="pricing_item_one_price_per_break",
            ),
            models.CheckConstraint(
                condition=Q(unit_price__gte=0) & Q(min_quantity__gt=0),
                name="pricing_item_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.price_list.code} {self.product_id} ≥{self.min_quantity}: {self.unit_price}"


class DiscountAuthority(models.Model):
    """Company setting: how far below the price each role may go on its own (折扣权限)."""

    role = models.CharField(_("role"), max_length=40, unique=True)
    max_discount_percent = percent(_("maximum discount (%)"))

    class Meta:
        ordering: ClassVar = ["max_discount_percent"]
        verbose_name = _("discount authority")
        verbose_name_plural = _("discount authorities")

    def __str__(self) -> str:
        return f"{self.role}: {self.max_discount_percent} %"


class PromotionKind(models.TextChoices):
    PERCENT = "percent", _("Percentage off")  # 折扣
    AMOUNT_OFF = "amount_off", _("Amount off per unit")  # 直降
    SPEND_THRESHOLD = "spend_threshold", _("Spend X, get Y off the order")  # 满减
    QUANTITY_BREAK = "quantity_break", _("Percentage off from a quantity")  # 量大优惠


class Promotion(models.Model):
    """A promotion; empty target sets mean "all". Not stackable unless marked: the best
    single non-stackable promotion wins, stackable ones add to it."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=PromotionKind.choices)
    percent_off = percent(_("percentage off"), null=True, blank=True)
    amount_off = money(_("amount off"), null=True, blank=True, validators=[MinValueValidator(ZERO)])
    threshold_amount = money(
        _("order amount from"), null=True, blank=True, validators=[MinValueValidator(ZERO)]
    )
    min_quantity = models.DecimalField(
        _("from quantity"), max_digits=12, decimal_places=3, null=True, blank=True
    )
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    products = models.ManyToManyField(
        "catalog.Product", verbose_name=_("products"), blank=True, related_name="+"
    )
    categories = models.ManyToManyField(
        "catalog.Category", verbose_name=_("categories"), blank=True, related_name="+"
    )
    customers = models.ManyToManyField(
        "customers.Customer", verbose_name=_("customers"), blank=True, related_name="+"
    )
    grades = models.JSONField(_("customer grades"), default=list, blank=True)
    stackable = models.BooleanField(_("combines with other promotions"), default=False)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering: ClassVar = ["-valid_from", "code"]
        verbose_name = _("promotion")
        verbose_name_plural = _("promotions")
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=F("valid_from")),
                name="pricing_promotion_until_after_from",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"
