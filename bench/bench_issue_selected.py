""" "Utsted valgte": the two web requests a user waits for when issuing the most drafts one
request may take (``ISSUE_SELECTED_MAX``, default 500).

``BENCH_ISSUE_SELECTED`` drafts (default: the limit; 3 lines at 25/15/12 %) are created,
then the confirmation POST (count and totals: ``selectors.drafts_to_issue``) and the
issue POST (``invoice_issue_many`` and the result page) are timed through Django's test
client as the owner, middleware and templates included. The after-issue archiving is
recorded in the outbox and not run here (it runs in the workers). The issue request must
stay well inside gunicorn's 30 s timeout on a loaded machine. Database as in
``bench.database``.
"""

from __future__ import annotations

import os
import time

from bench.database import plain_static_files, use_scratch_database
from bench.drafts import drafts_create


def run() -> list[tuple[str, str, str]]:
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client as TestClient
    from django.urls import reverse
    from django_scopes import scope

    database = use_scratch_database("bench_issue_selected")
    plain_static_files()
    call_command("migrate", verbosity=0)

    from accounts.models import Role
    from accounts.tests.factories import MembershipFactory
    from core.audit import Actor
    from invoicing.models import Invoice

    count = int(os.environ.get("BENCH_ISSUE_SELECTED", str(settings.ISSUE_SELECTED_MAX)))
    membership = MembershipFactory(role=Role.OWNER, user__full_name="Olga Eier")
    company, user = membership.company, membership.user
    actor = Actor.user(user)
    with scope(company=company):
        ids = [draft.pk for draft in drafts_create(company=company, actor=actor, count=count)]

    browser = TestClient(HTTP_HOST="localhost")
    browser.force_login(user)
    url = reverse("invoicing:issue_selected")
    data = {"invoice": [str(pk) for pk in ids]}

    def timed(body: dict[str, object]) -> tuple[float, float]:
        wall, cpu = time.perf_counter(), time.process_time()
        response = browser.post(url, body)
        assert response.status_code == 200, response.status_code
        return time.perf_counter() - wall, time.process_time() - cpu

    confirm_s, confirm_cpu_s = timed(data)
    issue_s, issue_cpu_s = timed({**data, "confirm": "1"})
    with scope(company=company):
        issued = Invoice.objects.filter(pk__in=ids, number__isnull=False).count()
    assert issued == count, issued
    return [
        (f"issue selected ({count}): database", database, ""),
        (
            f"issue selected ({count}): load average at the end",
            " ".join(f"{x:.1f}" for x in os.getloadavg()),
            "",
        ),
        (f"issue selected ({count}): confirmation request", f"{confirm_s:.2f}", "s"),
        (f"issue selected ({count}): confirmation, process CPU", f"{confirm_cpu_s:.2f}", "s"),
        (f"issue selected ({count}): issue request", f"{issue_s:.2f}", "s"),
        (f"issue selected ({count}): issue request, process CPU", f"{issue_cpu_s:.2f}", "s"),
        (f"issue selected ({count}): issued per second", f"{count / issue_s:.0f}", "/s"),
    ]
