"""Create the demo company, its owner and its example data, once; print how to log in."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts.models import Company, User
from accounts.services import company_create
from backoffice.demo import demo_data_create
from core.audit import Actor

DEMO_EMAIL = "demo@fakturanett.no"
DEMO_PASSWORD = "demo-faktura-2026"


class Command(BaseCommand):
    help = "Create a demo company with a demo owner (idempotent)."

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        company = Company.objects.filter(organization_number=settings.DEMO_COMPANY_ORGNR).first()
        if company is None:
            owner = User.objects.filter(email=DEMO_EMAIL).first() or User.objects.create_user(
                DEMO_EMAIL,
                DEMO_PASSWORD,
                full_name="Demo Eier",
                email_verified_at=timezone.now(),
            )
            company = company_create(
                owner=owner,
                name="Demo Regnskap AS",
                organization_number=settings.DEMO_COMPANY_ORGNR,
                vat_registered=True,
                in_foretaksregisteret=True,
                address_line="Kongens gate 1",
                postcode="7011",
                city="Trondheim",
                bank_account="86011117947",
                actor=Actor.system("demo_setup"),
            )
        demo_data_create(company=company)
        self.stdout.write(
            f"Demo company ready. Log in as {DEMO_EMAIL} with password {DEMO_PASSWORD}"
        )
