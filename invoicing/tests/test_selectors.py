"""Reads: filters, search, ordering, no N+1, balances, tenant scope."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django_scopes import scope

from invoicing import selectors, services
from invoicing.models import REFERENCE_FIELDS, Invoice
from invoicing.selectors import InvoiceFilter
from invoicing.tests.factories import ClientFactory, draft_invoice, issued_invoice, line

D = datetime.date


@pytest.fixture
def invoices(company_scope, actor):
    acme = ClientFactory(company=company_scope, name="Acme Trading AS")
    fjord = ClientFactory(company=company_scope, name="Fjord Bygg AS")
    a = issued_invoice(
        company=company_scope,
        client=acme,
        invoice_date=D(2026, 10, 1),
        lines=[line(unit_price="100.00")],
        their_reference="Per",
    )
    b = issued_invoice(
        company=company_scope,
        client=fjord,
        invoice_date=D(2026, 11, 1),
        lines=[line(unit_price="200.00")],
        order_number="PO-778",
    )
    c = issued_invoice(
        company=company_scope,
        client=acme,
        invoice_date=D(2026, 11, 10),
        lines=[line(unit_price="300.00")],
    )
    services.payment_register(invoice=b, actor=actor, amount=Decimal("250.00"), date=D(2026, 11, 5))
    draft = draft_invoice(company=company_scope, client=fjord)
    return {"a": a, "b": b, "c": c, "draft": draft, "acme": acme, "fjord": fjord}


def _numbers(qs):
    return [invoice.number for invoice in qs]


def test_filters(company_scope, invoices):
    today = D(2026, 11, 20)
    kw = {"company": company_scope, "today": today}
    assert sorted(
        _numbers(selectors.invoice_list(**kw, filters=InvoiceFilter(status=Invoice.Status.DRAFT)))
    ) == [None]
    assert len(selectors.invoice_list(**kw)) == 4
    assert _numbers(selectors.invoice_list(**kw, filters=InvoiceFilter(status="paid"))) == [2]
    assert _numbers(
        selectors.invoice_list(
            **kw, filters=InvoiceFilter(status=["issued", "paid"]), ordering="number"
        )
    ) == [
        1,
        2,
        3,
    ]
    assert _numbers(
        selectors.invoice_list(
            **kw, filters=InvoiceFilter(client=invoices["acme"]), ordering="number"
        )
    ) == [
        1,
        3,
    ]
    assert _numbers(
        selectors.invoice_list(
            **kw,
            filters=InvoiceFilter(date_from=D(2026, 11, 1), date_to=D(2026, 11, 1)),
            ordering="number",
        )
    ) == [2]
    # due dates: a 2026-10-15, c 2026-11-24; b is paid
    assert _numbers(selectors.invoice_list(**kw, filters=InvoiceFilter(overdue=True))) == [1]
    assert 1 not in _numbers(selectors.invoice_list(**kw, filters=InvoiceFilter(overdue=False)))


def test_search_and_ordering(company_scope, invoices):
    kw = {"company": company_scope, "today": D(2026, 11, 20), "ordering": "number"}
    assert _numbers(selectors.invoice_list(**kw, filters=InvoiceFilter(search="acme"))) == [1, 3]
    assert _numbers(selectors.invoice_list(**kw, filters=InvoiceFilter(search="2"))) == [2]
    assert _numbers(selectors.invoice_list(**kw, filters=InvoiceFilter(search="po-778"))) == [2]
    assert _numbers(selectors.invoice_list(**kw, filters=InvoiceFilter(search="Per"))) == [1]
    issued = {"company": company_scope, "filters": InvoiceFilter(status=["issued", "paid"])}
    assert _numbers(selectors.invoice_list(**issued, ordering="-total")) == [3, 2, 1]
    assert _numbers(selectors.invoice_list(**issued, ordering="client")) == [3, 1, 2]
    assert _numbers(selectors.invoice_list(**issued, ordering="nonsense")) == [3, 2, 1]
    # ``balance`` is the selector's .annotate(); its declared QuerySet[Invoice] does not carry it.
    balances = {i.number: i.balance for i in selectors.invoice_list(**issued)}  # type: ignore[attr-defined]
    assert balances == {1: Decimal("125.00"), 2: Decimal("0.00"), 3: Decimal("375.00")}


def _searched(company: Any, search: str) -> set[int]:
    """The ids of the company's invoices a text search lists."""
    rows = selectors.invoice_list(company=company, filters=InvoiceFilter(search=search))
    return {invoice.pk for invoice in rows}


@pytest.mark.parametrize("field", REFERENCE_FIELDS)
def test_a_text_search_finds_each_reference_but_never_a_text_across_two(company_scope, field):
    # The four references are searched as one text (``selectors._References``): a search
    # must match within one of them, as four separate searches would.
    client = ClientFactory(company=company_scope, name="Kunde")
    empty: dict[str, Any] = dict.fromkeys(REFERENCE_FIELDS, "")
    found = draft_invoice(company=company_scope, client=client, **{**empty, field: "Bestilling 77"})
    # "LM" ends one reference and "NO" starts the next: "LMNO" is in neither.
    draft_invoice(
        company=company_scope,
        client=client,
        **dict[str, Any](zip(REFERENCE_FIELDS, ["KL", "LM", "NOP", "PQ"], strict=True)),
    )

    def matching(search: str) -> set[int]:
        return _searched(company_scope, search)

    assert matching("bestilling 77") == matching("STILLING") == {found.pk}
    assert matching("LMNO") == matching("LM NO") == matching("LM\x1fNO") == set()
    assert matching("MNOP") == set()
    assert len(matching("NOP")) == 1


@pytest.mark.parametrize("limit", [0, 1000])
def test_client_name_search_is_the_same_with_ids_inlined_or_a_subquery(
    company_scope, invoices, monkeypatch, limit
):
    # limit 0: more clients match than are inlined, so the subquery is used.
    monkeypatch.setattr(selectors, "CLIENT_MATCH_LIMIT", limit)
    kw = {"company": company_scope, "today": D(2026, 11, 20), "ordering": "number"}
    assert _numbers(selectors.invoice_list(**kw, filters=InvoiceFilter(search="acme"))) == [1, 3]
    assert (
        _numbers(selectors.invoice_list(**kw, filters=InvoiceFilter(search="no such client"))) == []
    )


def test_list_has_no_n_plus_one(company_scope, invoices, django_assert_num_queries):
    for _ in range(5):
        issued_invoice(
            company=company_scope,
            client=ClientFactory(company=company_scope),
            invoice_date=D(2026, 11, 10),
        )
    with django_assert_num_queries(1):
        rows = [
            (i.number, i.client.name, i.balance)  # type: ignore[attr-defined]  # .annotate()
            for i in selectors.invoice_list(company=company_scope)
        ]
    assert len(rows) == 9


def test_detail_loads_everything_in_fixed_queries(
    company_scope, invoices, actor, django_assert_num_queries
):
    services.invoice_credit(invoice=invoices["a"], actor=actor)
    with django_assert_num_queries(5):
        invoice = selectors.invoice_detail(pk=invoices["a"].pk)
        assert [ln.vat_code.code for ln in invoice.lines.all()] == ["3"]
        assert len(invoice.vat_lines.all()) == 1
        assert len(invoice.payments.all()) == 0
        assert [n.number for n in invoice.credit_notes.all()] == [4]
        assert invoice.client.name == "Acme Trading AS"


def test_open_balance_per_client(company_scope, invoices):
    assert selectors.client_open_balance(client=invoices["acme"]) == Decimal("500.00")
    assert selectors.client_open_balance(client=invoices["fjord"]) == Decimal("0.00")
    rows = list(selectors.client_open_balances(company=company_scope))
    # ``open_balance`` is the selector's .annotate(), which QuerySet[Client] does not carry.
    assert [(c.name, c.open_balance) for c in rows] == [  # type: ignore[attr-defined]
        ("Acme Trading AS", Decimal("500.00"))
    ]


def test_credit_note_list(company_scope, invoices, actor):
    note = services.invoice_credit(invoice=invoices["c"], actor=actor)
    credit_notes = selectors.invoice_list(
        company=company_scope, filters=InvoiceFilter(kind=Invoice.Kind.CREDIT_NOTE)
    )
    assert list(credit_notes) == [note]
    assert note not in selectors.invoice_list(company=company_scope)


def test_another_companys_invoices_are_invisible(company, other_company, invoices):
    with scope(company=other_company):
        assert list(selectors.invoice_list(company=other_company)) == []
        assert not Invoice.objects.filter(pk=invoices["a"].pk).exists()
        with pytest.raises(Invoice.DoesNotExist):
            selectors.invoice_detail(pk=invoices["a"].pk)
        # even asking with the wrong company finds nothing in this scope
        assert list(selectors.invoice_list(company=company)) == []


def test_settings_selector_defaults(company_scope):
    current = selectors.invoicing_settings_for(company=company_scope)
    assert current.pk is None and current.kid_method == "none"
    assert current.credit_note_numbering == "same"
    assert selectors.number_series_for(company=company_scope) == {}
    services.invoicing_settings_update(
        company=company_scope, actor=_system(), first_invoice_number=100
    )
    assert selectors.number_series_for(company=company_scope)["invoice"].next_number == 100


def test_draft_totals_preview(company_scope):
    draft = draft_invoice(
        company=company_scope,
        lines=[line(unit_price="100.00"), line(code="31", unit_price="100.00")],
    )
    totals = selectors.invoice_draft_totals(invoice=draft)
    assert (totals.total_vat, totals.total_incl_vat) == (Decimal("40.00"), Decimal("240.00"))


def _system():
    from core.audit import Actor

    return Actor.system("test")


def test_sums_are_exact_to_the_ore(company_scope, actor):
    # SQLite adds decimals in floating point (0.01 + 0.02 + ... ≠ 0.06 exactly); the
    # selectors bring every aggregate back to øre.
    invoice = issued_invoice(company=company_scope, lines=[line(unit_price="0.08")])
    services.payment_register(
        invoice=invoice, actor=actor, amount=Decimal("0.10"), date=D(2026, 11, 3)
    )
    for amount in ("0.01", "0.01", "0.02", "0.01", "0.01"):
        services.payment_register(
            invoice=invoice,
            actor=actor,
            amount=Decimal(amount),
            date=D(2026, 11, 3),
            confirm_duplicate=True,
        )
    balance = selectors.client_credit_balance(client=invoice.client)
    assert balance == Decimal("0.06") and str(balance) == "0.06"
    assert str(selectors.client_open_balance(client=invoice.client)) == "0.00"


@pytest.mark.parametrize(
    ("search", "asked"),
    [
        ("PO-4242", "4242"),  # "PO" is in every order number: left out
        # A first word of one trigram: its last letter at its joint; a last one whole.
        ("avd 42", "dq42"),
        ("ref 119", "fq119"),
        ("eier avd", "eierqavd"),
        ("avd eier", "dqeier"),
        ("avd ab", "dqab"),
        ("a/s nordlys", "nordlys"),
        ("olga e", "olgaqe"),  # a short last word stays: its joint narrows it
        ("po-1", "oq1"),
        ("-4242.", "4242"),
        ("Nordlys avd. 4", "Nordlysqavdqq4"),
        ("avd 1 po", "dq1qpo"),
        ("nordlys", "nordlys"),  # one word: whole
        ("avd", "avd"),
        ("olga eier", "olgaqeier"),
    ],
)
def test_the_references_index_is_asked_for_the_words_joined(search, asked):
    assert selectors._asked_of_index(search) == asked


def test_a_search_holding_like_wildcards_matches_them_as_written(company_scope):
    # The check of the text as written is a position, not a pattern: "%" and "_" are
    # characters like any other, in any case.
    client = ClientFactory(company=company_scope, name="Kunde")

    def invoice(text: str) -> int:
        return draft_invoice(company=company_scope, client=client, their_reference=text).pk

    percent = invoice("Avtale 50% rabatt")
    digits = invoice("Avtale 500 rabatt")
    underscore = invoice("Prosjekt A_B nord")
    letter = invoice("Prosjekt AXB nord")

    def matching(search: str) -> set[int]:
        return _searched(company_scope, search)

    assert matching("50% rabatt") == {percent}
    assert matching("avtale 50") == {percent, digits}
    assert matching("prosjekt a_b") == {underscore}
    assert matching("PROSJEKT A") == {underscore, letter}


@pytest.mark.parametrize("field", REFERENCE_FIELDS)
def test_a_search_of_several_words_matches_them_as_written_next_to_each_other(company_scope, field):
    # The index reads the words joined (a space, hyphen, full stop, slash or comma as
    # "q"); the rows are still those holding the search as written, in any case.
    client = ClientFactory(company=company_scope, name="Kunde")
    empty: dict[str, Any] = dict.fromkeys(REFERENCE_FIELDS, "")

    def invoice(text: str) -> int:
        made = draft_invoice(company=company_scope, client=client, **{**empty, field: text})
        return made.pk

    phrase = invoice("Olga Eier, avd 12")
    other_joint = invoice("Olga-Eier avd.12")
    with_q = invoice("OlgaqEier")
    apart = invoice("Eier for Olga")

    def matching(search: str) -> set[int]:
        return _searched(company_scope, search)

    assert matching("olga eier") == {phrase}
    assert matching("OLGA-EIER") == {other_joint}
    assert matching("olgaqeier") == {with_q}
    assert matching("eier, avd 1") == {phrase}
    assert matching("eier avd") == {other_joint}
    assert matching("eier  avd") == set()
    assert matching("eier") == {phrase, other_joint, with_q, apart}
