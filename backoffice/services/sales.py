"""The operator and its plans; customer accounts, orders and service deliveries."""

from __future__ import annotations

import contextlib
import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scope

from accounts.models import Company, Membership, Role
from backoffice.models import CustomerAccount, OperatorCompany, Order, Plan, ServiceDelivery, Source
from backoffice.selectors import operator_company
from backoffice.services.common import _max_length, _require
from core.audit import Actor, audit_log
from core.dates import add_months

if TYPE_CHECKING:
    from accounts.models import User

DOUBLE_ORDER_MINUTES = 10


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
def order_place(*, customer: Company, plan: Plan, user: User, source: str = Source.WEB) -> Order:
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
                delivery_period_end=period_end,
                # The plan's period is invoiced when it starts: a prepayment invoice.
                is_prepayment=period_end > today,
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
