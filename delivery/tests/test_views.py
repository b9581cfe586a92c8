"""The delivery pages for every persona, and bad input."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django_scopes import scope, scopes_disabled

from core.audit import Actor
from delivery import services
from delivery.models import Batch, BatchItem, Delivery, Status
from delivery.tests.conftest import issue_for, make_client
from invoicing.models import Invoice
from invoicing.tests.factories import draft_invoice


def _select(tree, path: str) -> list:
    """The elements ``path`` selects (lxml types an XPath result as any XPath value)."""
    found = tree.xpath(path)
    assert isinstance(found, list), path
    return found


pytestmark = pytest.mark.django_db


@pytest.fixture
def invoice(company, email_client):
    return issue_for(company, client=email_client)


@pytest.fixture
def failed_delivery(company, owner, invoice):
    with scope(company=company):
        delivery = services.delivery_request(
            invoice=invoice, channel="email", actor=Actor.user(owner)
        )
        claimed = services.delivery_claim(delivery_id=delivery.pk)
        assert claimed is not None
        services.delivery_failed(delivery=claimed, error="SMTP 550: nei", permanent=True)
    with scopes_disabled():
        return Delivery.objects.get(pk=delivery.pk)


@pytest.fixture
def batch(company, owner, email_client):
    batched = issue_for(company, client=email_client)
    with scope(company=company):
        return services.batch_create(
            company=company, invoice_ids=[batched.pk], actor=Actor.user(owner)
        )


def read_urls(invoice, batch):
    return [
        reverse("delivery:invoice", args=[invoice.pk]),
        reverse("delivery:pdf", args=[invoice.pk]),
        reverse("delivery:ehf", args=[invoice.pk]),
        reverse("delivery:batch", args=[batch.pk]),
        reverse("delivery:batch_progress", args=[batch.pk]),
    ]


def deliveries():
    with scopes_disabled():
        return Delivery.objects.count()


# --- personas ---------------------------------------------------------------------------


def test_anonymous_is_sent_to_login(client, invoice, batch, failed_delivery):
    urls = [
        *read_urls(invoice, batch),
        reverse("delivery:failed"),
        reverse("delivery:batch_new"),
        reverse("delivery:send", args=[invoice.pk]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:login"))
    response = client.post(reverse("delivery:resend", args=[failed_delivery.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_outsider_gets_404_on_the_companys_objects(
    outsider_client, invoice, batch, failed_delivery
):
    for url in read_urls(invoice, batch):
        assert outsider_client.get(url).status_code == 404, url
    assert outsider_client.get(reverse("delivery:send", args=[invoice.pk])).status_code == 404
    response = outsider_client.post(
        reverse("delivery:send", args=[invoice.pk]), {"channel": "email"}
    )
    assert response.status_code == 404
    assert (
        outsider_client.post(reverse("delivery:resend", args=[failed_delivery.pk])).status_code
        == 404
    )
    # The outsider's own lists show nothing of the company.
    foreign_page = outsider_client.get(reverse("delivery:failed")).content.decode()
    assert "SMTP 550: nei" not in foreign_page
    assert "Ingen mislykkede utsendelser." in foreign_page
    assert deliveries() == 2  # the failed one and the batch's


def test_member_reads_but_cannot_send(member_client, invoice, batch, failed_delivery):
    for url in read_urls(invoice, batch):
        assert member_client.get(url).status_code == 200, url
    page = member_client.get(reverse("delivery:failed"))
    assert page.status_code == 200
    assert "SMTP 550: nei" in page.content.decode()
    assert "Send på nytt" not in page.content.decode()
    before = deliveries()
    assert member_client.get(reverse("delivery:send", args=[invoice.pk])).status_code == 403
    assert (
        member_client.post(
            reverse("delivery:send", args=[invoice.pk]), {"channel": "email"}
        ).status_code
        == 403
    )
    assert (
        member_client.post(reverse("delivery:resend", args=[failed_delivery.pk])).status_code == 403
    )
    assert member_client.get(reverse("delivery:batch_new")).status_code == 403
    assert (
        member_client.post(reverse("delivery:batch_new"), {"invoice": [invoice.pk]}).status_code
        == 403
    )
    assert deliveries() == before
    assert mail.outbox == []


def test_owner_sends_an_invoice_by_the_clients_channel(
    owner_client, invoice, django_capture_on_commit_callbacks
):
    url = reverse("delivery:send", args=[invoice.pk])
    form = owner_client.get(url)
    assert form.status_code == 200
    assert form.context["form"]["channel"].value() == "email"
    assert 'value="email"' in form.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(url, {"channel": "email"})
    assert response.status_code == 302
    assert response["Location"] == reverse("delivery:invoice", args=[invoice.pk])
    assert len(mail.outbox) == 1
    assert mail.outbox[0].attachments[0][0] == f"faktura-{invoice.number}.pdf"
    page = owner_client.get(response["Location"]).content.decode()
    assert "Sendt" in page
    assert escape(mail.outbox[0].extra_headers["Message-ID"]) in page
    with scopes_disabled():
        assert Invoice.objects.get(pk=invoice.pk).status == Invoice.Status.SENT


def test_owner_marks_a_manual_delivery(owner_client, company, invoice):
    response = owner_client.post(reverse("delivery:send", args=[invoice.pk]), {"channel": "manual"})
    assert response.status_code == 302
    with scopes_disabled():
        delivery = Delivery.objects.get(invoice=invoice)
        assert delivery.status == Status.SENT
        assert Invoice.objects.get(pk=invoice.pk).sent_at is not None
    assert mail.outbox == []


def test_owner_resends_a_failed_delivery_as_a_new_request(
    owner_client, failed_delivery, django_capture_on_commit_callbacks
):
    url = reverse("delivery:resend", args=[failed_delivery.pk])
    # A permanent failure (550) to the same address is not tried again for 30 minutes.
    refused = owner_client.post(url, follow=True)
    assert "avvist permanent" in refused.content.decode()
    with scopes_disabled():
        assert Delivery.objects.filter(invoice=failed_delivery.invoice).count() == 1
        Delivery.objects.filter(pk=failed_delivery.pk).update(
            finished_at=timezone.now() - datetime.timedelta(minutes=31)
        )
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(url)
    assert response.status_code == 302
    with scopes_disabled():
        newest = Delivery.objects.filter(invoice=failed_delivery.invoice).latest("pk")
    assert newest.request_id != failed_delivery.request_id
    assert newest.status == Status.SENT
    assert len(mail.outbox) == 1
    # It is no longer a failed delivery.
    page = owner_client.get(reverse("delivery:failed")).content.decode()
    assert "SMTP 550: nei" not in page


def test_downloads_are_the_archived_files(owner_client, company, invoice):
    from documents.models import StoredDocument

    with scopes_disabled():
        stored = {d.kind: d.read() for d in StoredDocument.objects.filter(invoice=invoice)}
    pdf = owner_client.get(reverse("delivery:pdf", args=[invoice.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content == stored["pdf"]
    assert f"faktura-{invoice.number}.pdf" in pdf["Content-Disposition"]
    ehf = owner_client.get(reverse("delivery:ehf", args=[invoice.pk]))
    assert ehf["Content-Type"] == "application/xml"
    assert ehf.content == stored["ehf"]


def test_invoice_page_says_plainly_that_ehf_was_not_transmitted(owner_client, company, settings):
    settings.PEPPOL_AP_URL = ""
    with scope(company=company):
        client = make_client(company, delivery_channel="ehf")
    invoice = issue_for(company, client=client)
    page = owner_client.get(reverse("delivery:invoice", args=[invoice.pk])).content.decode()
    assert "IKKE overført" in page
    assert reverse("delivery:ehf", args=[invoice.pk]) in page
    response = owner_client.post(reverse("delivery:send", args=[invoice.pk]), {"channel": "ehf"})
    assert response.status_code == 400
    assert "IKKE overføres" in response.content.decode()
    assert deliveries() == 0


# --- bad input ------------------------------------------------------------------------------


def test_sending_a_draft_is_refused(owner_client, company, email_client):
    with scope(company=company):
        draft = draft_invoice(company=company, client=email_client)
    response = owner_client.post(reverse("delivery:send", args=[draft.pk]), {"channel": "email"})
    assert response.status_code == 400
    assert "Et utkast kan ikke sendes" in response.content.decode()
    assert owner_client.get(reverse("delivery:pdf", args=[draft.pk])).status_code == 404
    assert deliveries() == 0
    assert mail.outbox == []


@pytest.mark.parametrize("channel", ["fax", "", "<script>"])
def test_unknown_channel_is_refused(owner_client, invoice, channel):
    response = owner_client.post(reverse("delivery:send", args=[invoice.pk]), {"channel": channel})
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert deliveries() == 0


def test_unknown_ids_give_404(owner_client):
    for name in ("invoice", "send", "pdf", "ehf"):
        assert owner_client.get(reverse(f"delivery:{name}", args=[10**12])).status_code == 404
    assert owner_client.post(reverse("delivery:resend", args=[10**12])).status_code == 404
    assert owner_client.get(reverse("delivery:batch", args=[10**12])).status_code == 404


# --- batches -------------------------------------------------------------------------------


def test_batch_form_lists_unsent_issued_invoices_and_sends_the_chosen(
    owner_client, company, email_client, django_capture_on_commit_callbacks
):
    chosen = issue_for(company, client=email_client)
    other = issue_for(company, client=email_client)
    with scope(company=company):
        draft = draft_invoice(company=company, client=email_client)
    page = owner_client.get(reverse("delivery:batch_new")).content.decode()
    assert f'value="{chosen.pk}"' in page and f'value="{other.pk}"' in page
    assert f'value="{draft.pk}"' not in page
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(reverse("delivery:batch_new"), {"invoice": [chosen.pk]})
    assert response.status_code == 302
    with scopes_disabled():
        batch = Batch.objects.get()
    assert response["Location"] == reverse("delivery:batch", args=[batch.pk])
    assert len(mail.outbox) == 1
    page = owner_client.get(reverse("delivery:batch_new")).content.decode()
    assert f'value="{chosen.pk}"' not in page


@pytest.mark.parametrize(
    "posted",
    [
        {},
        {"invoice": ["abc"]},
        {"invoice": ["-1"]},
        {"invoice": [str(10**30)]},
    ],
)
def test_bad_batch_input_is_400(owner_client, posted):
    response = owner_client.post(reverse("delivery:batch_new"), posted)
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    with scopes_disabled():
        assert Batch.objects.count() == 0


def test_batch_with_another_companys_or_draft_ids_is_refused(
    owner_client, company, other_company, email_client
):
    mine = issue_for(company, client=email_client)
    foreign = issue_for(other_company, client=make_client(other_company))
    with scope(company=company):
        draft = draft_invoice(company=company, client=email_client)
    for ids, text in [([mine.pk, foreign.pk], "finnes ikke"), ([mine.pk, draft.pk], "Utkast")]:
        response = owner_client.post(reverse("delivery:batch_new"), {"invoice": ids})
        assert response.status_code == 400
        assert text in response.content.decode()
    with scopes_disabled():
        assert Batch.objects.count() == 0
        assert BatchItem.objects.count() == 0
        assert Delivery.objects.count() == 0
    assert mail.outbox == []


def test_all_that_may_be_issued_at_once_can_be_sent_in_one_batch(
    owner_client, company, email_client, settings
):
    """The issue result offers to send every invoice just issued: the send batch takes at
    least ISSUE_SELECTED_MAX, even above its own SEND_BATCH_MAX (here 7 above 3)."""
    settings.ISSUE_SELECTED_MAX = 7
    settings.SEND_BATCH_MAX = 3
    with scope(company=company):
        drafts = [draft_invoice(company=company, client=email_client) for _ in range(8)]

    result = owner_client.post(
        reverse("invoicing:issue_selected"),
        {"invoice": [draft.pk for draft in drafts[:7]], "confirm": "1"},
    )
    assert result.status_code == 200
    assert "7 fakturaer er utstedt" in result.content.decode()
    issued = [draft.pk for draft in drafts[:7]]
    # The result page's send form carries the issued ids; post them as it does.
    response = owner_client.post(reverse("delivery:batch_new"), {"invoice": issued})

    assert response.status_code == 302
    with scopes_disabled():
        batch = Batch.objects.get()
        assert sorted(BatchItem.objects.filter(batch=batch).values_list("invoice", flat=True)) == (
            sorted(issued)
        )


def test_one_more_than_the_limit_is_refused_with_the_limit_named(
    owner_client, company, email_client, settings
):
    settings.ISSUE_SELECTED_MAX = 7
    settings.SEND_BATCH_MAX = 3
    ids = [issue_for(company, client=email_client).pk for _ in range(8)]

    response = owner_client.post(reverse("delivery:batch_new"), {"invoice": ids})

    assert response.status_code == 400
    assert "Du kan sende høyst 7 fakturaer om gangen." in response.content.decode()
    with scopes_disabled():
        assert Batch.objects.count() == 0


def test_a_send_limit_above_the_issue_limit_is_kept(company, owner, email_client, settings):
    settings.ISSUE_SELECTED_MAX = 2
    settings.SEND_BATCH_MAX = 4
    ids = [issue_for(company, client=email_client).pk for _ in range(5)]

    with pytest.raises(ValidationError, match="høyst 4 fakturaer"):
        services.batch_create(company=company, invoice_ids=ids, actor=Actor.user(owner))
    batch = services.batch_create(company=company, invoice_ids=ids[:4], actor=Actor.user(owner))

    with scopes_disabled():
        assert BatchItem.objects.filter(batch=batch).count() == 4


def test_progress_fragment_polls_until_the_batch_is_finished(owner_client, company, batch):
    url = reverse("delivery:batch_progress", args=[batch.pk])
    running = owner_client.get(url).content.decode()
    assert f'hx-get="{url}"' in running
    assert 'hx-trigger="every 2s"' in running
    assert '<progress value="0" max="1"' in running
    assert "Gjenstår: 1 av 1" in running
    assert "style=" not in running

    with scopes_disabled():
        delivery = Delivery.objects.get(batch_item__batch=batch)
    with scope(company=company):
        claimed = services.delivery_claim(delivery_id=delivery.pk)
        assert claimed is not None
        services.delivery_succeeded(delivery=claimed, message_id="<x@y>")
    finished = owner_client.get(url).content.decode()
    assert "hx-get" not in finished and "hx-trigger" not in finished
    assert '<progress value="1" max="1"' in finished
    assert "Sendt: 1 · Feilet: 0 · Gjenstår: 0 av 1" in finished
    page = owner_client.get(reverse("delivery:batch", args=[batch.pk])).content.decode()
    assert "Ferdig." in page
    assert batch.created_at <= timezone.now()


def test_pages_are_translated_to_english(owner, owner_client, company, settings, batch):
    settings.PEPPOL_AP_URL = ""
    owner.language = "en"
    owner.save()
    with scope(company=company):
        client = make_client(company, delivery_channel="ehf")
    invoice = issue_for(company, client=client)
    page = owner_client.get(reverse("delivery:invoice", args=[invoice.pk])).content.decode()
    assert "it has NOT been transmitted" in page
    assert "Not sent yet." in page and "Ikke sendt ennå" not in page
    failed = owner_client.get(reverse("delivery:failed")).content.decode()
    assert "No failed deliveries." in failed
    progress = owner_client.get(reverse("delivery:batch_progress", args=[batch.pk]))
    assert "Remaining: 1 of 1" in progress.content.decode()
    response = owner_client.post(reverse("delivery:send", args=[invoice.pk]), {"channel": "ehf"})
    assert response.status_code == 400
    assert "can NOT be transmitted" in response.content.decode()


def test_the_invoice_page_shows_its_send_log_and_a_send_action(
    owner_client, member_client, invoice, failed_delivery
):
    page = owner_client.get(reverse("invoicing:detail", args=[invoice.pk])).content.decode()
    assert reverse("delivery:invoice", args=[invoice.pk]) in page
    assert "SMTP 550: nei" in page
    assert reverse("delivery:resend", args=[failed_delivery.pk]) in page
    read_only = member_client.get(reverse("invoicing:detail", args=[invoice.pk])).content.decode()
    assert "SMTP 550: nei" in read_only
    assert reverse("delivery:resend", args=[failed_delivery.pk]) not in read_only
    assert reverse("delivery:invoice", args=[invoice.pk]) not in read_only


def test_send_page_has_one_channel_radio_per_channel_with_the_clients_checked(
    owner_client, company, invoice
):
    """Issue 9 defect 1: the page rendered options as radios, so no ``channel`` input."""
    from lxml import html

    from delivery.models import Channel

    response = owner_client.get(reverse("delivery:send", args=[invoice.pk]))
    tree = html.fromstring(response.content.decode())
    radios = _select(tree, "//main//form//input[@name='channel']")
    assert [radio.get("type") for radio in radios] == ["radio"] * len(Channel.choices)
    assert sorted(radio.get("value") for radio in radios) == sorted(Channel.values)
    assert [radio.get("value") for radio in radios if radio.get("checked") is not None] == ["email"]
    for value, label in Channel.choices:
        (radio,) = [r for r in radios if r.get("value") == value]
        (label_el,) = _select(tree, f"//label[@for='{radio.get('id')}']")
        assert label_el.text_content().strip() == str(label)
        shown = [
            el for el in _select(tree, "//main//form//label") if str(label) in el.text_content()
        ]
        assert shown == [label_el]


def test_send_page_preselects_a_manual_client(owner_client, company):
    from lxml import html

    manual = make_client(company, delivery_channel="manual")
    invoice = issue_for(company, client=manual)
    response = owner_client.get(reverse("delivery:send", args=[invoice.pk]))
    tree = html.fromstring(response.content.decode())
    checked = _select(tree, "//main//form//input[@name='channel'][@checked]")
    assert [radio.get("value") for radio in checked] == ["manual"]
