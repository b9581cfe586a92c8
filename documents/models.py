"""A company's logo for its documents, and the archive of rendered invoice documents.

``StoredDocument`` is the archived PDF or EHF of an issued invoice or credit note (design.md
§4: rendered from the snapshot after commit, archived with its SHA-256). It is written once
and never regenerated, changed or deleted: ``save`` on an existing row, ``delete`` and the
queryset's ``update``/``delete`` raise ``AppendOnlyError``.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager, scopes_disabled

from core.errors import ExplainedError
from core.models import AppendOnlyError, AppendOnlyQuerySet, TenantModel

logger = logging.getLogger("documents.archive")


class CompanyBranding(TenantModel):
    """The company's logo, as validated and re-encoded on upload (no metadata left)."""

    class ImageFormat(models.TextChoices):
        PNG = "PNG", "PNG"
        JPEG = "JPEG", "JPEG"

    logo = models.BinaryField(_("logo"), editable=False)
    logo_format = models.CharField(_("bildeformat"), max_length=4, choices=ImageFormat.choices)
    logo_width = models.PositiveIntegerField(_("bredde (piksler)"))
    logo_height = models.PositiveIntegerField(_("høyde (piksler)"))
    logo_sha256 = models.CharField(max_length=64)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["company"], name="companybranding_one_per_company")
        ]
        verbose_name = _("firmaprofil")
        verbose_name_plural = _("firmaprofiler")

    def __str__(self) -> str:
        return f"{self.company_id}: {self.logo_format} {self.logo_width}×{self.logo_height}"

    @property
    def content_type(self) -> str:
        return "image/png" if self.logo_format == self.ImageFormat.PNG else "image/jpeg"


def _document_path(instance: StoredDocument, filename: str) -> str:
    return f"documents/{instance.company_id}/{filename}"


_AppendOnlyManager = AppendOnlyQuerySet.as_manager().__class__


class ArchivedFileMissing(ExplainedError):
    """An archived PDF/EHF whose file is gone from the storage or no longer matches its
    SHA-256. Never served, never silently rendered again: the page and the API explain it
    (410 Gone: asking again will not help until the archive is repaired), the log names
    it, and ``manage.py documents_repair`` puts back what it can prove identical
    (``documents.integrity``)."""

    status_code = 410

    def __init__(self, stored: StoredDocument, *, problem: str) -> None:
        super().__init__(f"{stored} ({stored.file.name}): {problem}")
        self.stored = stored
        self.problem = problem  # "missing" or "checksum"

    def title(self) -> str:
        return gettext("Dokumentet mangler i arkivet")

    def user_message(self) -> str:
        with scopes_disabled():
            invoice = self.stored.invoice
        return gettext(
            "Den arkiverte %(kind)s-filen til %(document)s %(number)s mangler i arkivet eller "
            "er endret, så den vises ikke. En ny utskrift kunne avvike fra den som ble sendt, "
            "og lages derfor ikke automatisk. Feilen er logget, og driften gjenoppretter filen "
            "fra sikkerhetskopien eller med reparasjonskommandoen. Prøv igjen senere, eller "
            "kontakt oss og oppgi referansen."
        ) % {
            "kind": self.stored.kind.upper(),
            "document": gettext("kreditnota") if invoice.is_credit_note else gettext("faktura"),
            "number": invoice.number,
        }

    def log(self) -> None:
        logger.error(
            "Archived document %s of invoice %s (%s) is %s; run manage.py documents_repair",
            self.stored.pk,
            self.stored.invoice_id,
            self.stored.file.name,
            self.problem,
        )


class StoredDocument(TenantModel):
    """The archived PDF or EHF XML of one issued invoice or credit note."""

    class Kind(models.TextChoices):
        PDF = "pdf", _("PDF")
        EHF = "ehf", _("EHF (XML)")

    invoice = models.ForeignKey(
        "invoicing.Invoice", on_delete=models.PROTECT, related_name="stored_documents"
    )
    kind = models.CharField(_("type"), max_length=3, choices=Kind.choices)
    file = models.FileField(_("fil"), upload_to=_document_path, max_length=255)
    size = models.PositiveIntegerField(_("størrelse (byte)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    # The Django plugin cannot name django_scopes' manager classes (built in a function) and
    # types every scoped manager as TenantModel's; a second one looks like a conflict to it.
    objects = ScopedManager(  # type: ignore[misc]
        company="company",
        _manager_class=_AppendOnlyManager,  # type: ignore[arg-type]
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["company", "invoice", "kind"], name="storeddocument_one_per_kind"
            )
        ]
        ordering = ["invoice_id", "kind"]
        verbose_name = _("arkivert dokument")
        verbose_name_plural = _("arkiverte dokumenter")

    def __str__(self) -> str:
        return f"{self.kind} of invoice {self.invoice_id} ({self.sha256[:12]})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("An archived document is never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("An archived document is never deleted.")

    @property
    def file_name(self) -> str:
        """The file's name in the storage (a row is only ever written with its file)."""
        name = self.file.name
        if not name:
            raise ValueError(f"{self} has no file")
        return name

    def read(self) -> bytes:
        """The archived bytes, checked against the SHA-256 taken when they were archived."""
        try:
            with self.file.open("rb") as handle:
                content = handle.read()
        except FileNotFoundError:
            raise ArchivedFileMissing(self, problem="missing") from None
        if hashlib.sha256(content).hexdigest() != self.sha256:
            raise ArchivedFileMissing(self, problem="checksum")
        return content
