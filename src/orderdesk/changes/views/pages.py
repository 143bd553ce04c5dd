"""Order change pages (/changes/): the list of change requests, the change request form on an
order (with the impact checked before submitting), the request's page (proposal, impact,
each department's approval with its due time, apply, withdraw), and the panel on the order
page (requests, revisions, "Request a change"). The revision, difference and acknowledgement
pages are in ``revision_pages.py``.

Each action posts to one service; a refusal comes back on the form, or as a message on the
page for one-button actions — never a 500.
"""

from __future__ import annotations

import re
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from orderdesk.core import audit, htmx, permissions
from orderdesk.core.errors import Conflict, DomainError, NotAllowed, NotFound
from orderdesk.core.forms import forbid, place_errors
from orderdesk.core.paging import page_of
from orderdesk.orders.documents import plain_number
from orderdesk.orders.models import Order, OrderLine

from .. import impact, revisions, routing, selectors, services
from ..forms import ChangeForms, DecisionForm, FilterForm, WithdrawForm
from ..models import (
    ApprovalStatus,
    ChangeApproval,
    ChangeRequest,
    ChangeStatus,
    Department,
    OrderRevision,
)
from . import revision_pages

REQUEST = "changes.request_changes"
TIMELINE_LIMIT = 100
CHANGE_LABELS = {
    "changed": gettext_lazy("Changed"),
    "added": gettext_lazy("Added"),
    "removed": gettext_lazy("Removed"),
    "cancelled": gettext_lazy("Cancelled"),
}
LINE_KEY = re.compile(r"^(lines|add|remove)\.(\d+)(?:\.(\w+))?$")


# --- helpers --------------------------------------------------------------------------------


def order_or_404(user: Any, order_id: Any) -> Order:
    return revision_pages.order_or_404(user, order_id)


def request_or_404(user: Any, request_id: Any) -> ChangeRequest:
    try:
        return selectors.request_for(user, int(request_id))
    except (NotFound, TypeError, ValueError) as error:
        raise Http404(str(getattr(error, "message", ""))) from error


def request_url(change: ChangeRequest, anchor: str = "") -> str:
    return reverse("changes:detail", args=[change.pk]) + (f"#{anchor}" if anchor else "")


def flash(request: HttpRequest, error: DomainError) -> None:
    revision_pages.flash(request, error)


def label_of(choices: Any, value: Any) -> str:
    return str(choices(value).label) if value in choices.values else str(value or "")


# --- the order page panel ---------------------------------------------------------------------


def order_panel_context(request: HttpRequest, order: Order) -> dict[str, Any] | None:
    """What ``changes/order_panel.html`` shows on the order page: the order's change
    requests with the departments still to decide, its revisions with the customer's
    acknowledgement, and "Request a change" for those who may (the service decides)."""
    changes = selectors.requests_of(order)
    all_revisions = revisions.revisions_of(order)
    can_request = permissions.has(request.user, REQUEST) and impact.status_problem(order) is None
    if not changes and not all_revisions and not can_request:
        return None
    return {
        "order": order,
        "changes": [
            {
                "request": change,
                "pending": [
                    approval.get_department_display()
                    for approval in change.approvals.all()
                    if approval.status == ApprovalStatus.PENDING
                ],
                "kinds": kinds_label(change.kinds),
            }
            for change in changes
        ],
        "revisions": all_revisions,
        "latest": all_revisions[-1] if all_revisions else None,
        "can_request": can_request,
    }


def kinds_label(kinds: Any) -> str:
    from ..models import ChangeKind

    return ", ".join(label_of(ChangeKind, kind) for kind in kinds or [])


# --- the list -------------------------------------------------------------------------------


def search_requests(user: Any, data: dict[str, Any]) -> QuerySet[ChangeRequest]:
    found = selectors.requests_visible_to(user).select_related("order", "order__customer")
    if status := data.get("status"):
        found = found.filter(status=status)
    if department := data.get("department"):
        found = found.filter(
            approvals__department=department, approvals__status=ApprovalStatus.PENDING
        )
    if number := (data.get("order") or "").strip():
        found = found.filter(order__number__icontains=number)
    return found.prefetch_related(
        Prefetch(
            "approvals",
            queryset=ChangeApproval.objects.filter(status=ApprovalStatus.PENDING),
            to_attr="pending",
        )
    ).order_by("-created_at", "-id")


@require_GET
def request_list(request: HttpRequest) -> HttpResponse:
    form = FilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    page, query = page_of(request, search_requests(request.user, data))
    return render(
        request,
        "changes/list.html",
        {
            "form": form,
            "page": page,
            "query": query,
            "filtered": any(data.values()),
            "now": timezone.now(),
        },
    )


# --- the change request form ------------------------------------------------------------------


def order_lines(order: Order) -> list[OrderLine]:
    return list(order.lines.order_by("line_no"))


@require_http_methods(["GET", "POST"])
def request_new(request: HttpRequest, order_id: int) -> HttpResponse:
    """The change request form (订单变更申请表) on an approved or released order."""
    order = order_or_404(request.user, order_id)
    if not permissions.has(request.user, REQUEST):
        raise PermissionDenied(_("Requesting order changes needs the sales or service role."))
    if (problem := impact.status_problem(order)) is not None:
        messages.error(request, str(problem.message))
        return htmx.redirect(request, reverse("orders:detail", args=[order.pk]))
    lines = order_lines(order)
    forms = ChangeForms(order, lines, request.POST if request.method == "POST" else None)
    status, assessed = 200, None
    if request.method == "POST":
        action = request.POST.get("action", "submit")
        if not forms.is_valid():
            forms.header.add_error(None, _("Correct the highlighted fields."))
            status = 422
        elif action == "check":
            assessed = impact.assess(order, forms.proposal(), by=request.user)
        else:
            try:
                change = services.create_change_request(
                    order, by=request.user, proposal=forms.proposal(), **forms.request_values()
                )
            except DomainError as error:
                status = place_change_errors(error, forms)
            else:
                messages.success(
                    request,
                    _("Change request %(number)s is waiting for approval.")
                    % {"number": change.number},
                )
                return htmx.redirect(request, request_url(change))
    return render(
        request,
        "changes/request_form.html",
        {
            "order": order,
            "forms": forms,
            "rows": list(zip(lines, forms.lines, strict=True)),
            "assessed": assessed is not None,
            **(impact_context(assessed) if assessed is not None else {}),
        },
        status=status,
    )


@require_POST
def impact_preview(request: HttpRequest, order_id: int) -> HttpResponse:
    """The htmx "Check impact" button: the impact of the form as typed; nothing is saved."""
    order = order_or_404(request.user, order_id)
    if not permissions.has(request.user, REQUEST):
        raise PermissionDenied
    forms = ChangeForms(order, order_lines(order), request.POST)
    if not forms.is_valid():
        errors = collect_errors(forms)
        return render(request, "changes/partials/_impact.html", {"form_errors": errors})
    assessed = impact.assess(order, forms.proposal(), by=request.user)
    return render(request, "changes/partials/_impact.html", impact_context(assessed))


def collect_errors(forms: ChangeForms) -> list[str]:
    errors = [str(error) for error in forms.header.non_field_errors()]
    for name, field_errors in forms.header.errors.items():
        if name != "__all__":
            errors += [f"{forms.header.fields[name].label}: {error}" for error in field_errors]
    for line_form in forms.lines:
        for field_errors in line_form.errors.values():
            errors += [
                _("Line %(number)s: %(error)s") % {"number": line_form.line.line_no, "error": error}
                for error in field_errors
            ]
    for position, add_form in enumerate(forms.add.forms, start=1):
        for field_errors in add_form.errors.values():
            errors += [
                _("New line %(number)s: %(error)s") % {"number": position, "error": error}
                for error in field_errors
            ]
    return errors


def place_change_errors(error: DomainError, forms: ChangeForms) -> int:
    """A service refusal on the form; the status code to answer (409 or 422).

    The impact assessment names the proposal's parts (``lines.N.field``: the N-th changed
    line, ``add.N.field``: the N-th line to add, ``remove.N``, ``header.field``); a clash
    with another request or a stale order names order lines by their number
    (``lines.<line_no>``). Each message goes on its field; the rest on top."""
    forbid(error)
    header = forms.header
    header.add_error(None, str(error.message))
    proposal = forms.proposal()
    by_id = {form.line.pk: form for form in forms.lines}
    by_number = {form.line.line_no: form for form in forms.lines}
    changed = [by_id.get(entry["line_id"]) for entry in proposal["lines"]]
    removed = [by_id.get(line_id) for line_id in proposal["remove"]]
    for key, message in error.fields.items():
        name = key.removeprefix("header.")
        if name in header.fields and name != "version":
            header.add_error(name, message)
            continue
        target: Any = None
        field = ""
        if match := LINE_KEY.match(key):
            group, index, field = match.group(1), int(match.group(2)), match.group(3) or ""
            if group == "lines" and isinstance(error, Conflict):
                target = by_number.get(index)
            elif group == "lines":
                target = changed[index] if index < len(changed) else None
            elif group == "add":
                target = forms.add_line_index(index)
            else:
                target = removed[index] if index < len(removed) else None
                field = "remove"
            field = {"product_id": "sku", "line_id": "sku"}.get(field, field)
            if target is not None and field not in target.fields:
                field = "quantity"
        if target is not None:
            target.add_error(field, message)
        elif message not in str(error.message):
            header.add_error(None, message)
    return error.status


# --- the request's page ----------------------------------------------------------------------


def approval_rows(user: Any, change: ChangeRequest) -> list[dict[str, Any]]:
    now = timezone.now()
    rows = []
    for approval in change.approvals.select_related("decided_by").order_by("id"):
        pending = approval.status == ApprovalStatus.PENDING
        can = (
            pending
            and change.status == ChangeStatus.OPEN
            and routing.may_decide(user, approval.department, approval.role)
        )
        rows.append(
            {
                "approval": approval,
                "label": label_of(Department, approval.department),
                "overdue": pending and approval.due_at < now,
                "can_decide": can,
                "form": DecisionForm(
                    initial={"department": approval.department},
                    auto_id=f"id_{approval.department}_%s",
                )
                if can
                else None,
            }
        )
    return rows


def proposal_rows(change: ChangeRequest) -> dict[str, Any]:
    """The proposal as a reader checks it: each header field and line with the order's
    value now and the value asked for."""
    proposal = change.proposal or {}
    order = change.order
    lines: dict[int, Any] = {line.pk: line for line in order.lines.select_related("product")}
    values = {field: revisions.plain(getattr(order, field)) for field in revisions.HEADER_FIELDS}
    if before := applied_from(change):  # an applied request shows the order as it was
        values = before["header"]
        lines = {
            line["line_id"]: SimpleNamespace(
                **{
                    **line,
                    "quantity": Decimal(line["quantity"]),
                    "unit_price": Decimal(line["unit_price"]),
                }
            )
            for line in before["lines"]
        }
    header = [
        {
            "label": revisions.field_label(Order, field),
            "now": revisions.shown_header(field, values.get(field)),
            "asked": revisions.shown_header(field, value),
        }
        for field, value in (proposal.get("header") or {}).items()
        if field in revisions.HEADER_FIELDS
    ]
    changed = []
    for entry in proposal.get("lines") or []:
        line = lines.get(entry.get("line_id"))
        changed.append(
            {
                "line": line,
                "line_id": entry.get("line_id"),
                "items": [
                    {
                        "label": proposal_label(key),
                        "now": now_value(line, key),
                        "asked": asked_value(line, key, value),
                    }
                    for key, value in entry.items()
                    if key != "line_id"
                ],
            }
        )
    products = product_names(proposal)
    added = [
        {
            "product": products.get(entry.get("product_id"), entry.get("product_id")),
            "quantity": entry.get("quantity"),
            "unit_price": entry.get("unit_price") or _("customer's price"),
        }
        for entry in proposal.get("add") or []
    ]
    removed = [lines.get(line_id) or line_id for line_id in proposal.get("remove") or []]
    for row in changed:
        for item in row["items"]:
            if item["label"] == _("Product") and item["asked"] in products:
                item["asked"] = products[item["asked"]]
    return {
        "cancel": bool(proposal.get("cancel")),
        "header": header,
        "lines": changed,
        "add": added,
        "remove": removed,
        "applied": before is not None,
    }


def applied_from(change: ChangeRequest) -> dict[str, Any] | None:
    """The snapshot of the order just before ``change`` was applied (None: not applied)."""
    revision = OrderRevision.objects.filter(change_request=change).first()
    earlier = revisions.previous(revision) if revision is not None else None
    return earlier.snapshot if earlier is not None else None


def proposal_label(key: str) -> str:
    return {
        "quantity": _("Quantity"),
        "unit_price": _("Unit price"),
        "product_id": _("Product"),
    }.get(key, key)


def now_value(line: OrderLine | None, key: str) -> str:
    if line is None:
        return "—"
    if key == "quantity":
        return f"{plain_number(line.quantity)} {line.unit}"
    if key == "unit_price":
        return revisions.money(line.unit_price)
    if key == "product_id":
        return " ".join(part for part in (line.sku, line.name, line.spec) if part)
    return "—"


def asked_value(line: OrderLine | None, key: str, value: Any) -> Any:
    number = revisions.number(value)
    if key == "quantity" and number is not None:
        return f"{plain_number(number)} {line.unit if line else ''}".strip()
    if key == "unit_price" and number is not None:
        return revisions.money(number)
    return value


def product_names(proposal: dict[str, Any]) -> dict[Any, str]:
    from orderdesk.catalog.models import Product

    wanted = {entry.get("product_id") for entry in proposal.get("add") or []} | {
        entry.get("product_id") for entry in proposal.get("lines") or [] if "product_id" in entry
    }
    ids = [value for value in wanted if isinstance(value, int)]
    return {
        product.pk: " ".join(part for part in (product.sku, product.name, product.spec) if part)
        for product in Product.objects.filter(pk__in=ids)
    }


def impact_context(assessed: dict[str, Any] | None) -> dict[str, Any]:
    """Every key of ``impact.assess`` for ``changes/partials/_impact.html``."""
    assessed = assessed or {}
    departments = [
        {"label": label_of(Department, item.get("department")), **item}
        for item in assessed.get("departments") or []
    ]
    invoices = [
        {
            **item,
            "action_label": _("Credit note")
            if item.get("action") == "credit_note"
            else _("Extra invoice"),
        }
        for item in assessed.get("invoices") or []
    ]
    lines = [
        {**row, "change_label": CHANGE_LABELS.get(row.get("change"), row.get("change"))}
        for row in assessed.get("lines") or []
        if row.get("change") != "changed"
        or row.get("quantity", [0, 0])[0] != row.get("quantity", [0, 0])[1]
        or row.get("unit_price", [0, 0])[0] != row.get("unit_price", [0, 0])[1]
        or row.get("sku", [0, 0])[0] != row.get("sku", [0, 0])[1]
    ]
    header_changes = [
        {
            "label": revisions.field_label(Order, name),
            "before": revisions.shown_header(name, values[0]),
            "after": revisions.shown_header(name, values[1]),
        }
        for name, values in (assessed.get("header") or {}).items()
        if name in revisions.HEADER_FIELDS
    ]
    return {
        "impact": assessed,
        "lines": lines,
        "header_changes": header_changes,
        "totals": assessed.get("totals") or {},
        "price_policy": assessed.get("price_policy") or [],
        "credit": assessed.get("credit") or {},
        "stock": assessed.get("stock") or [],
        "production": assessed.get("production") or [],
        "shipped": assessed.get("shipped") or [],
        "invoices": invoices,
        "promised_date": assessed.get("promised_date") or [None, None],
        "departments": departments,
        "refusals": assessed.get("refusals") or {},
    }


def detail_context(request: HttpRequest, change: ChangeRequest) -> dict[str, Any]:
    user = request.user
    undecided = change.status in (ChangeStatus.OPEN, ChangeStatus.APPROVED)
    revision = getattr(change, "revision", None) if change.status == ChangeStatus.APPLIED else None
    return {
        "change": change,
        "order": change.order,
        "proposal": proposal_rows(change),
        "approvals": approval_rows(user, change),
        "revision": revision,
        "can": {
            "apply": change.status == ChangeStatus.APPROVED and permissions.has(user, REQUEST),
            "withdraw": undecided and permissions.has(user, REQUEST),
        },
        "withdraw_form": WithdrawForm(),
        "entries": audit.entries_for(change)[:TIMELINE_LIMIT],
        **impact_context(change.impact),
    }


@require_GET
def request_detail(request: HttpRequest, request_id: int) -> HttpResponse:
    change = request_or_404(request.user, request_id)
    return render(request, "changes/request_detail.html", detail_context(request, change))


def render_detail(
    request: HttpRequest, change: ChangeRequest, *, status: int, **forms: Any
) -> HttpResponse:
    context = detail_context(request, change)
    if decision := forms.get("decision_form"):
        for row in context["approvals"]:
            if row["form"] is not None and row["approval"].department == decision.data.get(
                "department"
            ):
                row["form"] = decision
    if withdraw := forms.get("withdraw_form"):
        context["withdraw_form"] = withdraw
    return render(request, "changes/request_detail.html", context, status=status)


@require_POST
def approve(request: HttpRequest, request_id: int) -> HttpResponse:
    return decide(request, request_id, approve=True)


@require_POST
def reject(request: HttpRequest, request_id: int) -> HttpResponse:
    return decide(request, request_id, approve=False)


def decide(request: HttpRequest, request_id: int, *, approve: bool) -> HttpResponse:
    change = request_or_404(request.user, request_id)
    form = DecisionForm(request.POST, auto_id="id_decision_%s")
    if form.is_valid():
        department, note = form.cleaned_data["department"], form.cleaned_data["note"]
        try:
            if approve:
                services.approve_change(change, department, by=request.user, note=note)
            else:
                services.reject_change(change, department, by=request.user, reason=note)
        except DomainError as error:
            place_errors(error, form, {"reason": "note", "department": "note"})
            change.refresh_from_db()
            return render_detail(request, change, status=error.status, decision_form=form)
        label = label_of(Department, department)
        messages.success(
            request,
            (_("%(department)s approved.") if approve else _("%(department)s rejected."))
            % {"department": label},
        )
    else:
        return render_detail(request, change, status=422, decision_form=form)
    return htmx.redirect(request, request_url(change, "approvals"))


@require_POST
def apply(request: HttpRequest, request_id: int) -> HttpResponse:
    change = request_or_404(request.user, request_id)
    try:
        services.apply_change(change, by=request.user)
    except DomainError as error:
        flash(request, error)
        return htmx.redirect(request, request_url(change))
    change.refresh_from_db()
    messages.success(
        request,
        _("Change %(number)s applied to order %(order)s.")
        % {"number": change.number, "order": change.order.number},
    )
    revision = getattr(change, "revision", None)
    if revision is not None:
        return htmx.redirect(
            request, reverse("changes:revision", args=[change.order_id, revision.number])
        )
    return htmx.redirect(request, request_url(change))


@require_POST
def withdraw(request: HttpRequest, request_id: int) -> HttpResponse:
    change = request_or_404(request.user, request_id)
    form = WithdrawForm(request.POST)
    if form.is_valid():
        try:
            services.withdraw_change(change, by=request.user, reason=form.cleaned_data["reason"])
        except DomainError as error:
            if isinstance(error, NotAllowed) and not error.fields:
                raise PermissionDenied(str(error.message)) from error
            place_errors(error, form)
            change.refresh_from_db()
            return render_detail(request, change, status=error.status, withdraw_form=form)
        messages.success(
            request, _("Change request %(number)s withdrawn.") % {"number": change.number}
        )
        return htmx.redirect(request, request_url(change))
    return render_detail(request, change, status=422, withdraw_form=form)


urlpatterns: list[URLPattern] = [
    path("", request_list, name="list"),
    path("orders/<int:order_id>/new", request_new, name="new"),
    path("orders/<int:order_id>/impact", impact_preview, name="impact"),
    path("<int:request_id>/", request_detail, name="detail"),
    path("<int:request_id>/approve", approve, name="approve"),
    path("<int:request_id>/reject", reject, name="reject"),
    path("<int:request_id>/apply", apply, name="apply"),
    path("<int:request_id>/withdraw", withdraw, name="withdraw"),
    *revision_pages.urlpatterns,
]
