"""Reads for the shared core: the company profile, branches and the audit trail."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from . import permissions
from .errors import NotAllowed, NotFound
from .models import AuditEntry, Branch, CompanyProfile, NumberingRule


def company_profile() -> CompanyProfile:
    return CompanyProfile.objects.get(pk=1)


def branch_for(user: Any, branch_id: int) -> Branch:
    branch = Branch.objects.filter(pk=branch_id).first()
    if branch is None:
        raise NotFound(_("No such branch."))
    return branch


def numbering_rule_for(user: Any, rule_id: int) -> NumberingRule:
    rule = NumberingRule.objects.filter(pk=rule_id).first()
    if rule is None:
        raise NotFound(_("No such numbering rule."))
    return rule


def audit_entries_visible_to(
    user: Any,
    *,
    actor: str = "",
    action: str = "",
    object_type: str = "",
    object_id: str = "",
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> QuerySet[AuditEntry]:
    """The audit trail for readers with ``core.view_auditentry``, filtered."""
    if not permissions.has(user, "core.view_auditentry"):
        raise NotAllowed(_("Only auditors and managers may read the audit trail."))
    entries = AuditEntry.objects.select_related("content_type")
    if actor:
        entries = entries.filter(actor_name__icontains=actor)
    if action:
        entries = entries.filter(action=action)
    if object_type:
        entries = entries.filter(content_type__model=object_type.lower())
    if object_id:
        entries = entries.filter(object_id=object_id)
    if since:
        entries = entries.filter(at__date__gte=since)
    if until:
        entries = entries.filter(at__date__lte=until)
    return entries
