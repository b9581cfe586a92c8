from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django_scopes import scope

from accounts.models import Company, Membership, Role, User
from api.models import ApiToken
from api.tests.fixtures import client_with_key
from core.models import AuditEntry

pytestmark = pytest.mark.django_db

ORGNR = "974760673"
KONTONR = "86011117947"


def _run(name, *args):
    out, err = StringIO(), StringIO()
    call_command(name, *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_api_token_create_prints_a_working_key_on_the_last_line(company):
    out, _err = _run("api_token_create", "--company", company.organization_number, "--label", "CI")
    key = out.strip().splitlines()[-1]
    assert client_with_key(key).get("/api/v1/clients/").status_code == 200
    with scope(company=company):
        token = ApiToken.objects.get()
    assert token.label == "CI" and key.startswith(token.key_prefix)
    entry = AuditEntry.objects.get(action="api.token.created")
    assert entry.actor_kind == AuditEntry.ActorKind.SYSTEM and key not in str(entry.data)


@pytest.mark.parametrize(
    ("orgnr", "label", "message"),
    [("123456789", "CI", "organisasjonsnummer"), (ORGNR, "CI", "No company"), (None, "", "label")],
)
def test_api_token_create_errors(company, orgnr, label, message):
    with pytest.raises(CommandError, match=message):
        _run(
            "api_token_create", "--company", orgnr or company.organization_number, "--label", label
        )


def _company_args(**overrides):
    values = {
        "--name": "Skript AS",
        "--orgnr": ORGNR,
        "--owner-email": "Eier@Skript.no",
        "--owner-password": "et-langt-og-trygt-passord-42",
        "--bank-account": "8601.11.17947",
        "--address": "Storgata 2",
        "--postcode": "0155",
        "--city": "Oslo",
        **overrides,
    }
    args = []
    for option, value in values.items():
        if value is not None:
            args += [option, value]
    return args


def test_company_create_makes_company_and_verified_owner():
    out, _err = _run("company_create", *_company_args(), "--vat-registered")
    company = Company.objects.get(organization_number=ORGNR)
    assert company.vat_registered and not company.in_foretaksregisteret
    assert company.bank_account == KONTONR
    owner = User.objects.get(email="eier@skript.no")
    assert owner.is_email_verified and owner.check_password("et-langt-og-trygt-passord-42")
    assert Membership.objects.get(company=company).role == Role.OWNER
    assert ORGNR in out
    assert AuditEntry.objects.filter(action="accounts.company.created", company=company).exists()


def test_company_create_keeps_an_existing_user(owner):
    _out, err = _run("company_create", *_company_args(**{"--owner-email": owner.email}))
    assert Membership.objects.filter(user=owner, company__organization_number=ORGNR).exists()
    assert "not changed" in err


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"--orgnr": "123456789"}, "--orgnr"),
        ({"--bank-account": "1234.56.78901"}, "--bank-account"),
        ({"--city": None}, "--city"),
        ({"--owner-password": None}, "--owner-password"),
        ({"--owner-password": "kort"}, "--owner-password"),
        ({"--owner-email": "ikke-epost"}, "--owner-email"),
    ],
)
def test_company_create_errors_are_clear_and_leave_nothing(overrides, message):
    with pytest.raises(CommandError, match=message):
        _run("company_create", *_company_args(**overrides))
    assert not Company.objects.filter(organization_number=ORGNR).exists()
    assert not User.objects.filter(email="eier@skript.no").exists()


def test_company_create_refuses_a_taken_orgnr(company):
    with pytest.raises(CommandError, match="--orgnr"):
        _run("company_create", *_company_args(**{"--orgnr": company.organization_number}))
