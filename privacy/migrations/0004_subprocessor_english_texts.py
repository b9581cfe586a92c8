from django.db import migrations

BASIS = "Within the EU/EEA; data processing agreement under GDPR Art. 28"
ENGLISH = {
    "Hetzner Online GmbH": ("Servers and data storage (hosting)", "Germany"),
    "Scaleway SAS": ("Encrypted off-site backup", "France"),
    "Brevo SAS": (
        "Sending e-mail (invoices, notices, and marketing with consent)",
        "France",
    ),
    "LINK Mobility AS": ("Sending text messages (login codes and notices)", "Norway"),
    "Pagero AB": ("Peppol access point for sending and receiving EHF invoices", "Sweden"),
}


def fill(apps, schema_editor):
    SubProcessor = apps.get_model("privacy", "SubProcessor")
    for name, (service, country) in ENGLISH.items():
        SubProcessor.objects.filter(name=name, service_en="").update(
            service_en=service, country_en=country, transfer_basis_en=BASIS
        )


class Migration(migrations.Migration):
    dependencies = [("privacy", "0003_subprocessor_english")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
