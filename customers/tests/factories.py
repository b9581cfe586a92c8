from __future__ import annotations

import factory

from accounts.tests.factories import CompanyFactory, _valid_orgnr
from customers.models import Client


class ClientFactory(factory.django.DjangoModelFactory[Client]):
    """A Norwegian company client; numbers from 1000 up so they never meet allocated ones."""

    class Meta:
        model = Client

    company = factory.SubFactory(CompanyFactory)
    number = factory.Sequence(lambda n: 1000 + n)
    kind = Client.Kind.COMPANY
    name = factory.Sequence(lambda n: f"Kunde {n} AS")
    organization_number = factory.Sequence(lambda n: _valid_orgnr(5000 + n))
    address_line = "Kirkegata 2"
    postcode = "7010"
    city = "Trondheim"
    country = "NO"
    invoice_emails = factory.Sequence(lambda n: f"faktura{n}@kunde.no")
    peppol_id = factory.LazyAttribute(lambda client: f"0192:{client.organization_number}")
