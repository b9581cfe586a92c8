"""The console's gate, the matrix enforced on every view, and the access log."""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory, totp_device
from backoffice.models import (
    AccessLogEntry,
    Complaint,
    CreditCheck,
    FinancingUse,
    Interaction,
    ServiceDelivery,
    StaffProfile,
    StaffRole,
)
from backoffice.permissions import PERSONAL_CATEGORIES, Action, can
from backoffice.tests.conftest import client_for, customer_with_owner, make_staff
from core.models import AuditEntry

# (url name, needs a customer pk, method, category, action)
ENDPOINTS = [
    ("backoffice:dashboard", False, "get", None, None),
    ("backoffice:permissions", False, "get", None, None),
    ("backoffice:customer_list", False, "get", "employer", Action.VIEW),
    ("backoffice:customer_detail", True, "get", "employer", Action.VIEW),
    ("backoffice:person_detail", True, "get", "name", Action.VIEW),
    ("backoffice:interaction_add", True, "post", "correspondence", Action.EDIT),
    ("backoffice:complaint_add", True, "post", "complaints", Action.EDIT),
    ("backoffice:credit_check_add", True, "post", "credit_check", Action.EDIT),
    ("backoffice:credit_check_run", True, "post", "credit_check", Action.EDIT),
    ("backoffice:financing_add", True, "post", "financing", Action.EDIT),
    ("backoffice:delivery_add", True, "post", "customer_history", Action.EDIT),
    ("backoffice:complaint_list", False, "get", "complaints", Action.VIEW),
    ("backoffice:access_log", False, "get", "access_log", Action.VIEW),
    ("backoffice:access_log_export", False, "get", "access_log", Action.EXPORT),
    ("backoffice:payment_history_export", True, "get", "payment_history", Action.EXPORT),
    ("backoffice:staff_list", False, "get", "staff", Action.VIEW),
    ("backoffice:staff_create", False, "get", "staff", Action.EDIT),
    ("backoffice:surveys", False, "get", "statistics", Action.VIEW),
    ("backoffice:survey_send", False, "post", "contact", Action.EDIT),
]


def _future() -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=10)


PERSONAS: dict[str, Callable[[], StaffProfile]] = {
    **{role: functools.partial(make_staff, role) for role in StaffRole.values[:5]},
    "auditor_granted": lambda: make_staff(
        StaffRole.AUDITOR, valid_until=_future(), granted=("employer", "payment_history")
    ),
    "lawyer_granted": lambda: make_staff(
        StaffRole.LAWYER, valid_until=_future(), granted=("employer", "complaints")
    ),
    "auditor_expired": lambda: make_staff(
        StaffRole.AUDITOR,
        valid_until=timezone.localdate() - datetime.timedelta(days=1),
        granted=("employer", "payment_history"),
    ),
}


def _url(name: str, needs_customer: bool, customer, owner) -> str:
    if name == "backoffice:person_detail":
        return reverse(name, kwargs={"pk": owner.pk})
    return reverse(name, kwargs={"pk": customer.pk}) if needs_customer else reverse(name)


@pytest.mark.django_db
@pytest.mark.parametrize("persona", list(PERSONAS))
@pytest.mark.parametrize(("name", "needs_customer", "method", "category", "action"), ENDPOINTS)
def test_every_view_enforces_the_matrix(persona, name, needs_customer, method, category, action):
    staff = PERSONAS[persona]()
    customer, owner = customer_with_owner()
    Complaint.objects.create(
        customer=customer,
        kind="complaint",
        subject="Feil på faktura",
        description="Feil beløp",
        opened_on=timezone.localdate(),
        staff=staff.user,
    )
    client = client_for(staff)
    before = AccessLogEntry.objects.count()
    response = getattr(client, method)(_url(name, needs_customer, customer, owner))
    expired = persona == "auditor_expired"
    allowed = not expired and (category is None or can(staff, category, action))
    if allowed:
        assert response.status_code in (200, 302, 400), response.status_code
        if method == "get" and category in PERSONAL_CATEGORIES:
            new_rows = AccessLogEntry.objects.order_by("id")[before:]
            assert new_rows, "a view of personal data must write the access log"
            for row in new_rows:
                assert row.staff == staff.user and category in row.categories
                assert row.customer == customer or row.person == owner
    else:
        assert response.status_code == 403
        assert AccessLogEntry.objects.count() == before  # nothing read, nothing logged


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "expected", "absent"),
    [
        (
            StaffRole.MARKETING,
            {"employer", "name", "contact", "customer_history", "preferences"},
            {"payment_history", "credit_check", "correspondence", "complaints"},
        ),
        (
            StaffRole.FINANCE,
            {"employer", "payment_history", "credit_check", "financing", "customer_history"},
            {"correspondence", "complaints", "preferences"},
        ),
        (
            StaffRole.SUPPORT,
            {"employer", "contact", "correspondence", "complaints", "web_activity"},
            {"payment_history", "credit_check", "financing"},
        ),
    ],
)
def test_the_customer_page_shows_and_logs_exactly_what_the_role_may_see(role, expected, absent):
    staff = make_staff(role)
    customer, _owner = customer_with_owner("Fjellbekk AS")
    Interaction.objects.create(
        customer=customer,
        kind=Interaction.Kind.CALL,
        occurred_on=timezone.localdate(),
        staff=staff.user,
        summary="HEMMELIG-SAMTALE",
    )
    CreditCheck.objects.create(
        customer=customer,
        provider="Byrå",
        checked_on=timezone.localdate(),
        result="KREDITT-A",
        source="staff",
        staff=staff.user,
    )
    response = client_for(staff).get(reverse("backoffice:customer_detail", args=[customer.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert ("HEMMELIG-SAMTALE" in html) is ("correspondence" in expected)
    assert ("KREDITT-A" in html) is ("credit_check" in expected)
    entry = AccessLogEntry.objects.get()
    assert entry.staff == staff.user and entry.customer == customer
    assert entry.purpose == "customer_relationship"
    assert expected <= set(entry.categories)
    assert not (absent & set(entry.categories))


@pytest.mark.django_db
def test_the_customer_list_logs_one_row_per_customer_shown():
    staff = make_staff(StaffRole.SUPPORT)
    a, _ = customer_with_owner("Alfa AS")
    b, _ = customer_with_owner("Beta AS")
    response = client_for(staff).get(reverse("backoffice:customer_list"))
    assert response.status_code == 200
    assert {e.customer for e in AccessLogEntry.objects.all()} >= {a, b}


@pytest.mark.django_db
def test_the_dashboard_and_matrix_show_no_personal_data_and_log_nothing(privacy_officer):
    customer_with_owner("Alfa AS")
    client = client_for(privacy_officer)
    assert client.get(reverse("backoffice:dashboard")).status_code == 200
    assert client.get(reverse("backoffice:permissions")).status_code == 200
    assert not AccessLogEntry.objects.exists()


# --- The gate --------------------------------------------------------------------------

ALL_GET_URLS = [
    "/backoffice/",
    "/backoffice/permissions/",
    "/backoffice/customers/",
    "/backoffice/customers/1/",
    "/backoffice/people/1/",
    "/backoffice/complaints/",
    "/backoffice/access-log/",
    "/backoffice/access-log/export.csv",
    "/backoffice/customers/1/payments.csv",
    "/backoffice/staff/",
    "/backoffice/staff/new/",
    "/backoffice/staff/1/",
    "/backoffice/elevate/",
    "/backoffice/surveys/",
]
ALL_POST_URLS = [
    "/backoffice/customers/1/interactions/",
    "/backoffice/customers/1/complaints/",
    "/backoffice/customers/1/credit-checks/",
    "/backoffice/customers/1/credit-checks/run/",
    "/backoffice/customers/1/financing/",
    "/backoffice/customers/1/deliveries/",
    "/backoffice/complaints/1/close/",
    "/backoffice/elevate/end/",
    "/backoffice/surveys/send/",
]


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["anonymous", "owner", "is_staff_without_profile", "inactive"])
def test_non_staff_get_404_everywhere(who, owner_client):
    if who == "anonymous":
        client = Client()
    elif who == "owner":
        client = owner_client
    else:
        user = UserFactory(is_staff=True)
        totp_device(user)
        if who == "inactive":
            StaffProfile.objects.create(user=user, roles=["support"], is_active=False)
        client = Client()
        client.force_login(user)
    for url in ALL_GET_URLS:
        assert client.get(url).status_code == 404, url
    for url in ALL_POST_URLS:
        assert client.post(url).status_code == 404, url


@pytest.mark.django_db
def test_staff_without_a_second_factor_is_sent_to_set_one_up():
    staff = make_staff(StaffRole.PRIVACY_OFFICER, device=False)
    response = client_for(staff, verified=False).get("/backoffice/customers/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:two_factor_setup"))
    assert not AccessLogEntry.objects.exists()


@pytest.mark.django_db
def test_an_unverified_session_is_sent_to_the_code_prompt():
    staff = make_staff(StaffRole.PRIVACY_OFFICER)
    response = client_for(staff, verified=False).get("/backoffice/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:otp_verify"))


# --- Elevated session -----------------------------------------------------------------------


@pytest.mark.django_db
def test_an_administrator_sees_personal_data_only_in_a_logged_elevated_session(administrator):
    customer, _owner = customer_with_owner()
    client = client_for(administrator)
    detail = reverse("backoffice:customer_detail", args=[customer.pk])
    assert client.get(detail).status_code == 403
    assert client.post(reverse("backoffice:elevate"), {"reason": "kort"}).status_code == 400
    response = client.post(
        reverse("backoffice:elevate"), {"reason": "Feilsøking av faktura, sak 4711"}
    )
    assert response.status_code == 302
    assert AuditEntry.objects.filter(action="backoffice.elevation.started").count() == 1
    assert client.get(detail).status_code == 200
    entry = AccessLogEntry.objects.get()
    assert entry.elevated_session is not None
    assert entry.reason == "Feilsøking av faktura, sak 4711"
    # Read-only: changes stay refused.
    assert client.post(reverse("backoffice:interaction_add", args=[customer.pk])).status_code == 403
    # Still working (the session's idle timeout is not reached), but the elevation has ended.
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=20), tick=False):
        assert client.get(reverse("backoffice:dashboard")).status_code == 200
    later = timezone.now() + datetime.timedelta(minutes=31)
    with time_machine.travel(later, tick=False):
        assert client.get(detail).status_code == 403
    assert AccessLogEntry.objects.count() == 1


@pytest.mark.django_db
def test_an_elevated_session_can_be_ended_early(administrator):
    customer, _owner = customer_with_owner()
    client = client_for(administrator)
    client.post(reverse("backoffice:elevate"), {"reason": "Feilsøking av faktura, sak 4711"})
    assert client.post(reverse("backoffice:elevate_end")).status_code == 302
    detail = reverse("backoffice:customer_detail", args=[customer.pk])
    assert client.get(detail).status_code == 403


@pytest.mark.django_db
def test_only_administrators_may_elevate():
    staff = make_staff(StaffRole.SUPPORT)
    assert client_for(staff).get(reverse("backoffice:elevate")).status_code == 403


# --- Records on the customer page -------------------------------------------------------------


@pytest.mark.django_db
def test_support_records_an_interaction_and_a_dispute():
    staff = make_staff(StaffRole.SUPPORT)
    customer, owner = customer_with_owner()
    client = client_for(staff)
    today = timezone.localdate().isoformat()
    response = client.post(
        reverse("backoffice:interaction_add", args=[customer.pk]),
        {"kind": "call", "occurred_on": today, "person": owner.pk, "summary": "Ringte om faktura"},
    )
    assert response.status_code == 302
    interaction = Interaction.objects.get()
    assert interaction.person == owner and interaction.staff == staff.user
    assert interaction.source == "staff"
    response = client.post(
        reverse("backoffice:complaint_add", args=[customer.pk]),
        {
            "kind": "dispute",
            "subject": "Uenighet",
            "description": "Bestrider",
            "opened_on": today,
            "person": "",
        },
    )
    assert response.status_code == 302
    complaint = Complaint.objects.get()
    assert complaint.holds.filter(released_at__isnull=True).exists()
    response = client.post(
        reverse("backoffice:complaint_close", args=[complaint.pk]),
        {"status": "resolved", "resolution": "Kreditnota sendt"},
    )
    assert response.status_code == 302
    assert not complaint.holds.filter(released_at__isnull=True).exists()


BAD_POSTS = [
    ("backoffice:interaction_add", StaffRole.SUPPORT, {"kind": "fax", "summary": ""}, Interaction),
    (
        "backoffice:interaction_add",
        StaffRole.SUPPORT,
        {"kind": "call", "occurred_on": "2999-01-01", "summary": "x"},
        Interaction,
    ),
    (
        "backoffice:interaction_add",
        StaffRole.SUPPORT,
        {"kind": "call", "occurred_on": "2026-01-01", "summary": "x", "person": "999999"},
        Interaction,
    ),
    ("backoffice:complaint_add", StaffRole.SUPPORT, {"kind": "dispute"}, Complaint),
    (
        "backoffice:credit_check_add",
        StaffRole.FINANCE,
        {"provider": "X", "checked_on": "nonsense", "result": "A", "score": "500"},
        CreditCheck,
    ),
    (
        "backoffice:financing_add",
        StaffRole.FINANCE,
        {"partner": "P", "arrangement": "A", "started_on": "2026-02-01", "ended_on": "2026-01-01"},
        FinancingUse,
    ),
    (
        "backoffice:delivery_add",
        StaffRole.FINANCE,
        {"description": "", "delivered_on": "2026-01-01"},
        ServiceDelivery,
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "role", "data", "model"), BAD_POSTS)
def test_bad_input_rerenders_the_page_with_messages_and_saves_nothing(name, role, data, model):
    staff = make_staff(role)
    customer, _owner = customer_with_owner()
    response = client_for(staff).post(reverse(name, args=[customer.pk]), data)
    assert response.status_code == 400
    assert b"errorlist" in response.content
    assert not model.objects.exists()


@pytest.mark.django_db
def test_closing_a_complaint_with_bad_input_or_twice_is_refused():
    staff = make_staff(StaffRole.SUPPORT)
    customer, _owner = customer_with_owner()
    complaint = Complaint.objects.create(
        customer=customer,
        kind="complaint",
        subject="S",
        description="D",
        opened_on=timezone.localdate(),
        staff=staff.user,
    )
    client = client_for(staff)
    url = reverse("backoffice:complaint_close", args=[complaint.pk])
    assert client.post(url, {"status": "open", "resolution": ""}).status_code == 400
    assert client.post(url, {"status": "rejected", "resolution": "Nei"}).status_code == 302
    assert client.post(url, {"status": "rejected", "resolution": "Nei"}).status_code == 400
    assert client.post("/backoffice/complaints/999999/close/").status_code == 404


@pytest.mark.django_db
def test_the_operator_is_not_a_customer_in_the_console(operator, privacy_officer):
    client = client_for(privacy_officer)
    assert client.get(reverse("backoffice:customer_detail", args=[operator.pk])).status_code == 404


# --- Access log -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_privacy_officer_lists_the_log_per_customer_and_per_staff_member(privacy_officer):
    support = make_staff(StaffRole.SUPPORT, full_name="Siri Support")
    a, _ = customer_with_owner("Alfa AS")
    b, _ = customer_with_owner("Beta AS")
    support_client = client_for(support)
    support_client.get(reverse("backoffice:customer_detail", args=[a.pk]))
    support_client.get(reverse("backoffice:customer_detail", args=[b.pk]))
    client = client_for(privacy_officer)
    response = client.get(reverse("backoffice:access_log"), {"customer": a.pk})
    assert response.status_code == 200
    assert [e.customer for e in response.context["page"]] == [a]
    response = client.get(reverse("backoffice:access_log"), {"staff": support.user.pk})
    assert {e.customer for e in response.context["page"]} == {a, b}
    assert "Siri Support" in response.content.decode()
    assert client.get(reverse("backoffice:access_log"), {"staff": "x"}).status_code == 400
    assert client.get(reverse("backoffice:access_log"), {"customer": "999999"}).status_code == 404


@pytest.mark.django_db
def test_the_access_log_is_append_only(privacy_officer):
    from core.models import AppendOnlyError

    customer, _ = customer_with_owner()
    client_for(privacy_officer).get(reverse("backoffice:customer_detail", args=[customer.pk]))
    entry = AccessLogEntry.objects.get()
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        AccessLogEntry.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        AccessLogEntry.objects.update(reason="x")


@pytest.mark.django_db
def test_the_customer_list_shows_each_relationship_status_and_searches():
    staff = make_staff(StaffRole.SUPPORT)
    active, _ = customer_with_owner("Aktiv Handel AS")
    ended, _ = customer_with_owner("Gammel Handel AS")
    ServiceDelivery.objects.create(
        customer=active, description="Standard", delivered_on=timezone.localdate()
    )
    ServiceDelivery.objects.create(
        customer=ended, description="Standard", delivered_on=datetime.date(2019, 1, 1)
    )
    client = client_for(staff)
    response = client.get(reverse("backoffice:customer_list"), {"q": "handel"})
    statuses = {item["company"]: item["status"] for item in response.context["items"]}
    assert set(statuses) == {active, ended}
    assert statuses[active].active and not statuses[ended].active
    assert statuses[ended].ends_on == datetime.date(2022, 1, 1)
    response = client.get(reverse("backoffice:customer_list"), {"q": "Aktiv"})
    assert [item["company"] for item in response.context["items"]] == [active]


@pytest.mark.django_db
def test_the_dashboard_chart_is_valid_svg_in_every_language(privacy_officer):
    import re

    from privacy.models import DailyPageStat

    today = timezone.localdate()
    DailyPageStat.objects.create(day=today, path="/", page_views=7, unique_visitors=3)
    DailyPageStat.objects.create(day=today, path="/plans/", page_views=5, unique_visitors=2)
    client = client_for(privacy_officer)
    for language in ("nb", "en"):
        client.cookies["django_language"] = language
        response = client.get(reverse("backoffice:dashboard"), HTTP_ACCEPT_LANGUAGE=language)
        html = response.content.decode()
        chart = response.context["chart"]
        assert chart["total_views"] == 12 and chart["total_visitors"] == 5
        assert len(chart["bars"]) == 30
        numbers = re.findall(r'\b(?:x|y|width|height|x1|x2|y1|y2)="([^"]*)"', html)
        assert numbers and all(re.fullmatch(r"-?\d+(\.\d+)?", n) for n in numbers), numbers
        polyline = re.search(r'<polyline points="([^"]*)"', html)
        assert polyline, html
        points = polyline.group(1)
        assert all(re.fullmatch(r"\d+\.\d,\d+\.\d", p) for p in points.split())
        assert 'style="' not in html and "<script>" not in html


@pytest.mark.django_db
def test_a_person_page_shows_only_what_the_role_may_see_and_logs_the_person():
    customer, owner = customer_with_owner("Fjellbekk AS")
    support = make_staff(StaffRole.SUPPORT)
    Interaction.objects.create(
        customer=customer,
        person=owner,
        kind=Interaction.Kind.MEETING,
        occurred_on=timezone.localdate(),
        staff=support.user,
        summary="MØTE-MED-EIER",
    )
    url = reverse("backoffice:person_detail", args=[owner.pk])
    response = client_for(support).get(url)
    assert response.status_code == 200
    assert "MØTE-MED-EIER" in response.content.decode() and owner.email in response.content.decode()
    entry = AccessLogEntry.objects.get()
    assert entry.person == owner and entry.customer is None
    assert {"name", "contact", "correspondence", "employer"} <= set(entry.categories)
    marketing = make_staff(StaffRole.MARKETING)
    response = client_for(marketing).get(url)
    assert "MØTE-MED-EIER" not in response.content.decode()
    assert "correspondence" not in AccessLogEntry.objects.latest("id").categories
    finance = make_staff(StaffRole.FINANCE)
    assert client_for(finance).get(url).status_code == 200
    assert client_for(make_staff(StaffRole.ADMINISTRATOR)).get(url).status_code == 403
    # Staff accounts that are nobody's customer are not "people" here.
    assert (
        client_for(support)
        .get(reverse("backoffice:person_detail", args=[marketing.user.pk]))
        .status_code
        == 404
    )


@pytest.mark.django_db
def test_finance_records_a_delivery_by_hand_with_its_source():
    finance = make_staff(StaffRole.FINANCE)
    customer, _owner = customer_with_owner()
    response = client_for(finance).post(
        reverse("backoffice:delivery_add", args=[customer.pk]),
        {"description": "Kurs i fakturering", "delivered_on": "2026-01-05"},
    )
    assert response.status_code == 302
    delivery = ServiceDelivery.objects.get()
    assert delivery.source == "staff" and delivery.period_end is None
    assert AuditEntry.objects.filter(action="backoffice.delivery.recorded").count() == 1


@pytest.mark.django_db
def test_finance_exports_the_payment_history_and_the_export_is_logged(plan):
    from backoffice import services

    customer, owner = customer_with_owner("Eksport AS")
    order = services.order_place(customer=customer, plan=plan, user=owner)
    finance = make_staff(StaffRole.FINANCE)
    response = client_for(finance).get(
        reverse("backoffice:payment_history_export", args=[customer.pk])
    )
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    body = response.content.decode("utf-8-sig")
    assert order.invoice is not None
    assert f";{order.invoice.number};" in body
    entry = AccessLogEntry.objects.get()
    assert entry.categories == ["payment_history"] and entry.purpose == "invoicing"
    assert AuditEntry.objects.filter(action="backoffice.payment_history.exported").exists()
    support = make_staff(StaffRole.SUPPORT)
    url = reverse("backoffice:payment_history_export", args=[customer.pk])
    assert client_for(support).get(url).status_code == 403


@pytest.mark.django_db
def test_the_privacy_officer_exports_the_access_log(privacy_officer):
    customer, _ = customer_with_owner("Alfa AS")
    client = client_for(privacy_officer)
    client.get(reverse("backoffice:customer_detail", args=[customer.pk]))
    response = client.get(reverse("backoffice:access_log_export"), {"customer": customer.pk})
    assert response.status_code == 200
    lines = response.content.decode("utf-8-sig").strip().splitlines()
    assert len(lines) == 2 and "Alfa AS" in lines[1]
    assert client.get(reverse("backoffice:access_log_export"), {"staff": "x"}).status_code == 400
    auditor = make_staff(
        StaffRole.AUDITOR,
        valid_until=timezone.localdate() + datetime.timedelta(days=5),
        granted=("access_log",),
    )
    assert client_for(auditor).get(reverse("backoffice:access_log")).status_code == 200
    assert client_for(auditor).get(reverse("backoffice:access_log_export")).status_code == 403


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_database_refuses_to_change_or_delete_access_log_rows(privacy_officer):
    from django.db import DatabaseError, connection, transaction

    customer, _ = customer_with_owner()
    client_for(privacy_officer).get(reverse("backoffice:customer_detail", args=[customer.pk]))
    entry = AccessLogEntry.objects.get()
    table = AccessLogEntry._meta.db_table
    for sql in (f"UPDATE {table} SET reason = 'x'", f"DELETE FROM {table}"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    # Only the link to a deleted customer or person may be cleared.
    AccessLogEntry.objects.filter(pk=entry.pk)._redact(customer=None)
    assert AccessLogEntry.objects.get(pk=entry.pk).customer is None


JUNK = [
    {},
    {"kind": "\x00", "occurred_on": "9999-99-99", "summary": "x" * 5000, "person": "abc"},
    {"kind": "dispute", "subject": "s" * 500, "description": "d", "opened_on": "0000-01-01"},
    {"provider": "p", "checked_on": "2026-01-01", "result": "r", "score": "1e999"},
    {"partner": "\x00", "arrangement": "a", "started_on": "2026-13-01"},
    {"description": "d", "delivered_on": "2026-01-02", "period_end": "2026-01-01"},
    {"status": "resolved", "resolution": "\x00"},
    {"roles": ["x" * 300], "valid_until": "yesterday", "granted_categories": ["<script>"]},
    {"reason": "r" * 600},
]


@pytest.mark.django_db
@pytest.mark.parametrize("data", JUNK)
def test_junk_on_every_form_is_a_4xx_never_a_500(data, privacy_officer, administrator):
    customer, _owner = customer_with_owner()
    complaint = Complaint.objects.create(
        customer=customer,
        kind="complaint",
        subject="S",
        description="D",
        opened_on=timezone.localdate(),
        staff=privacy_officer.user,
    )
    officer = client_for(privacy_officer)
    names = ("interaction_add", "complaint_add", "credit_check_add", "financing_add")
    for name in (*names, "delivery_add"):
        response = officer.post(reverse(f"backoffice:{name}", args=[customer.pk]), data)
        assert response.status_code in (302, 400), (name, response.status_code)
    response = officer.post(reverse("backoffice:complaint_close", args=[complaint.pk]), data)
    assert response.status_code in (302, 400)
    admin = client_for(administrator)
    for url in (
        reverse("backoffice:staff_create"),
        reverse("backoffice:staff_edit", args=[administrator.pk]),
        reverse("backoffice:elevate"),
    ):
        assert admin.post(url, data).status_code in (302, 400), url
    for params in ({"page": "-1"}, {"page": "x" * 50}, {"q": "%" * 200}):
        assert officer.get(reverse("backoffice:customer_list"), params).status_code == 200
    # A NUL character is refused for every view by core's NullCharacterGuardMiddleware.
    for params in ({"q": "\x00" * 3}, {"q": "a", "reason": "\x00sak\x00"}):
        assert officer.get(reverse("backoffice:customer_list"), params).status_code == 400
    detail = reverse("backoffice:customer_detail", args=[customer.pk])
    assert officer.get(detail, {"reason": "\x00" * 10}).status_code == 400


@pytest.mark.django_db
@pytest.mark.parametrize("role", [StaffRole.MARKETING, StaffRole.FINANCE, StaffRole.ADMINISTRATOR])
def test_closing_a_case_needs_the_complaints_edit_right(role):
    customer, _owner = customer_with_owner()
    complaint = Complaint.objects.create(
        customer=customer,
        kind="dispute",
        subject="S",
        description="D",
        opened_on=timezone.localdate(),
        staff=make_staff(StaffRole.SUPPORT).user,
    )
    url = reverse("backoffice:complaint_close", args=[complaint.pk])
    response = client_for(make_staff(role)).post(url, {"status": "resolved", "resolution": "x"})
    assert response.status_code == 403
    complaint.refresh_from_db()
    assert complaint.status == "open"


@pytest.mark.django_db
def test_the_dashboard_lists_open_privacy_requests_by_deadline_for_the_privacy_officer(
    privacy_officer,
):
    from privacy.models import PrivacyRequest

    today = timezone.localdate()
    requests = [("PR-LATE", -2, "open"), ("PR-SOON", 5, "extended"), ("PR-DONE", 1, "closed")]
    for ref, days, status in requests:
        PrivacyRequest.objects.create(
            reference=ref,
            kind="access",
            name="N",
            email="n@example.no",
            message="m",
            status=status,
            received_at=timezone.now(),
            deadline=today + datetime.timedelta(days=days),
        )
    response = client_for(privacy_officer).get(reverse("backoffice:dashboard"))
    assert [r.reference for r in response.context["privacy_requests"]] == ["PR-LATE", "PR-SOON"]
    assert response.context["privacy_request_count"] == 2
    assert "Forfalt" in response.content.decode()
    support = client_for(make_staff(StaffRole.SUPPORT)).get(reverse("backoffice:dashboard"))
    assert "PR-LATE" not in support.content.decode()
    assert "privacy_requests" not in support.context


@pytest.mark.django_db
def test_the_forms_on_the_customer_page_have_unique_field_ids(privacy_officer):
    import re

    customer, _owner = customer_with_owner()
    for n in range(2):
        Complaint.objects.create(
            customer=customer,
            kind="complaint",
            subject=f"S{n}",
            description="D",
            opened_on=timezone.localdate(),
            staff=privacy_officer.user,
        )
    html = (
        client_for(privacy_officer)
        .get(reverse("backoffice:customer_detail", args=[customer.pk]))
        .content.decode()
    )
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    assert html.count('name="resolution"') == 2


def _all_backoffice_paths() -> list[str]:
    """Every route under /backoffice/ (also other apps' staff pages), with 1 for each id."""
    import re

    from django.urls import URLPattern, URLResolver, get_resolver

    found: list[str] = []

    def walk(patterns, prefix: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern) and route.startswith("backoffice/"):
                found.append("/" + re.sub(r"<(?:\w+:)?\w+>", "1", route))

    walk(get_resolver().url_patterns, "")
    return sorted(set(found))


@pytest.mark.django_db
def test_every_route_under_backoffice_is_hidden_from_non_staff(owner_client):
    paths = _all_backoffice_paths()
    assert "/backoffice/" in paths and "/backoffice/people/1/" in paths
    for client in (Client(), owner_client):
        for path in paths:
            assert client.get(path).status_code == 404, path
            assert client.post(path).status_code == 404, path


def test_every_view_under_backoffice_goes_through_staff_view():
    from django.urls import resolve

    for path in _all_backoffice_paths():
        callback = resolve(path).func
        assert hasattr(callback, "staff_categories"), f"{path} is not wrapped in staff_view"


@pytest.mark.django_db
def test_a_reason_given_by_the_staff_member_is_logged(administrator):
    support = make_staff(StaffRole.SUPPORT)
    customer, _ = customer_with_owner("Grunn AS")
    client = client_for(support)
    response = client.get(reverse("backoffice:customer_list"), {"q": "Grunn", "reason": "Sak 77"})
    assert "?reason=Sak%2077" in response.content.decode()
    client.get(reverse("backoffice:customer_detail", args=[customer.pk]), {"reason": "Sak  77 "})
    assert AccessLogEntry.objects.latest("id").reason == "Sak 77"
    # An elevated administrator's reason is always recorded, with any extra reason.
    admin = client_for(administrator)
    admin.post(reverse("backoffice:elevate"), {"reason": "Feilsøking av sak 4711"})
    admin.get(reverse("backoffice:customer_detail", args=[customer.pk]), {"reason": "Sak 77"})
    assert AccessLogEntry.objects.latest("id").reason == "Feilsøking av sak 4711 / Sak 77"


@pytest.mark.django_db
def test_access_log_rows_are_deleted_after_three_years_and_not_before_nor_under_a_hold(
    privacy_officer,
):
    from backoffice import services
    from retention.rules import rule
    from retention.services import retention_run

    held_customer, _ = customer_with_owner()
    customer, _ = customer_with_owner()
    client = client_for(privacy_officer)
    url = reverse("backoffice:customer_detail", args=[customer.pk])
    now = timezone.now()
    with time_machine.travel(now - datetime.timedelta(days=3 * 365 + 2), tick=False):
        client_for(privacy_officer).get(url)
        client_for(privacy_officer).get(
            reverse("backoffice:customer_detail", args=[held_customer.pk])
        )
    with time_machine.travel(now - datetime.timedelta(days=3 * 365 - 2), tick=False):
        client_for(privacy_officer).get(url)
    client.get(url)
    assert AccessLogEntry.objects.count() == 4
    services.complaint_open(
        customer=held_customer,
        staff=privacy_officer.user,
        kind="dispute",
        subject="Tvist",
        description="Tvist om faktura",
        opened_on=timezone.localdate(),
    )
    access_log = [rule("access_log")]
    report = retention_run(rules=access_log)
    assert report.counts()[("access_log", "backoffice.AccessLogEntry", "delete")] == 1
    assert AccessLogEntry.objects.count() == 3
    assert AccessLogEntry.objects.filter(customer=held_customer).count() == 1
    assert retention_run(rules=access_log).total == 0


@pytest.mark.django_db
def test_an_empty_list_logs_nothing(privacy_officer):
    client = client_for(privacy_officer)
    assert client.get(reverse("backoffice:customer_list"), {"q": "finnes-ikke"}).status_code == 200
    assert client.get(reverse("backoffice:complaint_list")).status_code == 200
    assert not AccessLogEntry.objects.exists()
