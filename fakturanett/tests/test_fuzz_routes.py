"""Every route of the project, fed odd text in every id/int parameter: never a 5xx.

The routes come from the URL resolver, so a new view is covered the day it is added.
For each route the test knows:

- its path parameters (from the converters): ids are tried with real objects of the
  company (found by following the links of the pages) and with odd numbers (0, 2**31,
  2**63, 30 digits), text parameters with arbitrary text;
- its query/form parameters: the names of the inputs of the page's own forms, plus the
  names every list and editor reads (``client``, ``page``, ``q``, ...).

Each parameter then gets odd values, rotated so that every parameter sees every one:
Unicode digits that pass ``str.isdigit()`` but not ``int()``, NUL, huge and negative
numbers, whitespace, very long text; hypothesis adds arbitrary text on top
(derandomized, so CI is deterministic). Requests are made as the owner (who reaches
the most code) and, for the public pages, anonymously. Run it on PostgreSQL as well:
NUL only fails there.
"""

from __future__ import annotations

import datetime
import os
import re
import uuid
from collections.abc import Iterator
from decimal import Decimal
from typing import Any
from urllib.parse import quote

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.converters import IntConverter, SlugConverter, StringConverter, UUIDConverter
from django.urls.exceptions import NoReverseMatch, Resolver404
from django_scopes import scope
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.audit import Actor
from invoicing import services as invoicing_services
from invoicing.tests.factories import ClientFactory, ProductFactory, draft_invoice, issued_invoice

pytestmark = pytest.mark.django_db

#: Text that broke views before: Unicode digits (``str.isdigit()`` but not ``int()``),
#: numbers beyond the columns, signs, whitespace, long text, float and hex notation.
ODD_VALUES = [
    "³",
    "²",
    "1²",
    "١٢",
    "１２",
    "9" * 30,
    str(2**63),
    str(2**31),
    "-1",
    "0",
    " 7 ",
    "",
    " \t\n",
    "x" * 3000,
    "1e400",
    "0x1F",
    "NaN",
    "1,5",
    "🙂",
    "<script>",
]
#: Odd values for ``<int:...>`` path parameters (the converter takes ASCII digits only).
#: Every parameter sees every ``ROUND_STEP``-th odd value per route (1 = all of them;
#: ``FUZZ_ROUND_STEP=1`` for a deep run, the normal suite keeps it quick).
ROUND_STEP = int(os.environ.get("FUZZ_ROUND_STEP", "10"))
ODD_IDS = ["0", str(2**31), str(2**63), str(2**64), "9" * 30]
#: Parameter names lists, filters and the editor read, tried on every route.
COMMON_PARAMETERS = [
    "q",
    "search",
    "client",
    "product",
    "invoice",
    "page",
    "page_size",
    "status",
    "sort",
    "kind",
    "year",
    "month",
    "date_from",
    "date_to",
    "action",
    "company",
    "next",
    "person",
    "lines-TOTAL_FORMS",
    "lines-0-product",
]
#: Routes that end the session or are not views: the fuzz would only test the login page.
SKIPPED_ROUTES = {"accounts:logout", "api:not_found"}
#: Slow renderings (PDF, EHF, CSV exports): one round instead of all of them.
SLOW = re.compile(r"(pdf|ehf|preview|export|schema|docs)")

_NAME = re.compile(r'\bname="([^"]{1,80})"')
_LINK = re.compile(r'\b(?:href|action|hx-get|hx-post)="(/[^"#?]*)')


def _routes(
    resolver: URLResolver, prefix: str = "", converters: dict | None = None, namespace: str = ""
) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for entry in resolver.url_patterns:
        merged = {**(converters or {}), **getattr(entry.pattern, "converters", {})}
        if isinstance(entry, URLResolver):
            inner = namespace + (f"{entry.namespace}:" if entry.namespace else "")
            yield from _routes(entry, prefix + str(entry.pattern), merged, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield namespace + entry.name, prefix + str(entry.pattern), merged


_NAMED = sorted({name: (pattern, conv) for name, pattern, conv in _routes(get_resolver())}.items())
ROUTES = [(name, pattern, conv) for name, (pattern, conv) in _NAMED if name not in SKIPPED_ROUTES]
ID_PARAMETERS = [
    (name, key)
    for name, _pattern, conv in ROUTES
    for key, converter in conv.items()
    if isinstance(converter, IntConverter)
]
PUBLIC_ROUTES = [
    route for route in ROUTES if not route[1].startswith(("app/", "api/", "backoffice/"))
]


@pytest.fixture
def world(company, owner, member):
    """One of each object the company's pages show, so that id routes find something."""
    with scope(company=company):
        client = ClientFactory(company=company, name="Fjellbekk Kafé AS")
        ProductFactory(company=company, name="Rørleggertime")
        draft_invoice(company=company, client=client)
        issued = issued_invoice(company=company, client=client)
        invoicing_services.payment_register(
            invoice=issued,
            actor=Actor.user(owner),
            amount=Decimal("100.00"),
            date=datetime.date(2026, 11, 3),
        )
        invoicing_services.invoice_credit(
            invoice=issued_invoice(company=company, client=client), actor=Actor.user(owner)
        )
    return company


def _text_value(converter: Any, value: str) -> str | None:
    if isinstance(converter, UUIDConverter):
        return str(uuid.uuid4())
    if isinstance(converter, SlugConverter):
        return value if re.fullmatch(r"[-a-zA-Z0-9_]+", value) else "x"
    if isinstance(converter, StringConverter):
        return value if value and "/" not in value else "x"
    return None


def _url(name: str, kwargs: dict[str, str]) -> str | None:
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return None


def _discover(web) -> tuple[dict[str, dict[str, str]], dict[str, set[str]]]:
    """Follow the links of every page without parameters (two levels deep).

    Gives, per route, the path parameters of a real object (first link seen) and the
    names of the inputs of the route's page.
    """
    known: dict[str, dict[str, str]] = {}
    names: dict[str, set[str]] = {}
    queue: list[str | None] = [_url(name, {}) for name, _pattern, conv in ROUTES if not conv]
    seen: set[str] = set()
    for _depth in range(3):
        found: list[str | None] = []
        for url in queue:
            if not url or url in seen or SLOW.search(url):
                continue
            seen.add(url)
            response = web.get(url)
            if response.status_code >= 500:
                pytest.fail(f"GET {url} without odd input: {response.status_code}")
            if "html" not in response.get("Content-Type", ""):
                continue
            body = response.content.decode(errors="replace")
            try:
                match = resolve(url)
            except Resolver404:
                continue
            names.setdefault(match.view_name, set()).update(_NAME.findall(body))
            for link in _LINK.findall(body):
                try:
                    target = resolve(link)
                except Resolver404:
                    continue
                if target.kwargs and target.view_name not in known:
                    known[target.view_name] = {k: str(v) for k, v in target.kwargs.items()}
                    found.append(link)
        queue = found
    return known, names


def _check(response, method: str, url: str, data: dict[str, str], failures: list[str]) -> None:
    if response.status_code >= 500:
        shown = {key: value[:40] for key, value in data.items()}
        failures.append(f"{method} {url[:120]} {shown}: {response.status_code}")


def _fuzz_routes(web, login, routes, known, names, failures) -> int:
    requests = 0
    for name, _pattern, conv in routes:
        login()
        kwargs = dict(known.get(name, {}))
        for key, converter in conv.items():
            if key not in kwargs:
                kwargs[key] = "1" if isinstance(converter, IntConverter) else "x"
        url = _url(name, kwargs)
        if url is None:
            continue
        parameters = sorted(
            (names.get(name, set()) | set(COMMON_PARAMETERS)) - {"csrfmiddlewaretoken"}
        )
        rounds = 1 if SLOW.search(url) else len(ODD_VALUES)
        for offset in range(0, rounds, ROUND_STEP):
            data = {
                key: ODD_VALUES[(index + offset) % len(ODD_VALUES)]
                for index, key in enumerate(parameters)
            }
            _check(web.get(url, data), "GET", url, data, failures)
            _check(web.post(url, data), "POST", url, data, failures)
            requests += 2
        # NUL anywhere: the middleware's one 400.
        nul = dict.fromkeys(parameters, "1\x00")
        response = web.get(url, nul)
        _check(response, "GET", url, nul, failures)
        requests += 1
        # Odd path parameters: huge ids, arbitrary text where the converter allows it.
        for odd in ODD_IDS[-2:] if conv else []:
            odd_kwargs = {
                key: odd
                if isinstance(converter, IntConverter)
                else (_text_value(converter, odd) or odd)
                for key, converter in conv.items()
            }
            odd_url = _url(name, odd_kwargs)
            if odd_url:
                _check(web.get(odd_url), "GET", odd_url, {}, failures)
                requests += 1
        if conv and (
            odd_url := _url(
                name,
                {
                    key: ODD_IDS[-1] if isinstance(c, IntConverter) else "x"
                    for key, c in conv.items()
                },
            )
        ):
            _check(web.post(odd_url, {}), "POST", odd_url, {}, failures)
            requests += 1
        for key, converter in conv.items():
            if isinstance(converter, StringConverter | SlugConverter):
                for odd in ("³", "%00", "x" * 500, quote("ø/..")):
                    odd_url = _url(name, {**kwargs, key: _text_value(converter, odd) or "x"})
                    if odd_url:
                        _check(web.get(odd_url), "GET", odd_url, {}, failures)
                        requests += 1
    return requests


def test_the_resolver_enumeration_covers_the_routes():
    names = {name for name, _pattern, _conv in ROUTES}
    # A sample of routes every app has: if the enumeration broke, this fails.
    assert {"invoicing:detail", "customers:list", "invoice-detail", "plans"} <= names
    assert len(ID_PARAMETERS) >= 50


def test_no_route_answers_5xx_to_odd_parameters_as_the_owner(owner_client, owner, world):
    client = owner_client
    client.raise_request_exception = False  # record every 500, then list them all

    def login():
        client.force_login(owner)

    known, names = _discover(client)
    # Links lead to real objects of the main kinds.
    assert {"invoicing:detail", "customers:detail"} <= set(known)
    failures: list[str] = []
    requests = _fuzz_routes(client, login, ROUTES, known, names, failures)
    assert requests > 800
    assert not failures, "\n".join(failures)


def test_no_public_page_answers_5xx_to_odd_parameters(client, world):
    client.raise_request_exception = False
    known, names = _discover(client)
    failures: list[str] = []
    _fuzz_routes(client, lambda: client.logout(), PUBLIC_ROUTES, known, names, failures)
    assert not failures, "\n".join(failures)


@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    route=st.sampled_from([route for route in ROUTES if not SLOW.search(route[1])]),
    value=st.one_of(
        st.text(max_size=40),
        st.integers().map(str),
        st.from_regex(r"\A[0-9]{10,40}\Z"),
        st.sampled_from(ODD_VALUES),
    ),
)
def test_arbitrary_text_in_every_parameter_of_a_route_is_never_a_5xx(
    owner_client, owner, world, route, value
):
    client = owner_client
    client.force_login(owner)
    name, _pattern, conv = route
    kwargs = {
        key: (
            value
            if isinstance(converter, IntConverter) and re.fullmatch(r"[0-9]+", value)
            else "1"
            if isinstance(converter, IntConverter)
            else _text_value(converter, value) or "x"
        )
        for key, converter in conv.items()
    }
    url = _url(name, kwargs) or _url(name, dict.fromkeys(conv, "1"))
    if url is None:
        return
    data = dict.fromkeys(COMMON_PARAMETERS, value)
    for response, method in ((client.get(url, data), "GET"), (client.post(url, data), "POST")):
        assert response.status_code < 500, f"{method} {url} {value!r}: {response.status_code}"
