"""Credit settings (信用政策): the payment terms per grade and the evaluation's weights and
thresholds. Finance and managers (``manage_credit``) change them, with a reason."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.contrib.contenttypes.models import ContentType
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from orderdesk.core import htmx
from orderdesk.core.errors import DomainError
from orderdesk.core.models import AuditEntry

from .. import services
from ..forms import CreditPolicyForm, GradeTermsForm
from ..models import CreditPolicy, Grade, GradeTerms
from .base import MANAGE_CREDIT, place_errors


@permission_required(MANAGE_CREDIT, raise_exception=True)
def credit_settings(request: HttpRequest) -> HttpResponse:
    """One form per grade and one for the policy; the posted one is bound (``form=…``)."""
    posted = request.POST.get("form", "") if request.method == "POST" else ""
    data = request.POST if posted else None
    terms = {row.grade: row for row in GradeTerms.objects.all()}
    grade_forms = [
        (
            grade,
            label,
            GradeTermsForm(
                data if posted == f"terms-{grade}" else None,
                instance=terms.get(grade) or GradeTerms(grade=grade),
                prefix=f"terms-{grade}",
            ),
        )
        for grade, label in Grade.choices
    ]
    policy_form = CreditPolicyForm(
        data if posted == "policy" else None,
        instance=CreditPolicy.objects.filter(pk=1).first() or CreditPolicy(),
        prefix="policy",
    )
    if posted == "policy" and policy_form.is_valid():
        try:
            services.update_credit_policy(
                policy_form.values(), by=request.user, reason=policy_form.cleaned_data["reason"]
            )
        except DomainError as error:
            place_errors(error, policy_form)
        else:
            messages.success(request, _("Credit policy saved."))
            return htmx.redirect(request, reverse("customers:credit_settings"))
    for grade, _label, form in grade_forms:
        if posted == f"terms-{grade}" and form.is_valid():
            try:
                services.update_grade_terms(
                    grade, form.values(), by=request.user, reason=form.cleaned_data["reason"]
                )
            except DomainError as error:
                place_errors(error, form)
            else:
                messages.success(request, _("Terms for grade %(grade)s saved.") % {"grade": grade})
                return htmx.redirect(request, reverse("customers:credit_settings"))
    types = ContentType.objects.get_for_models(GradeTerms, CreditPolicy).values()
    return render(
        request,
        "customers/credit_settings.html",
        {
            "grade_forms": grade_forms,
            "policy_form": policy_form,
            "entries": AuditEntry.objects.filter(content_type__in=types)[:30],
        },
    )
