from __future__ import annotations

import dataclasses

import pytest
from django.core.exceptions import ValidationError
from django_scopes import scope

from accounts.tests.factories import CompanyFactory, UserFactory
from core.audit import Actor
from core.models import AuditEntry
from customers import services
from customers.countries import COUNTRY_CODES, ISO_3166_ALPHA2
from customers.models import Client
from customers.selectors import client_warnings
from customers.services import ClientData, client_create, client_update
from customers.tests.factories import ClientFactory

pytestmark = pytest.mark.django_db

ACTOR = Actor.system("test")


def create(company, **fields) -> Client:
    fields.setdefault("name", "Fjord Bygg AS")
    fields.setdefault("invoice_emails", "faktura@fjordbygg.no")
    with scope(company=company):
        return client_create(company=company, actor=ACTOR, data=ClientData(**fields))


def errors_of(excinfo) -> dict[str, list[str]]:
    return excinfo.value.message_dict


def test_numbers_are_sequential_per_company_and_independent_between_companies():
    first, second = CompanyFactory(), CompanyFactory()
    assert [create(first).number for _ in range(3)] == [1, 2, 3]
    assert [create(second).number for _ in range(2)] == [1, 2]
    assert create(first).number == 4


def test_number_follows_the_highest_existing_number():
    company = CompanyFactory()
    ClientFactory(company=company, number=41)
    assert create(company).number == 42


def test_a_number_taken_concurrently_is_retried(monkeypatch):
    company = CompanyFactory()
    taken = create(company)
    calls = []
    real_next = services._next_number

    def stale_then_real(company):
        calls.append(1)
        # The first read is stale: another transaction has just taken this number.
        return taken.number if len(calls) == 1 else real_next(company)

    monkeypatch.setattr(services, "_next_number", stale_then_real)
    client = create(company)
    assert client.number == taken.number + 1
    assert len(calls) == 2


def test_orgnr_with_spaces_is_stored_as_digits_and_sets_the_peppol_id():
    client = create(CompanyFactory(), organization_number="988 077 917")
    assert client.organization_number == "988077917"
    assert client.peppol_id == "0192:988077917"


def test_peppol_id_is_not_guessed_for_persons_or_foreign_companies():
    company = CompanyFactory()
    person = create(company, kind=Client.Kind.PERSON, organization_number="988077917")
    foreign = create(company, country="se", organization_number="995525828")
    assert person.peppol_id == ""
    assert foreign.peppol_id == ""
    assert foreign.country == "SE"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"organization_number": "988077918"}, "organization_number"),
        ({"organization_number": "12345"}, "organization_number"),
        ({"invoice_emails": "ok@firma.no, ikke-en-adresse"}, "invoice_emails"),
        ({"country": "XX"}, "country"),
        ({"country": "NOR"}, "country"),
        ({"peppol_id": "192:988077917"}, "peppol_id"),
        ({"peppol_id": "0192:988077918"}, "peppol_id"),
        ({"peppol_id": "0088:abc def"}, "peppol_id"),
        # EAS code list and each scheme's own check (python-stdnum)
        ({"peppol_id": "1234:988077917"}, "peppol_id"),
        ({"peppol_id": "0007:5560360794"}, "peppol_id"),
        ({"peppol_id": "9930:DE136695977"}, "peppol_id"),
        ({"peppol_id": "0088:7300010000002"}, "peppol_id"),
        ({"peppol_id": "0184:13585629"}, "peppol_id"),
        ({"peppol_id": "9918:NO9386011117948"}, "peppol_id"),
        ({"payment_terms_days": 366}, "payment_terms_days"),
        ({"payment_terms_days": -1}, "payment_terms_days"),
        ({"name": "x" * 201}, "name"),
        ({"name": "   "}, "name"),
        ({"phone": "1" * 31}, "phone"),
        ({"notes": "n" * 5001}, "notes"),
        ({"kind": "robot"}, "kind"),
        ({"language": "sv"}, "language"),
        ({"kind": "person", "delivery_channel": "ehf"}, "delivery_channel"),
    ],
)
def test_bad_input_is_rejected_with_a_field_error_and_nothing_is_saved(fields, field):
    company = CompanyFactory()
    with pytest.raises(ValidationError) as excinfo:
        create(company, **fields)
    assert field in errors_of(excinfo)
    with scope(company=company):
        assert not Client.objects.exists()
    assert not AuditEntry.objects.filter(company=company).exists()


def test_the_bad_address_is_named_in_the_message():
    with pytest.raises(ValidationError) as excinfo:
        create(CompanyFactory(), invoice_emails="a@b.no; feil@@x")
    assert "feil@@x" in errors_of(excinfo)["invoice_emails"][0]


def test_several_invoice_addresses_are_normalised():
    client = create(CompanyFactory(), invoice_emails=" a@b.no ;c@d.no,, ")
    assert client.invoice_emails == "a@b.no, c@d.no"
    assert client.invoice_email_list == ["a@b.no", "c@d.no"]


@pytest.mark.parametrize(
    "peppol_id",
    [
        "0088:7300010000001",  # GLN
        "0007:5560360793",  # Swedish organisationsnummer
        "9930:DE136695976",  # German USt-IdNr.
        "9930:136695976",
        "0184:13585628",  # Danish CVR
        "0208:0403170701",  # Belgian enterprise number
        "9918:NO9386011117947",  # IBAN
        "0060:123456789",  # DUNS: no check digit, form only
    ],
)
def test_other_peppol_schemes_are_accepted(peppol_id):
    client = create(CompanyFactory(), peppol_id=peppol_id, delivery_channel="ehf")
    assert client.peppol_id == peppol_id


def test_the_peppol_message_names_the_scheme():
    with pytest.raises(ValidationError) as excinfo:
        create(CompanyFactory(), peppol_id="0007:5560360794")
    assert "0007" in errors_of(excinfo)["peppol_id"][0]
    with pytest.raises(ValidationError) as excinfo:
        create(CompanyFactory(), peppol_id="1234:5560360793")
    assert "EAS" in errors_of(excinfo)["peppol_id"][0]


def test_norwegian_company_without_orgnr_is_saved_with_a_warning():
    company = CompanyFactory()
    client = create(company)
    with scope(company=company):
        warnings = client_warnings(client)
    assert client.pk is not None
    assert any("organisasjonsnummer" in warning for warning in warnings)
    person = create(company, kind=Client.Kind.PERSON)
    with scope(company=company):
        assert client_warnings(person) == []


def test_a_shared_orgnr_is_a_warning_naming_the_other_client():
    company = CompanyFactory()
    first = create(company, organization_number="988077917")
    second = create(company, organization_number="988077917")
    with scope(company=company):
        assert str(first.number) in " ".join(client_warnings(second))


def test_update_changes_fields_and_audits_names_not_values():
    company = CompanyFactory()
    client = create(company, organization_number="988077917")
    with scope(company=company):
        data = dataclasses.replace(ClientData.from_client(client), name="Nytt Navn AS")
        client_update(client=client, actor=Actor.user(UserFactory()), data=data)
        client.refresh_from_db()
    assert client.name == "Nytt Navn AS"
    entry = AuditEntry.objects.filter(action="customers.client.updated").get()
    assert entry.data == {"number": client.number, "fields": ["name"]}
    assert "Nytt Navn" not in str(entry.data)


def test_update_without_changes_writes_no_audit_entry():
    company = CompanyFactory()
    client = create(company)
    with scope(company=company):
        client_update(client=client, actor=ACTOR, data=ClientData.from_client(client))
    assert not AuditEntry.objects.filter(action="customers.client.updated").exists()


def test_archive_and_activate_are_audited_once():
    company = CompanyFactory()
    client = create(company)
    with scope(company=company):
        services.client_archive(client=client, actor=ACTOR)
        services.client_archive(client=client, actor=ACTOR)
        assert not Client.objects.get(pk=client.pk).is_active
        services.client_activate(client=client, actor=ACTOR)
        assert Client.objects.get(pk=client.pk).is_active
    actions = list(
        AuditEntry.objects.filter(company=company).order_by("id").values_list("action", flat=True)
    )
    assert actions == [
        "customers.client.created",
        "customers.client.archived",
        "customers.client.activated",
    ]


def test_country_list_has_every_assigned_code():
    assert len(ISO_3166_ALPHA2) == 249
    assert {"NO", "SE", "DK", "FI", "IS", "DE", "GB", "US", "SS"} <= ISO_3166_ALPHA2
    assert "XK" in COUNTRY_CODES
    assert all(len(code) == 2 and code.isupper() for code in COUNTRY_CODES)


def test_orgnr_in_vat_id_form_is_accepted():
    client = create(CompanyFactory(), organization_number="NO 988 077 917 MVA")
    assert client.organization_number == "988077917"


def test_default_peppol_id_follows_a_changed_orgnr_but_a_chosen_one_stays():
    company = CompanyFactory()
    client = create(company, organization_number="988077917")
    with scope(company=company):
        data = dataclasses.replace(ClientData.from_client(client), organization_number="995525828")
        client_update(client=client, actor=ACTOR, data=data)
        assert client.peppol_id == "0192:995525828"
        data = dataclasses.replace(ClientData.from_client(client), peppol_id="0088:7300010000001")
        client_update(client=client, actor=ACTOR, data=data)
        data = dataclasses.replace(ClientData.from_client(client), organization_number="988077917")
        client_update(client=client, actor=ACTOR, data=data)
        assert client.peppol_id == "0088:7300010000001"
