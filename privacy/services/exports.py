"""The portability export: a ZIP of everything held about a person (JSON and CSV)."""

from __future__ import annotations

import csv
import datetime
import io
import json
import zipfile
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from core.audit import Actor, audit_log
from core.outbox import outbox_enqueue
from privacy import selectors
from privacy.models import (
    DataExport,
)

EXPORT_VALID_DAYS = 7


@transaction.atomic
def export_downloaded(*, export: DataExport, user: Any) -> None:
    audit_log(action="privacy.export.downloaded", actor=Actor.user(user), target=export)


@transaction.atomic
def export_request(*, user: Any) -> DataExport:

    export = DataExport.objects.create(
        user=user, expires_at=timezone.now() + datetime.timedelta(days=EXPORT_VALID_DAYS)
    )
    audit_log(action="privacy.export.requested", actor=Actor.user(user), target=export)
    outbox_enqueue(task="privacy.tasks.export_build_task", args=[str(export.pk)])
    return export


README = """FakturaNett - eksport av personopplysninger / export of personal data

Laget / created: {created}
Person: {email}

data.json   alle opplysningene, gruppert per kategori / everything, grouped by category
<kategori>.csv   én fil per kategori / one file per category (UTF-8, comma separated)

Hver opplysning har formål, rettslig grunnlag, kilde, lagringstid og mottakere.
Each item lists its purpose, legal basis, source, retention and recipients.

Behandlingsansvarlig / controller: Invoice Club AS, Trondheim.
Spørsmål / questions: {contact}
"""


def _build_zip(*, user: Any) -> bytes:
    reports = selectors.personal_data_for(user=user)
    buffer = io.BytesIO()
    columns = [
        "record",
        "field",
        "value",
        "purpose",
        "legal_basis",
        "source",
        "retention",
        "recipients",
    ]
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        data = {
            report.key: {
                "category": report.label,
                "items": [{c: getattr(item, c) for c in columns} for item in report.items],
            }
            for report in reports
        }
        archive.writestr("data.json", json.dumps(data, ensure_ascii=False, indent=2))
        for report in reports:
            if not report.items:
                continue
            text = io.StringIO()
            writer = csv.writer(text)
            writer.writerow(columns)
            for item in report.items:
                writer.writerow([getattr(item, c) for c in columns])
            archive.writestr(f"{report.key}.csv", text.getvalue())
        archive.writestr(
            "README.txt",
            README.format(
                created=timezone.localtime().strftime("%Y-%m-%d %H:%M"),
                email=user.email,
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
