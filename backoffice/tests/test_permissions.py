"""The permission matrix (R5): every role × category × action, advisers, elevation."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from backoffice import services
from backoffice.models import StaffRole
from backoffice.permissions import CATEGORIES, PERSONAL_CATEGORIES, Action, active_elevation, can
from backoffice.tests.conftest import make_staff

# What each role may VIEW, written out independently of backoffice.permissions.MATRIX.
EXPECTED_VIEW = {
    StaffRole.SUPPORT: {
        "name", "address", "contact", "role", "employer", "customer_history",
        "correspondence", "complaints", "web_activity", "statistics",
    },
    StaffRole.MARKETING: {
        "name", "address", "contact", "role", "employer", "customer_history",
        "preferences", "segments", "statistics",
    },
    StaffRole.FINANCE: {
        "name", "address", "contact", "employer", "customer_history",
        "payment_history", "credit_check", "financing", "statistics", "statutory_figures",
    },
    StaffRole.PRIVACY_OFFICER: set(CATEGORIES),
    StaffRole.ADMINISTRATOR: {"staff", "statistics"},
}  # fmt: skip
# Categories whose data may be changed, per role.
EXPECTED_EDIT = {
    StaffRole.SUPPORT: {"name", "address", "contact", "correspondence", "complaints"},
    StaffRole.MARKETING: {"preferences", "segments"},
    StaffRole.FINANCE: {"address", "customer_history", "payment_history", "credit_check",
                        "financing", "statutory_figures"},
    StaffRole.PRIVACY_OFFICER: set(PERSONAL_CATEGORIES) | {"segments", "privacy_requests"},
    StaffRole.ADMINISTRATOR: {"staff"},
}  # fmt: skip
EXPECTED_DELETE = {
    StaffRole.SUPPORT: set(),
    StaffRole.MARKETING: {"segments"},
    StaffRole.FINANCE: set(),
    StaffRole.PRIVACY_OFFICER: set(PERSONAL_CATEGORIES) | {"segments", "privacy_requests"},
    StaffRole.ADMINISTRATOR: set(),
}
EXPECTED_EXPORT = {
    StaffRole.SUPPORT: set(),
    StaffRole.MARKETING: {"segments", "statistics"},
    StaffRole.FINANCE: {"customer_history", "payment_history", "credit_check", "financing"},
    StaffRole.PRIVACY_OFFICER: set(PERSONAL_CATEGORIES)
    | {"segments", "privacy_requests", "access_log", "statistics"},
    StaffRole.ADMINISTRATOR: set(),
}
EXPECTED = {
    Action.VIEW: EXPECTED_VIEW,
    Action.EDIT: EXPECTED_EDIT,
    Action.DELETE: EXPECTED_DELETE,
    Action.EXPORT: EXPECTED_EXPORT,
}
INTERNAL_ROLES = list(EXPECTED_VIEW)


@pytest.mark.django_db
@pytest.mark.parametrize("role", INTERNAL_ROLES)
@pytest.mark.parametrize("category", CATEGORIES)
@pytest.mark.parametrize("action", Action.ALL)
def test_internal_roles_follow_the_matrix(role, category, action):
    staff = make_staff(role)
    assert can(staff, category, action) is (category in EXPECTED[action][role])


def _future(days: int = 30) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


@pytest.mark.django_db
@pytest.mark.parametrize("category", CATEGORIES)
@pytest.mark.parametrize("action", Action.ALL)
def test_an_expired_adviser_sees_nothing(category, action):
    staff = make_staff(
        StaffRole.AUDITOR,
        valid_until=timezone.localdate() - datetime.timedelta(days=1),
        granted=("name", "payment_history", "access_log"),
    )
    assert not can(staff, category, action)


AUDITOR_GRANTED = ("name", "payment_history", "credit_check", "access_log")


@pytest.mark.django_db
@pytest.mark.parametrize("category", CATEGORIES)
@pytest.mark.parametrize("action", Action.ALL)
def test_an_adviser_sees_only_granted_categories_within_the_role(category, action):
    staff = make_staff(StaffRole.AUDITOR, valid_until=_future(), granted=AUDITOR_GRANTED)
    expected_view = category in AUDITOR_GRANTED
    expected_export = category in AUDITOR_GRANTED and category != "access_log"
    expected = {
        Action.VIEW: expected_view,
        Action.EXPORT: expected_export,
        Action.EDIT: False,
        Action.DELETE: False,
    }[action]
    assert can(staff, category, action) is expected


@pytest.mark.django_db
def test_an_adviser_valid_through_today_still_sees_and_without_end_date_sees_nothing():
    today_staff = make_staff(
        StaffRole.LAWYER, valid_until=timezone.localdate(), granted=("complaints",)
    )
    assert can(today_staff, "complaints")
    no_end = make_staff(StaffRole.LAWYER, valid_until=None, granted=("complaints",))
    assert not can(no_end, "complaints")


@pytest.mark.django_db
def test_the_statement_examples_hold():
    marketing = make_staff(StaffRole.MARKETING)
    assert can(marketing, "contact") and can(marketing, "segments")
    assert not can(marketing, "payment_history") and not can(marketing, "credit_check")
    finance = make_staff(StaffRole.FINANCE)
    assert can(finance, "payment_history") and can(finance, "credit_check")
    assert not can(finance, "correspondence")
    support = make_staff(StaffRole.SUPPORT)
    assert all(can(support, c) for c in ("contact", "correspondence", "complaints"))
    officer = make_staff(StaffRole.PRIVACY_OFFICER)
    assert all(can(officer, c) for c in CATEGORIES)
    admin = make_staff(StaffRole.ADMINISTRATOR)
    assert can(admin, "staff", Action.EDIT)
    assert not any(can(admin, c) for c in PERSONAL_CATEGORIES)


@pytest.mark.django_db
def test_several_roles_give_the_union_and_an_inactive_profile_nothing():
    staff = make_staff(StaffRole.SUPPORT, StaffRole.FINANCE)
    assert can(staff, "correspondence") and can(staff, "payment_history")
    staff.is_active = False
    assert not can(staff, "name")
    assert not can(None, "name")


@pytest.mark.django_db
def test_unknown_categories_and_actions_are_programming_errors():
    staff = make_staff(StaffRole.SUPPORT)
    with pytest.raises(ValueError):
        can(staff, "health", Action.VIEW)
    with pytest.raises(ValueError):
        can(staff, "name", "print")


@pytest.mark.django_db
def test_an_elevated_session_lets_an_administrator_view_personal_data_for_30_minutes():
    admin = make_staff(StaffRole.ADMINISTRATOR)
    elevation = services.elevation_start(user=admin.user, reason="Feilsøking av sak 1234")
    admin.elevation = elevation
    assert active_elevation(admin) == elevation
    assert can(admin, "payment_history") and not can(admin, "payment_history", Action.EDIT)
    assert not can(admin, "access_log")
    assert elevation.expires_at - elevation.started_at == datetime.timedelta(minutes=30)
    later = elevation.expires_at + datetime.timedelta(seconds=1)
    assert active_elevation(admin, now=later) is None
    services.elevation_end(elevation=elevation)
    assert not can(admin, "payment_history")


@pytest.mark.django_db
def test_elevation_needs_an_administrator_and_a_reason():
    from django.core.exceptions import ValidationError

    support = make_staff(StaffRole.SUPPORT)
    with pytest.raises(ValidationError):
        services.elevation_start(user=support.user, reason="Feilsøking av sak 1234")
    admin = make_staff(StaffRole.ADMINISTRATOR)
    with pytest.raises(ValidationError):
        services.elevation_start(user=admin.user, reason="  ")
