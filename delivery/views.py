from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import company_view, editor_view, manager_view, request_company
from core.audit import Actor
from core.forms import form_add_service_errors
from customers.models import Client
from delivery import files, selectors, services, texts
from delivery.email import file_stem
from delivery.forms import BatchForm, EmailTextsForm, ResendForm, SendForm
from delivery.models import Batch, Channel, Delivery, EmailTexts
from delivery.texts import EmailKind
from documents.ehf import EhfNotPossible
from invoicing.models import Invoice


def _issued_invoice(pk: int) -> Invoice:
    return get_object_or_404(Invoice.objects.select_related("client"), pk=pk)


def _invoice_context(request: HttpRequest, invoice: Invoice) -> dict:
    return {
        "invoice": invoice,
        "send_log": selectors.send_log(invoice=invoice),
        "stored_kinds": selectors.stored_kinds(invoice=invoice),
        "peppol_configured": selectors.peppol_configured(),
        "has_active_delivery": selectors.has_active_delivery(invoice=invoice),
    }


@company_view
def invoice_deliveries(request: HttpRequest, invoice_pk: int) -> HttpResponse:
    invoice = _issued_invoice(invoice_pk)
    return render(request, "delivery/invoice.html", _invoice_context(request, invoice))


@editor_view
def send(request: HttpRequest, invoice_pk: int) -> HttpResponse:
    invoice = _issued_invoice(invoice_pk)
    if request.method == "POST":
        form = SendForm(request.POST)
        if form.is_valid():
            try:
                delivery = services.delivery_request(
                    invoice=invoice,
                    channel=form.cleaned_data["channel"],
                    actor=Actor.user(request.user),
                    attach_ehf=form.cleaned_data["attach_ehf"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                if delivery.channel == Channel.MANUAL:
                    messages.success(request, _("Fakturaen er registrert som sendt manuelt."))
                else:
                    messages.success(request, _("Fakturaen er lagt i kø for utsendelse."))
                return redirect("delivery:invoice", invoice_pk=invoice.pk)
        status = 400
    else:
        form = SendForm(initial={"channel": invoice.client.delivery_channel})
        status = 200
    context = _invoice_context(request, invoice) | {"form": form}
    return render(request, "delivery/send.html", context, status=status)


@editor_view
@require_POST
def resend(request: HttpRequest, pk: int) -> HttpResponse:
    delivery: Delivery = get_object_or_404(Delivery.objects.select_related("invoice"), pk=pk)
    form = ResendForm(request.POST)
    attach = form.cleaned_data["attach_ehf"] if form.is_valid() else None
    try:
        services.delivery_resend(
            delivery=delivery, actor=Actor.user(request.user), attach_ehf=attach
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        context = _invoice_context(request, delivery.invoice) | {"errors": exc.messages}
        return render(request, "delivery/invoice.html", context, status=400)
    messages.success(request, _("Fakturaen er lagt i kø for ny utsendelse."))
    return redirect("delivery:invoice", invoice_pk=delivery.invoice_id)


def _download(content: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@company_view
def download_pdf(request: HttpRequest, invoice_pk: int) -> HttpResponse:
    invoice = _issued_invoice(invoice_pk)
    if invoice.is_draft:
        raise Http404
    return _download(files.pdf_bytes(invoice), f"{file_stem(invoice)}.pdf", "application/pdf")


@company_view
def download_ehf(request: HttpRequest, invoice_pk: int) -> HttpResponse:
    invoice = _issued_invoice(invoice_pk)
    if invoice.is_draft:
        raise Http404
    try:
        xml = files.ehf_bytes(invoice)
    except EhfNotPossible:
        raise Http404(_("Kunden har ingen Peppol-adresse; det finnes ingen EHF-fil.")) from None
    return _download(xml, f"{file_stem(invoice)}.xml", "application/xml")


@company_view
def failed(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "delivery/failed.html",
        {"deliveries": selectors.failed_deliveries()[:500]},
    )


# What a row of the send batch form shows (``delivery/batch_new.html``, ``_batch_rows``):
# an invoice's ~40 columns with its two JSON snapshots, and its client's every column,
# for 500 rows were most of the page's 70 ms at 1 M invoices.
BATCH_ROW_COLUMNS = (
    "kind",
    "number",
    "currency",
    "total_incl_vat",
    "client__name",
    "client__delivery_channel",
)


@dataclass(frozen=True)
class _BatchRow:
    """A row of the send batch form, its texts ready: the template renders 500 of them.
    Resolving each one's two choice labels (``get_..._display``, a translation of every
    choice per call), localizing its ids, a ``blocktranslate`` and two model instances per
    row were most of the page's 66 ms at 1 M invoices (issue 15)."""

    pk: str
    kind: str
    number: str
    choose: str  # the checkbox's accessible name
    client: str
    channel: str
    currency: str
    amount: Decimal


def _batch_rows(invoices: Iterable[Any]) -> list[_BatchRow]:
    """``invoices``: named rows of ``BATCH_ROW_COLUMNS`` and the primary key."""
    kinds = {value: str(label) for value, label in Invoice.Kind.choices}
    channels = {value: str(label) for value, label in Client.DeliveryChannel.choices}
    choose = _("Velg faktura %(number)s")
    return [
        _BatchRow(
            pk=str(invoice.pk),
            kind=kinds[invoice.kind],
            number=str(invoice.number),
            choose=choose % {"number": invoice.number},
            client=invoice.client__name,
            channel=channels.get(
                invoice.client__delivery_channel, invoice.client__delivery_channel
            ),
            currency=invoice.currency,
            amount=invoice.total_incl_vat,
        )
        for invoice in invoices
    ]


@editor_view
def batch_new(request: HttpRequest) -> HttpResponse:
    shown = selectors.unsent_issued_invoices().values_list("pk", *BATCH_ROW_COLUMNS, named=True)
    invoices = _batch_rows(shown[: services.batch_max()])
    status = 200
    form = BatchForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                batch = services.batch_create(
                    company=request_company(request),
                    invoice_ids=form.cleaned_data["invoice"],
                    actor=Actor.user(request.user),
                    attach_ehf=form.cleaned_data["attach_ehf"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                return redirect("delivery:batch", pk=batch.pk)
    return render(
        request,
        "delivery/batch_new.html",
        {
            "form": form,
            "invoices": invoices,
            "batches": selectors.recent_batches(),
            "peppol_configured": selectors.peppol_configured(),
        },
        status=status,
    )


def _batch_context(batch: Batch) -> dict:
    return {
        "batch": batch,
        "progress": services.batch_progress(batch=batch),
        "items": batch.items.select_related("invoice", "invoice__client"),
    }


@company_view
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch: Batch = get_object_or_404(Batch.objects.all(), pk=pk)
    return render(request, "delivery/batch.html", _batch_context(batch))


@company_view
def batch_progress(request: HttpRequest, pk: int) -> HttpResponse:
    batch: Batch = get_object_or_404(Batch.objects.all(), pk=pk)
    return render(request, "delivery/_batch_progress.html", _batch_context(batch))


def _email_kind(kind: str) -> EmailKind:
    if kind not in texts.KINDS:
        raise Http404
    return texts.KINDS[kind]


@manager_view
def email_texts(request: HttpRequest, kind: str = "invoice") -> HttpResponse:
    """The subject and body of one kind of e-mail per language, starting from the defaults,
    with a preview in the example values; the other kinds are a tab away."""
    email_kind = _email_kind(kind)
    company = request_company(request)
    defaults = texts.defaults(email_kind)
    own = EmailTexts.objects.filter(company=company, kind=kind).first()
    saved = {name: (getattr(own, name) if own is not None else "") for name in texts.FIELDS}
    initial = {name: saved[name] or defaults[name] for name in texts.FIELDS}
    form = EmailTextsForm(request.POST or None, initial=initial)
    preview = texts.preview(email_kind, saved) if request.method == "GET" else None
    if request.method == "POST" and form.is_valid():
        try:
            if "preview" in request.POST:
                checked = services.email_texts_check(kind=kind, values=form.cleaned_data)
                preview = texts.preview(email_kind, checked)
            else:
                services.email_texts_update(
                    company=company,
                    actor=Actor.user(request.user),
                    kind=kind,
                    values=form.cleaned_data,
                )
                messages.success(request, _("E-posttekstene er lagret."))
                return redirect("delivery:email_texts_kind", kind=kind)
        except ValidationError as error:
            form_add_service_errors(form, error)
    return render(
        request,
        "delivery/email_texts.html",
        {
            "form": form,
            "kind": email_kind,
            "kinds": texts.KINDS.values(),
            "placeholders": email_kind.placeholders,
            "customised": own is not None,
            "preview": preview,
        },
        status=400 if form.errors else 200,
    )


@manager_view
@require_POST
def email_texts_reset(request: HttpRequest, kind: str) -> HttpResponse:
    _email_kind(kind)
    services.email_texts_reset(
        company=request_company(request),
        actor=Actor.user(request.user),
        kind=kind,
    )
    messages.success(request, _("E-posttekstene er satt tilbake til standardtekstene."))
    return redirect("delivery:email_texts_kind", kind=kind)
