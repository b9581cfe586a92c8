"""Reads of the documents app that views, services and the issue hook share."""

from __future__ import annotations

from typing import Any

from django_scopes import scope

from accounts.models import Company
from documents.models import CompanyBranding, StoredDocument


def company_branding(*, company: Company) -> CompanyBranding | None:
    with scope(company=company):
        return CompanyBranding.objects.filter(company=company).first()


def company_logo(*, company: Company) -> bytes | None:
    """The company's logo (PNG or JPEG bytes) for ``render_pdf(..., logo=...)``, or None."""
    with scope(company=company):
        logo = (
            CompanyBranding.objects.filter(company=company).values_list("logo", flat=True).first()
        )
    return bytes(logo) if logo is not None else None


def stored_document(*, invoice: Any, kind: str) -> StoredDocument | None:
    """The archived PDF/EHF of ``invoice`` (``StoredDocument.Kind``), or None."""
    with scope(company=invoice.company):
        return StoredDocument.objects.filter(
            company=invoice.company, invoice=invoice, kind=kind
        ).first()
