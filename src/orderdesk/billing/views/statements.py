"""Statement pages (对账单): the list, generating one customer's statement or a whole
month's, the statement page (figures, lines, PDF and Excel, send, generate again, record
the customer's answer), the customer page's panel, and the public page the e-mailed link
opens, where the customer confirms the statement or says what does not agree.

Each action posts to one service in ``billing.statements``; a refusal comes back on the
form, or as a message on the page for one-button actions.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from orderdesk.core import audit, htmx, permissions
from orderdesk.core.errors import Conflict, DomainError, NotFound
from orderdesk.core.forms import place_errors
from orderdesk.core.models import CompanyProfile
from orderdesk.core.money import yuan
from orderdesk.core.paging import page_of
from orderdesk.core.spreadsheets import xlsx_response

from .. import selectors, statements
from ..models import Statement, StatementStatus
from ..statement_documents import (
    answer_text,
    kind_label,
    period_text,
    statement_filename,
    statement_pdf,
    statement_xlsx,
)
from .pages import flash, require, require_view

FINANCE = statements.FINANCE
TIMELINE_LIMIT = 50
PANEL_ROWS = 6
ANSWERS = ("confirm", "dispute")
ALIASES = {"reason": "note"}
MONTH = forms.TextInput(
    attrs={"type": "month", "placeholder": "YYYY-MM", "pattern": r"\d{4}-\d{2}"}
)


# --- forms ----------------------------------------------------------------------------------


class StatementFilterForm(forms.Form):
    month = forms.CharField(label=gettext_lazy("Month"), required=False, widget=MONTH)
    q = forms.CharField(label=gettext_lazy("Customer"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[("", gettext_lazy("All")), *StatementStatus.choices],
    )


class GenerateForm(forms.Form):
    month = forms.CharField(label=gettext_lazy("Month"), widget=MONTH, max_length=7)
    customer = forms.ChoiceField(
        label=gettext_lazy("Customer"),
        required=False,
        help_text=gettext_lazy(
            "Leave empty for every customer with invoices, credit notes or payments in the "
            "month, or a balance at its end."
        ),
    )

    def __init__(self, *args: Any, customers: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["customer"].choices = [  # type: ignore[attr-defined]
            ("", _("All customers with activity or a balance")),
            *[(str(c.pk), f"{c.code} {c.name}") for c in customers],
        ]


class AnswerForm(forms.Form):
    """The customer's answer; which one comes from the button pressed (``answer``)."""

    name = forms.CharField(
        label=gettext_lazy("Who answered for the customer"), max_length=100, required=False
    )
    note = forms.CharField(
        label=gettext_lazy("Note, or what does not agree"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Required when the figures do not agree: say which and why."),
    )


class PublicAnswerForm(AnswerForm):
    name = forms.CharField(
        label=gettext_lazy("Your name"),
        max_length=100,
        required=False,
        help_text=gettext_lazy("The person answering for your company."),
    )


# --- helpers --------------------------------------------------------------------------------


def statement_or_404(user: Any, statement_id: int) -> Statement:
    require_view(user)
    try:
        return statements.statement_for(user, statement_id)
    except NotFound as error:
        raise Http404 from error


def statement_url(statement: Statement, anchor: str = "") -> str:
    return reverse("billing:statement", args=[statement.pk]) + (f"#{anchor}" if anchor else "")


def shown(text: str) -> str:
    value = Decimal(text or "0")
    return yuan(value) if value else ""


def display_lines(statement: Statement, *, links: bool) -> list[dict[str, Any]]:
    """The snapshot's lines for a page; ``links`` to the invoice or payment (staff only)."""
    rows = []
    for line in statement.lines:
        link = ""
        if links and line["kind"] in ("invoice", "void"):
            link = f"{reverse('billing:invoices')}?q={line['number']}"
        elif links and line["kind"] == "payment":
            link = f"{reverse('billing:payments')}?q={line['number']}"
        rows.append(
            {
                **line,
                "label": kind_label(line["kind"]),
                "debit_shown": shown(line["debit"]),
                "credit_shown": shown(line["credit"]),
                "balance_shown": yuan(Decimal(line["balance"])),
                "link": link,
            }
        )
    return rows


def figures(statement: Statement) -> dict[str, str]:
    return {
        "opening": yuan(statement.opening_balance),
        "invoiced": yuan(statement.invoiced),
        "credited": yuan(statement.credited),
        "paid": yuan(statement.paid),
        "closing": yuan(statement.closing_balance),
        "debits": yuan(statement.invoiced),
        "credits": yuan(statement.credited + statement.paid),
    }


def answer_of(request: HttpRequest, form: forms.Form) -> bool | None:
    """True for "confirm", False for "dispute" (the button pressed), else a form error."""
    answer = request.POST.get("answer", "")
    if answer not in ANSWERS:
        form.add_error(None, _("Choose whether the statement agrees or not."))
        return None
    return answer == "confirm"


# --- list and generating --------------------------------------------------------------------


@require_GET
def statement_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_view(user)
    form = StatementFilterForm(request.GET or None)
    data: dict[str, Any] = dict(form.cleaned_data) if form.is_valid() else {}
    rows = statements.statements_visible_to(user).select_related("customer")
    if data.get("month"):
        try:
            rows = rows.filter(period=statements.parse_month(data["month"]))
        except DomainError as error:
            form.add_error("month", str(error.fields.get("month") or error.message))
            rows = rows.none()
    if text := (data.get("q") or "").strip():
        rows = rows.filter(
            Q(customer__name__icontains=text)
            | Q(customer__short_name__icontains=text)
            | Q(customer__code__iexact=text)
        )
    if data.get("status"):
        rows = rows.filter(status=data["status"])
    customer_id = request.GET.get("customer", "")
    if customer_id.isdigit():
        rows = rows.filter(customer_id=int(customer_id))
    page, query = page_of(request, rows.order_by("-period", "customer__code", "id"))
    return render(
        request,
        "billing/statement_list.html",
        {
            "form": form,
            "page": page,
            "query": query,
            "filtered": any(data.values()) or customer_id.isdigit(),
            "can_generate": permissions.has(user, FINANCE),
        },
    )


def statement_new(request: HttpRequest) -> HttpResponse:
    """Generate one customer's statement for a month, or every customer's."""
    user = request.user
    require(user, FINANCE)
    customers = selectors.visible_customers(user).order_by("code")
    initial = {
        "month": f"{statements.last_month():%Y-%m}",
        "customer": request.GET.get("customer", ""),
    }
    form = GenerateForm(
        request.POST if request.method == "POST" else None, customers=customers, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if not data["customer"]:
            return generate_all(request, form, data["month"])
        customer = customers.filter(pk=data["customer"]).first()
        if customer is None:
            raise Http404
        try:
            statement = statements.generate_statement(customer, data["month"], by=user)
        except DomainError as error:
            place_errors(error, form)
        else:
            messages.success(
                request,
                _("Statement %(month)s of %(customer)s generated.")
                % {"month": statement.month, "customer": customer.name},
            )
            return htmx.redirect(request, statement_url(statement))
    return render(request, "billing/statement_new.html", {"form": form})


def generate_all(request: HttpRequest, form: GenerateForm, month: str) -> HttpResponse:
    try:
        counts = statements.generate_month(month, by=request.user)
    except DomainError as error:
        place_errors(error, form)
        return render(request, "billing/statement_new.html", {"form": form})
    period = f"{statements.parse_month(month):%Y-%m}"
    messages.success(
        request,
        _(
            "Statements %(month)s: %(created)s new, %(updated)s brought up to date, "
            "%(unchanged)s unchanged, %(answered)s already answered by the customer."
        )
        % {"month": period, **counts},
    )
    return htmx.redirect(request, f"{reverse('billing:statements')}?month={period}")


# --- one statement --------------------------------------------------------------------------


def statement_context(
    request: HttpRequest, statement: Statement, answer_form: AnswerForm | None = None
) -> dict[str, Any]:
    user = request.user
    finance = permissions.has(user, FINANCE)
    awaiting = statement.status == StatementStatus.ISSUED
    previous = (
        Statement.objects.filter(
            customer_id=statement.customer_id, period=statements.last_month(statement.period)
        )
        .only("closing_balance")
        .first()
    )
    return {
        "statement": statement,
        "customer": statement.customer,
        "period": period_text(statement),
        "figures": figures(statement),
        "lines": display_lines(statement, links=True),
        "answer": answer_text(statement),
        "previous_closing": yuan(previous.closing_balance)
        if previous is not None and previous.closing_balance != statement.opening_balance
        else "",
        "recipients": statements.recipients(statement.customer),
        "public_url": statements.public_url(statement),
        "answer_form": answer_form or AnswerForm(),
        "entries": audit.entries_for(statement)[:TIMELINE_LIMIT],
        "can": {
            "send": finance and awaiting,
            "regenerate": finance and awaiting,
            "answer": finance and awaiting,
        },
    }


@require_GET
def statement_detail(request: HttpRequest, statement_id: int) -> HttpResponse:
    statement = statement_or_404(request.user, statement_id)
    return render(request, "billing/statement_detail.html", statement_context(request, statement))


@require_GET
def statement_document(request: HttpRequest, statement_id: int) -> HttpResponse:
    statement = statement_or_404(request.user, statement_id)
    return pdf_response(statement)


@require_GET
def statement_workbook(request: HttpRequest, statement_id: int) -> HttpResponse:
    statement = statement_or_404(request.user, statement_id)
    return xlsx_response(statement_xlsx(statement), statement_filename(statement, "xlsx"))


def pdf_response(statement: Statement) -> HttpResponse:
    response = HttpResponse(statement_pdf(statement), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{statement_filename(statement, "pdf")}"'
    return response


@require_POST
def statement_regenerate(request: HttpRequest, statement_id: int) -> HttpResponse:
    statement = statement_or_404(request.user, statement_id)
    try:
        statements.generate_statement(statement.customer, statement.period, by=request.user)
    except DomainError as error:
        flash(request, error)
    else:
        messages.success(request, _("The statement is up to date."))
    return htmx.redirect(request, statement_url(statement))


@require_POST
def statement_send(request: HttpRequest, statement_id: int) -> HttpResponse:
    statement = statement_or_404(request.user, statement_id)
    try:
        to = statements.send_statement(statement, by=request.user)
    except DomainError as error:
        flash(request, error)
    else:
        messages.success(request, _("Statement sent to %(to)s.") % {"to": ", ".join(to)})
    return htmx.redirect(request, statement_url(statement))


@require_POST
def statement_answer(request: HttpRequest, statement_id: int) -> HttpResponse:
    """Finance records the customer's answer received another way."""
    statement = statement_or_404(request.user, statement_id)
    require(request.user, FINANCE)
    form = AnswerForm(request.POST)
    confirmed = answer_of(request, form)
    if form.is_valid() and confirmed is not None:
        try:
            statements.record_response(
                statement,
                confirmed=confirmed,
                name=form.cleaned_data["name"],
                note=form.cleaned_data["note"],
                by=request.user,
            )
        except DomainError as error:
            place_errors(error, form, ALIASES)
        else:
            messages.success(
                request,
                _("The customer's confirmation is recorded.")
                if confirmed
                else _("The customer's dispute is recorded."),
            )
            return htmx.redirect(request, statement_url(statement))
    context = statement_context(request, statement, answer_form=form)
    return render(request, "billing/statement_detail.html", context)


# --- the customer's page (public) -----------------------------------------------------------


def statement_by_token(token: str) -> Statement:
    try:
        return statements.statement_for_token(token)
    except NotFound as error:
        raise Http404(str(error.message)) from error


@login_not_required
def statement_public(request: HttpRequest, token: str) -> HttpResponse:
    """The page the e-mailed link opens: the statement, and the customer's answer."""
    statement = statement_by_token(token)
    form = PublicAnswerForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        confirmed = answer_of(request, form)
        if form.is_valid() and confirmed is not None:
            try:
                statements.respond_by_token(
                    token,
                    confirmed=confirmed,
                    name=form.cleaned_data["name"],
                    note=form.cleaned_data["note"],
                )
            except Conflict:
                pass  # answered meanwhile (a second click): the page below says so
            except DomainError as error:
                place_errors(error, form, ALIASES)
            else:
                messages.success(
                    request,
                    _("Thank you: your confirmation is recorded.")
                    if confirmed
                    else _("Thank you: we will look into the differences and contact you."),
                )
                return htmx.redirect(request, reverse("billing:statement_public", args=[token]))
        statement.refresh_from_db()
    return render(
        request,
        "billing/statement_public.html",
        {
            "statement": statement,
            "customer": statement.customer,
            "token": token,
            "company": CompanyProfile.objects.filter(pk=1).first(),
            "period": period_text(statement),
            "figures": figures(statement),
            "lines": display_lines(statement, links=False),
            "answer": answer_text(statement),
            "form": form,
        },
    )


@login_not_required
@require_GET
def statement_public_pdf(request: HttpRequest, token: str) -> HttpResponse:
    return pdf_response(statement_by_token(token))


@login_not_required
@require_GET
def statement_public_xlsx(request: HttpRequest, token: str) -> HttpResponse:
    statement = statement_by_token(token)
    return xlsx_response(statement_xlsx(statement), statement_filename(statement, "xlsx"))


# --- the panel on the customer page ---------------------------------------------------------


def customer_statements_context(request: HttpRequest, customer: Any) -> dict[str, Any] | None:
    """The customer page's statements panel (slot ``customers.customer``): the latest
    statements with their answer, for users who see this customer's receivables."""
    user = request.user
    if not selectors.can_view(user):
        return None
    if not selectors.visible_customers(user).filter(pk=customer.pk).exists():
        return None
    return {
        "customer": customer,
        "statements": list(
            Statement.objects.filter(customer=customer).order_by("-period")[:PANEL_ROWS]
        ),
        "can_generate": permissions.has(user, FINANCE),
    }


urlpatterns: list[URLPattern] = [
    path("statements/", statement_list, name="statements"),
    path("statements/new/", statement_new, name="statement_new"),
    path("statements/<int:statement_id>/", statement_detail, name="statement"),
    path("statements/<int:statement_id>/statement.pdf", statement_document, name="statement_pdf"),
    path("statements/<int:statement_id>/statement.xlsx", statement_workbook, name="statement_xlsx"),
    path(
        "statements/<int:statement_id>/regenerate",
        statement_regenerate,
        name="statement_regenerate",
    ),
    path("statements/<int:statement_id>/send", statement_send, name="statement_send"),
    path("statements/<int:statement_id>/answer", statement_answer, name="statement_answer"),
    path("statements/confirm/<str:token>/", statement_public, name="statement_public"),
    path(
        "statements/confirm/<str:token>/statement.pdf",
        statement_public_pdf,
        name="statement_public_pdf",
    ),
    path(
        "statements/confirm/<str:token>/statement.xlsx",
        statement_public_xlsx,
        name="statement_public_xlsx",
    ),
]
