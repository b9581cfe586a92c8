"""The account facts written into ``accounts_data.py`` against the Tax Administration's files."""

from __future__ import annotations

import csv
import re

import pytest

from reports.accounts_data import ACCOUNTS, DEFAULT_MAPPING, REVENUE_ACCOUNTS, VAT_ACCOUNTS
from reports.tests.saft_support import SAFT_DIR


def _rows(name: str, encoding: str) -> list[list[str]]:
    with open(SAFT_DIR / name, encoding=encoding, newline="") as handle:
        return list(csv.reader(handle, delimiter=";"))


def test_every_account_is_a_standard_account_with_its_name():
    standard = {
        row[0]: row[1]
        for row in _rows("General_Ledger_Standard_Accounts_4_character.csv", "latin-1")[1:]
    }
    for number, account in ACCOUNTS.items():
        assert standard[number] == account.name, number


def test_every_account_has_the_standard_english_name():
    # The file's English names have stray spaces around some commas ("revenue,raw fish
    # ,subject"); ``name_en`` has them tidied, the words are the file's.
    def tidy(text: str) -> str:
        return re.sub(r"\s*,\s*", ", ", " ".join(text.split()))

    standard = {
        row[0]: tidy(row[2])
        for row in _rows("General_Ledger_Standard_Accounts_4_character.csv", "latin-1")[1:]
    }
    for number, account in ACCOUNTS.items():
        assert standard[number] == account.name_en, number


def test_every_grouping_is_in_the_naeringsspesifikasjon_list():
    groupings = {
        (row[0], row[3]) for row in _rows("Grouping_naeringsspesifikasjon.csv", "utf-8-sig")[1:]
    }
    for account in ACCOUNTS.values():
        assert (account.grouping_category, account.grouping_code) in groupings, account


@pytest.mark.django_db
def test_default_mapping_covers_every_output_code():
    from catalog.models import VatCode

    codes = {row[0] for row in _rows("Standard_Tax_Codes.csv", "utf-8-sig")[1:]}
    output_codes = {"3", "31", "32", "33", "5", "51", "52", "6", "7"}
    assert output_codes <= codes
    assert (
        set(DEFAULT_MAPPING) == output_codes == set(VatCode.objects.values_list("code", flat=True))
    )
    for revenue, vat in DEFAULT_MAPPING.values():
        assert revenue in REVENUE_ACCOUNTS and (vat == "" or vat in VAT_ACCOUNTS)
