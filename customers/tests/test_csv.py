from __future__ import annotations

import pytest
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from core import csvfiles
from core.audit import Actor
from core.models import AuditEntry
from core.tests.csvimport import upload_and_confirm
from customers.models import Client
from customers.services import CSV_COLUMNS, ClientData, client_import_csv
from customers.tests.factories import ClientFactory

pytestmark = pytest.mark.django_db

HEADER = "navn;organisasjonsnummer;e-post for faktura;land;betalingsfrist"


def upload(web, content: bytes, name: str = "kunder.csv"):
    """Upload and confirm the preview (the answer of the upload when it is refused)."""
    return upload_and_confirm(web, "customers:import", content, name)


def clients_of(company) -> list[Client]:
    with scopes_disabled():
        return list(Client.objects.filter(company=company).order_by("number"))


def test_export_is_excel_friendly_utf8_with_bom(owner_client, company):
    ClientFactory(company=company, name="Blåbær Ørret AS", phone="+47 22 33 44 55")
    response = owner_client.get(reverse("customers:export"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="kunder-')
    raw = response.content
    assert raw.startswith(b"\xef\xbb\xbf")
    lines = raw.decode("utf-8-sig").split("\r\n")
    assert lines[0] == ";".join(header for header, _ in CSV_COLUMNS)
    assert "Blåbær Ørret AS" in lines[1]
    assert "+47 22 33 44 55" in lines[1]  # phone numbers are not mangled by the formula guard


def test_export_includes_archived_clients(owner_client, company):
    ClientFactory(company=company, name="Arkivert AS", is_active=False)
    body = owner_client.get(reverse("customers:export")).content.decode("utf-8-sig")
    assert "Arkivert AS" in body
    assert body.rstrip().endswith("nei")


def test_export_then_import_round_trip(owner_client, company, other_company, outsider_client):
    ClientFactory(
        company=company,
        name='=HYPERLINK("http://x")',
        notes="Linje 1\nLinje 2; med semikolon og «anførsel»",
        invoice_emails="a@b.no, c@d.no",
        contact_person="Åse Øvrebø",
        payment_terms_days=30,
        language="en",
        price_display=Client.PriceDisplay.INCLUDING_VAT,
    )
    ClientFactory(
        company=company,
        kind=Client.Kind.PERSON,
        organization_number="",
        peppol_id="",
        name="Kari Nordmann",
        delivery_channel="manual",
        price_display=Client.PriceDisplay.EXCLUDING_VAT,
        is_active=False,
    )
    exported = owner_client.get(reverse("customers:export")).content
    assert b"'=HYPERLINK" in exported  # guarded against formula injection

    response = upload(outsider_client, exported)
    assert response.status_code == 302, response.content.decode()[:2000]
    fields = ["number", *ClientData.__dataclass_fields__, "is_active"]
    original = [[getattr(c, f) for f in fields] for c in clients_of(company)]
    imported = [[getattr(c, f) for f in fields] for c in clients_of(other_company)]
    assert imported == original
    assert clients_of(other_company)[0].name == '=HYPERLINK("http://x")'


def test_one_bad_row_imports_nothing_and_names_row_and_field(owner_client, company):
    content = (
        f"{HEADER}\n"
        "God Kunde AS;988077917;post@god.no;NO;14\n"
        "Dårlig Kunde AS;988077918;post@darlig.no;NO;14\n"
        "Også God AS;;post@ogsa.no;SE;abc\n"
    ).encode()
    response = upload(owner_client, content)
    assert response.status_code == 400
    errors = response.context["row_errors"]
    assert [(e.row, e.field) for e in errors] == [
        (3, "organisasjonsnummer"),
        (4, "betalingsfrist"),
    ]
    body = response.content.decode()
    assert "ingenting ble importert" in body
    assert "988077918" in body
    assert clients_of(company) == []
    assert not AuditEntry.objects.filter(company=company).exists()


def test_import_assigns_numbers_and_reads_norwegian_labels(owner_client, company):
    ClientFactory(company=company, number=7)
    content = (
        "Navn;Type;Språk;Utsendelse;Aktiv;Land\n"
        "Kari Nordmann;Privatperson;English;Manuelt (last ned / skriv ut);nei;no\n"
        "Firma AS;bedrift;nb;e-post;ja;\n"
    ).encode()
    response = upload(owner_client, content)
    assert response.status_code == 302, response.context["row_errors"]
    kari, firma = clients_of(company)[1:]
    assert (kari.number, kari.kind, kari.language, kari.delivery_channel) == (
        8,
        "person",
        "en",
        "manual",
    )
    assert not kari.is_active
    assert kari.country == "NO"
    assert (firma.number, firma.kind, firma.is_active) == (9, "company", True)


def test_price_display_is_exported_and_imported_by_code_or_label(owner_client, company):
    """The client's price display (incl./excl. VAT on its invoices) in the CSV files."""
    ClientFactory(company=company, name="Kafé AS", price_display=Client.PriceDisplay.INCLUDING_VAT)
    exported = owner_client.get(reverse("customers:export")).content.decode("utf-8-sig")
    header, row = exported.split("\r\n")[:2]
    column = header.split(";").index("priser på fakturaen")
    assert row.split(";")[column] == "incl"

    content = (
        "Navn;Priser på fakturaen\nInkl AS;Inkl. mva\nEks AS;eks\nAuto AS;\nEngelsk AS;excl\n"
    ).encode()
    response = upload(owner_client, content)
    assert response.status_code == 302, response.context["row_errors"]
    imported = {c.name: c.price_display for c in clients_of(company)}
    assert imported == {
        "Kafé AS": "incl",
        "Inkl AS": "incl",
        "Eks AS": "excl",
        "Auto AS": "auto",
        "Engelsk AS": "excl",
    }


def test_unknown_price_display_is_a_row_error_and_imports_nothing(owner_client, company):
    response = upload(owner_client, b"navn;priser\nA AS;auto\nB AS;brutto\n")
    assert response.status_code == 400
    assert [(e.row, e.field) for e in response.context["row_errors"]] == [
        (3, "priser på fakturaen")
    ]
    assert clients_of(company) == []


def test_comma_separated_file_is_read(owner_client, company):
    response = upload(owner_client, b'navn,e-post for faktura\n"Komma AS","a@b.no"\n')
    assert response.status_code == 302
    assert clients_of(company)[0].name == "Komma AS"


def test_duplicate_orgnr_in_file_and_against_existing_is_reported(owner_client, company):
    existing = ClientFactory(company=company, organization_number="995525828")
    content = b"navn;organisasjonsnummer\nEn AS;988 077 917\nTo AS;988077917\nTre AS;995525828\n"
    response = upload(owner_client, content)
    assert response.status_code == 400
    messages = {(e.row, e.message) for e in response.context["row_errors"]}
    assert (3, "Organisasjonsnummeret står også på rad 2.") in messages
    assert (4, f"Organisasjonsnummeret finnes allerede på kunde {existing.number}.") in messages
    assert len(clients_of(company)) == 1


def test_duplicate_and_taken_numbers_are_reported(owner_client, company):
    ClientFactory(company=company, number=5)
    content = b"kundenummer;navn\n5;A\n6;B\n6;C\nx;D\n"
    errors = upload(owner_client, content).context["row_errors"]
    assert [(e.row, e.field) for e in errors] == [
        (2, "kundenummer"),
        (4, "kundenummer"),
        (5, "kundenummer"),
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "tom"),
        (b"\xef\xbb\xbf  \r\n", "tom"),
        (b"navn\nA\x81B\n", "Tegnsettet i filen er ukjent"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "binære"),
        (b"\xff\xfen\x00a\x00v\x00n\x00\n\x00\x00\x00", "binære"),
        (b"sep=;\n", "tom"),
        (b"navn\nA\x07B\n", "kontrolltegn"),
        (b"navn;fisk\nA;B\n", "Ukjente kolonner"),
        (b"navn;navn\nA;B\n", "flere ganger"),
        (b"telefon\n12345678\n", "mangler"),
        (b"navn\n", "ingen rader"),
        (b'navn\n"uavsluttet\n', "CSV"),
        (b"navn;telefon\nA;1;2\n", "flere celler"),
    ],
)
def test_unusable_files_are_rejected_with_a_message(owner_client, company, content, message):
    response = upload(owner_client, content)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert clients_of(company) == []


def test_too_large_file_is_rejected(owner_client, company, settings):
    content = b"navn\n" + b"A" * (csvfiles.MAX_UPLOAD_BYTES + 10) + b"\n"
    response = upload(owner_client, content)
    assert response.status_code == 400
    assert "for stor" in response.content.decode()
    assert clients_of(company) == []


def test_missing_file_is_a_form_error(owner_client):
    response = owner_client.post(reverse("customers:import"), {})
    assert response.status_code == 400


def test_too_many_rows_are_rejected(company, monkeypatch):
    monkeypatch.setattr(csvfiles, "MAX_ROWS", 3)
    content = b"navn\nA\nB\nC\nD\n"
    with scope(company=company), pytest.raises(Exception, match="mer enn 3 rader"):
        client_import_csv(company=company, actor=Actor.system(), data=content)


def test_import_writes_one_audit_entry(owner_client, company):
    upload(owner_client, b"navn\nA\nB\n")
    entry = AuditEntry.objects.get(company=company, action="customers.client.imported")
    assert entry.data == {"count": 2, "numbers": [1, 2]}


def test_protect_and_unprotect_are_inverse():
    for value in ["=1+2", "@SUM(A1)", "+47 22 33 44 55", "-12,50", "-x", "Vanlig", "'sitat"]:
        assert csvfiles.unprotect(csvfiles.protect(value)) == value
    assert csvfiles.protect("=1+2") == "'=1+2"
    assert csvfiles.protect("-12,50") == "-12,50"


def test_huge_customer_number_is_a_row_error_not_a_crash(owner_client, company):
    response = upload(owner_client, b"kundenummer;navn\n99999999999999999999;A\n\xd9\xa3;B\n")
    assert response.status_code == 400
    assert [e.row for e in response.context["row_errors"]] == [2, 3]
    assert clients_of(company) == []


def test_allocated_numbers_never_take_a_number_given_later_in_the_file(owner_client, company):
    ClientFactory(company=company, number=4)
    response = upload(owner_client, b"kundenummer;navn\n;Uten nummer\n5;Med nummer\n")
    assert response.status_code == 302
    assert {c.name: c.number for c in clients_of(company)[1:]} == {
        "Uten nummer": 6,
        "Med nummer": 5,
    }


def test_import_falls_back_to_one_by_one_when_numbers_were_taken_meanwhile(company, monkeypatch):
    from customers import services

    ClientFactory(company=company, number=1)
    real_next = services._next_number
    calls = []

    def stale_first(company):
        calls.append(1)
        return 1 if len(calls) == 1 else real_next(company)

    monkeypatch.setattr(services, "_next_number", stale_first)
    with scope(company=company):
        created = client_import_csv(
            company=company, actor=services.Actor.system("test"), data=b"navn\nA\nB\n"
        )
    assert [client.number for client in created] == [2, 3]
    assert [client.number for client in clients_of(company)] == [1, 2, 3]


def test_excel_separator_hint_line_is_understood(owner_client, company):
    response = upload(owner_client, b"sep=,\r\nnavn,telefon\r\nHint AS,12345678\r\n")
    assert response.status_code == 302
    (client,) = clients_of(company)
    assert (client.name, client.phone) == ("Hint AS", "12345678")


def test_empty_trailing_columns_from_excel_are_ignored(owner_client, company):
    response = upload(owner_client, b"navn;telefon;;\r\nTrailing AS;12345678;;\r\nB AS;;\r\n")
    assert response.status_code == 302
    assert [c.name for c in clients_of(company)] == ["Trailing AS", "B AS"]
