"""The portability export: a ZIP of everything held about a person (JSON and CSV)."""

from __future__ import annotations

import csv
import datetime
import io
import json
import zipfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from core.audit import Actor, audit_log
from core.outbox import outbox_enqueue
from privacy import selectors
from privacy.models import (
    DataExport,
)

EXPORT_VALID_DAYS = 7


@transaction.atomic
def export_downloaded(*, export: DataExport, user: User) -> None:
    audit_log(action="privacy.export.downloaded", actor=Actor.user(user), target=export)


@transaction.atomic
def export_request(*, user: User) -> DataExport:

    export = DataExport.objects.create(
        user=user, expires_at=timezone.now() + datetime.timedelta(days=EXPORT_VALID_DAYS)
    )
    audit_log(action="privacy.export.requested", actor=Actor.user(user), target=export)
    outbox_enqueue(task="privacy.tasks.export_build_task", args=[str(export.pk)])
    return export


README = """FakturaNett - eksport av personopplysninger / export of personal data

Laget / created: {created}
Person: {email}

data.json        alle opplysningene, gruppert per kategori / everything, grouped by category
schema.json      beskrivelse av data.json (JSON Schema) / the structure of data.json
                 (JSON Schema), also published at {schema_url}
<kategori>.csv   én fil per kategori / one file per category (UTF-8, comma separated,
                 header row in your language; the columns are listed in data.json,
                 "csv_columns")

Hver opplysning har formål, rettslig grunnlag, kilde, lagringstid og mottakere.
Each item lists its purpose, legal basis, source, retention and recipients.

Behandlingsansvarlig / controller: Invoice Club AS, Trondheim.
Spørsmål / questions: {contact}
"""

FORMAT = "fakturanett-personal-data-export"
FORMAT_VERSION = 2
SCHEMA_PATH = Path(__file__).resolve().parent.parent / "export_schema.json"
# The columns of every item (JSON keys, and the CSV files' columns in this order).
COLUMNS = (
    ("record", gettext_lazy("Hvor")),
    ("field", gettext_lazy("Opplysning")),
    ("value", gettext_lazy("Verdi")),
    ("purpose", gettext_lazy("Formål")),
    ("legal_basis", gettext_lazy("Rettslig grunnlag")),
    ("source", gettext_lazy("Kilde")),
    ("retention", gettext_lazy("Lagringstid")),
    ("recipients", gettext_lazy("Mottakere")),
)


def export_schema() -> dict[str, Any]:
    """The published JSON Schema of ``data.json`` (``privacy/export_schema.json``)."""
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def export_document(*, user: User) -> dict[str, Any]:
    """``data.json``: everything held about ``user``, in the person's language, in the
    structure ``export_schema()`` describes."""
    language = user.language or settings.LANGUAGE_CODE
    with translation.override(language):
        reports = selectors.personal_data_for(user=user)
        return {
            "$schema": settings.SITE_URL + reverse("privacy:export_schema"),
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "created": timezone.localtime().isoformat(timespec="seconds"),
            "language": language,
            "person": {"email": user.email},
            "controller": str(
                _("Invoice Club AS, Trondheim. Spørsmål: %(contact)s")
                % {"contact": settings.SITE_URL + reverse("privacy:contact")}
            ),
            "csv_columns": [{"key": key, "label": str(label)} for key, label in COLUMNS],
            "categories": [
                {
                    "key": report.key,
                    "label": report.label,
                    "csv_file": f"{report.key}.csv" if report.items else None,
                    "items": [
                        {key: getattr(item, key) for key, _label in COLUMNS}
                        for item in report.items
                    ],
                }
                for report in reports
            ],
        }


def _build_zip(*, user: User) -> bytes:
    document = export_document(user=user)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", json.dumps(document, ensure_ascii=False, indent=2))
        archive.writestr("schema.json", SCHEMA_PATH.read_text(encoding="utf-8"))
        header = [column["label"] for column in document["csv_columns"]]
        for category in document["categories"]:
            if not category["csv_file"]:
                continue
            text = io.StringIO()
            writer = csv.writer(text)
            writer.writerow(header)
            for item in category["items"]:
                writer.writerow([item[key] for key, _label in COLUMNS])
            archive.writestr(category["csv_file"], text.getvalue())
        archive.writestr(
            "README.txt",
            README.format(
                created=timezone.localtime().strftime("%Y-%m-%d %H:%M"),
                email=user.email,
                schema_url=document["$schema"],
                contact=settings.SITE_URL + reverse("privacy:contact"),
            ),
        )
    return buffer.getvalue()


def export_build(*, export_id: str) -> DataExport:
    export = DataExport.objects.select_related("user").get(pk=export_id)
    if export.status != DataExport.Status.PENDING:
        return export
    try:
        content = _build_zip(user=export.user)
    except Exception:
        with transaction.atomic():
            DataExport.objects.filter(pk=export.pk).update(status=DataExport.Status.FAILED)
        raise
    with transaction.atomic():
        export.file.save(f"{export.pk.hex}.zip", ContentFile(content), save=False)
        export.status = DataExport.Status.READY
        export.save(update_fields=["file", "status"])
        audit_log(action="privacy.export.built", actor=Actor.system("privacy"), target=export)
    return export
