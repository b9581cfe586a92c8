"""What several back-office records share: where a record came from."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Source(models.TextChoices):
    """Where a record came from (R3): the customer, or staff after contact with them."""

    WEB = "web", _("Kunden selv på nettsiden")
    STAFF = "staff", _("Ansatt, etter kontakt med kunden")
    PROVIDER = "provider", _("Kredittopplysningsbyrå")
    SYSTEM = "system", _("Tjenesten selv")
