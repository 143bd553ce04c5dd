"""What every customer page shares: the visible customer or a 404, refusals as 403, service
errors placed on the form fields they name, and the choices of owner."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from orderdesk.core import permissions
from orderdesk.core.errors import DomainError, NotFound
from orderdesk.core.forms import forbid

from .. import selectors
from ..models import Customer

SEE_ANY = (selectors.OWN, selectors.TEAM, selectors.ALL)
CREATE = "customers.create_customers"
MERGE = "customers.merge_customers"
IMPORT = "customers.import_customers"
MANAGE_CREDIT = "customers.manage_credit"


def customer_or_404(user: Any, customer_id: Any) -> Customer:
    """The customer if this user may see it; missing and hidden are the same 404."""
    try:
        return selectors.customer_for(user, int(customer_id))
    except (NotFound, TypeError, ValueError) as error:
        raise Http404(str(getattr(error, "message", ""))) from error


def require_customer_access(user: Any) -> None:
    """Users without any customer visibility (warehouse, production…) get a 403, not an
    empty list that looks as if the company had no customers."""
    if not any(permissions.has(user, permission) for permission in SEE_ANY):
        raise PermissionDenied


def place_errors(
    error: DomainError,
    form: forms.BaseForm,
    rows: Mapping[str, Sequence[forms.BaseForm]] | None = None,
) -> None:
    """Put a service's refusal on the form: per field where it names one (``contacts.1.mobile``
    goes to the second filled contact row), the message itself on top."""
    forbid(error)
    rows = rows or {}
    form.add_error(None, str(error.message))
    for key, message in error.fields.items():
        group, _dot, rest = key.partition(".")
        index, _dot, name = rest.partition(".")
        if group in rows and index.isdigit() and int(index) < len(rows[group]):
            row = rows[group][int(index)]
            row.add_error(name if name in row.fields else None, message)
        elif key in form.fields:
            form.add_error(key, message)
        elif key not in ("confirm_duplicates",):
            form.add_error(None, message)


def owner_choices(user: Any) -> QuerySet | None:
    """Whom this user may make owner of a customer; None when only themselves (sales)."""
    users = get_user_model().objects.filter(is_active=True).order_by("username")
    if permissions.has(user, selectors.ALL):
        may_own = Q(
            groups__permissions__content_type__app_label="customers",
            groups__permissions__codename__in=("view_own_customers", "view_team_customers"),
        )
        return users.filter(may_own | Q(pk=user.pk)).distinct()
    if permissions.has(user, selectors.TEAM):
        return users.filter(pk__in=selectors.team_of(user))
    return None


def owner_filter_choices(user: Any) -> QuerySet | None:
    """The owners of customers this user sees, for the list filter (not for sales)."""
    if not (permissions.has(user, selectors.ALL) or permissions.has(user, selectors.TEAM)):
        return None
    owners = selectors.customers_visible_to(user).values("owner")
    return get_user_model().objects.filter(pk__in=owners).order_by("username")
