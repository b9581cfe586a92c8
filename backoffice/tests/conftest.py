"""Back-office personas: staff members with roles, a second factor and a verified session."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.test import Client

from accounts.models import Role
from accounts.tests.factories import (
    CompanyFactory,
    MembershipFactory,
    UserFactory,
    otp_verified,
    totp_device,
)
from backoffice import services
from backoffice.models import StaffProfile, StaffRole
from core.audit import Actor


def make_staff(
    *roles: str,
    valid_until: datetime.date | None = None,
    granted: tuple[str, ...] = (),
    device: bool = True,
    **user_fields,
) -> StaffProfile:
    user = UserFactory(is_staff=True, **user_fields)
    if device:
        totp_device(user)
    return StaffProfile.objects.create(
        user=user, roles=list(roles), valid_until=valid_until, granted_categories=list(granted)
    )


def client_for(profile: StaffProfile, *, verified: bool = True) -> Client:
    client = Client()
    client.force_login(profile.user)
    if verified:
        from django_otp.plugins.otp_totp.models import TOTPDevice

        otp_verified(client, TOTPDevice.objects.get(user=profile.user))
    return client


@pytest.fixture
def privacy_officer(db):
    return make_staff(StaffRole.PRIVACY_OFFICER, full_name="Per Personvern")


@pytest.fixture
def administrator(db):
    return make_staff(StaffRole.ADMINISTRATOR, full_name="Ada Admin")


@pytest.fixture
def operator(db):
    """The operator company (Invoice Club AS) with one plan."""
    company = CompanyFactory(name="Invoice Club AS", organization_number="923609016")
    system = Actor.system("tests")
    services.operator_setup(actor=system, company=company)
    return company


@pytest.fixture
def plan(operator):
    return services.plan_create(
        actor=Actor.system("tests"),
        code="standard",
        name="Standard",
        price=Decimal("1200.00"),
        description="Fakturering for små bedrifter",
        period_months=12,
    )


def customer_with_owner(name: str = "Kunde AS"):
    company = CompanyFactory(name=name)
    owner = MembershipFactory(company=company, role=Role.OWNER).user
    return company, owner
