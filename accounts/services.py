"""The only code that changes users, companies and memberships."""

from __future__ import annotations

from django.db import transaction

from accounts.models import Company, Membership, Role, User
from core.audit import Actor, audit_log


def user_set_language(*, user: User, language: str) -> User:
    user.language = language
    user.save(update_fields=["language"])
    return user


@transaction.atomic
def company_create(
    *,
    owner: User,
    name: str,
    organization_number: str,
    vat_registered: bool,
    in_foretaksregisteret: bool,
    address_line: str,
    postcode: str,
    city: str,
    bank_account: str,
    country: str = "NO",
    actor: Actor | None = None,
) -> Company:
    company = Company(
        name=name,
        organization_number=organization_number,
        vat_registered=vat_registered,
        in_foretaksregisteret=in_foretaksregisteret,
        address_line=address_line,
        postcode=postcode,
        city=city,
        country=country,
        bank_account=bank_account,
    )
    company.full_clean()
    company.save()
    Membership.objects.create(user=owner, company=company, role=Role.OWNER)
    audit_log(
        action="accounts.company.created",
        actor=actor or Actor.user(owner),
        company=company,
        target=company,
        data={"name": name, "organization_number": organization_number},
    )
    return company
