"""Customer master data (客户档案): customers, addresses, contacts, credit files, needs and
the interaction log."""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from orderdesk.core.fields import money


class CustomerType(models.TextChoices):
    COMPANY = "company", pgettext_lazy("customer type", "Company")
    INDIVIDUAL = "individual", pgettext_lazy("customer type", "Individual")


class CustomerStatus(models.TextChoices):
    PROSPECT = "prospect", pgettext_lazy("customer status", "Prospect")  # 潜在客户
    ACTIVE = "active", pgettext_lazy("customer status", "Active")  # 合作中
    DORMANT = "dormant", pgettext_lazy("customer status", "Dormant")  # 休眠
    BLACKLISTED = "blacklisted", pgettext_lazy("customer status", "Blacklisted")  # 黑名单


class SourceChannel(models.TextChoices):
    TRADE_SHOW = "trade_show", _("Trade show")
    REFERRAL = "referral", _("Referral")
    WEBSITE = "website", _("Website")
    ECOMMERCE = "ecommerce", _("E-commerce platform")
    COLD_CALL = "cold_call", _("Cold call")
    EXISTING = "existing", _("Existing relationship")
    TENDER = "tender", _("Tender")
    OTHER = "other", _("Other")


class Grade(models.TextChoices):
    A = "A", _("Grade A")
    B = "B", _("Grade B")
    C = "C", _("Grade C")


class Customer(models.Model):
    """A customer (客户). ``code`` comes from the numbering rule and never changes."""

    code = models.CharField(_("customer code"), max_length=40, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=50, blank=True)
    type = models.CharField(
        _("type"), max_length=12, choices=CustomerType.choices, default=CustomerType.COMPANY
    )
    industry = models.CharField(_("industry"), max_length=60, blank=True)
    business_scope = models.TextField(_("business scope"), max_length=2000, blank=True)
    uscc = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    website = models.CharField(_("website"), max_length=200, blank=True)
    province = models.CharField(_("province"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=30, blank=True)
    district = models.CharField(_("district"), max_length=30, blank=True)
    address = models.CharField(_("registered address"), max_length=200, blank=True)
    invoice_title = models.CharField(_("invoice title"), max_length=200, blank=True)
    tax_number = models.CharField(_("tax number"), max_length=20, blank=True)
    bank_name = models.CharField(_("bank"), max_length=100, blank=True)
    bank_account = models.CharField(_("bank account"), max_length=40, blank=True)
    cooperation_intent = models.TextField(_("cooperation intent"), max_length=1000, blank=True)
    first_product = models.CharField(_("first product"), max_length=200, blank=True)
    expected_amount = money(
        _("expected amount"),
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
    )
    source_channel = models.CharField(
        _("source channel"), max_length=20, choices=SourceChannel.choices, blank=True
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="owned_customers",
    )
    status = models.CharField(
        _("status"), max_length=12, choices=CustomerStatus.choices, default=CustomerStatus.PROSPECT
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Search keys kept by the services: the name without spaces, width or legal suffixes,
    # and its pinyin initials (杭州电子 -> hzdz).
    name_key = models.CharField(max_length=200, db_index=True, editable=False)
    pinyin = models.CharField(max_length=200, db_index=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering: ClassVar = ["-id"]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["uscc"], condition=~Q(uscc=""), name="customer_unique_uscc"
            ),
        ]
        indexes: ClassVar = [
            models.Index(fields=["owner", "status"]),
            models.Index(fields=["province", "city"]),
        ]
        permissions: ClassVar = [
            ("view_own_customers", "See and edit own customers"),
            ("view_team_customers", "See the customers of one's team"),
            ("view_all_customers", "See all customers"),
            ("create_customers", "Create customers"),
            ("edit_customers", "Edit visible customers"),
            ("view_personal_data", "See contact mobiles and bank accounts unmasked"),
            ("view_credit_file", "See credit files"),
            ("manage_credit", "Apply or override credit grades"),
            ("merge_customers", "Merge duplicate customers"),
            ("import_customers", "Import customers from spreadsheets"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("customers:detail", args=[self.pk])


class Address(models.Model):
    """A delivery address (收货地址) of a customer."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="addresses")
    label = models.CharField(_("label"), max_length=50, blank=True)
    province = models.CharField(_("province"), max_length=20)
    city = models.CharField(_("city"), max_length=30)
    district = models.CharField(_("district"), max_length=30, blank=True)
    detail = models.CharField(_("address"), max_length=200)
    receiver = models.CharField(_("receiver"), max_length=50, blank=True)
    receiver_phone = models.CharField(_("receiver phone"), max_length=30, blank=True)
    is_default = models.BooleanField(_("default"), default=False)

    class Meta:
        ordering: ClassVar = ["-is_default", "id"]
        verbose_name = _("delivery address")
        verbose_name_plural = _("delivery addresses")

    def __str__(self) -> str:
        return f"{self.province}{self.city}{self.district}{self.detail}"


class Contact(models.Model):
    """A person at the customer (联系人). Contacts who left stay, marked, for history."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=50)
    title = models.CharField(_("title"), max_length=50, blank=True)
    mobile = models.CharField(_("mobile"), max_length=20, blank=True, db_index=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    notes = models.TextField(_("notes"), max_length=1000, blank=True)
    is_primary = models.BooleanField(_("primary contact"), default=False)
    left_on = models.DateField(_("left on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering: ClassVar = ["-is_primary", "left_on", "id"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["customer"],
                condition=Q(is_primary=True),
                name="contact_one_primary_per_customer",
            ),
            models.CheckConstraint(
                condition=~(Q(is_primary=True) & Q(left_on__isnull=False)),
                name="contact_primary_has_not_left",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def has_left(self) -> bool:
        return self.left_on is not None


class GradeTerms(models.Model):
    """Company setting: the payment terms that go with each credit grade."""

    grade = models.CharField(_("grade"), max_length=1, choices=Grade.choices, unique=True)
    payment_terms = models.CharField(_("payment terms"), max_length=200)
    settlement_days = models.PositiveSmallIntegerField(_("settlement days"), default=0)
    deposit_percent = models.DecimalField(
        _("deposit before production (%)"), max_digits=5, decimal_places=2, default=Decimal(0)
    )
    default_credit_limit = money(_("default credit limit"), default=Decimal(0))

    class Meta:
        ordering: ClassVar = ["grade"]
        verbose_name = _("grade terms")
        verbose_name_plural = _("grade terms")

    def __str__(self) -> str:
        return f"{self.grade}: {self.payment_terms}"


class CreditPolicy(models.Model):
    """Company setting (one row): how the grade evaluation weighs a customer's history."""

    weight_timeliness = models.DecimalField(
        _("weight: on-time payment"), max_digits=4, decimal_places=2, default=Decimal("0.50")
    )
    weight_order_count = models.DecimalField(
        _("weight: number of orders"), max_digits=4, decimal_places=2, default=Decimal("0.20")
    )
    weight_order_amount = models.DecimalField(
        _("weight: order amount"), max_digits=4, decimal_places=2, default=Decimal("0.30")
    )
    full_score_orders = models.PositiveIntegerField(_("orders for a full score"), default=20)
    full_score_amount = money(_("order amount for a full score"), default=Decimal("1000000"))
    grade_a_from = models.DecimalField(
        _("grade A from score"), max_digits=5, decimal_places=2, default=Decimal("80")
    )
    grade_b_from = models.DecimalField(
        _("grade B from score"), max_digits=5, decimal_places=2, default=Decimal("50")
    )

    class Meta:
        verbose_name = _("credit policy")
        verbose_name_plural = _("credit policy")

    def __str__(self) -> str:
        return "credit policy"


class CreditFile(models.Model):
    """The credit file (信用档案): grade, limit, terms and the latest evaluation."""

    customer = models.OneToOneField(Customer, on_delete=models.CASCADE, related_name="credit")
    grade = models.CharField(_("grade"), max_length=1, choices=Grade.choices, default=Grade.C)
    credit_limit = money(
        _("credit limit"), default=Decimal(0), validators=[MinValueValidator(Decimal(0))]
    )
    payment_terms = models.CharField(_("payment terms"), max_length=200, blank=True)
    proposed_grade = models.CharField(
        _("proposed grade"), max_length=1, choices=Grade.choices, blank=True
    )
    proposed_score = models.DecimalField(
        _("score"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    evaluation = models.JSONField(_("evaluation details"), default=dict, blank=True)
    evaluated_at = models.DateTimeField(_("evaluated"), null=True, blank=True)
    graded_at = models.DateTimeField(_("grade set"), null=True, blank=True)
    graded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("credit file")
        verbose_name_plural = _("credit files")

    def __str__(self) -> str:
        return f"{self.customer.code} {self.grade}"


class Need(models.Model):
    """A need or preference the customer expressed (客户需求记录)."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="needs")
    text = models.TextField(_("need or preference"), max_length=2000)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        ordering: ClassVar = ["-created_at", "-id"]
        verbose_name = _("need")
        verbose_name_plural = _("needs")

    def __str__(self) -> str:
        return self.text[:50]


class InteractionKind(models.TextChoices):
    CALL = "call", _("Phone call")
    VISIT = "visit", _("Visit")
    EMAIL = "email", _("E-mail")
    CHAT = "chat", _("Chat")
    FAX = "fax", _("Fax")


class Interaction(models.Model):
    """One contact with the customer: a call, visit, e-mail, chat or fax (沟通记录)."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="interactions")
    kind = models.CharField(_("kind"), max_length=10, choices=InteractionKind.choices)
    happened_at = models.DateTimeField(_("when"))
    contact = models.ForeignKey(
        Contact,
        verbose_name=_("contact"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="interactions",
    )
    person = models.CharField(_("person"), max_length=50, blank=True)
    summary = models.TextField(_("summary"), max_length=4000)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        ordering: ClassVar = ["-happened_at", "-id"]
        verbose_name = _("interaction")
        verbose_name_plural = _("interactions")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.happened_at:%Y-%m-%d}"


class Attachment(models.Model):
    """A screenshot, scan or file kept with an interaction (stored via Django's storage)."""

    interaction = models.ForeignKey(
        Interaction, on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to="customers/interactions/%Y/%m/")
    name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size"))
    content_type = models.CharField(max_length=100, blank=True)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.name
