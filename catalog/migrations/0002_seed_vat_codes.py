"""The output VAT codes (SAF-T standard codes) and their rates.

Rates are dated; the rate in force on an invoice's delivery date applies. History
before the dates below is not loaded (see README: re-check every 1 January and 1 July).
"""

from datetime import date
from decimal import Decimal

from django.db import migrations

REVERSE_CHARGE_TEXT = "Omvendt avgiftsplikt – Merverdiavgift ikke beregnet"

CODES = [
    # code, nb, en, UBL category, exemption code, exemption reason, invoice text,
    # allowed without VAT registration, [(valid_from, rate)]
    ("3", "Utgående MVA, alminnelig sats", "Output VAT, standard rate", "S", "", "", "",
     False, [(date(2005, 1, 1), "25.00")]),
    ("31", "Utgående MVA, middels sats", "Output VAT, reduced rate (middle)", "S", "", "", "",
     False, [(date(2012, 1, 1), "15.00")]),
    ("33", "Utgående MVA, lav sats", "Output VAT, reduced rate (low)", "S", "", "", "",
     False, [(date(2021, 10, 1), "12.00")]),
    ("32", "Utgående MVA, råfisk", "Output VAT, raw fish", "S", "", "", "",
     False, [(date(2005, 1, 1), "11.11")]),
    ("5", "Innenlands omsetning fritatt for MVA", "Domestic sales, zero-rated", "Z", "", "", "",
     False, [(date(2005, 1, 1), "0.00")]),
    ("51", "Innenlands omsetning med omvendt avgiftsplikt", "Domestic reverse charge", "AE",
     "VATEX-EU-AE", "Omvendt avgiftsplikt", REVERSE_CHARGE_TEXT,
     False, [(date(2005, 1, 1), "0.00")]),
    ("52", "Utførsel av varer og tjenester", "Export of goods and services", "G",
     "VATEX-EU-G", "Utførsel, fritatt for merverdiavgift", "",
     False, [(date(2005, 1, 1), "0.00")]),
    ("6", "Omsetning unntatt merverdiavgiftsloven", "Sales exempt from VAT", "E",
     "", "Unntatt fra merverdiavgift, merverdiavgiftsloven kapittel 3", "",
     False, [(date(2005, 1, 1), "0.00")]),
    ("7", "Ingen merverdiavgiftsbehandling", "No VAT treatment (outside scope)", "O",
     "VATEX-EU-O", "Ikke merverdiavgiftspliktig", "",
     True, [(date(2005, 1, 1), "0.00")]),
]


def load(apps, schema_editor):
    VatCode = apps.get_model("catalog", "VatCode")
    VatRate = apps.get_model("catalog", "VatRate")
    for order, (code, nb, en, cat, ex_code, ex_reason, text, free, rates) in enumerate(CODES):
        vat_code = VatCode.objects.create(
            code=code,
            name_nb=nb,
            name_en=en,
            ubl_category=cat,
            exemption_reason_code=ex_code,
            exemption_reason=ex_reason,
            invoice_text=text,
            allowed_without_vat_registration=free,
            sort_order=order,
        )
        for valid_from, rate in rates:
            VatRate.objects.create(vat_code=vat_code, valid_from=valid_from, rate=Decimal(rate))


def unload(apps, schema_editor):
    apps.get_model("catalog", "VatRate").objects.all().delete()
    apps.get_model("catalog", "VatCode").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
