"""Seed the statutory figures of ../shared/docs/norway.md §5.1–5.2.

Interest and compensation are set per half-year, so each row ends with its half-year: a
date after the last known half-year has no figure (an error, not a guess) until operator
staff add the new one. The inkassosats stands until a regulation changes it.
"""

import datetime
from decimal import Decimal

from django.db import migrations

D = datetime.date

FIGURES = [
    # kind, from, to, value, source
    ("inkassosats", D(2020, 10, 1), D(2025, 12, 31), "700",
     "Inkassosats NOK 700 (unchanged since 2017; fee fractions 1/20 and 3/20 since 1 Oct 2020)"),
    ("inkassosats", D(2026, 1, 1), None, "750", "FOR-2025-12-19-2709 (kred.no, Amili)"),
    ("late_interest", D(2025, 1, 1), D(2025, 6, 30), "12.50", "FOR-2024-12-19-3279"),
    ("late_interest", D(2025, 7, 1), D(2025, 12, 31), "12.25", "FOR-2025-06-23-1321"),
    ("late_interest", D(2026, 1, 1), D(2026, 6, 30), "12.00", "FOR-2025-12-18-2658 (kred.no)"),
    ("late_interest", D(2026, 7, 1), D(2026, 12, 31), "12.25",
     "FOR-2026-06-25-1372 (repository note; re-check)"),
    ("compensation", D(2025, 1, 1), D(2025, 6, 30), "470", "FOR-2024-12-19-3279"),
    ("compensation", D(2025, 7, 1), D(2025, 12, 31), "460", "FOR-2025-06-23-1321"),
    ("compensation", D(2026, 1, 1), D(2026, 6, 30), "460", "FOR-2025-12-18-2658 (kred.no)"),
    ("compensation", D(2026, 7, 1), D(2026, 12, 31), "430",
     "FOR-2026-06-25-1372 (repository note; re-check)"),
]


def seed(apps, schema_editor):
    StatutoryFigure = apps.get_model("receivables", "StatutoryFigure")
    for kind, start, end, value, source in FIGURES:
        StatutoryFigure.objects.update_or_create(
            kind=kind,
            valid_from=start,
            defaults={"valid_to": end, "value": Decimal(value), "source": source},
        )


def unseed(apps, schema_editor):
    StatutoryFigure = apps.get_model("receivables", "StatutoryFigure")
    for kind, start, *_ in FIGURES:
        StatutoryFigure.objects.filter(kind=kind, valid_from=start).delete()


class Migration(migrations.Migration):
    dependencies = [("receivables", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
