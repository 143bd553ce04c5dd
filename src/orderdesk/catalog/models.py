"""The product catalog (产品目录): categories and products with spec/model, unit, VAT rate,
lead time and the flags that decide how an order line is checked."""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class TaxRate(models.TextChoices):
    """VAT bands: goods 13 %, agricultural machinery / construction 9 %, services 6 %."""

    GOODS = "0.13", _("13 %")
    REDUCED = "0.09", _("9 %")
    SERVICES = "0.06", _("6 %")


class SalesKind(models.TextChoices):
    NORMAL = "normal", _("Normal sales item")  # 常规销售品
    CUSTOM = "custom", _("Custom-made (technical review)")  # 特殊定制品，需技术评审
    PROHIBITED = "prohibited", _("Prohibited (cannot be ordered)")  # 禁止销售


class Supply(models.TextChoices):
    MAKE_TO_STOCK = "make_to_stock", _("Make to stock")  # 备货生产
    MAKE_TO_ORDER = "make_to_order", _("Make to order")  # 按单生产


class Category(models.Model):
    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=60)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    class Meta:
        ordering: ClassVar = ["code"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.name


class Product(models.Model):
    """A product or service that can be quoted and ordered."""

    sku = models.CharField(
        _("SKU"),
        max_length=40,
        unique=True,
        validators=[
            RegexValidator(
                r"^[A-Za-z0-9][A-Za-z0-9._/-]*$", _("Use letters, digits and . _ / - only.")
            )
        ],
    )
    name = models.CharField(_("name"), max_length=120)
    spec = models.CharField(_("specification"), max_length=200, blank=True)  # 规格
    model_number = models.CharField(_("model"), max_length=100, blank=True)  # 型号
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="products"
    )
    unit = models.CharField(_("unit"), max_length=10)
    tax_rate = models.DecimalField(
        _("VAT rate"),
        max_digits=4,
        decimal_places=2,
        choices=[(Decimal(v), label) for v, label in TaxRate.choices],
        default=Decimal("0.13"),
    )
    lead_time_days = models.PositiveSmallIntegerField(
        _("standard lead time (working days)"), default=5
    )
    sales_kind = models.CharField(
        _("sales kind"), max_length=12, choices=SalesKind.choices, default=SalesKind.NORMAL
    )
    supply = models.CharField(
        _("supply"), max_length=14, choices=Supply.choices, default=Supply.MAKE_TO_STOCK
    )
    is_active = models.BooleanField(_("active"), default=True)
    weight_kg = models.DecimalField(
        _("weight (kg)"),
        max_digits=10,
        decimal_places=3,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
    )
    description = models.TextField(_("description"), max_length=4000, blank=True)
    pinyin = models.CharField(max_length=120, db_index=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering: ClassVar = ["sku"]
        verbose_name = _("product")
        verbose_name_plural = _("products")
        indexes: ClassVar = [models.Index(fields=["category", "is_active"])]
        permissions: ClassVar = [
            ("manage_products", "Create and change products"),
        ]

    def __str__(self) -> str:
        return f"{self.sku} {self.name}"

    @property
    def orderable(self) -> bool:
        return self.is_active and self.sales_kind != SalesKind.PROHIBITED
