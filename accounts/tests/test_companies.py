import pytest
from django.urls import reverse

from accounts.middleware import SESSION_COMPANY_KEY
from accounts.models import Company, Membership, Role
from accounts.services import membership_remove
from accounts.tests.factories import PASSWORD, CompanyFactory, MembershipFactory
from core.models import AuditEntry

pytestmark = pytest.mark.django_db

SETTINGS = reverse("company:settings")
SWITCH = reverse("accounts:company_switch")


def settings_data(company, **overrides):
    data = {
        "name": company.name,
        "organization_number": company.organization_number,
        "vat_registered": "on",
        "in_foretaksregisteret": "on",
        "address_line": company.address_line,
        "postcode": company.postcode,
        "city": company.city,
        "bank_account": company.bank_account,
        "iban": company.iban,
        "bic": company.bic,
        "email": company.email,
        "phone": "",
        "website": "",
    }
    data.update(overrides)
    return data


def test_anonymous_is_sent_to_login(client):
    for url in (SETTINGS, SWITCH):
        assert client.get(url)["Location"].startswith(reverse("accounts:login"))


def test_read_only_member_and_accountant_get_403(member_client, accountant_client, company):
    for client in (member_client, accountant_client):
        assert client.get(SETTINGS).status_code == 403
        assert client.post(SETTINGS, settings_data(company, name="Kapret AS")).status_code == 403
    company.refresh_from_db()
    assert company.name == "Nordlys Regnskap AS"


def test_outsider_edits_only_their_own_company(outsider_client, company, other_company):
    response = outsider_client.post(SETTINGS, settings_data(other_company, name="Fremmed AS"))
    assert response.status_code == 302
    company.refresh_from_db()
    other_company.refresh_from_db()
    assert company.name == "Nordlys Regnskap AS"
    assert other_company.name == "Fremmed AS"


def test_owner_updates_company_with_normalised_identifiers(owner_client, company):
    page = owner_client.get(SETTINGS)
    assert page.status_code == 200
    assert reverse("privacy_statement") in page.content.decode()
    response = owner_client.post(
        SETTINGS,
        settings_data(
            company,
            name="Nordlys Regnskap og Revisjon AS",
            organization_number="974 760 673",
            bank_account="8601.11.17947",
            iban="NO93 8601 1117 947",
            bic="DNBANOKKXXX",
            website="nordlys.no",
            require_two_factor="on",
            sudo_password=PASSWORD,
        ),
    )
    assert response.status_code == 302
    company.refresh_from_db()
    assert company.name == "Nordlys Regnskap og Revisjon AS"
    assert company.organization_number == "974760673"
    assert company.iban == "NO9386011117947"
    assert company.website == "https://nordlys.no"
    assert company.require_two_factor
    entry = AuditEntry.objects.get(action="accounts.company.updated")
    assert entry.company_id == company.pk
    assert "require_two_factor" in entry.data["changed"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("organization_number", "123456789"),
        ("bank_account", "12345678901"),
        ("iban", "NO00 1234"),
        ("bic", "XX"),
        ("name", "x" * 201),
        ("email", "ikke-epost"),
        ("website", "x" * 300),
        ("postcode", "abcd"),
        ("postcode", "١٢٣٤"),  # Arabic-Indic digits pass str.isdigit()
    ],
)
def test_bad_company_settings_are_field_errors(owner_client, company, field, value):
    response = owner_client.post(SETTINGS, settings_data(company, **{field: value}))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    company.refresh_from_db()
    assert not AuditEntry.objects.filter(action="accounts.company.updated").exists()


def test_orgnr_of_another_company_is_refused(owner_client, company, other_company):
    response = owner_client.post(
        SETTINGS, settings_data(company, organization_number=other_company.organization_number)
    )
    assert response.status_code == 400
    assert "organization_number" in response.context["form"].errors


def test_only_an_owner_may_require_two_factor(client, company):
    admin = MembershipFactory(company=company, role=Role.ADMIN).user
    client.force_login(admin)
    response = client.post(SETTINGS, settings_data(company, require_two_factor="on"))
    assert response.status_code == 302
    company.refresh_from_db()
    assert not company.require_two_factor


def test_switch_lists_and_switches_only_own_companies(owner_client, owner, company):
    second = CompanyFactory(name="Andre AS")
    Membership.objects.create(user=owner, company=second, role=Role.MEMBER)
    foreign = CompanyFactory(name="Ukjent AS")

    page = owner_client.get(SWITCH)
    body = page.content.decode()
    assert "Andre AS" in body and "Nordlys Regnskap AS" in body and "Ukjent AS" not in body

    response = owner_client.post(SWITCH, {"company": second.pk})
    assert response.status_code == 302
    assert owner_client.session[SESSION_COMPANY_KEY] == second.pk
    # Now a read-only member: the settings of the active company are closed.
    assert owner_client.get(SETTINGS).status_code == 403

    assert owner_client.post(SWITCH, {"company": foreign.pk}).status_code == 404
    assert owner_client.post(SWITCH, {"company": "abc"}).status_code == 400
    assert owner_client.session[SESSION_COMPANY_KEY] == second.pk


def test_company_count_unchanged_by_bad_switches(owner_client):
    before = Company.objects.count()
    owner_client.post(SWITCH, {"company": "999999"})
    assert Company.objects.count() == before


def test_switch_to_an_impossible_id_is_a_400_not_a_crash(owner_client):
    assert owner_client.post(SWITCH, {"company": str(10**30)}).status_code == 400
    assert owner_client.post(SWITCH, {"company": "-1"}).status_code == 400


@pytest.mark.parametrize("persona", ["owner", "member", "outsider"])
def test_company_switch_link_follows_memberships_on_the_next_request(persona, request):
    """The chrome's "Bytt firma" link comes from the active membership's query (issue 15):
    a membership added or removed shows on the very next page."""
    user = request.getfixturevalue(persona)
    client = request.getfixturevalue(f"{persona}_client")
    link = f'href="{SWITCH}"'
    # The header's menu on every page; the profile page lists it once more.
    pages = {reverse("dashboard"): 1, reverse("accounts:profile"): 2}
    for url in pages:
        assert link not in client.get(url).content.decode()

    third = CompanyFactory(name="Tredje Firma AS")
    third_owner = MembershipFactory(company=third, role=Role.OWNER)
    added = MembershipFactory(company=third, user=user, role=Role.MEMBER)
    for url, links in pages.items():
        assert client.get(url).content.decode().count(link) == links, url

    membership_remove(actor_membership=third_owner, membership=added)
    for url in pages:
        assert link not in client.get(url).content.decode()
