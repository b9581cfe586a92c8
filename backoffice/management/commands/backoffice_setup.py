"""Set up the operator (Invoice Club AS), its plans, and a first administrator (idempotent).

    manage.py backoffice_setup [--orgnr 923609016 --name "Invoice Club AS" ...]
                               [--admin-email admin@example.no --admin-name "..."]

The operator company is VAT-registered and in Foretaksregisteret; it invoices customers
with the product's own invoicing engine. The administrator gets the password given with
``--admin-password``; without it the command prints a one-time link to choose one (and
"forgot password" works too). Two-factor authentication is set up at the first log-in,
before the console opens.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.urls import reverse

from accounts.emails import absolute_url, password_set_url
from accounts.models import Company, User
from accounts.services import user_change_password
from backoffice import hooks, services
from backoffice.models import Plan, StaffProfile, StaffRole
from backoffice.selectors import operator_company
from core.audit import Actor, audit_log

PLANS = [
    ("start", "Start", Decimal("990.00"), 12, "For enkeltpersonforetak: 100 fakturaer i året."),
    (
        "standard",
        "Standard",
        Decimal("2490.00"),
        12,
        "Små bedrifter: fri fakturering, EHF, purring.",
    ),
    ("pluss", "Pluss", Decimal("5990.00"), 12, "Større bedrifter: flere brukere, API, støtte."),
]


class Command(BaseCommand):
    help = "Create the operator company, its plans and an administrator (idempotent)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--name", default="Invoice Club AS")
        parser.add_argument("--orgnr", default="923609016")
        parser.add_argument("--address", default="Kongens gate 1")
        parser.add_argument("--postcode", default="7011")
        parser.add_argument("--city", default="Trondheim")
        parser.add_argument("--bank-account", default="86011117947")
        parser.add_argument("--email", default="faktura@fakturanett.no")
        parser.add_argument("--admin-email", default="")
        parser.add_argument("--admin-name", default="Administrator")
        parser.add_argument(
            "--admin-password",
            default="",
            help="the administrator's password (else a one-time link to choose one is printed)",
        )

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        actor = Actor.system("backoffice_setup")
        operator = operator_company()
        try:
            if operator is None:
                operator = Company.objects.filter(organization_number=options["orgnr"]).first()
                if operator is None:
                    operator = Company(
                        name=options["name"],
                        organization_number=options["orgnr"],
                        vat_registered=True,
                        in_foretaksregisteret=True,
                        address_line=options["address"],
                        postcode=options["postcode"],
                        city=options["city"],
                        bank_account=options["bank_account"],
                        email=options["email"],
                    )
                    operator.full_clean()
                    operator.save()
                    audit_log(
                        action="backoffice.operator.created",
                        actor=actor,
                        company=operator,
                        target=operator,
                    )
                services.operator_setup(actor=actor, company=operator)
            for order, (code, name, price, months, description) in enumerate(PLANS):
                if not Plan.objects.filter(code=code).exists():
                    services.plan_create(
                        actor=actor,
                        code=code,
                        name=name,
                        price=price,
                        description=description,
                        period_months=months,
                        sort_order=order,
                    )
            email = options["admin_email"].strip().lower()
            if email:
                self._administrator(actor, email, options)
            # What the apps above set up with the first administrator (privacy: the risk
            # register's first assessments), backoffice.hooks.
            admin = next(
                (
                    profile
                    for profile in StaffProfile.objects.select_related("user").order_by("pk")
                    if StaffRole.ADMINISTRATOR in profile.roles
                ),
                None,
            )
            if admin is not None:
                for step in hooks.setup_steps():
                    if line := step(admin.user):
                        self.stdout.write(line)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(f"Operator: {operator} ({operator.organization_number_display}).")

    def _administrator(self, actor: Actor, email: str, options: dict[str, Any]) -> None:
        if not StaffProfile.objects.filter(user__email__iexact=email).exists():
            services.staff_create(
                actor=actor,
                email=email,
                full_name=options["admin_name"],
                roles=[StaffRole.ADMINISTRATOR],
            )
            self.stdout.write(f"Administrator {email} created.")
        user = User.objects.get(email__iexact=email)
        password = options["admin_password"]
        if password:
            validate_password(password, user)
            user_change_password(user=user, password=password, via="reset")
            login = absolute_url(reverse("accounts:login"))
            self.stdout.write(
                f"Password set for {user.email}. Log in at {login} and set up two-factor "
                "authentication."
            )
        elif not user.has_usable_password():
            self.stdout.write(
                f"Choose a password for {user.email} (the link works once): "
                f"{password_set_url(user=user)}\n"
                "Then log in and set up two-factor authentication."
            )
