"""The company's invoicing settings page."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_otp import user_has_device

from accounts.permissions import confirm_sudo, manager_view, request_company
from core.forms import form_add_service_errors
from invoicing import selectors, services, texts
from invoicing.forms import InvoiceTextsForm, SettingsForm
from invoicing.models import Invoice, InvoicingSettings, NumberSeries
from invoicing.views.common import _actor


@manager_view
@require_http_methods(["GET", "POST"])
def invoicing_settings(request: HttpRequest) -> HttpResponse:
    company = request_company(request)
    settings_row = selectors.invoicing_settings_for(company=company)
    series = selectors.number_series_for(company=company)
    invoice_series = series.get(NumberSeries.Kind.INVOICE)
    credit_series = series.get(NumberSeries.Kind.CREDIT_NOTE)
    credit_notes_issued = Invoice.objects.credit_notes().issued().exists()
    locked = set()
    if invoice_series is not None and invoice_series.is_used:
        locked.add("first_invoice_number")
    if credit_series is not None and credit_series.is_used:
        locked.add("first_credit_note_number")
    if credit_notes_issued:
        locked.add("credit_note_numbering")
    initial = {
        "first_invoice_number": invoice_series.first_number if invoice_series else 1,
        "credit_note_numbering": settings_row.credit_note_numbering,
        "first_credit_note_number": credit_series.first_number if credit_series else None,
        "kid_method": settings_row.kid_method,
        "kid_length": settings_row.kid_length,
        "default_payment_terms_days": settings_row.default_payment_terms_days,
        "max_days_ahead": settings_row.max_days_ahead,
    }
    form = SettingsForm(
        request.POST or None,
        initial=initial,
        locked=locked,
        with_otp=user_has_device(request.user),
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and (
            # Changing how payments are matched (KID) needs sudo mode, like the bank account.
            (
                form.cleaned_data["kid_method"] == settings_row.kid_method
                and form.cleaned_data["kid_length"] == settings_row.kid_length
            )
            or confirm_sudo(request, form)
        )
    ):
        data = form.cleaned_data
        separate = (
            data["credit_note_numbering"] == InvoicingSettings.CreditNoteNumbering.SEPARATE_SERIES
        )
        try:
            services.invoicing_settings_update(
                company=company,
                actor=_actor(request),
                first_invoice_number=(
                    None if "first_invoice_number" in locked else data["first_invoice_number"]
                ),
                credit_note_numbering=(
                    None if "credit_note_numbering" in locked else data["credit_note_numbering"]
                ),
                first_credit_note_number=(
                    data["first_credit_note_number"]
                    if separate and "first_credit_note_number" not in locked
                    else None
                ),
                kid_method=data["kid_method"],
                kid_length=data["kid_length"],
                default_payment_terms_days=data["default_payment_terms_days"],
                max_days_ahead=data["max_days_ahead"],
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, _("Fakturainnstillingene er lagret."))
            return redirect("invoicing:settings")
    return render(
        request,
        "invoicing/settings.html",
        {
            "form": form,
            "locked": locked,
            "invoice_series": invoice_series,
            "credit_series": credit_series,
            "vat_reported_through": settings_row.vat_reported_through,
        },
        status=400 if request.method == "POST" else 200,
    )


@manager_view
@require_http_methods(["GET", "POST"])
def invoice_texts(request: HttpRequest) -> HttpResponse:
    """The note under an invoice's payment details, per document language, starting from
    the defaults (``invoicing.texts``)."""
    company = request_company(request)
    settings_row = selectors.invoicing_settings_for(company=company)
    initial = {
        f"payment_note_{language}": texts.payment_note(settings_row=settings_row, language=language)
        for language in texts.LANGUAGES
    }
    form = InvoiceTextsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.invoice_texts_update(
                company=company, actor=_actor(request), **form.cleaned_data
            )
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, _("Betalingsmerknaden er lagret."))
            return redirect("invoicing:texts")
    return render(
        request,
        "invoicing/texts.html",
        {"form": form, "defaults": texts.DEFAULT_PAYMENT_NOTES},
        status=400 if form.errors else 200,
    )
