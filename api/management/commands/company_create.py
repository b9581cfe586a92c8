"""Create a company and its owner for scripted setups (accounts.services.company_create)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.services import company_create
from api.management.commands.api_token_create import validation_message
from core.audit import Actor, audit_log
from core.identifiers import clean_kontonr, clean_orgnr

# Company field → the option that sets it, for error messages.
OPTION_FOR_FIELD = {
    "name": "--name",
    "organization_number": "--orgnr",
    "bank_account": "--bank-account",
    "address_line": "--address",
    "postcode": "--postcode",
    "city": "--city",
}


class Command(BaseCommand):
    help = (
        "Create a company with an owner. A missing owner user is created with the given "
        "password and a verified e-mail address; an existing one is kept as is."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--name", required=True)
        parser.add_argument("--orgnr", required=True, help="Organisasjonsnummer, 9 digits.")
        parser.add_argument("--owner-email", required=True)
        parser.add_argument("--owner-password", default="", help="Needed for a new user.")
        parser.add_argument("--owner-name", default="", help="Full name of a new user.")
        parser.add_argument("--vat-registered", action="store_true")
        parser.add_argument("--foretaksregisteret", action="store_true")
        parser.add_argument("--bank-account", required=True, help="Kontonummer, 11 digits.")
        parser.add_argument("--address", default="")
        parser.add_argument("--postcode", default="")
        parser.add_argument("--city", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            orgnr = clean_orgnr(options["orgnr"])
        except ValidationError as exc:
            raise CommandError(f"--orgnr: {validation_message(exc)}") from exc
        try:
            bank_account = clean_kontonr(options["bank_account"])
        except ValidationError as exc:
            raise CommandError(f"--bank-account: {validation_message(exc)}") from exc
        actor = Actor.system("manage.py company_create")
        email = User.objects.normalize_email(options["owner_email"].strip()).lower()
        try:
            with transaction.atomic():
                owner = User.objects.filter(email__iexact=email).first()
                if owner is None:
                    owner = self._create_owner(email=email, options=options, actor=actor)
                elif options["owner_password"]:
                    self.stderr.write(f"{email} exists already; its password is not changed.")
                company = company_create(
                    owner=owner,
                    name=options["name"].strip(),
                    organization_number=orgnr,
                    vat_registered=options["vat_registered"],
                    in_foretaksregisteret=options["foretaksregisteret"],
                    address_line=options["address"].strip(),
                    postcode=options["postcode"].strip(),
                    city=options["city"].strip(),
                    bank_account=bank_account,
                    actor=actor,
                )
        except ValidationError as exc:
            raise CommandError(self._message(exc)) from exc
        self.stdout.write(
            f"Company {company.name} (orgnr {company.organization_number}, id {company.pk}) "
            f"created with owner {owner.email}."
        )

    def _create_owner(self, *, email: str, options: dict[str, Any], actor: Actor) -> User:
        password = options["owner_password"]
        if not password:
            raise CommandError(f"--owner-password is needed to create the user {email}.")
        full_name = options["owner_name"].strip() or email.split("@")[0]
        user = User(email=email, full_name=full_name, email_verified_at=timezone.now())
        try:
            user.full_clean(exclude=["password"])
            validate_password(password, user)
        except ValidationError as exc:
            raise CommandError(f"--owner-email/--owner-password: {self._message(exc)}") from exc
        user.set_password(password)
        user.save()
        audit_log(action="accounts.user.created", actor=actor, target=user, data={})
        return user

    @staticmethod
    def _message(exc: ValidationError) -> str:
        if hasattr(exc, "error_dict"):
            return "; ".join(
                f"{OPTION_FOR_FIELD.get(field, field)}: {' '.join(messages)}"
                for field, messages in exc.message_dict.items()
            )
        return " ".join(exc.messages)
