"""The accounts the SAF-T export uses, with their grouping codes, and the default mapping.

Facts from the Norwegian Tax Administration's public SAF-T repository (snapshot 2025-12-18):
account names (bokmål and English) from ``General_Ledger_Standard_Accounts_4_character.csv``
and the grouping codes (mandatory ``GroupingCategory``/``GroupingCode`` in 1.30) from
``Grouping_naeringsspesifikasjon.csv``. Written here so that the product does not read the
reference files at run time; ``reports/tests/test_accounts_data.py`` checks every fact
against those files.
"""

from __future__ import annotations

from typing import NamedTuple

from core.languages import is_english


class Account(NamedTuple):
    number: str
    name: str  # the standard chart's bokmål name, as the SAF-T file names the account
    name_en: str  # its English name (spaces around commas tidied), for the English pages
    grouping_category: str
    grouping_code: str

    def label(self, language: str | None = None) -> str:
        """The number and the name in ``language`` (default: the active one)."""
        return f"{self.number} {self.name_en if is_english(language) else self.name}"


CURRENT_ASSETS = "balanseverdiForOmloepsmiddel"
SHORT_TERM_DEBT = "kortsiktigGjeld"
SALES = "salgsinntekt"
OTHER_INCOME = "annenDriftsinntekt"
FINANCE_INCOME = "finansinntekt"

RECEIVABLES = "1500"
BANK = "1920"
FEE_INCOME = "3900"  # reminder and notice fees, § 3a compensation (outside the VAT base)
INTEREST_INCOME = "8055"  # late-payment interest on receivables
# The øre a foreign-currency document's NOK lines, each rounded, differ from its total at
# the same rate (the receivable): booked as currency gain or loss (see reports.saft).
CURRENCY_GAIN = "8060"
CURRENCY_LOSS = "8160"
FINANCE_COST = "finanskostnad"

_ACCOUNTS = [
    (
        RECEIVABLES,
        "Kundefordringer",
        "Trade debtors (accounts receivable from customers)",
        CURRENT_ASSETS,
        "1500",
    ),
    (BANK, "Bankinnskudd", "Bank deposits", CURRENT_ASSETS, "1920"),
    ("2700", "Utgående merverdiavgift, høy sats", "Output VAT, high rate", SHORT_TERM_DEBT, "2740"),
    (
        "2701",
        "Utgående merverdiavgift, middels sats",
        "Output VAT, middle rate",
        SHORT_TERM_DEBT,
        "2740",
    ),
    (
        "2702",
        "Utgående merverdiavgift, middels sats, råfisk mv",
        "Output VAT, middle rate raw fish etc",
        SHORT_TERM_DEBT,
        "2740",
    ),
    ("2703", "Utgående merverdiavgift, lav sats", "Output VAT, low rate", SHORT_TERM_DEBT, "2740"),
    (
        "3000",
        "Salgsinntekt handelsvarer, avgiftspliktig, høy sats",
        "Sales revenue, merchandise, subject to VAT, high rate",
        SALES,
        "3000",
    ),
    (
        "3005",
        "Salgsinntekt handelsvarer, omvendt avgiftsplikt",
        "Revenue trade goods, reversed VAT liability",
        SALES,
        "3000",
    ),
    (
        "3010",
        "Salgsinntekt egentilvirkede varer, avgiftspliktig, høy sats",
        "Sales revenue, goods of own production, subject to VAT, high rate",
        SALES,
        "3000",
    ),
    (
        "3015",
        "Salgsinntekt egentilvirkede varer, omvendt avgiftsplikt",
        "Revenue self-produced goods, reversed VAT liability",
        SALES,
        "3000",
    ),
    (
        "3020",
        "Salgsinntekt tjenester, avgiftspliktig, høy sats",
        "Sales revenue, services, subject to VAT, high rate",
        SALES,
        "3000",
    ),
    (
        "3025",
        "Salgsinntekt tjenester, omvendt avgiftsplikt",
        "Revenue services, reversed VAT liability",
        SALES,
        "3000",
    ),
    (
        "3030",
        "Salgsinntekt handelsvarer, avgiftspliktig, middels sats",
        "Sales revenue, merchandise, subject to VAT, middle rate",
        SALES,
        "3000",
    ),
    (
        "3035",
        "Salgsinntekt råfisk og andre marine viltlevende ressurser, avgiftspliktig, middels sats",
        "Sales revenue, raw fish and other marine wild resources, subject to VAT, middle rate",
        SALES,
        "3000",
    ),
    (
        "3040",
        "Salgsinntekt egentilvirkede varer, avgiftspliktig, middels sats",
        "Sales revenue, goods of own production, subject to VAT, middle rate",
        SALES,
        "3000",
    ),
    (
        "3050",
        "Salgsinntekt tjenester, avgiftspliktig, lav sats",
        "Sales revenue, services, subject to VAT, low rate",
        SALES,
        "3000",
    ),
    (
        "3100",
        "Salgsinntekt handelsvarer, innenlands, avgiftsfri",
        "Revenue trade goods, domestic, duty free",
        SALES,
        "3100",
    ),
    (
        "3105",
        "Salgsinntekt handelsvarer, utførsel, avgiftsfri",
        "Revenue trade goods, exportation, duty free",
        SALES,
        "3100",
    ),
    (
        "3110",
        "Salgsinntekt egentilvirkede varer, innenlands, avgiftsfri",
        "Revenue self-produced goods, domestic, duty free",
        SALES,
        "3100",
    ),
    (
        "3115",
        "Salgsinntekt egentilvirkede varer, utførsel, avgiftsfri",
        "Revenue self-produced goods, exportation, duty free",
        SALES,
        "3100",
    ),
    (
        "3120",
        "Salgsinntekt tjenester, innenlands, avgiftsfri",
        "Revenue services, domestic, duty free",
        SALES,
        "3100",
    ),
    (
        "3125",
        "Salgsinntekt tjenester, utførsel, avgiftsfri",
        "Revenue services, exportation, duty free",
        SALES,
        "3100",
    ),
    (
        "3200",
        "Salgsinntekt handelsvarer, unntatt avgiftsplikt",
        "Sales revenue, merchandise, exempt from VAT",
        SALES,
        "3200",
    ),
    (
        "3210",
        "Salgsinntekt egentilvirkede varer, unntatt avgiftsplikt",
        "Sales revenue, goods of own production, exempt from VAT",
        SALES,
        "3200",
    ),
    (
        "3220",
        "Salgsinntekt tjenester, unntatt avgiftsplikt",
        "Sales revenue, services, exempt from VAT",
        SALES,
        "3200",
    ),
    (FEE_INCOME, "Annen driftsrelatert inntekt", "Other operational income", OTHER_INCOME, "3900"),
    (
        INTEREST_INCOME,
        "Renteinntekt kundefordringer",
        "Interest income from trade debtors",
        FINANCE_INCOME,
        "8050",
    ),
    (
        CURRENCY_GAIN,
        "Valutagevinst (agio)",
        "Foreign exchange gains (agio)",
        FINANCE_INCOME,
        "8060",
    ),
    (
        CURRENCY_LOSS,
        "Valutatap (disagio)",
        "Foreign exchange losses (disagio)",
        FINANCE_COST,
        "8160",
    ),
]

ACCOUNTS: dict[str, Account] = {row[0]: Account(*row) for row in _ACCOUNTS}
REVENUE_ACCOUNTS = [number for number in ACCOUNTS if number.startswith(("30", "31", "32"))]
VAT_ACCOUNTS = [number for number in ACCOUNTS if number.startswith("27")]


def account_choices(numbers: list[str], language: str | None = None) -> list[tuple[str, str]]:
    """Choices of these accounts, labelled in ``language`` (default: the active one)."""
    return [(number, ACCOUNTS[number].label(language)) for number in numbers]


# SAF-T standard tax code → (revenue account, output VAT account or "" without VAT).
DEFAULT_MAPPING: dict[str, tuple[str, str]] = {
    "3": ("3000", "2700"),
    "31": ("3030", "2701"),
    "32": ("3035", "2702"),
    "33": ("3050", "2703"),
    "5": ("3100", ""),
    "51": ("3005", ""),
    "52": ("3105", ""),
    "6": ("3200", ""),
    "7": ("3200", ""),
}
FALLBACK_MAPPING = ("3000", "2700")


def default_accounts_for(code: str) -> tuple[str, str]:
    """The default (revenue, VAT) accounts of a standard tax code."""
    return DEFAULT_MAPPING.get(code, FALLBACK_MAPPING)
