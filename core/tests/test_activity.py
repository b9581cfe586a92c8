"""The activity log in words: every code the code writes has a sentence; sentences name and
link the objects the viewer may open, and name deleted ones without a link."""

from __future__ import annotations

import ast
import datetime
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from core.activity import known_actions
from core.audit import Actor
from core.models import AuditEntry
from invoicing import services as invoicing_services
from invoicing.tests.factories import ProductFactory, draft_invoice, issued_invoice
from receivables.models import Letter

ROOT = Path(settings.BASE_DIR)
SKIP_DIRS = {".venv", "node_modules", "bench", "tests", "migrations"}
# Action codes built at run time: every value the placeholder takes.
EXPANSIONS = {
    "receivables.letter.{}": [f"receivables.letter.{kind}" for kind in Letter.Kind.values],
    "documents.{}.stored": ["documents.pdf.stored", "documents.ehf.stored"],
}


def _codes_in(node: ast.expr, where: str) -> set[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.IfExp):
        return _codes_in(node.body, where) | _codes_in(node.orelse, where)
    if isinstance(node, ast.JoinedStr):
        pattern = "".join(
            str(part.value) if isinstance(part, ast.Constant) else "{}" for part in node.values
        )
        assert pattern in EXPANSIONS, f"{where}: add the values of {pattern!r} to EXPANSIONS"
        return set(EXPANSIONS[pattern])
    # ``AuditRecord(record.action, ...)`` passes on a code written as a constant elsewhere.
    assert isinstance(node, ast.Attribute) and node.attr == "action", (
        f"{where}: an audit code this test cannot read: {ast.unparse(node)}"
    )
    return set()


def written_action_codes() -> set[str]:
    """Every code passed to ``audit_log(action=...)`` or ``AuditRecord(...)`` in the code."""
    codes: set[str] = set()
    for path in ROOT.rglob("*.py"):
        if SKIP_DIRS.intersection(path.relative_to(ROOT).parts):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name not in {"audit_log", "AuditRecord"}:
                continue
            values = [kw.value for kw in node.keywords if kw.arg == "action"]
            if not values and name == "AuditRecord" and node.args:
                values = [node.args[0]]
            for value in values:
                codes |= _codes_in(value, f"{path}:{node.lineno}")
    return codes


def test_every_audit_code_the_code_writes_has_a_sentence():
    written = written_action_codes()
    assert len(written) > 100  # the scan finds the codes (it would pass vacuously otherwise)
    assert "invoicing.invoice.issued" in written and "receivables.letter.reminder" in written
    assert sorted(written - known_actions()) == []


def test_every_sentence_is_for_a_code_the_code_writes():
    assert sorted(known_actions() - written_action_codes()) == []


def _sentence(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html)).replace("\xa0", " ").strip()


@pytest.fixture
def history(company_scope):
    invoice = issued_invoice(company=company_scope)
    invoicing_services.payment_register(
        invoice=invoice,
        actor=Actor.system("tests"),
        amount=Decimal("1250.00"),
        date=datetime.date(2026, 11, 20),
        confirm_overpayment=True,
    )
    gone = draft_invoice(company=company_scope)
    invoicing_services.invoice_delete_draft(invoice=gone, actor=Actor.system("tests"))
    return invoice


def test_the_activity_page_says_what_happened_with_links(owner_client, history):
    response = owner_client.get(reverse("activity"))
    assert response.status_code == 200
    html = response.content.decode()
    url = reverse("invoicing:detail", args=[history.pk])
    assert f'<a href="{url}">Faktura {history.number}</a> utstedt' in html
    assert (
        f'Betaling 1\xa0250,00 NOK registrert på <a href="{url}">faktura {history.number}</a>'
        in html
    )
    # The deleted draft is named, not linked; no event code is shown as text.
    text = _sentence(html)
    assert "Utkast til faktura slettet" in text
    assert "invoicing.invoice.issued" not in text


def test_the_activity_page_in_english(owner_client, owner, history):
    owner.language = "en"
    owner.save(update_fields=["language"])
    text = _sentence(owner_client.get(reverse("activity")).content.decode())
    assert f"Invoice {history.number} issued" in text
    assert f"Payment 1 250,00 NOK registered on invoice {history.number}" in text


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("nb", ["1 kunde importert", "3 kunder importert", "1 produkt importert"]),
        ("en", ["1 client imported", "3 clients imported", "1 product imported"]),
    ],
)
def test_a_counted_sentence_agrees_with_its_number(
    owner_client, owner, company, language, expected
):
    from core.audit import audit_log

    for action, count in (
        ("customers.client.imported", 1),
        ("customers.client.imported", 3),
        ("catalog.product.imported", 1),
    ):
        audit_log(action=action, actor=Actor.user(owner), company=company, data={"count": count})
    owner.language = language
    owner.save(update_fields=["language"])
    text = _sentence(owner_client.get(reverse("activity")).content.decode())
    for sentence in expected:
        assert sentence in text, sentence
    assert "1 kunder" not in text and "1 clients" not in text


def test_the_invoice_history_is_in_words(member_client, history):
    html = member_client.get(reverse("invoicing:detail", args=[history.pk])).content.decode()
    text = _sentence(html)
    assert f"Faktura {history.number} utstedt" in text
    assert f"Betaling 1 250,00 NOK registrert på faktura {history.number}" in text


def test_a_product_is_linked_only_for_those_who_may_open_it(rf, company_scope, owner, member):
    from accounts.models import Membership
    from core.activity import activity_lines

    product = ProductFactory(company=company_scope, name="Konsulenttime")
    AuditEntry.objects.create(
        company=company_scope,
        action="catalog.product.created",
        actor_kind=AuditEntry.ActorKind.SYSTEM,
        object_type="catalog.product",
        object_id=str(product.pk),
        data={"number": product.number},
    )
    entries = AuditEntry.objects.filter(action="catalog.product.created")
    with translation.override("nb"):
        for user, linked in ((owner, True), (member, False)):
            request = rf.get("/")
            request.membership = Membership.objects.get(user=user, company=company_scope)
            (line,) = activity_lines(entries, request=request)
            assert _sentence(line.text) == "Produkt Konsulenttime opprettet"
            assert ("<a href=" in line.text) is linked
