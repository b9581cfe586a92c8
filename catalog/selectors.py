from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from catalog.models import VatCode, VatRate


def vat_codes_for(*, vat_registered: bool) -> QuerySet[VatCode]:
    """The codes a seller may use: only 'outside scope' without VAT registration."""
    codes = VatCode.objects.all()
    if not vat_registered:
        codes = codes.filter(allowed_without_vat_registration=True)
    return codes


def vat_rate_on(*, vat_code: VatCode, on: datetime.date) -> Decimal:
    """The rate of ``vat_code`` in force on ``on`` (the delivery date)."""
    rate = (
        VatRate.objects.filter(vat_code=vat_code, valid_from__lte=on)
        .order_by("-valid_from")
        .values_list("rate", flat=True)
        .first()
    )
    if rate is None:
        raise ValidationError(
            _("Ingen MVA-sats for kode %(code)s gjelder på %(date)s."),
            code="no_vat_rate",
            params={"code": vat_code.code, "date": on.isoformat()},
        )
    return rate
