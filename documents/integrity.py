"""Are the archived PDFs and EHF files still there, byte for byte?

Each ``StoredDocument`` row holds the SHA-256 of the file it archived. ``archive_check``
compares every file with it (after a restore, or whenever the operator asks);
``archive_repair`` puts a lost file back only when rendering it again from the issued
snapshot gives exactly the archived bytes (same SHA-256) — otherwise the document stays
reported as missing, because a different rendering must never pass for the original.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django_scopes import scope, scopes_disabled

from core.backup import StepResult
from documents.models import ArchivedFileMissing, StoredDocument

_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class ArchiveProblem:
    stored_id: int
    invoice_id: int
    kind: str
    name: str
    problem: str  # "missing" or "checksum"

    def __str__(self) -> str:
        what = "missing" if self.problem == "missing" else "changed (checksum differs)"
        return f"{self.kind.upper()} of invoice id {self.invoice_id} ({self.name}): {what}"


def _digest(stored: StoredDocument) -> str | None:
    storage = stored.file.storage
    if not storage.exists(stored.file_name):
        return None
    digest = hashlib.sha256()
    with storage.open(stored.file_name, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def archive_problems() -> Iterator[ArchiveProblem]:
    """Every archived document whose file is missing or differs from its SHA-256."""
    with scopes_disabled():
        rows = StoredDocument.objects.only("id", "invoice_id", "kind", "file", "sha256")
        for stored in rows.order_by("id").iterator(chunk_size=2000):
            digest = _digest(stored)
            if digest == stored.sha256:
                continue
            yield ArchiveProblem(
                stored_id=stored.pk,
                invoice_id=stored.invoice_id,
                kind=stored.kind,
                name=stored.file_name,
                problem="missing" if digest is None else "checksum",
            )


def archive_check(backup_created_at: datetime.datetime | None = None) -> StepResult:
    """The restore step (and ``documents_repair --check``): count and name the problems."""
    with scopes_disabled():
        total = StoredDocument.objects.count()
    problems = list(archive_problems())
    lines = [f"{total - len(problems)} of {total} archived documents match their SHA-256."]
    lines += [str(problem) for problem in problems[:50]]
    if len(problems) > 50:
        lines.append(f"... and {len(problems) - 50} more")
    if problems:
        lines.append("Run `manage.py documents_repair` to put back what can be re-created exactly.")
    return StepResult(name="archived documents checked", ok=not problems, lines=lines)


def _rendered_again(stored: StoredDocument) -> bytes:
    """The bytes rendering the issued snapshot again gives (imports kept local: heavy)."""
    from documents.adapters import document_from_invoice, load_for_document
    from documents.ehf import build_ehf
    from documents.pdf import render_pdf
    from documents.selectors import company_logo

    invoice = load_for_document(stored.invoice_id)
    document = document_from_invoice(invoice)
    if stored.kind == StoredDocument.Kind.PDF:
        return render_pdf(document, logo=company_logo(company=invoice.company))
    pdf = StoredDocument.objects.get(invoice_id=stored.invoice_id, kind=StoredDocument.Kind.PDF)
    return build_ehf(document, pdf=pdf.read())


@dataclass(frozen=True)
class RepairResult:
    repaired: list[ArchiveProblem]
    still_missing: list[ArchiveProblem]


def archive_repair() -> RepairResult:
    """Re-create each lost file whose new rendering is byte-identical; report the rest."""
    repaired, still_missing = [], []
    # PDFs first: an EHF embeds its PDF, so it can only be rebuilt once the PDF is back.
    problems = sorted(archive_problems(), key=lambda p: (p.kind != StoredDocument.Kind.PDF,))
    with scopes_disabled():
        for problem in problems:
            stored = StoredDocument.objects.select_related("company").get(pk=problem.stored_id)
            with scope(company=stored.company):
                try:
                    content = _rendered_again(stored)
                except (
                    StoredDocument.DoesNotExist,
                    ArchivedFileMissing,
                    FileNotFoundError,
                    ValueError,
                ):
                    still_missing.append(problem)
                    continue
            if hashlib.sha256(content).hexdigest() != stored.sha256:
                still_missing.append(problem)
                continue
            storage = stored.file.storage
            if storage.exists(stored.file_name):
                storage.delete(stored.file_name)
            # The same name: the row keeps pointing at it (FileSystemStorage keeps names
            # it is given when the file does not exist).
            storage.save(stored.file_name, ContentFile(content))
            repaired.append(problem)
    return RepairResult(repaired=repaired, still_missing=still_missing)
