import pytest
from django.urls import reverse

from core.models import AppendOnlyError, AuditEntry
from marketing import services as marketing_services
from privacy import selectors
from privacy.models import ConsentChannel, ConsentPurpose, ConsentRecord
from privacy.services import consents

pytestmark = pytest.mark.django_db


def test_consent_ledger_is_append_only(owner):
    record = consents.consent_give(
        purpose=ConsentPurpose.MARKETING_EMAIL, channel=ConsentChannel.WEB, user=owner
    )
    record.given = False
    with pytest.raises(AppendOnlyError):
        record.save()
    with pytest.raises(AppendOnlyError):
        record.delete()
    with pytest.raises(AppendOnlyError):
        ConsentRecord.objects.filter(pk=record.pk).update(given=False)
    with pytest.raises(AppendOnlyError):
        ConsentRecord.objects.filter(pk=record.pk).delete()
    assert ConsentRecord.objects.get(pk=record.pk).given is True


def test_current_state_is_the_latest_record_per_purpose_and_withdrawal_is_immediate(owner):
    assert selectors.consent_state(user=owner)[ConsentPurpose.MARKETING_EMAIL] is None
    consents.consent_give(
        purpose=ConsentPurpose.MARKETING_EMAIL, channel=ConsentChannel.WEB, user=owner
    )
    consents.consent_give(
        purpose=ConsentPurpose.MARKETING_SMS, channel=ConsentChannel.WEB, user=owner
    )
    assert selectors.may_send_marketing(user=owner)
    consents.consent_withdraw(
        purpose=ConsentPurpose.MARKETING_EMAIL, channel=ConsentChannel.EMAIL_LINK, user=owner
    )
    state = selectors.consent_state(user=owner)
    email, sms = state[ConsentPurpose.MARKETING_EMAIL], state[ConsentPurpose.MARKETING_SMS]
    assert email is not None and sms is not None
    assert email.given is False
    assert email.channel == ConsentChannel.EMAIL_LINK
    assert sms.given is True
    assert not selectors.may_send_marketing(user=owner)
    assert ConsentRecord.objects.filter(user=owner).count() == 3
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"privacy.consent.given", "privacy.consent.withdrawn"} <= actions


def test_visitor_consent_needs_a_subject():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        consents.consent_give(purpose=ConsentPurpose.COOKIE_ANALYTICS, channel="web")


def test_consents_page_needs_login(client):
    response = client.get(reverse("privacy:consents"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_consents_page_gives_and_withdraws(owner_client, owner):
    assert owner_client.get(reverse("privacy:consents")).status_code == 200
    owner_client.post(
        reverse("privacy:consents"), {"marketing_email": "on", "product_analytics": "on"}
    )
    state = selectors.consent_state(user=owner)
    email, analytics = (
        state[ConsentPurpose.MARKETING_EMAIL],
        state[ConsentPurpose.PRODUCT_ANALYTICS],
    )
    assert email is not None and email.given
    assert analytics is not None and analytics.given
    assert state[ConsentPurpose.MARKETING_SMS] is None  # never asked, nothing recorded
    owner_client.post(reverse("privacy:consents"), {"product_analytics": "on"})
    email = selectors.consent_state(user=owner)[ConsentPurpose.MARKETING_EMAIL]
    assert email is not None and email.given is False
    assert email.text_version == consents.CONSENT_TEXT_VERSION
    assert ConsentRecord.objects.filter(user=owner).count() == 3


def test_objection_stops_all_marketing_in_one_click(owner_client, owner):
    consents.consent_give(
        purpose=ConsentPurpose.MARKETING_EMAIL, channel=ConsentChannel.WEB, user=owner
    )
    response = owner_client.post(reverse("privacy:object"))
    assert response.status_code == 302
    assert not selectors.may_send_marketing(user=owner)
    assert not selectors.may_send_marketing(user=owner, purpose=ConsentPurpose.MARKETING_SMS)
    assert selectors.is_marketing_suppressed(email=owner.email)
    # A new, explicit consent lifts the objection.
    consents.consent_give(
        purpose=ConsentPurpose.MARKETING_EMAIL, channel=ConsentChannel.WEB, user=owner
    )
    assert selectors.may_send_marketing(user=owner)


def test_unsubscribe_link_works_without_login_and_one_click_post(client, owner):
    consents.consent_give(
        purpose=ConsentPurpose.MARKETING_EMAIL, channel=ConsentChannel.WEB, user=owner
    )
    headers = marketing_services.marketing_email_headers(
        unsubscribe_url=marketing_services.unsubscribe_url(user=owner)
    )
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = headers["List-Unsubscribe"].strip("<>")
    path = url.split("127.0.0.1:8000", 1)[-1] if "127.0.0.1" in url else url
    assert client.get(path).status_code == 200
    assert selectors.may_send_marketing(user=owner)  # GET changes nothing
    response = client.post(path, "List-Unsubscribe=One-Click", content_type="text/plain")
    assert response.status_code == 200
    assert not selectors.may_send_marketing(user=owner)
    latest = selectors.consent_state(user=owner)[ConsentPurpose.MARKETING_EMAIL]
    assert latest is not None and latest.channel == ConsentChannel.EMAIL_LINK


def test_forged_or_expired_unsubscribe_link_is_a_400_and_changes_nothing(client, owner):
    from django.core import signing

    consents.consent_give(
        purpose=ConsentPurpose.MARKETING_EMAIL, channel=ConsentChannel.WEB, user=owner
    )
    token = marketing_services.unsubscribe_token(user=owner)
    forged = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    other = signing.dumps(
        {"u": owner.pk, "h": selectors.email_digest(owner.email)}, salt="another.salt"
    )
    for bad in (forged, other, "nonsense"):
        response = client.post(reverse("privacy:unsubscribe", kwargs={"token": bad}))
        assert response.status_code == 400
        assert "ugyldig eller utløpt" in response.content.decode()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(selectors, "UNSUBSCRIBE_MAX_AGE", -1)
        response = client.post(reverse("privacy:unsubscribe", kwargs={"token": token}))
        assert response.status_code == 400
    assert selectors.may_send_marketing(user=owner)
    assert not selectors.is_marketing_suppressed(email=owner.email)


def test_unsubscribe_link_does_not_reveal_the_address_and_dies_with_it(client, owner):
    import base64

    token = marketing_services.unsubscribe_token(user=owner)
    decoded = base64.urlsafe_b64decode(token.split(":")[0] + "==").decode(errors="ignore")
    assert owner.email not in token and owner.email not in decoded
    owner.email = "new-address@example.no"
    owner.save()
    response = client.post(reverse("privacy:unsubscribe", kwargs={"token": token}))
    assert response.status_code == 400


def test_no_sms_consent_is_asked_and_no_sms_provider_is_listed(owner_client, client):
    """The product sends no SMS: no SMS consent on the consents page, no SMS sub-processor
    in the statement or the record of processing."""
    page = owner_client.get(reverse("privacy:consents")).content.decode()
    assert 'name="marketing_sms"' not in page and "SMS" not in page
    owner_client.post(reverse("privacy:consents"), {"marketing_sms": "on"})
    assert not ConsentRecord.objects.filter(purpose=ConsentPurpose.MARKETING_SMS).exists()
    statement = client.get(reverse("privacy_statement")).content.decode()
    assert "LINK Mobility" not in statement
    assert "Vi sender ikke markedsføring på SMS" in statement


def test_the_exact_consent_text_is_archived_per_version(owner):
    """Art. 7(1): the ledger's version points at the words the person was shown."""
    from privacy.forms import ConsentsForm
    from privacy.models import ConsentText

    consents.consent_give(
        purpose=ConsentPurpose.MARKETING_EMAIL, channel=ConsentChannel.WEB, user=owner
    )
    consents.consent_withdraw(
        purpose=ConsentPurpose.MARKETING_EMAIL, channel=ConsentChannel.WEB, user=owner
    )
    text = ConsentText.objects.get(
        purpose=ConsentPurpose.MARKETING_EMAIL, version=consents.CONSENT_TEXT_VERSION
    )
    assert text.text_nb == "Ja, send meg tilbud og nyheter om FakturaNett på e-post"
    assert text.text_nb == str(ConsentsForm.base_fields["marketing_email"].label)
    assert "e-mail" in text.text_en.lower()
    # A new version of the text is archived beside the old one, never over it.
    consents.consent_give(
        purpose=ConsentPurpose.MARKETING_EMAIL,
        channel=ConsentChannel.WEB,
        user=owner,
        text_version="2027-01-01",
    )
    assert ConsentText.objects.filter(purpose=ConsentPurpose.MARKETING_EMAIL).count() == 2
    assert ConsentRecord.objects.filter(user=owner).count() == 3


def test_usage_statistics_count_only_users_whose_latest_analytics_record_consents(
    django_assert_num_queries,
):
    """The back office's usage statistics ask privacy which users consent to product
    analytics: the latest record per user decides, in one query for all of them."""
    from accounts.tests.factories import UserFactory
    from backoffice.hooks import usage_consenting

    analytics = ConsentPurpose.PRODUCT_ANALYTICS
    gave, withdrew, gave_again, never, other_purpose = (UserFactory() for _ in range(5))
    consents.consent_give(purpose=analytics, channel=ConsentChannel.WEB, user=gave)
    consents.consent_give(purpose=analytics, channel=ConsentChannel.WEB, user=withdrew)
    consents.consent_withdraw(purpose=analytics, channel=ConsentChannel.WEB, user=withdrew)
    consents.consent_withdraw(purpose=analytics, channel=ConsentChannel.WEB, user=gave_again)
    consents.consent_give(purpose=analytics, channel=ConsentChannel.WEB, user=gave_again)
    consents.consent_give(
        purpose=ConsentPurpose.MARKETING_EMAIL, channel=ConsentChannel.WEB, user=other_purpose
    )
    ids = {user.pk for user in (gave, withdrew, gave_again, never, other_purpose)}
    with django_assert_num_queries(1):
        consenting = usage_consenting(ids | {10_000_000})
    assert consenting == {gave.pk, gave_again.pk}
