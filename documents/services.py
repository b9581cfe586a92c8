"""State changes of the documents app: the company logo and the document archive."""

from __future__ import annotations

import hashlib
import io
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django_scopes import scope
from PIL import Image, UnidentifiedImageError

from accounts.models import Company
from core.audit import Actor, audit_log
from documents.document import InvoiceDocument
from documents.models import CompanyBranding, StoredDocument
from documents.pdf import render_pdf
from documents.selectors import company_logo

LOGO_MAX_BYTES = 1024 * 1024
LOGO_MAX_PIXELS = 2000
_FORMATS = {"PNG": CompanyBranding.ImageFormat.PNG, "JPEG": CompanyBranding.ImageFormat.JPEG}


def _clean_logo(data: bytes) -> tuple[bytes, str, int, int]:
    """Check an uploaded logo by its content and re-encode it without any metadata.

    Returns (bytes, format, width, height). PNG and JPEG only, ≤ 1 MB, ≤ 2000 × 2000 px;
    anything else raises ``ValidationError``.
    """
    if len(data) > LOGO_MAX_BYTES:
        raise ValidationError(
            _("Logoen kan være høyst 1 MB."), code="logo_too_large", params={"size": len(data)}
        )
    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind = probe.format
            width, height = probe.size
            probe.verify()  # checksums and structure, without decoding every pixel
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError(
            _("Filen er ikke et PNG- eller JPEG-bilde vi kan lese."), code="logo_unreadable"
        ) from None
    if kind not in _FORMATS:
        raise ValidationError(_("Logoen må være et PNG- eller JPEG-bilde."), code="logo_format")
    if width > LOGO_MAX_PIXELS or height > LOGO_MAX_PIXELS:
        raise ValidationError(
            _("Logoen kan være høyst %(max)s × %(max)s piksler (denne er %(w)s × %(h)s)."),
            code="logo_dimensions",
            params={"max": LOGO_MAX_PIXELS, "w": width, "h": height},
        )
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            if kind == "PNG":
                mode = "RGBA" if image.mode in ("RGBA", "LA", "P", "PA") else "RGB"
                if image.mode in ("L", "1"):
                    mode = "L"
                clean = image.convert(mode)
            else:
                clean = image.convert("RGB")
    except (OSError, SyntaxError, ValueError):
        raise ValidationError(
            _("Filen er ikke et PNG- eller JPEG-bilde vi kan lese."), code="logo_unreadable"
        ) from None
    clean.info = {}  # no text chunks, EXIF, ICC profile, comments or timestamps
    out = io.BytesIO()
    if kind == "PNG":
        clean.save(out, format="PNG", optimize=True)
    else:
        clean.save(out, format="JPEG", quality=90, optimize=True)
    return out.getvalue(), _FORMATS[kind], width, height


def logo_upload(*, company: Company, actor: Actor, data: bytes) -> CompanyBranding:
    """Store ``data`` as the company's logo (validated, re-encoded), replacing any old one."""
    logo, image_format, width, height = _clean_logo(data)
    digest = hashlib.sha256(logo).hexdigest()
    with transaction.atomic(), scope(company=company):
        branding = CompanyBranding.objects.select_for_update().filter(company=company).first()
        if branding is None:
            branding = CompanyBranding(company=company)
        branding.logo = logo
        branding.logo_format = image_format
        branding.logo_width = width
        branding.logo_height = height
        branding.logo_sha256 = digest
        branding.save()
        audit_log(
            action="documents.logo.uploaded",
            actor=actor,
            company=company,
            target=branding,
            data={"format": image_format, "width": width, "height": height, "sha256": digest},
        )
    return branding


def logo_remove(*, company: Company, actor: Actor) -> bool:
    """Remove the company's logo; False if it had none."""
    with transaction.atomic(), scope(company=company):
        branding = CompanyBranding.objects.filter(company=company).first()
        if branding is None:
            return False
        audit_log(
            action="documents.logo.removed",
            actor=actor,
            company=company,
            target=branding,
            data={"sha256": branding.logo_sha256},
        )
        branding.delete()
    return True


def pdf_store(*, invoice: Any, document: InvoiceDocument) -> StoredDocument:
    """Render and archive the PDF of an issued ``invoice`` once; later calls return that one.

    ``document`` is the invoice's ``InvoiceDocument`` (``documents.adapters``). The company's
    logo is drawn when it has one. The archived file is never regenerated: a retried task
    or a second call gets the stored row back, the same bytes and SHA-256.
    """
    if document.is_draft or invoice.number is None:
        raise ValueError("only an issued invoice's PDF is archived")
    company = invoice.company
    with scope(company=company):
        existing = _stored(invoice, StoredDocument.Kind.PDF)
        if existing is not None:
            return existing
        pdf = render_pdf(document, logo=company_logo(company=company))
        return _store(invoice=invoice, kind=StoredDocument.Kind.PDF, content=pdf, suffix="pdf")


def issued_documents_store(*, invoice_id: int) -> tuple[StoredDocument, StoredDocument | None]:
    """Archive the issued document's PDF and, when the buyer has a Peppol address, its EHF
    (built from the same ``InvoiceDocument`` with the archived PDF embedded), each once.

    The one way an issued document's files come to exist: the after-issue task, a send, a
    download or preview that comes before the task all call this, so every copy anyone
    ever gets of a number is the archived one (issue 9 defect 5). Safe to call
    concurrently: the second writer gets the first archive back.
    """
    from documents.adapters import document_from_invoice, load_for_document
    from documents.ehf import EhfNotPossible, build_ehf
    from documents.selectors import stored_document

    invoice = load_for_document(invoice_id)
    if invoice.is_draft:
        raise ValueError("Only issued documents are archived.")
    with scope(company=invoice.company):
        pdf = stored_document(invoice=invoice, kind=StoredDocument.Kind.PDF)
        ehf = stored_document(invoice=invoice, kind=StoredDocument.Kind.EHF)
        if pdf is not None and ehf is not None:
            return pdf, ehf
        document = document_from_invoice(invoice)
        if pdf is None:
            pdf = pdf_store(invoice=invoice, document=document)
        if ehf is None:
            try:
                xml = build_ehf(document, pdf=pdf.read())
            except EhfNotPossible:
                return pdf, None
            ehf = ehf_store(invoice=invoice, xml=xml)
        return pdf, ehf


def issued_pdf(*, invoice: Any) -> bytes:
    """The archived PDF of an issued document (archived now if it is not yet)."""
    from documents.selectors import stored_document

    stored = stored_document(invoice=invoice, kind=StoredDocument.Kind.PDF)
    if stored is None:
        stored = issued_documents_store(invoice_id=invoice.pk)[0]
    return stored.read()


def issued_ehf(*, invoice: Any) -> bytes:
    """The archived EHF of an issued document (archived now if it is not yet).

    Raises ``documents.ehf.EhfNotPossible`` when the buyer has no Peppol address.
    """
    from documents.ehf import EhfNotPossible
    from documents.selectors import stored_document

    stored = stored_document(invoice=invoice, kind=StoredDocument.Kind.EHF)
    if stored is None:
        stored = issued_documents_store(invoice_id=invoice.pk)[1]
        if stored is None:
            raise EhfNotPossible(f"Invoice {invoice.number}: the buyer has no Peppol address.")
    return stored.read()


def ehf_store(*, invoice: Any, xml: bytes) -> StoredDocument:
    """Archive the EHF file of an issued ``invoice`` once; later calls return that one."""
    if invoice.number is None:
        raise ValueError("only an issued invoice's EHF is archived")
    with scope(company=invoice.company):
        existing = _stored(invoice, StoredDocument.Kind.EHF)
        if existing is not None:
            return existing
        return _store(invoice=invoice, kind=StoredDocument.Kind.EHF, content=xml, suffix="xml")


def _stored(invoice: Any, kind: str) -> StoredDocument | None:
    return StoredDocument.objects.filter(
        company=invoice.company, invoice=invoice, kind=kind
    ).first()


def _store(*, invoice: Any, kind: str, content: bytes, suffix: str) -> StoredDocument:
    digest = hashlib.sha256(content).hexdigest()
    stored = StoredDocument(
        company=invoice.company, invoice=invoice, kind=kind, size=len(content), sha256=digest
    )
    stored.file.save(
        f"{kind}-{invoice.pk}-{digest[:16]}.{suffix}", ContentFile(content), save=False
    )
    try:
        with transaction.atomic():
            stored.save()
            audit_log(
                action=f"documents.{kind}.stored",
                actor=Actor.system("documents"),
                company=invoice.company,
                target=invoice,
                data={"kind": kind, "sha256": digest, "size": len(content)},
            )
    except IntegrityError:
        # Someone archived it first (a concurrent retry): theirs is the archived one.
        stored.file.storage.delete(stored.file.name)
        winner = _stored(invoice, kind)
        if winner is None:
            raise
        return winner
    return stored
