"""GET /api/v1/invoices/ and /credit-notes/ read through the web list's selection
(``selectors.invoice_list_parts`` + ``pagination.capped_page``): the same rows in the same
order for the same filters, deep pages bounded, bad page numbers a 404 that says why."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from api import pagination as api_pagination
from invoicing import selectors, services
from invoicing.models import Invoice
from invoicing.tests.factories import ClientFactory, issued_invoice

pytestmark = pytest.mark.django_db

INVOICES = "/api/v1/invoices/"
CREDIT_NOTES = "/api/v1/credit-notes/"

# (web list's query, the API's query for the same selection)
SAME_SELECTION = [
    ({}, {}),
    ({"q": "nordlys"}, {"search": "nordlys"}),
    ({"q": "PO-4242"}, {"search": "PO-4242"}),
    ({"q": "5"}, {"search": "5"}),
    ({"q": "Per"}, {"search": "Per"}),
    ({"q": "avd 4"}, {"search": "avd 4"}),
    ({"q": "zzz"}, {"search": "zzz"}),
    ({"q": "nordlys", "status": "draft"}, {"search": "nordlys", "status": "draft"}),
    ({"q": "nordlys", "status": "overdue"}, {"search": "nordlys", "overdue": "true"}),
    ({"status": "paid"}, {"status": "paid"}),
    (
        {"q": "PO-4242", "date_from": "2026-09-10", "date_to": "2026-09-25"},
        {"search": "PO-4242", "date_from": "2026-09-10", "date_to": "2026-09-25"},
    ),
    ({"q": "nordlys", "sort": "-amount"}, {"search": "nordlys", "ordering": "-total"}),
    ({"q": "nordlys", "sort": "client"}, {"search": "nordlys", "ordering": "client"}),
    ({"q": "12", "sort": "number"}, {"search": "12", "ordering": "number"}),
    ({"sort": "due"}, {"ordering": "due_date"}),
]


def _web_ids(client, url, query):
    response = client.get(url, query)
    assert response.status_code == 200
    return [invoice.pk for invoice in response.context["page"].object_list]


def _api_ids(client, url, query, page_size):
    """Every row of the API's list, page after page through its ``next`` links."""
    ids, count = [], None
    response = client.get(url, {**query, "page_size": page_size})
    while True:
        assert response.status_code == 200, response.content
        body = response.json()
        count = body["count"] if count is None else count
        assert body["count"] == count and body["count_is_capped"] is False
        ids += [row["id"] for row in body["results"]]
        if body["next"] is None:
            return ids, count
        response = client.get(body["next"])


def test_the_api_lists_the_rows_the_web_list_shows(owner_client, api_client, varied):
    found = []
    for web_query, api_query in SAME_SELECTION:
        expected = _web_ids(owner_client, reverse("invoicing:list"), web_query)
        found.append(len(expected))
        for page_size in (50, 2):
            ids, count = _api_ids(api_client, INVOICES, api_query, page_size)
            assert (api_query, page_size, ids, count) == (
                api_query,
                page_size,
                expected,
                len(expected),
            )
    # The comparisons above are not between empty lists (only "zzz" finds nothing), nor
    # all of one size.
    assert found.count(0) == 1 and len(set(found)) > 4


def test_the_credit_note_list_matches_the_web_one(owner_client, api_client, varied, actor):
    for invoice in varied[:6]:
        if invoice.status != Invoice.Status.DRAFT:
            services.invoice_credit(invoice=invoice, actor=actor)
    # A client's name (a union of parts), an order number (the references alone, gathered).
    searches = [({}, {}), ({"q": "nordlys"}, {"search": "nordlys"})]
    searches.append(({"q": "PO-4242"}, {"search": "PO-4242"}))
    for web_query, api_query in searches:
        expected = _web_ids(owner_client, reverse("invoicing:credit_notes"), web_query)
        assert expected
        assert _api_ids(api_client, CREDIT_NOTES, api_query, 2) == (expected, len(expected))


def test_a_text_search_is_read_as_the_web_list_reads_it(api_client, varied):
    with CaptureQueriesContext(connection) as queries:
        body = api_client.get(INVOICES, {"search": "nordlys", "page_size": 2}).json()
    assert body["count"] > 8 and len(body["results"]) == 2
    # one query per alternative (client names, each reference), not one OR
    assert any(" UNION " in query["sql"].upper() for query in queries)


@pytest.mark.parametrize(
    ("persona", "status"),
    [("owner_api_client", 200), ("member_api_client", 200), ("api_client", 200)],
)
def test_personas_of_the_company_see_its_search(request, varied, persona, status):
    response = request.getfixturevalue(persona).get(INVOICES, {"search": "nordlys"})
    assert response.status_code == status
    assert response.json()["count"] > 8


def test_an_outsider_finds_none_of_the_companys_invoices(
    outsider, outsider_api_client, varied, other_company
):
    # ``varied`` gave the other company one invoice matching the search: that one only.
    session = APIClient()
    session.force_login(outsider)
    for client in (session, outsider_api_client):
        body = client.get(INVOICES, {"search": "nordlys"}).json()
        assert body["count"] == 1
        assert body["results"][0]["id"] not in {invoice.pk for invoice in varied}
        detail = client.get(f"{INVOICES}{varied[0].pk}/")
        assert detail.status_code == 404


def test_without_credentials_the_list_is_refused(varied):
    response = APIClient().get(INVOICES, {"search": "nordlys"})
    assert response.status_code in (401, 403) and "detail" in response.json()


@pytest.mark.parametrize("page", ["x", "0", "-1", "1.5", "²", " ", "9" * 30])
def test_a_page_that_is_no_number_is_a_404_that_says_so(api_client, varied, page):
    response = api_client.get(INVOICES, {"search": "nordlys", "page": page})
    assert response.status_code == 404
    detail = response.json()["detail"]
    assert "side" in detail.lower() and ("helt tall" in detail or "finnes ikke" in detail)


def test_a_page_past_the_end_is_a_404_with_the_number_of_pages(api_client, varied):
    last = api_client.get(INVOICES, {"search": "nordlys", "page_size": 5, "page": "last"})
    assert last.status_code == 200 and last.json()["next"] is None
    count = last.json()["count"]
    pages = -(-count // 5)
    assert api_client.get(last.json()["previous"]).json()["next"] is not None
    response = api_client.get(INVOICES, {"search": "nordlys", "page_size": 5, "page": pages + 1})
    assert response.status_code == 404
    assert f"{pages} sider" in response.json()["detail"]


def test_a_page_past_the_cap_is_refused_before_any_list_query(api_client, varied):
    with CaptureQueriesContext(connection) as queries:
        response = api_client.get(INVOICES, {"search": "nordlys", "page": 10**6})
    assert response.status_code == 404
    assert "Snevre inn filtrene" in response.json()["detail"]
    assert not [q for q in queries if "invoicing_invoice" in q["sql"]]


def test_deep_pages_stop_at_the_cap_and_say_so(api_client, company, monkeypatch):
    monkeypatch.setattr(api_pagination, "COUNT_CAP", 5)
    client = ClientFactory(company=company, name="Nordlys AS")
    for _ in range(9):
        issued_invoice(company=company, client=client, order_number="PO-1")
    pages = []
    for number in (1, 2, 3):
        response = api_client.get(INVOICES, {"search": "nordlys", "page_size": 2, "page": number})
        assert response.status_code == 200
        pages.append(response.json())
    assert all(page["count"] == 6 and page["count_is_capped"] for page in pages)
    # Rows up to the cap's (row 6 of 9) are served, in the list's order, without repeats.
    ids = [row["id"] for page in pages for row in page["results"]]
    assert len(ids) == len(set(ids)) == 6 and pages[2]["next"] is None
    beyond = api_client.get(INVOICES, {"search": "nordlys", "page_size": 2, "page": 4})
    assert beyond.status_code == 404 and "de første 6 radene" in beyond.json()["detail"]
    # A page size that does not divide the cap: the last page stops at row 6 too.
    last = api_client.get(INVOICES, {"search": "nordlys", "page_size": 4, "page": 2}).json()
    assert [row["id"] for row in last["results"]] == ids[4:] and last["next"] is None


def test_a_text_search_counts_and_pages_its_first_matches_as_the_web_list(
    api_client, company, monkeypatch
):
    # The web list's cap of a text search (1,000), here 3: count 4 and capped, pages up to
    # row 4. A filter without a text search, and a number search, keep the usual cap.
    monkeypatch.setattr(selectors, "SEARCH_CAP", 3)
    client = ClientFactory(company=company, name="Nordlys AS")
    invoices = [issued_invoice(company=company, client=client) for _ in range(6)]

    searched = api_client.get(INVOICES, {"search": "nordlys", "page_size": 2, "page": 2}).json()
    beyond = api_client.get(INVOICES, {"search": "nordlys", "page_size": 2, "page": 3})
    filtered = api_client.get(INVOICES, {"client": client.pk}).json()
    by_number = api_client.get(INVOICES, {"search": str(invoices[0].number)}).json()

    assert (searched["count"], searched["count_is_capped"]) == (4, True)
    assert len(searched["results"]) == 2 and searched["next"] is None
    assert beyond.status_code == 404 and "de første 4 radene" in beyond.json()["detail"]
    assert (filtered["count"], filtered["count_is_capped"]) == (6, False)
    assert (by_number["count"], by_number["count_is_capped"]) == (1, False)


@pytest.mark.parametrize(
    "params",
    [{"status": "draft"}, {"ordering": "price"}, {"client": "0"}, {"date_from": "2026-13-01"}],
)
def test_an_unknown_credit_note_filter_value_is_400(api_client, params):
    response = api_client.get(CREDIT_NOTES, {**params, "search": "nordlys"})
    assert response.status_code == 400
    body = response.json()
    assert body["detail"] and set(params) <= set(body["errors"])


def test_the_page_messages_are_in_english_for_an_english_client(api_client, varied):
    response = api_client.get(INVOICES, {"page": "x"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.json()["detail"] == "Invalid page: use a whole number from 1."
    response = api_client.get(INVOICES, {"page": 9999}, HTTP_ACCEPT_LANGUAGE="en")
    assert "Narrow the filters" in response.json()["detail"]
