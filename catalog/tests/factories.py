from __future__ import annotations

from decimal import Decimal

import factory

from accounts.tests.factories import CompanyFactory
from catalog.models import Product, VatCode
from catalog.units import Unit


class ProductFactory(factory.django.DjangoModelFactory[Product]):
    class Meta:
        model = Product

    company = factory.SubFactory(CompanyFactory)
    number = factory.Sequence(lambda n: f"P{n:04d}")
    name = factory.Sequence(lambda n: f"Tjeneste {n}")
    unit = Unit.HOUR
    unit_price = Decimal("1250.00")
    vat_code = factory.LazyFunction(lambda: VatCode.objects.get(code="3"))
