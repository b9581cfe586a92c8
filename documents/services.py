"""State changes of the documents app: the company logo and the document archive."""

from __future__ import annotations

import copy
import hashlib
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django_scopes import scope, scopes_disabled
from PIL import Image, UnidentifiedImageError

from accounts.models import Company
from core.audit import Actor, AuditRecord, audit_log, audit_log_many
from core.bulk import bulk_insert
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
    download or preview that comes before the task all call this (or its chunked form
    ``issued_documents_store_many``), so every copy anyone ever gets of a number is the
    archived one (issue 9 defect 5). Safe to call concurrently: the second writer gets the
    first archive back.
    """
    from invoicing.models import Invoice

    with scopes_disabled():
        company_id, status = Invoice.objects.values_list("company_id", "status").get(pk=invoice_id)
    if status == Invoice.Status.DRAFT:
        raise ValueError("Only issued documents are archived.")
    company = Company.objects.get(pk=company_id)
    issued_documents_store_many(company=company, invoice_ids=[invoice_id])
    with scope(company=company):
        rows = {
            row.kind: row
            for row in StoredDocument.objects.filter(company=company, invoice_id=invoice_id)
        }
    return rows[StoredDocument.Kind.PDF], rows.get(StoredDocument.Kind.EHF)


def issued_documents_store_many(*, company: Company, invoice_ids: Sequence[int]) -> int:
    """Archive the PDF and (buyer with a Peppol address) the EHF of many issued documents
    of ``company``: what ``issued_documents_store`` does for one, for a chunk at once.

    The chunk is loaded with one query set (``documents.adapters.for_documents``) and the
    rows already archived with one query; each missing file is rendered once, and the new
    ``StoredDocument`` rows and their audit entries are written in one transaction with one
    INSERT each. Files are named by invoice and SHA-256, so a run killed before its commit
    leaves a file the next run finds and reuses instead of a second copy; a document
    someone archived meanwhile is kept as theirs. Drafts and other companies' ids are
    ignored. Returns the number of files archived by this call.
    """
    from documents.adapters import document_from_invoice, for_documents
    from documents.ehf import EhfNotPossible, build_ehf
    from invoicing.models import Invoice

    ids = sorted(set(invoice_ids))
    if not ids:
        return 0
    with scope(company=company):
        invoices = list(
            for_documents(Invoice.objects.filter(company=company, pk__in=ids))
            .exclude(status=Invoice.Status.DRAFT)
            .order_by("pk")
        )
        stored = {
            (row.invoice_id, row.kind): row
            for row in StoredDocument.objects.filter(company=company, invoice_id__in=ids)
        }
        logo: bytes | None = None
        if any((invoice.pk, StoredDocument.Kind.PDF) not in stored for invoice in invoices):
            logo = company_logo(company=company)
        pending: list[_Pending] = []
        for invoice in invoices:
            pdf_row = stored.get((invoice.pk, StoredDocument.Kind.PDF))
            has_ehf = (invoice.pk, StoredDocument.Kind.EHF) in stored
            if pdf_row is not None and has_ehf:
                continue
            document = document_from_invoice(invoice)
            if pdf_row is None:
                pdf = render_pdf(document, logo=logo)
                pending.append(_Pending(invoice, StoredDocument.Kind.PDF, pdf, "pdf"))
            else:
                pdf = pdf_row.read()
            if not has_ehf:
                try:
                    xml = build_ehf(document, pdf=pdf)
                except EhfNotPossible:
                    continue
                pending.append(_Pending(invoice, StoredDocument.Kind.EHF, xml, "xml"))
        return _archive(company, pending)[1]


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


@dataclass
class _Pending:
    """A rendered file waiting to be archived."""

    invoice: Any
    kind: str
    content: bytes
    suffix: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def _store(*, invoice: Any, kind: str, content: bytes, suffix: str) -> StoredDocument:
    return _archive(invoice.company, [_Pending(invoice, kind, content, suffix)])[0][0]


def _write_file(item: _Pending) -> StoredDocument:
    """The unsaved row of ``item`` with its file in the storage.

    The name holds the invoice id and the SHA-256, so an identical file left by a run that
    died before its commit is reused rather than stored a second time. A file under that
    name with other bytes can only be this content cut short (a run killed while writing
    it): it is replaced, not left beside a second copy under another name."""
    digest = item.sha256
    row = StoredDocument(
        company=item.invoice.company,
        invoice=item.invoice,
        kind=item.kind,
        size=len(item.content),
        sha256=digest,
    )
    filename = f"{item.kind}-{item.invoice.pk}-{digest[:16]}.{item.suffix}"
    storage = row.file.storage
    path = row.file.field.generate_filename(row, filename)
    if storage.exists(path):
        with storage.open(path, "rb") as handle:
            if hashlib.sha256(handle.read()).hexdigest() == digest:
                row.file.name = path
                return row
        storage.delete(path)
    row.file.save(filename, ContentFile(item.content), save=False)
    return row


def _archive(company: Company, pending: list[_Pending]) -> tuple[list[StoredDocument], int]:
    """Archive the rendered files of ``pending`` (one company); for each, the archived row
    (this call's, or the one someone else committed first: its file is then the archive,
    and this call's own file is removed), and how many rows this call inserted."""
    if not pending:
        return [], 0
    rows = [_write_file(item) for item in pending]
    with scope(company=company):
        for _attempt in range(2):
            try:
                with transaction.atomic():
                    won, inserted = _insert_missing(company, rows)
                break
            except IntegrityError:
                # A concurrent writer committed one of them between the check and the
                # INSERT: the next round sees it and keeps theirs.
                continue
        else:  # pragma: no cover - two lost races in a row
            raise IntegrityError("archive: concurrent writers kept winning")
        result = []
        for row in rows:
            winner = won[(row.invoice_id, row.kind)]
            if winner.file.name != row.file.name:
                row.file.storage.delete(row.file_name)
            result.append(winner)
    return result, inserted


def _insert_missing(
    company: Company, rows: list[StoredDocument]
) -> tuple[dict[tuple[int, str], StoredDocument], int]:
    """INSERT the rows not archived yet, with their audit entries; every key's archived row
    and how many were inserted."""
    keys = {(row.invoice_id, row.kind) for row in rows}
    archived = {
        (row.invoice_id, row.kind): row
        for row in StoredDocument.objects.filter(
            company=company, invoice_id__in={invoice_id for invoice_id, _ in keys}
        )
        if (row.invoice_id, row.kind) in keys
    }
    # Copies: a retried round starts again from unsaved rows.
    new = [copy.copy(row) for row in rows if (row.invoice_id, row.kind) not in archived]
    bulk_insert(new)
    audit_log_many(
        actor=Actor.system("documents"),
        company=company,
        records=[
            AuditRecord(
                action=f"documents.{row.kind}.stored",
                target=row.invoice,
                data={"kind": row.kind, "sha256": row.sha256, "size": row.size},
            )
            for row in new
        ],
    )
    archived.update({(row.invoice_id, row.kind): row for row in new})
    return archived, len(new)
