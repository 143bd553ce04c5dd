"""Settings pages: company profile, branches, numbering rules."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from orderdesk.core import audit, htmx, selectors, services
from orderdesk.core import numbering as numbering_rules
from orderdesk.core.errors import DomainError
from orderdesk.core.forms import BranchForm, CompanyForm, NumberingRuleForm
from orderdesk.core.models import Branch, NumberingRule


@permission_required("core.manage_company", raise_exception=True)
def company(request: HttpRequest) -> HttpResponse:
    profile = selectors.company_profile()
    form = CompanyForm(request.POST or None, request.FILES or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in CompanyForm.Meta.fields}
        if not request.FILES.get("logo") and not values.get("logo"):
            values.pop("logo")
        try:
            services.update_company_profile(
                values, by=request.user, reason=form.cleaned_data["reason"]
            )
        except DomainError as error:
            htmx.add_form_errors(form, error)
        else:
            messages.success(request, _("Company settings saved."))
            return htmx.redirect(request, reverse("core:company"))
    profile = selectors.company_profile()
    return render(
        request, "core/company.html", {"form": form, "entries": audit.entries_for(profile)[:20]}
    )


@permission_required("core.manage_company", raise_exception=True)
def branches(request: HttpRequest) -> HttpResponse:
    form = BranchForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            branch = services.create_branch(form.cleaned_data, by=request.user)
        except DomainError as error:
            htmx.add_form_errors(form, error)
        else:
            messages.success(request, _("Branch %(code)s created.") % {"code": branch.code})
            return htmx.redirect(request, reverse("core:branches"))
    return render(request, "core/branches.html", {"form": form, "branches": Branch.objects.all()})


@permission_required("core.manage_company", raise_exception=True)
def branch_edit(request: HttpRequest, branch_id: int) -> HttpResponse:
    branch = selectors.branch_for(request.user, branch_id)
    form = BranchForm(request.POST or None, instance=branch)
    form.fields["code"].disabled = True
    if request.method == "POST" and form.is_valid():
        values = {k: v for k, v in form.cleaned_data.items() if k != "code"}
        try:
            services.update_branch(branch, values, by=request.user)
        except DomainError as error:
            htmx.add_form_errors(form, error)
        else:
            messages.success(request, _("Branch saved."))
            return htmx.redirect(request, reverse("core:branches"))
    branch.refresh_from_db()
    return render(
        request,
        "core/branch_edit.html",
        {"form": form, "branch": branch, "entries": audit.entries_for(branch)[:20]},
    )


@permission_required("core.manage_numbering", raise_exception=True)
def numbering(request: HttpRequest) -> HttpResponse:
    rules = [
        (rule, numbering_rules.preview(rule.pattern, rule.reset))
        for rule in NumberingRule.objects.all()
    ]
    return render(request, "core/numbering.html", {"rules": rules})


@permission_required("core.manage_numbering", raise_exception=True)
def numbering_edit(request: HttpRequest, rule_id: int) -> HttpResponse:
    rule = selectors.numbering_rule_for(request.user, rule_id)
    form = NumberingRuleForm(request.POST or None, instance=rule)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_numbering_rule(
                rule,
                pattern=form.cleaned_data["pattern"],
                reset=form.cleaned_data["reset"],
                by=request.user,
                reason=form.cleaned_data["reason"],
            )
        except DomainError as error:
            htmx.add_form_errors(form, error)
        else:
            messages.success(request, _("Numbering rule saved."))
            return htmx.redirect(request, reverse("core:numbering"))
    rule.refresh_from_db()
    return render(
        request,
        "core/numbering_edit.html",
        {"form": form, "rule": rule, "entries": audit.entries_for(rule)[:20]},
    )
