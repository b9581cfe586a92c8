"""The demo company shows the product working: invoices in every state, a payment, a
credit note and a reminder; running the command again changes nothing."""

from __future__ import annotations

from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django_scopes import scope

from accounts.models import Company, User
from backoffice.management.commands.demo_setup import DEMO_EMAIL, DEMO_PASSWORD
from catalog.models import Product
from customers.models import Client
from invoicing.models import Invoice, Payment
from receivables.models import Letter

pytestmark = pytest.mark.django_db


def test_demo_setup_creates_a_company_with_realistic_data_once():
    out = StringIO()
    call_command("demo_setup", stdout=out)
    assert DEMO_EMAIL in out.getvalue() and DEMO_PASSWORD in out.getvalue()
    company = Company.objects.get(organization_number=settings.DEMO_COMPANY_ORGNR)
    assert User.objects.get(email=DEMO_EMAIL).check_password(DEMO_PASSWORD)
    with scope(company=company):
        assert Client.objects.filter(kind=Client.Kind.PERSON).count() == 1
        assert Client.objects.count() == 4
        assert Product.objects.count() == 5
        invoices = Invoice.objects.filter(kind=Invoice.Kind.INVOICE)
        assert set(invoices.values_list("status", flat=True)) == set(Invoice.Status.values)
        assert invoices.exclude(status=Invoice.Status.DRAFT).filter(kid="").count() == 0
        assert Invoice.objects.filter(kind=Invoice.Kind.CREDIT_NOTE).count() == 1
        assert Payment.objects.count() == 2
        assert Letter.objects.filter(kind=Letter.Kind.REMINDER).count() == 1
        # Every line says what was sold (the product's name), not an empty description.
        assert not invoices.filter(lines__description="").exists()
        counts = (Client.objects.count(), Invoice.objects.count(), Payment.objects.count())

    call_command("demo_setup", stdout=StringIO())
    assert Company.objects.filter(organization_number=settings.DEMO_COMPANY_ORGNR).count() == 1
    with scope(company=company):
        assert (Client.objects.count(), Invoice.objects.count(), Payment.objects.count()) == counts
