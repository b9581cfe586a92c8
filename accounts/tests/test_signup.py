import pytest
from django.conf import settings
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse

from accounts.models import Company, Membership, Role, TermsAcceptance, User
from accounts.tests.factories import CompanyFactory, UserFactory
from core.models import AuditEntry

pytestmark = pytest.mark.django_db

URL = reverse("accounts:signup")


def signup_data(**overrides):
    data = {
        "full_name": "Kari Nordmann",
        "email": "kari@nordmann.no",
        "password1": "lang-og-trygg-2026",
        "password2": "lang-og-trygg-2026",
        "company_name": "Nordmann Rørlegger AS",
        "organization_number": "974 760 673",
        "vat_registered": "on",
        "in_foretaksregisteret": "on",
        "address_line": "Storgata 5",
        "postcode": "0155",
        "city": "Oslo",
        "bank_account": "8601.11.17947",
        "accept_terms": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_signup_page_links_the_privacy_statement(client):
    response = client.get(URL)
    assert response.status_code == 200
    assert reverse("privacy_statement") in response.content.decode()


def test_signup_creates_user_company_owner_terms_and_sends_verification(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, signup_data())
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:signup_done")

    user = User.objects.get(email="kari@nordmann.no")
    assert user.email_verified_at is None
    company = Company.objects.get()
    assert company.organization_number == "974760673"  # normalised
    assert company.bank_account == "86011117947"
    assert company.vat_registered and company.in_foretaksregisteret
    assert Membership.objects.get(user=user, company=company).role == Role.OWNER
    assert TermsAcceptance.objects.get(user=user).terms_version == settings.TERMS_VERSION
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"accounts.user.registered", "accounts.company.created"} <= actions

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["kari@nordmann.no"]
    assert settings.SITE_URL + "/account/verify/" in message.body
    assert isinstance(message, EmailMultiAlternatives)
    assert message.alternatives and "href=" in str(message.alternatives[0][0])

    done = client.get(response["Location"])
    assert "kari@nordmann.no" in done.content.decode()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("organization_number", "123456789"),
        ("organization_number", "12345"),
        ("bank_account", "1234.56.78901"),
        ("bank_account", "8601111794"),
        ("postcode", "12"),
        ("email", "not-an-address"),
        ("password2", "something-else-2026"),
        ("password1", "kort"),
        ("accept_terms", None),
        ("full_name", "x" * 151),
        ("company_name", "x" * 201),
        ("address_line", "x" * 201),
        ("city", "x" * 101),
        ("organization_number", "9" * 500),
        ("bank_account", "8" * 500),
        ("email", "a" * 250 + "@example.no"),
    ],
)
def test_bad_signup_input_is_a_field_error_and_saves_nothing(client, field, value):
    data = signup_data(**{field: value})
    if field == "password1":
        data["password2"] = value
    response = client.post(URL, data)
    assert response.status_code == 400
    form = response.context["form"]
    assert field in form.errors or (field == "password1" and "password1" in form.errors)
    assert not User.objects.exists()
    assert not Company.objects.exists()


def test_invalid_orgnr_message_is_clear(client):
    response = client.post(URL, signup_data(organization_number="123456789"))
    assert "ikke et gyldig organisasjonsnummer" in response.content.decode()


@pytest.mark.parametrize("email", ["kari@nordmann.no", "KARI@Nordmann.NO"])
def test_a_registered_address_gets_the_same_answer_and_its_owner_an_email(
    client, email, django_capture_on_commit_callbacks
):
    UserFactory(email="kari@nordmann.no")
    new_client = type(client)()
    with django_capture_on_commit_callbacks(execute=True):
        taken = client.post(URL, signup_data(email=email))
        fresh = new_client.post(
            URL, signup_data(email="ny@nordmann.no", organization_number="995525828")
        )
    # The same redirect and the same page: nothing tells that the address has an account.
    assert taken.status_code == fresh.status_code == 302
    assert taken["Location"] == fresh["Location"] == reverse("accounts:signup_done")
    taken_page = client.get(taken["Location"])
    fresh_page = new_client.get(fresh["Location"])
    assert taken_page.status_code == fresh_page.status_code == 200
    assert [t.name for t in taken_page.templates] == [t.name for t in fresh_page.templates]
    assert "Sjekk e-posten din" in taken_page.content.decode()
    assert "_auth_user_id" not in client.session and "_auth_user_id" not in new_client.session
    assert User.objects.filter(email__iexact="kari@nordmann.no").count() == 1
    assert Company.objects.count() == 1  # only the new sign-up's
    to_existing = [m for m in mail.outbox if m.to == ["kari@nordmann.no"]]
    assert len(to_existing) == 1 and "allerede en bruker" in to_existing[0].body


def test_registered_orgnr_tells_them_to_ask_for_an_invitation(client):
    CompanyFactory(organization_number="974760673")
    response = client.post(URL, signup_data(organization_number="974 760 673"))
    assert response.status_code == 400
    errors = response.context["form"].errors["organization_number"]
    assert "invitasjon" in errors[0]
    assert not User.objects.exists()


def test_service_rolls_back_everything_if_the_company_is_refused():
    from django.core.exceptions import ValidationError

    from accounts.services import user_register

    with pytest.raises(ValidationError):
        user_register(
            email="per@example.no",
            full_name="Per",
            password="lang-og-trygg-2026",
            language="nb",
            company_name="Per AS",
            organization_number="123456789",  # bad check digit: company_create refuses
            vat_registered=False,
            in_foretaksregisteret=False,
            address_line="Gata 1",
            postcode="0150",
            city="Oslo",
            bank_account="86011117947",
        )
    assert not User.objects.exists()
    assert not TermsAcceptance.objects.exists()
    assert not AuditEntry.objects.exists()


def test_signed_in_user_is_sent_to_the_dashboard(owner_client):
    response = owner_client.get(URL)
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard")
