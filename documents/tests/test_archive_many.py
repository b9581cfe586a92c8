"""Archiving a chunk of issued documents at once (issue 15, item 2): the same files and rows
as one by one, loaded with one query set, each file once even after a run that died."""

from __future__ import annotations

import hashlib

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scope, scopes_disabled

from core.models import AuditEntry
from documents import services
from documents.models import StoredDocument
from invoicing.tests.factories import draft_invoice, issued_invoice


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    return tmp_path


def _issued(company, count: int) -> list:
    # An EHF needs the buyer's reference or an order number (PEPPOL-EN16931-R003).
    return [issued_invoice(company=company, order_number=f"PO-{n}") for n in range(count)]


def _files(media, company) -> list[str]:
    folder = media / "documents" / str(company.pk)
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_a_chunk_archives_each_pdf_and_ehf_once_with_the_same_bytes_as_one_by_one(
    company_scope, media
):
    chunk = _issued(company_scope, 4)
    alone = _issued(company_scope, 1)[0]
    assert (
        services.issued_documents_store_many(
            company=company_scope, invoice_ids=[i.pk for i in chunk]
        )
        == len(chunk) * 2
    )
    pdf, ehf = services.issued_documents_store(invoice_id=alone.pk)

    rows = list(StoredDocument.objects.filter(invoice__in=chunk).order_by("invoice_id", "kind"))
    assert [(r.invoice_id, r.kind) for r in rows] == [
        (i.pk, kind) for i in sorted(chunk, key=lambda i: i.pk) for kind in ("ehf", "pdf")
    ]
    for row in rows:
        content = row.read()  # checks the SHA-256 taken at archiving
        assert hashlib.sha256(content).hexdigest() == row.sha256 and row.size == len(content)
    # The same rendering as the single path: same size, and the EHF embeds that PDF.
    first_pdf = next(r for r in rows if r.kind == "pdf").read()
    assert len(first_pdf) == pytest.approx(len(pdf.read()), abs=64)
    assert ehf is not None and b"EmbeddedDocumentBinaryObject" in ehf.read()
    with scopes_disabled():
        entries = AuditEntry.objects.filter(
            action__in=["documents.pdf.stored", "documents.ehf.stored"]
        )
        assert sorted((e.object_id, e.data["kind"], e.data["sha256"]) for e in entries) == sorted(
            (str(r.invoice_id), r.kind, r.sha256) for r in [*rows, pdf, ehf]
        )
        assert {e.company_id for e in entries} == {company_scope.pk}
    assert len(_files(media, company_scope)) == len(rows) + 2


def test_a_chunk_is_loaded_with_a_fixed_number_of_queries(company_scope):
    small, large = _issued(company_scope, 2), _issued(company_scope, 8)
    counts = []
    for chunk in (small, large):
        with CaptureQueriesContext(connection) as queries:
            services.issued_documents_store_many(
                company=company_scope, invoice_ids=[i.pk for i in chunk]
            )
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_a_second_run_archives_nothing_and_drafts_and_other_companies_are_left_alone(
    company_scope, other_company, media
):
    chunk = _issued(company_scope, 3)
    draft = draft_invoice(company=company_scope)
    with scope(company=other_company):
        foreign = issued_invoice(company=other_company, order_number="PO-x")
    ids = [i.pk for i in chunk] + [draft.pk, foreign.pk]
    assert services.issued_documents_store_many(company=company_scope, invoice_ids=ids) == 6
    files = _files(media, company_scope)
    assert services.issued_documents_store_many(company=company_scope, invoice_ids=ids) == 0
    assert _files(media, company_scope) == files
    with scopes_disabled():
        assert not StoredDocument.objects.filter(invoice__in=[draft, foreign]).exists()
        assert StoredDocument.objects.count() == 6


def test_a_run_that_died_before_its_commit_leaves_no_second_copy(company_scope, media, monkeypatch):
    chunk = _issued(company_scope, 3)
    ids = [i.pk for i in chunk]
    real = services._insert_missing

    def dies(*args, **kwargs):
        raise SystemExit("worker killed")  # after the files were written, before the rows

    monkeypatch.setattr(services, "_insert_missing", dies)
    with pytest.raises(SystemExit):
        services.issued_documents_store_many(company=company_scope, invoice_ids=ids)
    left = _files(media, company_scope)
    assert len(left) == 6 and StoredDocument.objects.count() == 0

    monkeypatch.setattr(services, "_insert_missing", real)
    assert services.issued_documents_store_many(company=company_scope, invoice_ids=ids) == 6
    assert _files(media, company_scope) == left  # the files found were reused
    assert sorted(r.file_name.rsplit("/", 1)[1] for r in StoredDocument.objects.all()) == left


def test_a_file_cut_short_by_a_killed_run_is_replaced_not_left_beside_a_copy(
    company_scope, media, monkeypatch
):
    """A worker killed while writing a file leaves it partly written under its final name:
    the next run writes it whole under that name, and no other file stays behind."""
    chunk = _issued(company_scope, 2)
    ids = [i.pk for i in chunk]
    real = services._insert_missing

    def dies(*args, **kwargs):
        raise SystemExit("worker killed")

    monkeypatch.setattr(services, "_insert_missing", dies)
    with pytest.raises(SystemExit):
        services.issued_documents_store_many(company=company_scope, invoice_ids=ids)
    names = _files(media, company_scope)
    cut = media / "documents" / str(company_scope.pk) / names[0]
    cut.write_bytes(cut.read_bytes()[:100])  # as if the process died mid-write

    monkeypatch.setattr(services, "_insert_missing", real)
    assert services.issued_documents_store_many(company=company_scope, invoice_ids=ids) == 4
    assert _files(media, company_scope) == names
    for row in StoredDocument.objects.all():
        row.read()  # whole again: the bytes match the SHA-256 in the row
