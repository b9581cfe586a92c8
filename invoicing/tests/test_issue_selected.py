"""Issuing the drafts chosen on the invoice list ("Utsted valgte"): who may, the
confirmation (count, total, nothing issued yet), the result (numbers, each refused draft
with its reason), the numbers gapless after a mixed batch, and bad input."""

from __future__ import annotations

import datetime
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from invoicing.models import Invoice, NumberSeries
from invoicing.tests.factories import ClientFactory, draft_invoice, issued_invoice, line

pytestmark = pytest.mark.django_db

URL = reverse("invoicing:issue_selected")


@pytest.fixture
def drafts(company):
    """Three drafts of ``company``: 1 250,00 + 125,00 + 62,50 incl. VAT (25 %)."""
    with scope(company=company):
        client = ClientFactory(company=company, name="Havbris Sjømat AS")
        return [
            draft_invoice(company=company, client=client, lines=[line(unit_price=price)])
            for price in ("1000.00", "100.00", "50.00")
        ]


@pytest.fixture
def homeless_draft(company):
    """A draft that cannot be issued: its client has neither address nor orgnr."""
    with scope(company=company):
        homeless = ClientFactory(
            company=company, name="Uten Adresse", organization_number="", address_line=""
        )
        return draft_invoice(company=company, client=homeless)


def _ids(invoices) -> list[str]:
    return [str(invoice.pk) for invoice in invoices]


def _numbers(invoices) -> list[int | None]:
    with scopes_disabled():
        return [Invoice.objects.get(pk=invoice.pk).number for invoice in invoices]


def test_the_confirmation_shows_count_and_total_and_issues_nothing(owner_client, drafts):
    response = owner_client.post(URL, {"invoice": _ids(drafts)})

    assert response.status_code == 200
    text = response.content.decode()
    assert "Du utsteder 3 fakturaer." in text
    assert "NOK 1\xa0437,50" in text  # (1000 + 100 + 50) × 1.25
    assert "Fakturanumrene tildeles nå og kan ikke endres." in text
    assert "Utsted 3 fakturaer" in text
    assert _numbers(drafts) == [None, None, None]
    with scopes_disabled():
        assert not Invoice.objects.exclude(status=Invoice.Status.DRAFT).exists()


def test_confirming_issues_them_and_shows_their_numbers(owner_client, drafts):
    response = owner_client.post(URL, {"invoice": _ids(drafts), "confirm": "1"})

    assert response.status_code == 200
    text = response.content.decode()
    assert "3 fakturaer er utstedt (nr. 1–3)." in text
    assert _numbers(drafts) == [1, 2, 3]
    # The way on to sending them: the batch send page's form with these ids.
    assert reverse("delivery:batch_new") in text
    for invoice in drafts:
        assert f'name="invoice" value="{invoice.pk}"' in text


def test_a_mixed_batch_reports_the_refused_draft_and_keeps_the_numbers_gapless(
    owner_client, company, drafts, homeless_draft
):
    chosen = [drafts[0], homeless_draft, drafts[1], drafts[2]]

    response = owner_client.post(URL, {"invoice": _ids(chosen), "confirm": "1"})

    assert response.status_code == 200
    text = response.content.decode()
    assert "3 fakturaer er utstedt (nr. 1–3)." in text
    assert "1 utkast ble ikke utstedt og står fortsatt som utkast." in text
    assert "mangler adresse" in text  # the reason invoice_issue gives
    assert reverse("invoicing:edit", args=[homeless_draft.pk]) in text
    # Drafts of one date are numbered in id order; the refused one used no number.
    assert _numbers(drafts) == [1, 2, 3]
    assert _numbers([homeless_draft]) == [None]
    with scope(company=company):
        assert NumberSeries.objects.get(kind="invoice").next_number == 4
        assert issued_invoice(company=company).number == 4


def test_numbers_follow_the_invoice_dates_not_the_order_chosen(owner_client, company):
    with scope(company=company):
        late = draft_invoice(company=company, invoice_date=datetime.date(2026, 11, 20))
        early = draft_invoice(company=company, invoice_date=datetime.date(2026, 11, 3))

    response = owner_client.post(URL, {"invoice": _ids([late, early]), "confirm": "1"})

    assert response.status_code == 200
    assert _numbers([early, late]) == [1, 2]


def test_an_accountant_may_issue_selected(accountant_client, drafts):
    response = accountant_client.post(URL, {"invoice": _ids(drafts), "confirm": "1"})

    assert response.status_code == 200
    assert _numbers(drafts) == [1, 2, 3]


def test_a_read_only_member_gets_403_and_nothing_is_issued(member_client, drafts):
    response = member_client.post(URL, {"invoice": _ids(drafts), "confirm": "1"})

    assert response.status_code == 403
    assert _numbers(drafts) == [None, None, None]


def test_anonymous_is_sent_to_log_in(client, drafts):
    response = client.post(URL, {"invoice": _ids(drafts), "confirm": "1"})

    assert response.status_code == 302
    assert "/login" in response["Location"] or "logg-inn" in response["Location"]
    assert _numbers(drafts) == [None, None, None]


def test_an_outsider_cannot_issue_another_companys_drafts(outsider_client, drafts):
    response = outsider_client.post(URL, {"invoice": _ids(drafts), "confirm": "1"})

    assert response.status_code == 400
    text = response.content.decode()
    assert "Ingen av de valgte fakturaene er utkast (lenger)." in text
    assert "Havbris" not in text
    assert _numbers(drafts) == [None, None, None]


def test_another_companys_draft_among_the_chosen_is_left_out(owner_client, drafts, other_company):
    with scope(company=other_company):
        foreign = draft_invoice(company=other_company)

    confirm = owner_client.post(URL, {"invoice": _ids([*drafts, foreign])})
    assert "1 av de valgte er ikke et utkast (lenger) og er utelatt." in confirm.content.decode()
    # The confirmation's form carries only the company's own drafts.
    assert f'value="{foreign.pk}"' not in confirm.content.decode()

    response = owner_client.post(URL, {"invoice": _ids([*drafts, foreign]), "confirm": "1"})

    assert response.status_code == 200
    assert _numbers(drafts) == [1, 2, 3]
    assert _numbers([foreign]) == [None]


def test_an_already_issued_invoice_is_left_out(owner_client, company, drafts):
    with scope(company=company):
        issued = issued_invoice(company=company)

    response = owner_client.post(URL, {"invoice": _ids([issued, *drafts]), "confirm": "1"})

    assert response.status_code == 200
    assert _numbers([issued, *drafts]) == [1, 2, 3, 4]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Velg minst ett utkast."),
        ({"invoice": ["abc"]}, "Ugyldig faktura-id: «abc»."),
        ({"invoice": ["²"]}, "Ugyldig faktura-id: «²»."),
        ({"invoice": ["-1"]}, "Ugyldig faktura-id: «-1»."),
        ({"invoice": ["9" * 30]}, "Ugyldig faktura-id"),
        ({"invoice": ["999999"]}, "Ingen av de valgte fakturaene er utkast (lenger)."),
    ],
)
def test_bad_input_is_a_400_with_a_message(owner_client, drafts, data, message):
    response = owner_client.post(URL, {**data, "confirm": "1"})

    assert response.status_code == 400
    assert message in response.content.decode()
    assert _numbers(drafts) == [None, None, None]


def test_more_than_the_limit_is_refused_with_the_limit_named(owner_client, drafts, settings):
    settings.ISSUE_SELECTED_MAX = 2

    response = owner_client.post(URL, {"invoice": _ids(drafts), "confirm": "1"})

    assert response.status_code == 400
    assert "Du kan utstede høyst 2 fakturaer om gangen; du valgte 3." in response.content.decode()
    assert _numbers(drafts) == [None, None, None]


def test_get_is_not_allowed(owner_client):
    assert owner_client.get(URL).status_code == 405


def test_all_drafts_matching_the_filter(owner_client, company, drafts):
    with scope(company=company):
        other = draft_invoice(company=company, client=ClientFactory(company=company, name="Bo"))
    query = f"?status=draft&client={drafts[0].client_id}"

    confirm = owner_client.post(URL + query, {"scope": "filter"})
    assert confirm.status_code == 200
    assert "Du utsteder 3 fakturaer." in confirm.content.decode()

    response = owner_client.post(URL + query, {"scope": "filter", "confirm": "1"})
    # The confirmation posts the ids it showed; with scope=filter they are found again.
    assert response.status_code == 200
    assert _numbers(drafts) == [1, 2, 3]
    assert _numbers([other]) == [None]


def test_all_drafts_matching_the_filter_above_the_limit_is_refused(owner_client, drafts, settings):
    settings.ISSUE_SELECTED_MAX = 2

    response = owner_client.post(URL + "?status=draft", {"scope": "filter"})

    assert response.status_code == 400
    assert "Flere enn 2 utkast passer filteret." in response.content.decode()


def test_the_draft_list_has_checkboxes_for_editors_only(owner_client, member_client, drafts):
    draft_view = reverse("invoicing:list") + "?status=draft"

    page = owner_client.get(draft_view).content.decode()
    assert 'id="issue-selected"' in page
    assert "Utsted valgte" in page
    for invoice in drafts:
        assert f'name="invoice" value="{invoice.pk}" form="issue-selected"' in page
    assert "Høyst 500 om gangen." in page

    assert 'form="issue-selected"' not in member_client.get(draft_view).content.decode()
    default_view = owner_client.get(reverse("invoicing:list")).content.decode()
    assert 'form="issue-selected"' not in default_view


def test_all_drafts_matching_a_text_search(owner_client, company, drafts):
    with scope(company=company):
        other = draft_invoice(company=company, client=ClientFactory(company=company, name="Bo"))

    response = owner_client.post(URL + "?status=draft&q=havbris", {"scope": "filter"})

    assert response.status_code == 200
    text = response.content.decode()
    assert "Du utsteder 3 fakturaer." in text
    assert f'value="{other.pk}"' not in text


def test_the_list_offers_all_matching_drafts_only_up_to_the_limit(owner_client, company, settings):
    with scope(company=company):
        client = ClientFactory(company=company)
        for _ in range(51):  # one more than a page
            draft_invoice(company=company, client=client)
    draft_view = reverse("invoicing:list") + "?status=draft"

    assert (
        "Utsted alle 51 utkast som passer filteret" in owner_client.get(draft_view).content.decode()
    )

    settings.ISSUE_SELECTED_MAX = 50
    page = owner_client.get(draft_view).content.decode()
    assert "Utsted alle 51 utkast" not in page
    assert "Høyst 50 om gangen." in page


def test_a_second_confirmation_issues_nothing_more_and_says_why(owner_client, drafts):
    owner_client.post(URL, {"invoice": _ids(drafts), "confirm": "1"})

    again = owner_client.post(URL, {"invoice": _ids(drafts), "confirm": "1"})

    assert again.status_code == 400
    assert "står de med nummer i fakturalisten" in again.content.decode()
    assert _numbers(drafts) == [1, 2, 3]


def _all_drafts_are_drafts() -> bool:
    with scopes_disabled():
        return not Invoice.objects.exclude(status=Invoice.Status.DRAFT).exists()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("client=abc", "Kunden i filteret finnes ikke i dette firmaet."),
        ("client=0", "Kunden i filteret finnes ikke i dette firmaet."),
        ("client=999999", "Kunden i filteret finnes ikke i dette firmaet."),
        ("date_from=31.02.2026", "«31.02.2026» i filteret er ikke en gyldig dato."),
        ("date_to=igår", "«igår» i filteret er ikke en gyldig dato."),
        ("status=open", "Bare utkast kan utstedes: filteret må vise utkast."),
        ("status=nonsense", "Bare utkast kan utstedes: filteret må vise utkast."),
    ],
)
def test_a_filter_that_cannot_be_applied_issues_nothing(
    owner_client, company, drafts, query, message
):
    # A draft outside the filter's client: a dropped filter would take it too.
    with scope(company=company):
        draft_invoice(company=company, client=ClientFactory(company=company, name="Bo"))
    url = f"{URL}?status=draft&{query}" if "status=" not in query else f"{URL}?{query}"

    for data in ({"scope": "filter"}, {"scope": "filter", "confirm": "1"}):
        response = owner_client.post(url, data)

        assert response.status_code == 400
        text = response.content.decode()
        assert message in text
        assert "Ingenting er utstedt." in text
        assert "Du utsteder" not in text
    assert _all_drafts_are_drafts()


def test_another_companys_client_in_the_filter_issues_nothing(
    owner_client, company, drafts, other_company
):
    with scope(company=other_company):
        foreign_client = ClientFactory(company=other_company, name="Fremmed Kunde AS")
        foreign_draft = draft_invoice(company=other_company, client=foreign_client)

    response = owner_client.post(
        f"{URL}?status=draft&client={foreign_client.pk}", {"scope": "filter", "confirm": "1"}
    )

    assert response.status_code == 400
    text = response.content.decode()
    assert "Kunden i filteret finnes ikke i dette firmaet." in text
    assert "Fremmed Kunde" not in text
    assert _numbers([*drafts, foreign_draft]) == [None, None, None, None]


def test_an_outsider_with_the_companys_client_in_the_filter_issues_nothing(
    outsider_client, company, drafts, other_company
):
    """The outsider's own company has drafts: the filter naming a client it cannot see
    must not turn into "all of its own drafts"."""
    with scope(company=other_company):
        own_draft = draft_invoice(company=other_company)

    response = outsider_client.post(
        f"{URL}?status=draft&client={drafts[0].client_id}", {"scope": "filter", "confirm": "1"}
    )

    assert response.status_code == 400
    text = response.content.decode()
    assert "Kunden i filteret finnes ikke i dette firmaet." in text
    assert "Havbris" not in text
    assert _numbers([*drafts, own_draft]) == [None, None, None, None]


def test_a_read_only_member_with_a_filter_gets_403(member_client, drafts):
    response = member_client.post(
        f"{URL}?status=draft&client={drafts[0].client_id}", {"scope": "filter", "confirm": "1"}
    )

    assert response.status_code == 403
    assert _numbers(drafts) == [None, None, None]


def test_a_valid_date_filter_still_issues_the_matching_drafts(owner_client, company, drafts):
    with scope(company=company):
        later = draft_invoice(company=company, invoice_date=datetime.date(2099, 1, 1))
    query = "?status=draft&date_to=2098-12-31"

    response = owner_client.post(URL + query, {"scope": "filter", "confirm": "1"})

    assert response.status_code == 200
    assert _numbers(drafts) == [1, 2, 3]
    assert _numbers([later]) == [None]


# A client name longer than the search limit (100): its first 100 characters are a search
# the list applies as given; one character more is a search it would cut to those 100.
LONG_NAME = "Nordlys Regnskap og Revisjon " * 5  # 145 characters


@pytest.fixture
def long_named_drafts(company):
    with scope(company=company):
        client = ClientFactory(company=company, name=LONG_NAME.strip())
        return [draft_invoice(company=company, client=client) for _ in range(2)]


def test_a_search_longer_than_the_list_applies_issues_nothing(
    owner_client, company, drafts, long_named_drafts
):
    """Cut to 100 characters the search matches the long-named client's drafts, which
    the 101 characters the user gave do not: it is refused, never widened."""
    search = LONG_NAME[:100] + "X"
    assert len(search) == 101
    url = f"{URL}?{urlencode({'status': 'draft', 'q': search})}"

    for data in ({"scope": "filter"}, {"scope": "filter", "confirm": "1"}):
        response = owner_client.post(url, data)

        assert response.status_code == 400
        text = response.content.decode()
        assert "Søket i filteret er lengre enn 100 tegn." in text
        assert "Ingenting er utstedt." in text
        assert "Du utsteder" not in text
    assert _all_drafts_are_drafts()


def test_a_search_of_the_limit_issues_the_matching_drafts(
    owner_client, company, drafts, long_named_drafts
):
    search = LONG_NAME[:100]
    assert len(search) == 100
    url = f"{URL}?{urlencode({'status': 'draft', 'q': search})}"

    response = owner_client.post(url, {"scope": "filter", "confirm": "1"})

    assert response.status_code == 200
    assert set(_numbers(long_named_drafts)) == {1, 2}
    assert _numbers(drafts) == [None, None, None]
