"""Views of receivables under /app/receivables/ (thin: forms → services)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from accounts.permissions import (
    company_view,
    editor_view,
    manager_view,
    request_company,
    request_membership,
)
from core.audit import Actor
from core.forms import form_add_service_errors
from core.parsing import parse_id
from invoicing.models import Invoice
from receivables import exports, selectors, services
from receivables.forms import (
    AssignForm,
    BankFileForm,
    CollectionForm,
    DisputeForm,
    LetterForm,
    ReminderSettingsForm,
    ResolveForm,
    SetAsideForm,
    WaiveForm,
)
from receivables.models import BankTransaction, Letter, ReceivableItem
from receivables.pdf import render_letter_pdf


def _actor(request: HttpRequest) -> Actor:
    return Actor.user(request.user)


def _invoice(pk: int) -> Invoice:
    invoice: Invoice = get_object_or_404(
        Invoice.objects.invoices().exclude(status=Invoice.Status.DRAFT).select_related("client"),
        pk=pk,
    )
    return invoice


def _to_invoice(pk: int) -> HttpResponse:
    return redirect("invoicing:detail", pk=pk)


def _errors(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _pdf(data: bytes, name: str, *, inline: bool = True) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{name}"'
    return response


# --- settings -----------------------------------------------------------------------------


@manager_view
@require_http_methods(["GET", "POST"])
def settings_view(request: HttpRequest) -> HttpResponse:
    current = selectors.reminder_settings_for(company=request_company(request))
    if request.method == "POST":
        form = ReminderSettingsForm(request.POST, instance=current)
        if form.is_valid():
            values = {name: form.cleaned_data[name] for name in form.Meta.fields}
            try:
                services.reminder_settings_update(
                    company=request_company(request),
                    actor=_actor(request),
                    **values,
                )
            except ValidationError as exc:
                form_add_service_errors(form, exc)
            else:
                messages.success(request, _("Purreinnstillingene er lagret."))
                return redirect("receivables:settings")
        return render(request, "receivables/settings.html", {"form": form}, status=400)
    form = ReminderSettingsForm(instance=current)
    return render(request, "receivables/settings.html", {"form": form})


# --- reminders now ------------------------------------------------------------------------


# The reminders the page lists and its form sends at a time: the first by due date. More
# would be a page of thousands of rows with a checkbox each, and a form past Django's
# 1,000 fields (DATA_UPLOAD_MAX_NUMBER_FIELDS), refused with a 400.
REMINDERS_PAGE_MAX = 200


def _reminders_page(request: HttpRequest, *, status: int = 200) -> HttpResponse:
    company = request_company(request)
    today = timezone.localdate()
    error = None
    try:
        first = services.reminders_due_first(company=company, today=today, limit=REMINDERS_PAGE_MAX)
    except ValidationError as exc:
        first, error = services.FirstDueReminders(letters=[], waiting=0), " ".join(exc.messages)
    return render(
        request,
        "receivables/reminders.html",
        {
            "due": first.letters,
            "waiting": first.waiting,
            "held": first.held,
            "error": error,
            "settings": selectors.reminder_settings_for(company=company),
            "today": today,
            "can_edit": request_membership(request).can_edit,
        },
        status=status,
    )


@company_view
def reminders_now(request: HttpRequest) -> HttpResponse:
    """What the daily run would send today, with a preview of each letter."""
    return _reminders_page(request)


@editor_view
@require_POST
def reminders_send(request: HttpRequest) -> HttpResponse:
    ids = [pk for pk in map(parse_id, request.POST.getlist("invoice")) if pk is not None]
    if not ids:
        messages.error(request, _("Velg minst én faktura."))
        return _reminders_page(request, status=400)
    try:
        letters = services.reminders_run(
            company=request_company(request),
            actor=_actor(request),
            today=timezone.localdate(),
            invoice_ids=ids,
        )
    except ValidationError as exc:
        _errors(request, exc)
        return _reminders_page(request, status=400)
    sent = len(letters)
    messages.success(
        request,
        ngettext("%(n)s purring er sendt.", "%(n)s purringer er sendt.", sent) % {"n": sent},
    )
    return redirect("receivables:reminders")


@company_view
def letter_preview(request: HttpRequest, invoice_pk: int) -> HttpResponse:
    invoice = _invoice(invoice_pk)
    kind = request.GET.get("kind", Letter.Kind.REMINDER)
    if kind not in Letter.Kind.values:
        raise Http404
    try:
        plan = services.letter_plan(invoice=invoice, kind=kind, send_on=timezone.localdate())
    except ValidationError as exc:
        return render(
            request, "receivables/error.html", {"messages_list": exc.messages}, status=409
        )
    if not plan.decision.may_send:
        return render(
            request,
            "receivables/error.html",
            {"messages_list": [_("Det kan ikke sendes purring på denne fakturaen nå.")]},
            status=409,
        )
    content = selectors.letter_document(content=services.letter_content(plan), invoice=invoice)
    return _pdf(render_letter_pdf(content), f"utkast-{_letter_stem(kind)}-{invoice.number}.pdf")


@company_view
def letter_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    letter: Letter = get_object_or_404(Letter.objects.select_related("invoice"), pk=pk)
    content = selectors.letter_document(content=letter.content, invoice=letter.invoice)
    stem = _letter_stem(letter.kind)
    return _pdf(render_letter_pdf(content), f"{stem}-{content.get('invoice_number')}.pdf")


def _letter_stem(kind: str) -> str:
    """A letter's file name starts with what the letter is called in bokmål."""
    return "inkassovarsel" if kind == Letter.Kind.COLLECTION_NOTICE else "purring"


# --- actions on one invoice ---------------------------------------------------------------


@editor_view
@require_POST
def letter_send(request: HttpRequest, invoice_pk: int) -> HttpResponse:
    invoice = _invoice(invoice_pk)
    form = LetterForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Ugyldig brevtype."))
        return _to_invoice(invoice.pk)
    try:
        letter = services.letter_send(
            invoice=invoice, actor=_actor(request), kind=form.cleaned_data["kind"]
        )
    except ValidationError as exc:
        _errors(request, exc)
    else:
        if letter.fee_bearing:
            messages.success(request, _("Brevet er sendt, med gebyr."))
        else:
            messages.success(request, _("Brevet er sendt, uten gebyr."))
    return _to_invoice(invoice.pk)


@editor_view
@require_POST
def dispute(request: HttpRequest, invoice_pk: int) -> HttpResponse:
    invoice = _invoice(invoice_pk)
    form = DisputeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Skriv hva kunden har innvendt."))
        return _to_invoice(invoice.pk)
    try:
        services.invoice_dispute(
            invoice=invoice, actor=_actor(request), reason=form.cleaned_data["reason"]
        )
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("Fakturaen er markert som bestridt. Innfordringen stanses."))
    return _to_invoice(invoice.pk)


@editor_view
@require_POST
def resolve(request: HttpRequest, invoice_pk: int) -> HttpResponse:
    invoice = _invoice(invoice_pk)
    form = ResolveForm(request.POST)
    resolution = form.cleaned_data["resolution"] if form.is_valid() else ""
    try:
        services.dispute_resolve(invoice=invoice, actor=_actor(request), resolution=resolution)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("Innsigelsen er avklart."))
    return _to_invoice(invoice.pk)


@editor_view
@require_POST
def waive(request: HttpRequest, pk: int) -> HttpResponse:
    item: ReceivableItem = get_object_or_404(ReceivableItem.objects.all(), pk=pk)
    form = WaiveForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.item_waive(item=item, actor=_actor(request), reason=reason)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("Kravet er frafalt."))
    return _to_invoice(item.invoice_id)


@editor_view
@require_http_methods(["GET", "POST"])
def collection(request: HttpRequest, invoice_pk: int) -> HttpResponse:
    invoice = _invoice(invoice_pk)
    if request.method == "POST":
        form = CollectionForm(request.POST)
        if form.is_valid():
            try:
                services.collection_mark(
                    invoice=invoice,
                    actor=_actor(request),
                    agency_name=form.cleaned_data["agency_name"],
                    sent_on=form.cleaned_data["sent_on"],
                )
            except ValidationError as exc:
                form_add_service_errors(form, exc)
            else:
                messages.success(request, _("Fakturaen er registrert som sendt til inkasso."))
                return _to_invoice(invoice.pk)
        status = 400
    else:
        form = CollectionForm(initial={"sent_on": timezone.localdate()})
        status = 200
    return render(
        request, "receivables/collection.html", {"invoice": invoice, "form": form}, status=status
    )


@company_view
def collection_csv(request: HttpRequest, invoice_pk: int) -> HttpResponse:
    invoice = _invoice(invoice_pk)
    data = exports.collection_csv(invoice=invoice, today=timezone.localdate())
    response = HttpResponse(data, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="inkasso-{invoice.number}.csv"'
    return response


# --- bank files ---------------------------------------------------------------------------


def _bank_context(request: HttpRequest, **extra: object) -> dict[str, object]:
    company = request_company(request)
    return {
        "form": BankFileForm(),
        "imports": selectors.bank_imports(company=company)[:20],
        "unmatched": selectors.unmatched_transactions(company=company)[:200],
        "unmatched_totals": selectors.unmatched_totals(company=company),
        "set_aside": selectors.set_aside_transactions(company=company)[:50],
        "reasons": BankTransaction.SetAsideReason.choices,
        "can_edit": request_membership(request).can_edit,
        **extra,
    }


@company_view
def bank(request: HttpRequest) -> HttpResponse:
    return render(request, "receivables/bank.html", _bank_context(request))


@editor_view
@require_POST
def bank_upload(request: HttpRequest) -> HttpResponse:
    company = request_company(request)
    form = BankFileForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = services.bank_file_import(
                company=company,
                actor=_actor(request),
                file_name=upload.name or "",
                data=upload.read(),
            )
        except ValidationError as exc:
            for errors in (
                exc.message_dict.values() if hasattr(exc, "error_dict") else [exc.messages]
            ):
                for error in errors:
                    form.add_error("file", error)
        else:
            messages.success(
                request,
                _(
                    "%(file)s: %(matched)s betalinger registrert, %(unmatched)s til avstemming, "
                    "%(duplicates)s allerede importert."
                )
                % {
                    "file": result.file_name,
                    "matched": result.matched_count,
                    "unmatched": result.unmatched_count,
                    "duplicates": result.duplicate_count,
                },
            )
            return redirect("receivables:bank")
    return render(request, "receivables/bank.html", _bank_context(request, form=form), status=400)


@editor_view
@require_POST
def bank_assign(request: HttpRequest, pk: int) -> HttpResponse:
    row: BankTransaction = get_object_or_404(BankTransaction.objects.all(), pk=pk)
    form = AssignForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Skriv nummeret på en utstedt faktura."))
        return redirect("receivables:bank")
    invoice = (
        Invoice.objects.invoices()
        .exclude(status=Invoice.Status.DRAFT)
        .filter(number=form.cleaned_data["invoice_number"])
        .first()
    )
    if invoice is None:
        messages.error(request, _("Fant ingen utstedt faktura med det nummeret."))
        return redirect("receivables:bank")
    try:
        services.bank_transaction_assign(
            transaction_row=row, actor=_actor(request), invoice=invoice
        )
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("Beløpet er ført mot faktura %(n)s.") % {"n": invoice.number})
    return redirect("receivables:bank")


@editor_view
@require_POST
def bank_set_aside(request: HttpRequest, pk: int) -> HttpResponse:
    row: BankTransaction = get_object_or_404(BankTransaction.objects.all(), pk=pk)
    form = SetAsideForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Velg hvorfor beløpet holdes utenfor."))
        return redirect("receivables:bank")
    try:
        services.bank_transaction_set_aside(
            transaction_row=row,
            actor=_actor(request),
            reason=form.cleaned_data["reason"],
            note=form.cleaned_data["note"],
        )
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("Beløpet er holdt utenfor avstemmingen."))
    return redirect("receivables:bank")


@editor_view
@require_POST
def bank_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    row: BankTransaction = get_object_or_404(BankTransaction.objects.all(), pk=pk)
    try:
        services.bank_transaction_reopen(transaction_row=row, actor=_actor(request))
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("Beløpet er tilbake i listen til avstemming."))
    return redirect("receivables:bank")
