"""Create an API token for a company; the key is printed once, on the last line."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_scopes import scope

from accounts.models import Company
from api.services import api_token_create
from core.audit import Actor
from core.identifiers import clean_orgnr


def validation_message(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "; ".join(
            f"{field}: {' '.join(messages)}" for field, messages in exc.message_dict.items()
        )
    return " ".join(exc.messages)


class Command(BaseCommand):
    help = "Create an API token for the company with the given organisasjonsnummer."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--company", required=True, help="The company's orgnr (9 digits).")
        parser.add_argument("--label", required=True, help="What the token is for.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            orgnr = clean_orgnr(options["company"])
        except ValidationError as exc:
            raise CommandError(validation_message(exc)) from exc
        company = Company.objects.filter(organization_number=orgnr).first()
        if company is None:
            raise CommandError(f"No company with organisasjonsnummer {orgnr}.")
        with scope(company=company):
            try:
                created = api_token_create(
                    company=company,
                    label=options["label"],
                    actor=Actor.system("manage.py api_token_create"),
                )
            except ValidationError as exc:
                raise CommandError(validation_message(exc)) from exc
        self.stderr.write(
            f"Token «{created.token.label}» ({created.token.key_prefix}…) for {company.name}. "
            "The key is shown only now; send it as 'Authorization: Token <key>'."
        )
        self.stdout.write(created.key)
