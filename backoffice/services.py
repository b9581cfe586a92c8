"""The only code that changes back-office state.

Keyword-only, typed, one ``transaction.atomic`` each, audit-logged in the same
transaction, ``ValidationError`` (Norwegian, translated) for anything a user got wrong.

Overview::

    staff_create(actor=, email=, full_name=, roles=, valid_until=, granted_categories=)
    staff_update(actor=, profile=, roles=, valid_until=, granted_categories=, is_active=)
    staff_grant_approve / staff_grant_reject(actor=, grant=)   four-eyes on personal data
    elevation_start(user=, reason=) / elevation_end(elevation=)
    operator_setup(actor=, company=)                    mark the operator company
    plan_create(actor=, code=, name=, price=, ...)       a plan with its operator product
    customer_account_for(customer=, actor=)              the mirroring customers.Client
    order_place(customer=, plan=, user=, source=)        order + delivery + issued invoice
    delivery_record(customer=, actor=, description=, delivered_on=, period_end=)
    interaction_add / complaint_open / complaint_close (places/releases legal holds)
    credit_check_record / credit_check_run (provider) / financing_add
    survey_send(period=, on=) / survey_answer(token=, score=, comment=)
    usage_aggregate(day=)
"""

from __future__ import annotations

import contextlib
import datetime
import secrets
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scope, scopes_disabled

from accounts.models import Company, Membership, Role, User
from backoffice import permissions
from backoffice.models import (
    ADVISER_ROLES,
    Complaint,
    CreditCheck,
    CustomerAccount,
    ElevatedSession,
    FinancingUse,
    Interaction,
    LegalHold,
    OperatorCompany,
    Order,
    Plan,
    ServiceDelivery,
    Source,
    StaffGrantRequest,
    StaffProfile,
    StaffRole,
    SurveyInvitation,
    UsageStat,
)
from backoffice.selectors import active_customers, operator_company
from core.audit import Actor, audit_log
from core.dates import add_months
from core.models import AuditEntry
from core.outbox import outbox_enqueue

MAX_TEXT = 4000
DOUBLE_ORDER_MINUTES = 10


def _require(value: str, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    return value


def _max_length(value: str, field: str, limit: int) -> None:
    if len(value) > limit:
        raise ValidationError(
            {field: _("Teksten kan ha høyst %(n)s tegn.") % {"n": limit}}, code="max_length"
        )


# --- Staff -------------------------------------------------------------------------------


def _clean_staff(
    roles: Iterable[str],
    valid_until: datetime.date | None,
    granted_categories: Iterable[str],
    *,
    active: bool = True,
) -> tuple[list[str], datetime.date | None, list[str]]:
    roles = sorted(set(roles))
    granted = sorted(set(granted_categories))
    errors: dict[str, str] = {}
    if not roles:
        errors["roles"] = _("Velg minst én rolle.")
    unknown = [r for r in roles if r not in StaffRole.values]
    if unknown:
        errors["roles"] = _("Ukjent rolle.")
    advisers = [r for r in roles if r in ADVISER_ROLES]
    if advisers and len(advisers) != len(roles):
        errors["roles"] = _("En ekstern rådgiver kan ikke også ha en intern rolle.")
    if advisers and not errors:
        if valid_until is None:
            errors["valid_until"] = _("En ekstern rådgiver må ha en sluttdato for tilgangen.")
        elif active and valid_until < timezone.localdate():
            errors["valid_until"] = _("Sluttdatoen kan ikke være passert.")
        ceiling = {c for r in advisers for c in permissions.grantable_categories(r)}
        outside = [c for c in granted if c not in ceiling]
        if not granted:
            errors["granted_categories"] = _("Velg hvilke kategorier rådgiveren skal se.")
        elif outside:
            errors["granted_categories"] = _("Rollen kan ikke få tilgang til: %(categories)s.") % {
                "categories": ", ".join(permissions.category_label(c) for c in outside)
            }
    elif not advisers and granted:
        errors["granted_categories"] = _(
            "Bare eksterne rådgivere får tildelt kategorier; interne roller følger matrisen."
        )
    if errors:
        raise ValidationError(errors)
    return roles, valid_until, granted


def _self_grant_error() -> ValidationError:
    return ValidationError(
        {"roles": _("Du kan ikke endre dine egne roller; be en annen administrator.")},
        code="self",
    )


def _grant_elevation(actor: Actor, elevation: ElevatedSession | None) -> ElevatedSession:
    """The granting administrator's running elevated session, or a ``ValidationError``.

    Roles that open personal data are granted only inside an elevated session: the grant
    is then tied to a stated reason in the audit log and the other administrators are told.
    """
    if elevation is None or elevation.user_id != actor.id or not elevation.is_active():
        raise ValidationError(
            {
                "roles": _(
                    "Roller som gir tilgang til personopplysninger kan bare tildeles i en "
                    "utvidet økt med begrunnelse. Start utvidet tilgang først."
                )
            },
            code="elevation_required",
        )
    return elevation


def _administrators(*, excluding: Iterable[int]) -> list[StaffProfile]:
    # Staff is a handful of people; the role list is JSON, so filter the roles here.
    return [
        other
        for other in StaffProfile.objects.filter(is_active=True, user__is_active=True)
        .exclude(user_id__in=list(excluding))
        .select_related("user")
        if StaffRole.ADMINISTRATOR in other.roles
    ]


def _notify_administrators(*, actor: Actor, grant: StaffGrantRequest) -> None:
    """E-mail every other active administrator: a grant that opens personal data waits
    for one of them (not the requester, not the person) to approve it."""
    from accounts.emails import absolute_url, queue_email

    labels = [permissions.category_label(c) for c in sorted(grant.opens)]
    for other in _administrators(excluding=[actor.id]):
        queue_email(
            to=other.user.email,
            template="staff_grant",
            language=other.user.language or settings.LANGUAGE_CODE,
            folder="backoffice/email",
            context={
                "recipient": other.user,
                "actor": actor.label,
                "person": grant.profile.user,
                "roles": grant.role_labels(),
                "categories": labels,
                "reason": grant.reason,
                "url": absolute_url(reverse("backoffice:staff_list")),
            },
        )


def _access(profile: StaffProfile) -> dict[str, Any]:
    return {
        "roles": sorted(profile.roles),
        "valid_until": str(profile.valid_until or ""),
        "granted_categories": sorted(profile.granted_categories or []),
        "is_active": profile.is_active,
    }


def _grant_request(
    *,
    actor: Actor,
    profile: StaffProfile,
    roles: list[str],
    valid_until: datetime.date | None,
    granted: list[str],
    opens: Iterable[str],
    elevation: ElevatedSession,
) -> StaffGrantRequest:
    """Record the change as pending (four-eyes); audit it and tell the other administrators."""
    if StaffGrantRequest.objects.filter(
        profile=profile, status=StaffGrantRequest.Status.PENDING
    ).exists():
        raise ValidationError(
            {
                "roles": _(
                    "En endring av tilgangen til denne personen venter allerede på godkjenning. "
                    "Få den godkjent eller avvist først."
                )
            },
            code="pending",
        )
    grant = StaffGrantRequest.objects.create(
        profile=profile,
        roles=roles,
        granted_categories=granted,
        valid_until=valid_until,
        opens=sorted(opens),
        before=_access(profile),
        reason=elevation.reason,
        requested_by_id=actor.id,
    )
    audit_log(
        action="backoffice.staff.grant_requested",
        actor=actor,
        target=profile,
        data={
            "grant": grant.pk,
            "before": grant.before,
            "roles": roles,
            "valid_until": str(valid_until or ""),
            "granted_categories": granted,
            "opens_personal_data": grant.opens,
            "elevation": elevation.pk,
            "reason": elevation.reason,
        },
    )
    _notify_administrators(actor=actor, grant=grant)
    return grant


def staff_pending_grant(*, profile: StaffProfile) -> StaffGrantRequest | None:
    return StaffGrantRequest.objects.filter(
        profile=profile, status=StaffGrantRequest.Status.PENDING
    ).first()


def _decide_grant(*, actor: Actor, grant: StaffGrantRequest) -> StaffGrantRequest:
    grant = StaffGrantRequest.objects.select_for_update().select_related("profile").get(pk=grant.pk)
    if grant.status != StaffGrantRequest.Status.PENDING:
        raise ValidationError(_("Forespørselen er allerede avgjort."), code="decided")
    if actor.id in (grant.requested_by_id, grant.profile.user_id):
        raise ValidationError(
            _(
                "En annen administrator enn den som ba om tilgangen, og enn personen selv, "
                "må avgjøre forespørselen."
            ),
            code="four_eyes",
        )
    if not any(a.user_id == actor.id for a in _administrators(excluding=[])):
        raise ValidationError(_("Bare administratorer avgjør tilgang."), code="not_admin")
    return grant


def _notify_requester(*, actor: Actor, grant: StaffGrantRequest) -> None:
    from accounts.emails import absolute_url, queue_email

    requester = grant.requested_by
    queue_email(
        to=requester.email,
        template="staff_grant_decided",
        language=requester.language or settings.LANGUAGE_CODE,
        folder="backoffice/email",
        context={
            "recipient": requester,
            "actor": actor.label,
            "person": grant.profile.user,
            "approved": grant.status == StaffGrantRequest.Status.APPROVED,
            "url": absolute_url(reverse("backoffice:staff_list")),
        },
    )


@transaction.atomic
def staff_grant_approve(*, actor: Actor, grant: StaffGrantRequest) -> StaffProfile:
    """A second administrator approves a pending grant: the access changes now."""
    grant = _decide_grant(actor=actor, grant=grant)
    profile = (
        StaffProfile.objects.select_for_update().select_related("user").get(pk=grant.profile_id)
    )
    if _access(profile) != grant.before:
        raise ValidationError(
            _("Tilgangen er endret siden forespørselen ble laget. Avvis den og be om ny."),
            code="stale",
        )
    now = timezone.now()
    profile.roles = grant.roles
    profile.granted_categories = grant.granted_categories
    profile.valid_until = grant.valid_until
    profile.is_active = True
    profile.save()
    if not profile.user.is_staff:
        profile.user.is_staff = True
        profile.user.save(update_fields=["is_staff"])
    grant.status = StaffGrantRequest.Status.APPROVED
    grant.decided_by_id = actor.id
    grant.decided_at = now
    grant.save(update_fields=["status", "decided_by", "decided_at"])
    audit_log(
        action="backoffice.staff.grant_approved",
        actor=actor,
        target=profile,
        data={
            "grant": grant.pk,
            "requested_by": grant.requested_by_id,
            "before": grant.before,
            "after": _access(profile),
            "opens_personal_data": grant.opens,
            "reason": grant.reason,
        },
    )
    _notify_requester(actor=actor, grant=grant)
    return profile


@transaction.atomic
def staff_grant_reject(*, actor: Actor, grant: StaffGrantRequest) -> StaffGrantRequest:
    """A second administrator turns a pending grant down; the access stays as it was."""
    grant = _decide_grant(actor=actor, grant=grant)
    grant.status = StaffGrantRequest.Status.REJECTED
    grant.decided_by_id = actor.id
    grant.decided_at = timezone.now()
    grant.save(update_fields=["status", "decided_by", "decided_at"])
    audit_log(
        action="backoffice.staff.grant_rejected",
        actor=actor,
        target=grant.profile,
        data={"grant": grant.pk, "requested_by": grant.requested_by_id, "roles": grant.roles},
    )
    _notify_requester(actor=actor, grant=grant)
    return grant


@transaction.atomic
def staff_create(
    *,
    actor: Actor,
    email: str,
    full_name: str,
    roles: Iterable[str],
    valid_until: datetime.date | None = None,
    granted_categories: Iterable[str] = (),
    elevation: ElevatedSession | None = None,
) -> StaffProfile:
    """Make a person staff (a new account without password, or an existing account).

    Roles that open personal-data categories need ``elevation``, the actor's running
    elevated session (the reason), and then wait for a second administrator
    (``staff_grant_approve``): the profile is created without access meanwhile, and the
    other administrators are e-mailed.
    """
    email = _require(email, "email", _("Oppgi e-postadressen.")).lower()
    roles, valid_until, granted = _clean_staff(roles, valid_until, granted_categories)
    user = User.objects.filter(email__iexact=email).first()
    if user is not None and user.pk == actor.id:
        raise _self_grant_error()
    reach = permissions.personal_reach(roles, granted, valid_until)
    if reach:
        elevation = _grant_elevation(actor, elevation)
    if user is None:
        full_name = _require(full_name, "full_name", _("Oppgi navnet."))
        user = User.objects.create_user(email=email, password=None, full_name=full_name)
    elif StaffProfile.objects.filter(user=user).exists():
        raise ValidationError({"email": _("Personen er allerede registrert som ansatt.")})
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    # Access that opens personal data waits for a second administrator: until then the
    # profile exists without any access (inactive, no roles).
    profile = StaffProfile.objects.create(
        user=user,
        roles=[] if reach else roles,
        valid_until=None if reach else valid_until,
        granted_categories=[] if reach else granted,
        is_active=not reach,
    )
    audit_log(
        action="backoffice.staff.created",
        actor=actor,
        target=profile,
        data={
            "user": user.pk,
            "roles": profile.roles,
            "valid_until": str(profile.valid_until or ""),
            "granted_categories": profile.granted_categories,
            "awaiting_approval": bool(reach),
        },
    )
    if reach and elevation is not None:
        _grant_request(
            actor=actor,
            profile=profile,
            roles=roles,
            valid_until=valid_until,
            granted=granted,
            opens=reach,
            elevation=elevation,
        )
    return profile


@transaction.atomic
def staff_update(
    *,
    actor: Actor,
    profile: StaffProfile,
    roles: Iterable[str],
    valid_until: datetime.date | None = None,
    granted_categories: Iterable[str] = (),
    is_active: bool = True,
    elevation: ElevatedSession | None = None,
) -> StaffProfile:
    """Change a staff member's roles; nobody changes their own.

    Adding access to personal-data categories needs ``elevation`` and becomes a pending
    grant that a second administrator approves (see ``staff_create``); nothing changes now.
    """
    profile = StaffProfile.objects.select_for_update().get(pk=profile.pk)
    if actor.id == profile.user_id and (not is_active or StaffRole.ADMINISTRATOR not in set(roles)):
        raise ValidationError(
            {"roles": _("Du kan ikke fjerne din egen administratortilgang.")}, code="self"
        )
    roles, valid_until, granted = _clean_staff(
        roles, valid_until, granted_categories, active=is_active
    )
    if actor.id == profile.user_id and (
        roles != sorted(profile.roles)
        or granted != sorted(profile.granted_categories or [])
        or valid_until != profile.valid_until
    ):
        raise _self_grant_error()
    added = (
        permissions.personal_reach(roles, granted, valid_until)
        - permissions.personal_reach(
            profile.roles, profile.granted_categories or [], profile.valid_until
        )
        if is_active
        else frozenset()
    )
    if added:
        elevation = _grant_elevation(actor, elevation)
        # Four-eyes: nothing changes until another administrator approves.
        _grant_request(
            actor=actor,
            profile=profile,
            roles=roles,
            valid_until=valid_until,
            granted=granted,
            opens=added,
            elevation=elevation,
        )
        return profile
    before = {
        "roles": profile.roles,
        "valid_until": str(profile.valid_until or ""),
        "granted_categories": profile.granted_categories,
        "is_active": profile.is_active,
    }
    profile.roles = roles
    profile.valid_until = valid_until
    profile.granted_categories = granted
    profile.is_active = is_active
    profile.save()
    user = profile.user
    if user.is_staff != is_active:
        user.is_staff = is_active
        user.save(update_fields=["is_staff"])
    audit_log(
        action="backoffice.staff.updated",
        actor=actor,
        target=profile,
        data={
            "before": before,
            "after": {
                "roles": roles,
                "valid_until": str(valid_until or ""),
                "granted_categories": granted,
                "is_active": is_active,
            },
        },
    )
    return profile


@transaction.atomic
def elevation_start(*, user: Any, reason: str) -> ElevatedSession:
    """An administrator's time-limited access to personal data, with a stated reason."""
    profile = StaffProfile.objects.filter(user=user, is_active=True).first()
    if profile is None or StaffRole.ADMINISTRATOR not in profile.roles:
        raise ValidationError(_("Bare administratorer kan be om utvidet tilgang."))
    reason = _require(reason, "reason", _("Skriv hvorfor du trenger tilgang."))
    if len(reason) < 10:
        raise ValidationError({"reason": _("Begrunnelsen må være minst 10 tegn.")})
    _max_length(reason, "reason", 500)
    now = timezone.now()
    ElevatedSession.objects.filter(user=user, ended_at__isnull=True, expires_at__gt=now).update(
        ended_at=now
    )
    elevation = ElevatedSession.objects.create(
        user=user, reason=reason, started_at=now, expires_at=permissions.elevation_expires(now)
    )
    audit_log(
        action="backoffice.elevation.started",
        actor=Actor.user(user),
        target=elevation,
        data={"reason": reason, "expires_at": elevation.expires_at.isoformat()},
    )
    return elevation


@transaction.atomic
def elevation_end(*, elevation: ElevatedSession) -> ElevatedSession:
    if elevation.ended_at is None:
        elevation.ended_at = timezone.now()
        elevation.save(update_fields=["ended_at"])
        audit_log(
            action="backoffice.elevation.ended",
            actor=Actor.user(elevation.user),
            target=elevation,
        )
    return elevation


# --- The operator and its plans ----------------------------------------------------------


@transaction.atomic
def operator_setup(*, actor: Actor, company: Company) -> OperatorCompany:
    """Mark ``company`` as the operator. It must be VAT- and Foretaksregisteret-registered."""
    if not company.vat_registered or not company.in_foretaksregisteret:
        raise ValidationError(
            _(
                "Operatørselskapet må være registrert i Merverdiavgiftsregisteret og "
                "Foretaksregisteret."
            )
        )
    existing = OperatorCompany.objects.select_related("company").first()
    if existing is not None:
        if existing.company_id != company.pk:
            raise ValidationError(_("Et annet firma er allerede satt opp som operatør."))
        return existing
    marker = OperatorCompany.objects.create(company=company)
    audit_log(action="backoffice.operator.set", actor=actor, company=company, target=marker)
    return marker


def _operator() -> Company:
    company = operator_company()
    if company is None:
        raise ValidationError(
            _("Operatørselskapet er ikke satt opp (kjør manage.py backoffice_setup).")
        )
    return company


@transaction.atomic
def plan_create(
    *,
    actor: Actor,
    code: str,
    name: str,
    price: Decimal,
    description: str = "",
    period_months: int = 12,
    vat_code: str = "3",
    sort_order: int = 0,
) -> Plan:
    """A plan and its product in the operator's catalog (price per period, excl. VAT)."""
    from catalog.models import VatCode
    from catalog.services import ProductData, product_create

    operator = _operator()
    if Plan.objects.filter(code=code).exists():
        raise ValidationError({"code": _("Koden er allerede i bruk.")})
    if not 1 <= period_months <= 36:
        raise ValidationError({"period_months": _("Perioden må være 1–36 måneder.")})
    with scope(company=operator):
        product = product_create(
            company=operator,
            actor=actor,
            data=ProductData(
                number=f"PLAN-{code}"[:30],
                name=name,
                unit_price=price,
                vat_code=VatCode.objects.get(code=vat_code),
                description=description,
                unit="EA",
            ),
        )
    plan = Plan.objects.create(
        code=code,
        name=name,
        description=description,
        product=product,
        period_months=period_months,
        sort_order=sort_order,
    )
    audit_log(action="backoffice.plan.created", actor=actor, company=operator, target=plan)
    return plan


# --- Customers, orders, deliveries ---------------------------------------------------------


def _invoice_email_for(customer: Company) -> str:
    if customer.email:
        return customer.email
    owner = (
        Membership.objects.filter(company=customer, role=Role.OWNER)
        .select_related("user")
        .order_by("created_at")
        .first()
    )
    return owner.user.email if owner else ""


@transaction.atomic
def customer_account_for(*, customer: Company, actor: Actor) -> CustomerAccount:
    """The operator's client card for ``customer`` (created, or refreshed from the company)."""
    from customers.models import Client
    from customers.services import ClientData, client_create, client_update

    operator = _operator()
    if customer.pk == operator.pk:
        raise ValidationError(_("Operatøren kan ikke være sin egen kunde."))
    data = ClientData(
        name=customer.name,
        kind=Client.Kind.COMPANY,
        organization_number=customer.organization_number,
        address_line=customer.address_line,
        postcode=customer.postcode,
        city=customer.city,
        country=customer.country,
        invoice_emails=_invoice_email_for(customer),
        phone=customer.phone,
        delivery_channel=Client.DeliveryChannel.EMAIL,
    )
    account = CustomerAccount.objects.select_for_update().filter(customer=customer).first()
    with scope(company=operator):
        if account is None:
            client = client_create(company=operator, actor=actor, data=data)
            account = CustomerAccount.objects.create(customer=customer, client=client)
        else:
            client = Client.objects.get(pk=account.client_id)
            current = ClientData.from_client(client)
            wanted = ClientData(
                **{**current.__dict__, **{k: v for k, v in data.__dict__.items() if v}}
            )
            if wanted != current:
                client_update(client=client, actor=actor, data=wanted)
    return account


@transaction.atomic
def delivery_record(
    *,
    customer: Company,
    actor: Actor,
    description: str,
    delivered_on: datetime.date,
    period_end: datetime.date | None = None,
    order: Order | None = None,
    source: str = Source.SYSTEM,
) -> ServiceDelivery:
    description = _require(description, "description", _("Beskriv hva som ble levert."))
    _max_length(description, "description", 300)
    if period_end is not None and period_end < delivered_on:
        raise ValidationError({"period_end": _("Perioden kan ikke slutte før den begynner.")})
    delivery = ServiceDelivery.objects.create(
        customer=customer,
        order=order,
        description=description,
        delivered_on=delivered_on,
        period_end=period_end,
        source=source,
    )
    audit_log(
        action="backoffice.delivery.recorded",
        actor=actor,
        company=customer,
        target=delivery,
        data={"delivered_on": str(delivered_on), "period_end": str(period_end or "")},
    )
    return delivery


@transaction.atomic
def order_place(*, customer: Company, plan: Plan, user: Any, source: str = Source.WEB) -> Order:
    """Order ``plan`` for ``customer``: the order, its delivery, and the operator's issued
    invoice (the operator company's own number series, PDF and EHF, sent by e-mail)."""
    from delivery.models import Channel
    from delivery.services import delivery_request
    from invoicing.services import InvoiceHeader, LineData, invoice_create_draft, invoice_issue

    if not plan.is_active:
        raise ValidationError(_("Abonnementet er ikke lenger til salgs."))
    operator = _operator()
    if customer.pk == operator.pk:
        raise ValidationError(_("Operatøren kan ikke bestille hos seg selv."))
    actor = Actor.user(user)
    # One order at a time per customer (the row lock), and no accidental double order.
    Company.objects.select_for_update().filter(pk=customer.pk).first()
    recent = timezone.now() - datetime.timedelta(minutes=DOUBLE_ORDER_MINUTES)
    if Order.objects.filter(customer=customer, plan=plan, ordered_at__gte=recent).exists():
        raise ValidationError(
            _("Firmaet har nettopp bestilt %(plan)s. Se bekreftelsen på e-post.")
            % {"plan": plan.name},
            code="double_order",
        )
    today = timezone.localdate()
    period_end = add_months(today, plan.period_months) - datetime.timedelta(days=1)
    order = Order.objects.create(customer=customer, plan=plan, ordered_by=user, source=source)
    delivery = delivery_record(
        customer=customer,
        actor=actor,
        description=_("%(plan)s, %(start)s–%(end)s")
        % {
            "plan": plan.name,
            "start": today.strftime("%d.%m.%Y"),
            "end": period_end.strftime("%d.%m.%Y"),
        },
        delivered_on=today,
        period_end=period_end,
        order=order,
        source=source,
    )
    account = customer_account_for(customer=customer, actor=actor)
    from catalog.models import Product

    with scope(company=operator):
        from customers.models import Client

        client = Client.objects.get(pk=account.client_id)
        product = Product.objects.get(pk=plan.product_id)
        draft = invoice_create_draft(
            company=operator,
            actor=actor,
            header=InvoiceHeader(
                client=client,
                invoice_date=today,
                delivery_period_start=delivery.delivered_on,
                delivery_period_end=delivery.period_end,
                # The plan's period is invoiced when it starts: a prepayment invoice.
                is_prepayment=delivery.period_end > today,
                order_number=f"O{order.pk}",
                their_reference=(user.full_name or user.email)[:100],
            ),
            lines=[LineData(quantity=Decimal(1), product=product, description=plan.name)],
        )
        invoice = invoice_issue(invoice=draft, actor=actor)
        if client.invoice_email_list:
            # If it can't go by e-mail now, finance sends it from the operator's app.
            with contextlib.suppress(ValidationError):
                delivery_request(invoice=invoice, channel=Channel.EMAIL, actor=actor)
    order.invoice = invoice
    order.save(update_fields=["invoice"])
    audit_log(
        action="backoffice.order.placed",
        actor=actor,
        company=customer,
        target=order,
        data={"plan": plan.code, "invoice": invoice.number, "source": source},
    )
    return order


# --- Relationship records -------------------------------------------------------------------


def _person_of(customer: Company, person: Any) -> Any:
    if person is not None and not Membership.objects.filter(company=customer, user=person).exists():
        raise ValidationError({"person": _("Personen hører ikke til denne kunden.")})
    return person


@transaction.atomic
def interaction_add(
    *,
    customer: Company,
    staff: Any,
    kind: str,
    occurred_on: datetime.date,
    summary: str,
    person: Any = None,
    source: str = Source.STAFF,
) -> Interaction:
    if kind not in Interaction.Kind.values:
        raise ValidationError({"kind": _("Ukjent type kontakt.")})
    if occurred_on > timezone.localdate():
        raise ValidationError({"occurred_on": _("Datoen kan ikke være i fremtiden.")})
    summary = _require(summary, "summary", _("Skriv et sammendrag."))
    _max_length(summary, "summary", MAX_TEXT)
    interaction = Interaction.objects.create(
        customer=customer,
        person=_person_of(customer, person),
        kind=kind,
        occurred_on=occurred_on,
        staff=staff,
        summary=summary,
        source=source,
    )
    audit_log(
        action="backoffice.interaction.added",
        actor=Actor.user(staff),
        company=customer,
        target=interaction,
        data={"kind": kind, "occurred_on": str(occurred_on)},
    )
    return interaction


@transaction.atomic
def complaint_open(
    *,
    customer: Company,
    staff: Any,
    kind: str,
    subject: str,
    description: str,
    opened_on: datetime.date | None = None,
    person: Any = None,
    source: str = Source.STAFF,
) -> Complaint:
    """Register a complaint or a dispute; a dispute places a legal hold at once."""
    if kind not in Complaint.Kind.values:
        raise ValidationError({"kind": _("Ukjent type sak.")})
    subject = _require(subject, "subject", _("Skriv hva saken gjelder."))
    _max_length(subject, "subject", 200)
    description = _require(description, "description", _("Beskriv saken."))
    _max_length(description, "description", MAX_TEXT)
    opened_on = opened_on or timezone.localdate()
    if opened_on > timezone.localdate():
        raise ValidationError({"opened_on": _("Datoen kan ikke være i fremtiden.")})
    complaint = Complaint.objects.create(
        customer=customer,
        person=_person_of(customer, person),
        kind=kind,
        subject=subject,
        description=description,
        opened_on=opened_on,
        staff=staff,
        source=source,
    )
    if kind == Complaint.Kind.DISPUTE:
        LegalHold.objects.create(
            customer=customer,
            person=complaint.person,
            complaint=complaint,
            reason=_("Åpen tvist: %(subject)s") % {"subject": subject},
        )
    audit_log(
        action="backoffice.complaint.opened",
        actor=Actor.user(staff),
        company=customer,
        target=complaint,
        data={"kind": kind, "legal_hold": kind == Complaint.Kind.DISPUTE},
    )
    return complaint


@transaction.atomic
def complaint_close(*, complaint: Complaint, staff: Any, status: str, resolution: str) -> Complaint:
    """Resolve or reject a case; releases the legal hold of a dispute."""
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    if complaint.status != Complaint.Status.OPEN:
        raise ValidationError(_("Saken er allerede avsluttet."))
    if status not in (Complaint.Status.RESOLVED, Complaint.Status.REJECTED):
        raise ValidationError({"status": _("Velg løst eller avvist.")})
    resolution = _require(resolution, "resolution", _("Skriv utfallet."))
    _max_length(resolution, "resolution", MAX_TEXT)
    complaint.status = status
    complaint.resolution = resolution
    complaint.closed_on = timezone.localdate()
    complaint.save(update_fields=["status", "resolution", "closed_on"])
    released = LegalHold.objects.filter(complaint=complaint, released_at__isnull=True).update(
        released_at=timezone.now()
    )
    audit_log(
        action="backoffice.complaint.closed",
        actor=Actor.user(staff),
        company=complaint.customer,
        target=complaint,
        data={"status": status, "holds_released": released},
    )
    return complaint


@transaction.atomic
def credit_check_record(
    *,
    customer: Company,
    staff: Any,
    provider: str,
    checked_on: datetime.date,
    result: str,
    score: int | None = None,
    reference: str = "",
    source: str = Source.STAFF,
) -> CreditCheck:
    """A credit check entered by hand (or stored from a provider by ``credit_check_run``)."""
    provider = _require(provider, "provider", _("Oppgi hvem som utførte kredittsjekken."))
    result = _require(result, "result", _("Oppgi resultatet."))
    _max_length(provider, "provider", 100)
    _max_length(result, "result", 200)
    _max_length(reference, "reference", 100)
    if checked_on > timezone.localdate():
        raise ValidationError({"checked_on": _("Datoen kan ikke være i fremtiden.")})
    if score is not None and not 0 <= score <= 100:
        raise ValidationError({"score": _("Scoren må være mellom 0 og 100.")})
    check = CreditCheck.objects.create(
        customer=customer,
        provider=provider,
        checked_on=checked_on,
        result=result,
        score=score,
        reference=reference.strip(),
        source=source,
        staff=staff,
    )
    audit_log(
        action="backoffice.credit_check.recorded",
        actor=Actor.user(staff),
        company=customer,
        target=check,
        data={"provider": provider, "source": source},
    )
    return check


def credit_check_run(*, customer: Company, staff: Any, provider: Any) -> CreditCheck:
    """Ask ``provider`` (a ``backoffice.credit.CreditCheckProvider``) and store the answer.

    The HTTP call happens outside the transaction; a provider error is a ValidationError.
    """
    from backoffice.credit import CreditCheckError

    try:
        answer = provider.check(organization_number=customer.organization_number)
    except CreditCheckError as exc:
        raise ValidationError(
            _("Kredittsjekken feilet hos %(provider)s: %(error)s")
            % {"provider": provider.name, "error": exc}
        ) from exc
    return credit_check_record(
        customer=customer,
        staff=staff,
        provider=provider.name,
        checked_on=timezone.localdate(),
        result=answer.result,
        score=answer.score,
        reference=answer.reference,
        source=Source.PROVIDER,
    )


@transaction.atomic
def financing_add(
    *,
    customer: Company,
    staff: Any,
    partner: str,
    arrangement: str,
    started_on: datetime.date,
    ended_on: datetime.date | None = None,
    source: str = Source.STAFF,
) -> FinancingUse:
    partner = _require(partner, "partner", _("Oppgi finansieringspartneren."))
    arrangement = _require(arrangement, "arrangement", _("Beskriv ordningen."))
    _max_length(partner, "partner", 150)
    _max_length(arrangement, "arrangement", 200)
    if ended_on is not None and ended_on < started_on:
        raise ValidationError({"ended_on": _("Sluttdatoen kan ikke være før startdatoen.")})
    use = FinancingUse.objects.create(
        customer=customer,
        partner=partner,
        arrangement=arrangement,
        started_on=started_on,
        ended_on=ended_on,
        source=source,
        staff=staff,
    )
    audit_log(
        action="backoffice.financing.added",
        actor=Actor.user(staff),
        company=customer,
        target=use,
        data={"partner": partner},
    )
    return use


# --- Satisfaction surveys ------------------------------------------------------------------

SURVEY_SALT = "backoffice.survey"
SURVEY_DAYS = 30


def survey_period(day: datetime.date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def survey_token(invitation: SurveyInvitation) -> str:
    return signing.dumps({"i": invitation.pk, "n": invitation.nonce}, salt=SURVEY_SALT)


def survey_send(*, on: datetime.date | None = None) -> list[SurveyInvitation]:
    """Invite the owners of every customer with an ACTIVE relationship (R8a gate) to this
    quarter's NPS survey, once per person and period; e-mails go after commit."""

    day = on or timezone.localdate()
    period = survey_period(day)
    created = []
    with scopes_disabled():
        for customer in active_customers(on=day):
            owners = Membership.objects.filter(
                company=customer, role=Role.OWNER, user__is_active=True
            ).select_related("user")
            for membership in owners:
                try:
                    with transaction.atomic():
                        invitation = SurveyInvitation.objects.create(
                            customer=customer,
                            person=membership.user,
                            period=period,
                            nonce=secrets.token_hex(16),
                            expires_at=timezone.now() + datetime.timedelta(days=SURVEY_DAYS),
                        )
                        audit_log(
                            action="backoffice.survey.sent",
                            actor=Actor.system("backoffice"),
                            company=customer,
                            target=invitation,
                            data={"period": period},
                        )
                        outbox_enqueue(
                            task="backoffice.tasks.survey_email_task", args=[invitation.pk]
                        )
                except IntegrityError:
                    continue  # already invited this period
                created.append(invitation)
    return created


class SurveyLinkError(Exception):
    """The answer link is forged, expired or already used; ``message`` says which."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def survey_invitation_from_token(token: str) -> SurveyInvitation:
    try:
        payload = signing.loads(token, salt=SURVEY_SALT)
    except signing.BadSignature as exc:
        raise SurveyLinkError("invalid", _("Lenken er ugyldig.")) from exc
    if not isinstance(payload, dict):
        raise SurveyLinkError("invalid", _("Lenken er ugyldig."))
    invitation = SurveyInvitation.objects.filter(pk=payload.get("i")).first()
    if invitation is None or not secrets.compare_digest(
        invitation.nonce, str(payload.get("n", ""))
    ):
        raise SurveyLinkError("invalid", _("Lenken er ugyldig."))
    if invitation.answered_at is not None:
        raise SurveyLinkError("used", _("Du har allerede svart på denne undersøkelsen. Takk!"))
    if invitation.expires_at <= timezone.now():
        raise SurveyLinkError("expired", _("Undersøkelsen er avsluttet; lenken er utløpt."))
    return invitation


@transaction.atomic
def survey_answer(*, token: str, score: Any, comment: str = "") -> SurveyInvitation:
    """Store the answer of a one-time link; raises SurveyLinkError or ValidationError."""
    invitation = survey_invitation_from_token(token)
    invitation = SurveyInvitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.answered_at is not None:
        raise SurveyLinkError("used", _("Du har allerede svart på denne undersøkelsen. Takk!"))
    if not isinstance(score, int) or isinstance(score, bool) or not 0 <= score <= 10:
        raise ValidationError({"score": _("Velg et tall fra 0 til 10.")})
    comment = (comment or "").strip()
    _max_length(comment, "comment", 2000)
    invitation.score = score
    invitation.comment = comment
    invitation.answered_at = timezone.now()
    invitation.save(update_fields=["score", "comment", "answered_at"])
    audit_log(
        action="backoffice.survey.answered",
        actor=Actor.system("survey-link"),
        company=invitation.customer,
        target=invitation,
    )
    return invitation


# --- Product usage (R1b) ----------------------------------------------------------------------

# Feature -> the audit action that counts as one use of it.
USAGE_FEATURES: dict[str, str] = {
    "invoice_issued": "invoicing.invoice.issued",
    "invoice_draft_created": "invoicing.invoice.draft_created",
    "credit_note_issued": "invoicing.credit_note.issued",
    "payment_registered": "invoicing.payment.registered",
    "client_created": "customers.client.created",
    "product_created": "catalog.product.created",
}


def _consenting_user_ids(user_ids: set[int]) -> set[int]:
    from privacy.models import ConsentPurpose
    from privacy.selectors import consent_is_given

    users = User.objects.filter(pk__in=user_ids)
    return {
        u.pk for u in users if consent_is_given(purpose=ConsentPurpose.PRODUCT_ANALYTICS, user=u)
    }


@transaction.atomic
def usage_aggregate(*, day: datetime.date) -> list[UsageStat]:
    """Count each feature's uses on ``day`` (local time) into ``UsageStat``.

    Only actions of users who consented to product analytics count (the purpose's legal
    basis is consent). Only the counts are stored: no user, company or token ids.
    Re-running a day replaces its numbers.
    """
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(day, datetime.time.min, tzinfo=tz)
    end = start + datetime.timedelta(days=1)
    entries = AuditEntry.objects.filter(
        created_at__gte=start,
        created_at__lt=end,
        action__in=list(USAGE_FEATURES.values()),
        actor_kind=AuditEntry.ActorKind.USER,
    )
    actor_ids = set(entries.values_list("actor_id", flat=True).distinct())
    allowed = _consenting_user_ids({a for a in actor_ids if a is not None})
    counted = (
        entries.filter(actor_id__in=allowed)
        .values("action")
        .annotate(n=Count("id"), companies=Count("company", distinct=True))
    )
    by_action = {row["action"]: row for row in counted}
    stats = []
    for feature, action in USAGE_FEATURES.items():
        row = by_action.get(action, {"n": 0, "companies": 0})
        stat, _created = UsageStat.objects.update_or_create(
            day=day, feature=feature, defaults={"count": row["n"], "companies": row["companies"]}
        )
        stats.append(stat)
    return stats


def site_url(path: str) -> str:
    return settings.SITE_URL + path
