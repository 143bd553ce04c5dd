"""Shared tables: company profile, sales branches, numbering rules, the work calendar and
the audit trail."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class CompanyProfile(models.Model):
    """The company running orderdesk: one row (pk=1), created by a data migration."""

    name = models.CharField(_("company name"), max_length=200)
    abbreviation = models.CharField(
        _("abbreviation"),
        max_length=10,
        help_text=_("Used in document numbers, e.g. the customer code prefix."),
        validators=[RegexValidator(r"^[A-Za-z0-9]+$", _("Use letters and digits only."))],
    )
    tax_number = models.CharField(_("tax number (USCC)"), max_length=18, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    bank_name = models.CharField(_("bank"), max_length=200, blank=True)
    bank_account = models.CharField(_("bank account"), max_length=60, blank=True)
    logo = models.FileField(_("logo"), upload_to="company/", blank=True)
    workday_start = models.TimeField(_("working day starts"), default=dt.time(8, 30))
    break_start = models.TimeField(_("lunch break starts"), default=dt.time(12, 0))
    break_end = models.TimeField(_("lunch break ends"), default=dt.time(13, 30))
    workday_end = models.TimeField(_("working day ends"), default=dt.time(17, 30))

    class Meta:
        verbose_name = _("company profile")
        verbose_name_plural = _("company profile")
        permissions: ClassVar = [("manage_company", "Manage company settings")]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=models.Q(workday_start__lte=models.F("break_start"))
                & models.Q(break_start__lte=models.F("break_end"))
                & models.Q(break_end__lte=models.F("workday_end")),
                name="company_working_hours_ordered",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Branch(models.Model):
    """A sales branch or store (销售网点/专卖店), e.g. GD001: province initials + serial."""

    code = models.CharField(
        _("branch code"),
        max_length=10,
        unique=True,
        validators=[
            RegexValidator(
                r"^[A-Z]{2}\d{3}$", _("Use two capital letters and three digits, e.g. GD001.")
            )
        ],
    )
    name = models.CharField(_("name"), max_length=100)
    province = models.CharField(_("province"), max_length=30)
    city = models.CharField(_("city"), max_length=30, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering: ClassVar = ["code"]
        verbose_name = _("branch")
        verbose_name_plural = _("branches")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ResetPeriod(models.TextChoices):
    NEVER = "never", _("Never")
    YEARLY = "yearly", _("Every year")
    DAILY = "daily", _("Every day")


class NumberingRule(models.Model):
    """How numbers of one document kind are built, e.g. ``{branch}-{yyyymmdd}-{seq:2}``."""

    kind = models.SlugField(_("document kind"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    pattern = models.CharField(_("pattern"), max_length=100)
    reset = models.CharField(
        _("serial resets"), max_length=10, choices=ResetPeriod.choices, default=ResetPeriod.NEVER
    )

    class Meta:
        ordering: ClassVar = ["kind"]
        verbose_name = _("numbering rule")
        verbose_name_plural = _("numbering rules")
        permissions: ClassVar = [("manage_numbering", "Manage numbering rules")]

    def __str__(self) -> str:
        return f"{self.kind}: {self.pattern}"


class NumberSequence(models.Model):
    """The last serial drawn for one rule, prefix and period; locked row by row."""

    rule = models.ForeignKey(NumberingRule, on_delete=models.PROTECT, related_name="sequences")
    prefix = models.CharField(max_length=40, blank=True)
    period = models.CharField(max_length=8, blank=True)
    last_value = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["rule", "prefix", "period"], name="unique_sequence")
        ]

    def __str__(self) -> str:
        return f"{self.rule.kind} {self.prefix} {self.period}: {self.last_value}"


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("Day off")
    WORKDAY = "workday", _("Working day")


class CalendarDay(models.Model):
    """An exception to the weekly rhythm: a holiday, or a weekend made a working day (调休).

    ``statutory`` rows are the State Council's schedule entered by an administrator (used
    for years the bundled calendar does not know); the others are the company's own.
    """

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=DayKind.choices)
    name = models.CharField(_("name"), max_length=100, blank=True)
    statutory = models.BooleanField(_("statutory"), default=False)

    class Meta:
        ordering: ClassVar = ["date"]
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        permissions: ClassVar = [("manage_calendar", "Manage the work calendar")]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}"


class AppendOnlyQuerySet(models.QuerySet[Any]):
    """Bulk updates and deletes are refused, like single ones (see ``AppendOnlyModel``)."""

    def update(self, **kwargs: Any) -> int:
        raise PermissionError(f"{self.model.__name__} rows are append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError(f"{self.model.__name__} rows are append-only.")


class AppendOnlyModel(models.Model):
    """A record that is written once and never changed or deleted through the app, the API
    or the admin: audit entries, access logs, the stock ledger."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError(f"{type(self).__name__} rows are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError(f"{type(self).__name__} rows are append-only.")


class AuditEntry(AppendOnlyModel):
    """One state change: who, when, which object, what action, field changes, and why."""

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_name = models.CharField(_("actor"), max_length=150)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(_("object"), max_length=200)
    action = models.CharField(_("action"), max_length=60)
    changes = models.JSONField(_("changes"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    reason = models.TextField(_("reason"), blank=True)
    request_id = models.CharField(max_length=36, blank=True)

    class Meta:
        ordering: ClassVar = ["-at", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")
        indexes: ClassVar = [models.Index(fields=["content_type", "object_id", "-at"])]
        default_permissions = ("view",)

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.object_repr}"


class AccessLog(AppendOnlyModel):
    """One view of confidential data (personal data, credit): who saw what, when, where.

    Kept apart from the audit trail, which records changes; append-only like it.
    """

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(_("object"), max_length=200)
    what = models.CharField(_("data viewed"), max_length=60)
    channel = models.CharField(_("channel"), max_length=20)
    request_id = models.CharField(max_length=36, blank=True)

    class Meta:
        ordering: ClassVar = ["-at", "-id"]
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        indexes: ClassVar = [models.Index(fields=["content_type", "object_id", "-at"])]
        default_permissions = ("view",)

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.what} {self.object_repr}"


class IdempotencyRecord(models.Model):
    """The stored answer to a creating API call sent with an ``Idempotency-Key`` header."""

    scope = models.CharField(max_length=64)  # digest of the caller's credential
    key = models.CharField(max_length=100)
    fingerprint = models.CharField(max_length=64)  # digest of method, path and body
    status = models.PositiveSmallIntegerField(null=True)  # None while the first call runs
    content_type = models.CharField(max_length=100, blank=True)
    body = models.BinaryField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["scope", "key"], name="unique_idempotency_key")
        ]

    def __str__(self) -> str:
        return f"{self.key} {self.status}"
