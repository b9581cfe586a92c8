"""Plans and orders (R1a, R9a): public plans page, ordering, delivery and operator invoice."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from backoffice import services
from backoffice.models import CustomerAccount, Order, ServiceDelivery
from backoffice.selectors import operator_invoices_for, relationship_is_active
from backoffice.services.sales import DOUBLE_ORDER_MINUTES
from core.audit import Actor


@pytest.mark.django_db
def test_anonymous_visitors_see_the_plans_with_the_privacy_statement_link(plan):
    response = Client().get(reverse("plans"))
    assert response.status_code == 200
    html = response.content.decode()
    # The price with thousands grouped (a no-break space keeps it on one line).
    assert "Standard" in html and "1\xa0200,00 kr" in html
    assert reverse("privacy_statement") in html
    assert reverse("plan_order", args=["standard"]) in html


@pytest.mark.django_db
def test_ordering_requires_login(plan):
    response = Client().get(reverse("plan_order", args=["standard"]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.django_db
def test_a_member_without_the_owner_role_cannot_order(plan, member_client):
    assert member_client.get(reverse("plan_order", args=["standard"])).status_code == 403
    assert (
        member_client.post(reverse("plan_order", args=["standard"]), {"accept": "on"}).status_code
        == 403
    )
    assert not Order.objects.exists()


@pytest.mark.django_db
def test_the_order_page_links_the_privacy_statement_and_needs_confirmation(plan, owner_client):
    response = owner_client.get(reverse("plan_order", args=["standard"]))
    assert response.status_code == 200
    assert reverse("privacy_statement") in response.content.decode()
    response = owner_client.post(reverse("plan_order", args=["standard"]), {})
    assert response.status_code == 400
    assert b"errorlist" in response.content
    assert not Order.objects.exists()
    assert owner_client.get(reverse("plan_order", args=["nope"])).status_code == 404


@pytest.mark.django_db
def test_an_order_creates_a_delivery_and_an_issued_operator_invoice(
    plan, operator, company, owner, owner_client, django_capture_on_commit_callbacks
):
    from invoicing.models import Invoice, NumberSeries

    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(reverse("plan_order", args=["standard"]), {"accept": "on"})
    assert response.status_code == 302
    order = Order.objects.get()
    assert order.customer == company and order.ordered_by == owner and order.source == "web"
    delivery = ServiceDelivery.objects.get(order=order)
    today = timezone.localdate()
    assert delivery.period_end is not None
    assert delivery.delivered_on == today and delivery.period_end > today
    assert relationship_is_active(company)
    account = CustomerAccount.objects.get(customer=company)
    with scope(company=operator):
        assert order.invoice_id is not None
        invoice = Invoice.objects.get(pk=order.invoice_id)
        assert invoice.company == operator
        assert invoice.client_id == account.client_id
        assert invoice.status != Invoice.Status.DRAFT
        series = NumberSeries.objects.get(company=operator, kind=NumberSeries.Kind.INVOICE)
        assert invoice.series == series and invoice.number == series.next_number - 1 == 1
        assert invoice.total_excl_vat == Decimal("1200.00")
        assert invoice.total_incl_vat == Decimal("1500.00")  # 25 % VAT
        assert invoice.buyer_snapshot["name"] == company.name
        seller = invoice.seller_snapshot["organization_number_display"]
        assert seller.endswith("MVA Foretaksregisteret")
    assert [i.pk for i in operator_invoices_for(company)] == [invoice.pk]
    # Sent by e-mail through the product's own delivery, with the PDF.
    from django.core import mail

    from delivery.models import Delivery
    from documents.models import StoredDocument

    with scope(company=operator):
        assert Delivery.objects.filter(invoice=invoice, channel="email").exists()
        kinds = set(StoredDocument.objects.filter(invoice=invoice).values_list("kind", flat=True))
        assert kinds == {"pdf", "ehf"}
    [message] = [m for m in mail.outbox if company.email in m.to]
    assert any(name.endswith(".pdf") for name, *_ in message.attachments)
    done = owner_client.get(response["Location"])
    assert done.status_code == 200 and str(invoice.number) in done.content.decode()


@pytest.mark.django_db
def test_a_second_order_reuses_the_client_and_takes_the_next_number(plan, operator):
    from backoffice.tests.conftest import customer_with_owner

    customer, owner = customer_with_owner("Andre AS")
    first = services.order_place(customer=customer, plan=plan, user=owner)
    # A double submission is refused; a real second order later is not.
    with pytest.raises(ValidationError, match="nettopp bestilt"):
        services.order_place(customer=customer, plan=plan, user=owner)
    later = timezone.now() + datetime.timedelta(minutes=DOUBLE_ORDER_MINUTES + 1)
    with time_machine.travel(later, tick=False):
        second = services.order_place(customer=customer, plan=plan, user=owner)
    assert CustomerAccount.objects.filter(customer=customer).count() == 1
    assert first.invoice is not None and first.invoice.number is not None
    assert second.invoice is not None
    assert second.invoice.number == first.invoice.number + 1


@pytest.mark.django_db
def test_the_order_confirmation_is_the_company_own(plan, owner, outsider_client):
    order = services.order_place(customer=owner.memberships.get().company, plan=plan, user=owner)
    assert outsider_client.get(reverse("order_done", args=[order.pk])).status_code == 404


@pytest.mark.django_db
def test_an_inactive_plan_cannot_be_ordered(plan, owner_client, owner):
    plan.is_active = False
    plan.save()
    assert owner_client.get(reverse("plan_order", args=["standard"])).status_code == 404
    with pytest.raises(ValidationError):
        services.order_place(customer=owner.memberships.get().company, plan=plan, user=owner)


@pytest.mark.django_db
def test_without_an_operator_ordering_fails_cleanly(owner):
    with pytest.raises(ValidationError):
        services.customer_account_for(
            customer=owner.memberships.get().company, actor=Actor.system("t")
        )


@pytest.mark.django_db
def test_the_operator_must_be_vat_and_foretaksregisteret_registered():
    from accounts.tests.factories import CompanyFactory

    company = CompanyFactory(vat_registered=False)
    with pytest.raises(ValidationError):
        services.operator_setup(actor=Actor.system("t"), company=company)


@pytest.mark.django_db
def test_backoffice_setup_command_creates_the_operator_plans_and_an_administrator():
    from django.core.management import call_command

    from backoffice.models import Plan, StaffProfile
    from backoffice.selectors import operator_company

    call_command("backoffice_setup", "--admin-email", "admin@invoiceclub.no")
    operator = operator_company()
    assert operator is not None and operator.vat_registered and operator.in_foretaksregisteret
    assert Plan.objects.filter(is_active=True).count() >= 2
    assert StaffProfile.objects.get(user__email="admin@invoiceclub.no").roles == ["administrator"]
    call_command("backoffice_setup")  # idempotent
    assert Plan.objects.count() >= 2 and operator_company() == operator
    # The risk register starts with the statement's assessments, each with a review date.
    from privacy.models import RiskAssessment

    risks = list(RiskAssessment.objects.all())
    assert len(risks) == 3
    assert {r.owner.email for r in risks} == {"admin@invoiceclub.no"}
    assert all(r.next_review > r.last_reviewed for r in risks)
    titles = " ".join(r.title for r in risks)
    assert "Tilgangsstyring" in titles and "Underleverandører" in titles and "Lagring" in titles
