"""Company profile and sales branches (销售网点)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from orderdesk.core import audit, permissions
from orderdesk.core.errors import Conflict, ValidationFailed
from orderdesk.core.models import Branch, CompanyProfile

COMPANY_FIELDS = (
    "name",
    "abbreviation",
    "tax_number",
    "address",
    "phone",
    "bank_name",
    "bank_account",
    "logo",
    "workday_start",
    "break_start",
    "break_end",
    "workday_end",
)
BRANCH_FIELDS = ("code", "name", "province", "city", "address", "is_active")


def apply_fields(obj: Any, values: Mapping[str, Any], allowed: tuple[str, ...]) -> dict[str, Any]:
    """Set ``values`` on ``obj``, validate the row, and return the audit diff."""
    unknown = set(values) - set(allowed)
    if unknown:
        raise ValidationFailed(_("Unknown fields."), fields=dict.fromkeys(unknown, _("Unknown.")))
    before = audit.snapshot(obj, allowed)
    for field, value in values.items():
        setattr(obj, field, value)
    try:
        obj.full_clean()
    except DjangoValidationError as error:
        raise ValidationFailed(
            _("Please correct the marked fields."),
            fields={field: " ".join(messages) for field, messages in error.message_dict.items()},
        ) from error
    return audit.diff(before, audit.snapshot(obj, allowed))


def update_company_profile(
    values: Mapping[str, Any], *, by: Any, reason: str = ""
) -> CompanyProfile:
    """Change the company's name, abbreviation, tax data, logo or working hours."""
    permissions.require(by, "core.manage_company")
    with transaction.atomic():
        profile = CompanyProfile.objects.select_for_update().get(pk=1)
        changes = apply_fields(profile, values, COMPANY_FIELDS)
        if not (
            profile.workday_start <= profile.break_start <= profile.break_end <= profile.workday_end
        ):
            raise ValidationFailed(
                _("Working hours must run start ≤ break start ≤ break end ≤ end."),
                code="working_hours_order",
                fields={"workday_end": _("Check the order of times.")},
            )
        if changes:
            profile.save()
            audit.record(profile, "update_company_profile", by=by, changes=changes, reason=reason)
    return profile


def create_branch(values: Mapping[str, Any], *, by: Any) -> Branch:
    """Open a sales branch; its code (e.g. GD001) is used in order numbers."""
    permissions.require(by, "core.manage_company")
    with transaction.atomic():
        if Branch.objects.filter(code=values.get("code", "")).exists():
            raise Conflict(
                _("A branch with this code already exists."),
                code="branch_code_taken",
                fields={"code": _("This code is taken.")},
            )
        branch = Branch()
        changes = apply_fields(branch, values, BRANCH_FIELDS)
        branch.save()
        audit.record(branch, "create_branch", by=by, changes=changes)
    return branch


def update_branch(
    branch: Branch, values: Mapping[str, Any], *, by: Any, reason: str = ""
) -> Branch:
    """Rename or (de)activate a branch. Its code never changes: issued numbers carry it."""
    permissions.require(by, "core.manage_company")
    with transaction.atomic():
        branch = Branch.objects.select_for_update().get(pk=branch.pk)
        if "code" in values and values["code"] != branch.code:
            raise ValidationFailed(
                _("A branch code cannot change once numbers use it."),
                code="branch_code_fixed",
                fields={"code": _("The code is fixed.")},
            )
        changes = apply_fields(branch, values, BRANCH_FIELDS)
        if changes:
            branch.save()
            audit.record(branch, "update_branch", by=by, changes=changes, reason=reason)
    return branch
