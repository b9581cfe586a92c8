"""Every page a signed-in owner of the demo company can reach by following links, read as
a browser would: no page fails, no link of ours leads nowhere, and every page's markup
holds together (ids unique, each label names a field that is there, each field has a
name a screen reader can read, one main heading, every image a text).

The demo company (``demo_setup``) has clients, products and invoices in every state, a
payment, a credit note and a reminder, so the crawl reaches detail pages, not only lists.
Links that change state are never followed (they are forms, POST); logging out is a form
too. Downloads (PDF, XML, CSV, ZIP) are fetched and must succeed, their content is not
parsed.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from html.parser import HTMLParser
from io import StringIO
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django_scopes import scope

from accounts.models import Company, Role, User
from accounts.tests.factories import MembershipFactory
from backoffice.management.commands.demo_setup import DEMO_EMAIL
from backoffice.models import StaffRole
from customers.models import Client as Customer
from invoicing.models import Invoice
from quotes.models import Quote
from receivables.models import Letter
from recurring.models import RecurringInvoice

pytestmark = pytest.mark.django_db

# Enough for every kind of page of the demo company; the crawl stops there.
MAX_PAGES = 400
# Each list filter, sort and page is a URL of its own: one of each path's query strings
# beyond these is not followed, or the crawl walks sort orders forever.
QUERY_STRINGS_PER_PATH = 4
FIELD_TAGS = {"input", "select", "textarea"}
# The English privacy statement is English whatever the reader's language (/personvern/
# follows the reader's).
STATEMENTS = {"/en/privacy/": "en"}
UNLABELLED_INPUT_TYPES = {"hidden", "submit", "button", "reset", "image"}


class _Page(HTMLParser):
    """The links, ids, labels and fields of one HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.ids: list[str] = []
        self.label_targets: list[str] = []
        self.fields: list[dict[str, str]] = []
        self.headings: list[str] = []
        self.images_without_text: list[str] = []
        # POST forms: their action (as written) and the fields with their values.
        self.post_forms: list[tuple[str, dict[str, str]]] = []
        self._form_fields: dict[str, str] = {}  # the fields of the form being read
        self.unnamed_buttons: list[str] = []  # buttons and links a screen reader cannot name
        self._button: list[str] | None = None  # the text of the open button or link, if any
        self._open_labels = 0
        self._in_title = False
        self.title = ""
        self.language = ""
        self.is_document = False  # a whole page, not a fragment an HTMX request swaps in

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "form":
            self._form_fields = {}
            if attributes.get("method", "get").lower() == "post":
                self.post_forms.append((attributes.get("action", ""), self._form_fields))
        elif tag in FIELD_TAGS and attributes.get("name"):
            self._form_fields.setdefault(attributes["name"], attributes.get("value", ""))
        # HTMX requests (the pickers, the line editor, progress bars) are pages of their own.
        if attributes.get("hx-get"):
            self.links.append(attributes["hx-get"])
        if attributes.get("hx-post"):
            self.post_forms.append((attributes["hx-post"], self._form_fields))
        if "id" in attributes:
            self.ids.append(attributes["id"])
        named = attributes.get("aria-label") or attributes.get("title")
        if tag in ("button", "a") and not named and (tag == "button" or "href" in attributes):
            self._button = []
        elif tag == "img" and self._button is not None and attributes.get("alt"):
            self._button.append(attributes["alt"])
        if tag == "html":
            self.is_document = True
            self.language = attributes.get("lang", "")
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"])
        elif tag == "label":
            self._open_labels += 1
            if attributes.get("for"):
                self.label_targets.append(attributes["for"])
        elif tag == "title":
            self._in_title = True
        elif tag == "h1":
            self.headings.append(tag)
        elif tag == "img" and "alt" not in attributes:
            self.images_without_text.append(attributes.get("src", "?"))
        elif tag in FIELD_TAGS and attributes.get("type", "text") not in UNLABELLED_INPUT_TYPES:
            self.fields.append({**attributes, "_tag": tag, "_in_label": str(self._open_labels)})

    def handle_endtag(self, tag: str) -> None:
        if tag in ("button", "a") and self._button is not None:
            text = " ".join("".join(self._button).split())
            # Nothing, or a symbol alone ("×", "→"), is read as "times" or not at all.
            if not any(character.isalnum() for character in text):
                self.unnamed_buttons.append(text or "(empty)")
            self._button = None
        if tag == "form":
            self._form_fields = {}
        elif tag == "label":
            self._open_labels = max(0, self._open_labels - 1)
        elif tag == "title":
            self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._button is not None:
            self._button.append(data)
        if self._in_title:
            self.title += data


def _markup_problems(page: _Page) -> list[str]:
    problems = []
    repeated = [name for name, times in Counter(page.ids).items() if times > 1]
    if repeated:
        problems.append(f"ids used more than once: {sorted(repeated)}")
    ids = set(page.ids)
    missing = sorted({target for target in page.label_targets if target not in ids})
    if missing:
        problems.append(f"labels for fields that are not there: {missing}")
    labelled = set(page.label_targets)
    for field in page.fields:
        named = (
            field.get("id") in labelled
            or field["_in_label"] != "0"
            or field.get("aria-label")
            or field.get("aria-labelledby")
            or field.get("title")
        )
        if not named:
            problems.append(f"a {field['_tag']} without a label: {field.get('name', '?')}")
    if page.unnamed_buttons:
        problems.append(f"buttons or links without a name: {page.unnamed_buttons}")
    if not page.is_document:
        return problems
    if not page.title.strip():
        problems.append("no title")
    if len(page.headings) != 1:
        problems.append(f"{len(page.headings)} main headings (h1), not one")
    if page.images_without_text:
        problems.append(f"images without alt text: {page.images_without_text}")
    return problems


def _internal(base: str, href: str) -> str | None:
    """The site path and query ``href`` leads to from ``base``, or None when it leaves the
    site or is not a page (mailto:, tel:, javascript:, an anchor on the same page)."""
    href = href.strip()
    if href.startswith(("mailto:", "tel:", "javascript:", "#")):
        return None
    target, _fragment = urldefrag(urljoin(base, href))
    parts = urlsplit(target)
    if parts.netloc not in ("", "testserver") or parts.scheme not in ("", "http"):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


@dataclasses.dataclass
class _Crawl:
    """What a crawl saw: the status of each URL, the markup problems of each page, the
    page that linked each URL, and one POST form per form target (its page and fields)."""

    statuses: dict[str, int] = dataclasses.field(default_factory=dict)
    problems: dict[str, list[str]] = dataclasses.field(default_factory=dict)
    linked_from: dict[str, str] = dataclasses.field(default_factory=dict)
    post_forms: dict[str, tuple[str, dict[str, str]]] = dataclasses.field(default_factory=dict)
    languages: dict[str, str] = dataclasses.field(default_factory=dict)  # <html lang> per page


def _crawl(client: Client, start: str) -> _Crawl:
    """Follow the links from ``start`` (GET only), up to ``MAX_PAGES`` URLs."""
    crawl = _Crawl(linked_from={start: "(start)"})
    statuses, problems, linked_from = crawl.statuses, crawl.problems, crawl.linked_from
    queries_per_path: Counter[str] = Counter()
    queue = [start]
    while queue and len(statuses) < MAX_PAGES:
        url = queue.pop(0)
        if url in statuses:
            continue
        response = client.get(url)
        statuses[url] = response.status_code
        if response.status_code in (301, 302):
            target = _internal(url, response["Location"])
            if target and target not in linked_from:
                linked_from[target] = url
                queue.append(target)
            continue
        if "text/html" not in response.get("Content-Type", ""):
            continue
        page = _Page()
        page.feed(response.content.decode())
        if page.is_document:
            crawl.languages[url] = page.language
        found = _markup_problems(page)
        if found:
            problems[url] = found
        for action, fields in page.post_forms:
            target = _internal(url, action or url)
            if target is not None:
                crawl.post_forms.setdefault(target, (url, fields))
        for href in page.links:
            target = _internal(url, href)
            if target is None or target in linked_from:
                continue
            path, _, query = target.partition("?")
            if query:
                queries_per_path[path] += 1
                if queries_per_path[path] > QUERY_STRINGS_PER_PATH:
                    continue
            linked_from[target] = url
            queue.append(target)
    return crawl


def _assert_every_page_works(
    client: Client, start: str, *, at_least: int, language: str = "nb"
) -> set[str]:
    """Crawl from ``start``; every page answers without an error, holds together and says
    it is in ``language`` (``<html lang>``, which screen readers pronounce by). The paths
    reached (at least ``at_least``, or the crawl saw a login page only)."""
    crawl = _crawl(client, start)
    other = {
        url: lang
        for url, lang in crawl.languages.items()
        if lang != STATEMENTS.get(urlsplit(url).path, language)
    }
    assert not other, other
    failed = {
        url: (status, crawl.linked_from[url])
        for url, status in crawl.statuses.items()
        if status >= 400
    }
    assert not failed, failed
    assert not crawl.problems, crawl.problems
    reached = {urlsplit(url).path for url in crawl.statuses}
    assert len(reached) >= at_least, sorted(reached)
    return reached


@pytest.fixture
def demo_company() -> Company:
    """The demo company, with a draft and a sent quote and a recurring invoice too (the demo
    has none), so that their pages and forms are crawled as well."""
    from invoicing.tests.factories import SYSTEM
    from quotes import services as quote_services
    from quotes.tests.factories import quote
    from recurring.tests.factories import template

    call_command("demo_setup", stdout=StringIO())
    company = Company.objects.get(organization_number=settings.DEMO_COMPANY_ORGNR)
    with scope(company=company):
        client = Customer.objects.earliest("pk")
        quote(company=company, client=client)
        quote_services.quote_mark_sent(quote=quote(company=company, client=client), actor=SYSTEM)
        template(company=company, client=client)
    return company


@pytest.mark.parametrize("language", ["nb", "en"])
def test_every_page_the_demo_owner_reaches_works_and_holds_together(demo_company, language):
    # The cookie banner is left up, as a new visitor sees it: its markup is checked too.
    owner = User.objects.get(email=DEMO_EMAIL)
    owner.language = language
    owner.save()
    client = Client()
    client.force_login(owner)
    reached = _assert_every_page_works(client, "/app/", at_least=100, language=language)
    # Detail pages, not only lists: an invoice, a client, a reminder letter, a quote and its
    # PDF, a recurring invoice.
    with scope(company=demo_company):
        invoice = Invoice.objects.issued().earliest("pk")
        customer = Customer.objects.earliest("pk")
        letter = Letter.objects.get()
        sent_quote = Quote.objects.get(status=Quote.Status.SENT)
        recurring = RecurringInvoice.objects.get()
    for path in (
        reverse("invoicing:detail", args=[invoice.pk]),
        reverse("customers:detail", args=[customer.pk]),
        reverse("receivables:letter_pdf", args=[letter.pk]),
        reverse("quotes:detail", args=[sent_quote.pk]),
        reverse("quotes:pdf", args=[sent_quote.pk]),
        reverse("recurring:detail", args=[recurring.pk]),
    ):
        assert path in reached


def test_every_page_of_a_new_company_works_and_holds_together(owner_client):
    # Nothing yet: every list is empty, the dashboard shows the getting-started steps.
    reached = _assert_every_page_works(owner_client, "/app/", at_least=40)
    assert "/app/invoices/new/" in reached and "/app/clients/new/" in reached


@pytest.mark.parametrize("role", [Role.ADMIN, Role.ACCOUNTANT, Role.MEMBER])
def test_no_role_is_linked_to_a_page_refused_to_it(demo_company, role):
    user = MembershipFactory(company=demo_company, role=role).user
    client = Client()
    client.force_login(user)
    reached = _assert_every_page_works(client, "/app/", at_least=40)
    with scope(company=demo_company):
        invoice = Invoice.objects.issued().earliest("pk")
    assert reverse("invoicing:detail", args=[invoice.pk]) in reached
    changes = {path for path in reached if path.endswith(("/edit/", "/new/", "/delete/"))}
    if role == Role.MEMBER:
        # A member sees the invoices but is offered no way to change them.
        assert not changes, changes
    else:
        assert "/app/invoices/new/" in changes


def test_another_company_reaches_none_of_the_demo_companys_pages(demo_company, outsider):
    # Every page and file the demo owner reached, asked for by the owner of another
    # company: an object of the demo company is a 404, a page of the outsider's own shows
    # nothing of the demo company's.
    owner = Client()
    owner.force_login(User.objects.get(email=DEMO_EMAIL))
    urls = [url for url, status in _crawl(owner, "/app/").statuses.items() if status == 200]
    with scope(company=demo_company):
        names = list(Customer.objects.values_list("name", flat=True))
    stranger = Client()
    stranger.force_login(outsider)
    leaks: dict[str, object] = {}
    for url in urls:
        response = stranger.get(url)
        path = urlsplit(url).path
        names_an_object = any(part.isdigit() for part in path.split("/"))
        if names_an_object and path.startswith("/app/") and response.status_code != 404:
            leaks[url] = response.status_code
        elif response.status_code == 200 and "html" in response.get("Content-Type", ""):
            shown = [name for name in names if name in response.content.decode()]
            if shown:
                leaks[url] = shown
    assert len(urls) > 100
    assert not leaks, leaks


# Values a mistyped, truncated or hostile link carries, for every parameter a page of ours
# reads from its query string.
QUERY_PARAMETERS = (
    *("page", "sort", "status", "q", "client", "date_from", "date_to", "date"),
    *("currency", "kind", "bucket", "next", "year", "month", "period", "search"),
)
ODD_VALUES = ("-1", "abc", "9" * 40, "2026-02-30", "<script>", "%", "\u00e6\u00f8\u00e5 ' \"")
ODD_QUERIES = [dict.fromkeys(QUERY_PARAMETERS, value) for value in ODD_VALUES]


def test_no_page_fails_on_odd_values_in_its_query_string(demo_company):
    client = Client()
    client.force_login(User.objects.get(email=DEMO_EMAIL))
    statuses = _crawl(client, "/app/").statuses
    paths = sorted({urlsplit(url).path for url, status in statuses.items() if status == 200})
    failed = {}
    for path in paths:
        for query in ODD_QUERIES:
            status = client.get(path, query).status_code
            if status >= 500:
                failed[path] = (status, query)
    assert not failed, failed


@pytest.mark.parametrize("role", list(StaffRole))
def test_each_staff_role_is_linked_only_to_back_office_pages_it_may_open(demo_company, role):
    # Need to know: what a role may not open is not offered to it. The operator and its
    # plans, and the demo company as a customer, give the pages something to show.
    from backoffice.tests.conftest import client_for, make_staff

    call_command("backoffice_setup", stdout=StringIO())
    client = client_for(make_staff(role))
    reached = _assert_every_page_works(client, "/backoffice/", at_least=2)
    assert "/backoffice/" in reached


# Forms whose success ends the crawl's session or starts what a test must not (a download
# of everything, a log-out); each is tested where it lives.
FORMS_NOT_POSTED = ("/account/logout/", "/language/")


def _assert_no_form_fails(client: Client, start: str, *, at_least: int) -> None:
    """Each POST form the crawl from ``start`` is offered, posted as a careless or hostile
    user would: every field empty, then every field (but the CSRF token) set to each odd
    value. The answer is a page or a redirect, a 4xx at worst, never a server error."""
    forms = _crawl(client, start).post_forms
    assert len(forms) >= at_least, sorted(forms)
    failed = {}
    for target, (page, fields) in sorted(forms.items()):
        if target.startswith(FORMS_NOT_POSTED):
            continue
        hidden = {name: value for name, value in fields.items() if name == "csrfmiddlewaretoken"}
        for value in ("", *ODD_VALUES):
            data = {**dict.fromkeys(fields, value), **hidden}
            status = client.post(target, data).status_code
            if status >= 500:
                failed[target] = (status, page, value)
                break
    assert not failed, failed


def test_no_form_fails_on_empty_or_odd_values(demo_company):
    client = Client()
    client.force_login(User.objects.get(email=DEMO_EMAIL))
    _assert_no_form_fails(client, "/app/", at_least=30)


@pytest.mark.parametrize(
    "role",
    [StaffRole.SUPPORT, StaffRole.MARKETING, StaffRole.FINANCE, StaffRole.PRIVACY_OFFICER],
)
def test_no_back_office_form_fails_on_empty_or_odd_values(demo_company, role):
    from backoffice.tests.conftest import client_for, make_staff

    call_command("backoffice_setup", stdout=StringIO())
    _assert_no_form_fails(client_for(make_staff(role)), "/backoffice/", at_least=10)


def test_every_public_page_works_and_holds_together(db):
    _assert_every_page_works(Client(), "/", at_least=6)
