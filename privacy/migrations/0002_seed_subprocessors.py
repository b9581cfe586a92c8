import datetime

from django.db import migrations

SUBPROCESSORS = [
    (
        "Hetzner Online GmbH",
        "Drift av servere og lagring av data (hosting)",
        "Tyskland",
        "Innenfor EU/EØS; databehandleravtale etter personvernforordningen art. 28",
        datetime.date(2024, 1, 15),
    ),
    (
        "Scaleway SAS",
        "Kryptert sikkerhetskopi utenfor hovedlokasjonen",
        "Frankrike",
        "Innenfor EU/EØS; databehandleravtale etter personvernforordningen art. 28",
        datetime.date(2024, 3, 1),
    ),
    (
        "Brevo SAS",
        "Utsending av e-post (fakturaer, varsler og markedsføring med samtykke)",
        "Frankrike",
        "Innenfor EU/EØS; databehandleravtale etter personvernforordningen art. 28",
        datetime.date(2024, 2, 12),
    ),
    (
        "LINK Mobility AS",
        "Utsending av SMS (innloggingskoder og varsler)",
        "Norge",
        "Innenfor EU/EØS; databehandleravtale etter personvernforordningen art. 28",
        datetime.date(2024, 4, 8),
    ),
    (
        "Pagero AB",
        "Peppol-aksesspunkt for sending og mottak av EHF-fakturaer",
        "Sverige",
        "Innenfor EU/EØS; databehandleravtale etter personvernforordningen art. 28",
        datetime.date(2024, 5, 20),
    ),
]


def seed(apps, schema_editor):
    SubProcessor = apps.get_model("privacy", "SubProcessor")
    for name, service, country, basis, agreed in SUBPROCESSORS:
        SubProcessor.objects.get_or_create(
            name=name,
            defaults={
                "service": service,
                "country": country,
                "transfer_basis": basis,
                "agreement_date": agreed,
            },
        )


def unseed(apps, schema_editor):
    SubProcessor = apps.get_model("privacy", "SubProcessor")
    SubProcessor.objects.filter(name__in=[row[0] for row in SUBPROCESSORS]).delete()


class Migration(migrations.Migration):
    dependencies = [("privacy", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
