"""POST /api/v1/invoices/issue/: several drafts issued in one call, by persona, with a
refused draft among them, bad input and the idempotency key."""

from __future__ import annotations

import datetime

import pytest
from django_scopes import scope, scopes_disabled

from core.models import AuditEntry
from invoicing.models import Invoice, NumberSeries
from invoicing.tests.factories import ClientFactory, draft_invoice, issued_invoice

pytestmark = pytest.mark.django_db

URL = "/api/v1/invoices/issue/"


@pytest.fixture
def drafts(company):
    with scope(company=company):
        client = ClientFactory(company=company)
        return [draft_invoice(company=company, client=client) for _ in range(3)]


@pytest.fixture
def homeless_draft(company):
    with scope(company=company):
        homeless = ClientFactory(company=company, organization_number="", address_line="")
        return draft_invoice(company=company, client=homeless)


def _numbers(invoices) -> list[int | None]:
    with scopes_disabled():
        return [Invoice.objects.get(pk=invoice.pk).number for invoice in invoices]


def _post(api_client, ids, **headers):
    return api_client.post(URL, {"ids": ids}, format="json", **headers)


def test_issues_the_drafts_and_answers_their_numbers(api_client, drafts):
    response = _post(api_client, [invoice.pk for invoice in drafts])

    assert response.status_code == 200
    assert response.json() == {
        "issued": [{"id": invoice.pk, "number": n} for n, invoice in enumerate(drafts, 1)],
        "refused": [],
    }
    assert _numbers(drafts) == [1, 2, 3]


def test_a_refused_draft_is_reported_uses_no_number_and_the_rest_is_issued(
    api_client, company, drafts, homeless_draft
):
    ids = [drafts[0].pk, homeless_draft.pk, drafts[1].pk, drafts[2].pk]

    response = _post(api_client, ids)

    assert response.status_code == 200
    body = response.json()
    assert [item["number"] for item in body["issued"]] == [1, 2, 3]
    [refused] = body["refused"]
    assert refused["id"] == homeless_draft.pk
    assert "mangler adresse" in refused["messages"][0]
    assert list(refused["errors"]) == ["client"]  # as POST /invoices/{id}/issue/ answers
    assert refused["code"] is None  # the messages carry no code (the schema says so)
    assert _numbers([homeless_draft]) == [None]
    with scope(company=company):
        assert NumberSeries.objects.get(kind="invoice").next_number == 4
        assert issued_invoice(company=company).number == 4  # gapless afterwards


def test_numbers_follow_the_invoice_dates(api_client, company):
    with scope(company=company):
        late = draft_invoice(company=company, invoice_date=datetime.date(2026, 11, 20))
        early = draft_invoice(company=company, invoice_date=datetime.date(2026, 11, 3))

    response = _post(api_client, [late.pk, early.pk])

    assert response.status_code == 200
    assert response.json()["refused"] == []
    assert _numbers([early, late]) == [1, 2]


def test_an_issued_invoice_is_refused_as_already_issued(api_client, company, drafts):
    with scope(company=company):
        issued = issued_invoice(company=company)

    response = _post(api_client, [issued.pk, drafts[0].pk])

    assert response.status_code == 200
    body = response.json()
    assert body["issued"] == [{"id": drafts[0].pk, "number": 2}]
    assert body["refused"] == [
        {
            "id": issued.pk,
            "code": "already_issued",
            "messages": ["Fakturaen er allerede utstedt med nummer 1."],
            "errors": {"non_field_errors": ["Fakturaen er allerede utstedt med nummer 1."]},
        }
    ]


def test_another_companys_draft_is_a_400_and_nothing_is_issued(api_client, drafts, other_company):
    with scope(company=other_company):
        foreign = draft_invoice(company=other_company)

    response = _post(api_client, [drafts[0].pk, foreign.pk])

    assert response.status_code == 400
    assert response.json()["errors"] == {"ids": [f"Finnes ikke: {foreign.pk}."]}
    assert _numbers([drafts[0], foreign]) == [None, None]


def test_an_outsider_token_finds_none_of_the_companys_drafts(outsider_api_client, drafts):
    response = _post(outsider_api_client, [drafts[0].pk])

    assert response.status_code == 400
    assert _numbers(drafts) == [None, None, None]


def test_the_owners_session_may_issue(owner_api_client, drafts):
    response = _post(owner_api_client, [drafts[0].pk])

    assert response.status_code == 200
    assert _numbers(drafts[:1]) == [1]


def test_a_read_only_member_gets_403(member_api_client, drafts):
    response = _post(member_api_client, [invoice.pk for invoice in drafts])

    assert response.status_code == 403
    assert _numbers(drafts) == [None, None, None]


def test_anonymous_gets_401(client, drafts):
    response = client.post(URL, {"ids": [drafts[0].pk]}, content_type="application/json")

    assert response.status_code in (401, 403)
    assert "detail" in response.json()
    assert _numbers(drafts[:1]) == [None]


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"ids": []},
        {"ids": "1"},
        {"ids": ["abc"]},
        {"ids": ["²"]},
        {"ids": ["١٢"]},
        {"ids": [1.5]},
        {"ids": [True]},
        {"ids": [0]},
        {"ids": [-3]},
        {"ids": [2**63]},
        {"ids": [None]},
        {"ids": [[1]]},
    ],
)
def test_bad_input_is_a_400_with_errors(api_client, drafts, body):
    response = api_client.post(URL, body, format="json")

    assert response.status_code == 400
    assert "ids" in response.json()["errors"] or any(
        key.startswith("ids.") for key in response.json()["errors"]
    )
    assert _numbers(drafts) == [None, None, None]


def test_more_than_the_limit_is_a_400_naming_it(api_client, drafts, settings):
    settings.ISSUE_SELECTED_MAX = 2

    response = _post(api_client, [invoice.pk for invoice in drafts])

    assert response.status_code == 400
    assert response.json()["errors"]["ids"] == [
        "Du kan utstede høyst 2 fakturaer om gangen; du valgte 3."
    ]
    assert _numbers(drafts) == [None, None, None]


def test_with_an_idempotency_key_a_retry_replays_and_issues_nothing_more(api_client, drafts):
    ids = [invoice.pk for invoice in drafts]

    first = _post(api_client, ids, HTTP_IDEMPOTENCY_KEY="batch-1")
    second = _post(api_client, ids, HTTP_IDEMPOTENCY_KEY="batch-1")

    assert first.status_code == second.status_code == 200
    assert second["Idempotent-Replayed"] == "true" and second.json() == first.json()
    assert AuditEntry.objects.filter(action="invoicing.invoice.issued").count() == 3
    assert _post(api_client, ids[:1], HTTP_IDEMPOTENCY_KEY="batch-1").status_code == 422
