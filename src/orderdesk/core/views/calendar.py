"""The work calendar settings page: the year's entries, one-day edits, CSV import, and the
official schedule of the bundled calendar to compare against."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from orderdesk.core import htmx, services, workcalendar
from orderdesk.core.errors import DomainError
from orderdesk.core.forms import reason_field
from orderdesk.core.models import CalendarDay, DayKind

MAX_UPLOAD_BYTES = 1024 * 1024
YEARS = range(2000, 2101)


class CalendarDayForm(forms.Form):
    date = forms.DateField(
        label=gettext_lazy("Date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=DayKind.choices)
    name = forms.CharField(
        label=gettext_lazy("Name"),
        required=False,
        max_length=100,
        help_text=gettext_lazy("e.g. Spring Festival, company outing"),
    )
    statutory = forms.BooleanField(
        label=gettext_lazy("Official schedule"),
        required=False,
        help_text=gettext_lazy("Tick for days from the State Council's holiday notice."),
    )
    reason = reason_field()


class CalendarImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("CSV file"))
    reason = reason_field()

    def clean_file(self) -> str:
        """The file's text: UTF-8 (with or without BOM) or GB18030, as Excel saves it."""
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(gettext_lazy("The file is larger than 1 MB."))
        data = upload.read()
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                return str(data.decode(encoding))
            except UnicodeDecodeError:
                continue
        raise forms.ValidationError(gettext_lazy("Save the file as CSV in UTF-8."))


@permission_required("core.manage_calendar", raise_exception=True)
def calendar(request: HttpRequest) -> HttpResponse:
    day_form = CalendarDayForm(prefix="day")
    import_form = CalendarImportForm(prefix="import")
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "add":
            day_form = CalendarDayForm(request.POST, prefix="day")
            response = add_day(request, day_form)
        elif action == "import":
            import_form = CalendarImportForm(request.POST, request.FILES, prefix="import")
            response = import_days(request, import_form)
        elif action == "delete":
            response = delete_day(request)
        else:
            return HttpResponseBadRequest()
        if response is not None:
            return response
    year = selected_year(request)
    return render(
        request,
        "core/calendar.html",
        {
            "year": year,
            "previous_year": year - 1,
            "next_year": year + 1,
            "entries": CalendarDay.objects.filter(date__year=year),
            "statutory": workcalendar.statutory_schedule(year),
            "notices": workcalendar.notices_for(request.user),
            "day_form": day_form,
            "import_form": import_form,
        },
    )


def add_day(request: HttpRequest, form: CalendarDayForm) -> HttpResponse | None:
    if not form.is_valid():
        return None
    data = form.cleaned_data
    try:
        entry = services.set_calendar_day(
            data["date"],
            kind=data["kind"],
            name=data["name"],
            statutory=data["statutory"],
            by=request.user,
            reason=data["reason"],
        )
    except DomainError as error:
        htmx.add_form_errors(form, error)
        return None
    messages.success(request, _("%(date)s saved.") % {"date": entry.date.isoformat()})
    return htmx.redirect(request, year_url(entry.date.year))


def delete_day(request: HttpRequest) -> HttpResponse:
    entry_id = parse_int(request.POST.get("entry"))
    entry = CalendarDay.objects.filter(pk=entry_id).first() if entry_id is not None else None
    if entry is None:
        messages.error(request, _("This calendar entry was already removed."))
        return htmx.redirect(request, year_url(selected_year(request)))
    year = entry.date.year
    try:
        services.remove_calendar_day(entry, by=request.user, reason=request.POST.get("reason", ""))
    except DomainError as error:
        htmx.flash_error(request, error)
    else:
        messages.success(request, _("%(date)s removed.") % {"date": entry.date.isoformat()})
    return htmx.redirect(request, year_url(year))


def import_days(request: HttpRequest, form: CalendarImportForm) -> HttpResponse | None:
    if not form.is_valid():
        return None
    try:
        count = services.import_calendar_days(
            form.cleaned_data["file"], by=request.user, reason=form.cleaned_data["reason"]
        )
    except DomainError as error:
        # The service names each bad line; every message already says which line it is.
        form.add_error(None, str(error.message))
        for message in error.fields.values():
            form.add_error("file", message)
        return None
    messages.success(
        request, _("Calendar imported: %(count)d days created or changed.") % {"count": count}
    )
    return htmx.redirect(request, year_url(selected_year(request)))


def selected_year(request: HttpRequest) -> int:
    year = parse_int(request.GET.get("year"))
    return year if year is not None and year in YEARS else timezone.localdate().year


def parse_int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def year_url(year: int) -> str:
    return f"{reverse('core:calendar')}?year={year}"
