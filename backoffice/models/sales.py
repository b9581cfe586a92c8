"""The operator company, its plans, customer accounts, orders and service deliveries."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backoffice.models.common import Source


class OperatorCompany(models.Model):
    """Marks the one ``accounts.Company`` that is the operator (it invoices customers)."""

    company = models.OneToOneField(
        "accounts.Company", on_delete=models.PROTECT, related_name="operator_marker"
    )
    singleton = models.BooleanField(default=True, unique=True, editable=False)

    def __str__(self) -> str:
        return str(self.company)


class Plan(models.Model):
    """A subscription plan sold on the public site; priced by a product of the operator."""

    code = models.SlugField(_("kode"), max_length=40, unique=True)
    name = models.CharField(_("navn"), max_length=100)
    description = models.TextField(_("beskrivelse"), blank=True)
    # The operator's product (catalog.Product in the operator company): price and VAT.
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+")
    period_months = models.PositiveSmallIntegerField(_("periode (måneder)"), default=12)
    is_active = models.BooleanField(_("til salgs"), default=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("abonnement")
        verbose_name_plural = _("abonnementer")

    def __str__(self) -> str:
        return self.name


class CustomerAccount(models.Model):
    """A customer company in the operator's books: the mirroring ``customers.Client``."""

    customer = models.OneToOneField(
        "accounts.Company", on_delete=models.PROTECT, related_name="customer_account"
    )
    client = models.OneToOneField("customers.Client", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.customer} ↔ {self.client_id}"


class Order(models.Model):
    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Bekreftet")
        CANCELLED = "cancelled", _("Kansellert")

    customer = models.ForeignKey(
        "accounts.Company", on_delete=models.PROTECT, related_name="service_orders"
    )
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="orders")
    ordered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    ordered_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.CONFIRMED)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.WEB)
    # The operator's invoice for the order (in the operator company).
    invoice = models.ForeignKey(
        "invoicing.Invoice", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-ordered_at", "-id"]
        verbose_name = _("bestilling")
        verbose_name_plural = _("bestillinger")

    def __str__(self) -> str:
        return f"{self.plan} → {self.customer}"


class ServiceDelivery(models.Model):
    """What was delivered to a customer when; drives the relationship status (R8a)."""

    customer = models.ForeignKey(
        "accounts.Company", on_delete=models.PROTECT, related_name="service_deliveries"
    )
    order = models.ForeignKey(
        Order, on_delete=models.PROTECT, null=True, blank=True, related_name="deliveries"
    )
    description = models.CharField(_("hva som ble levert"), max_length=300)
    delivered_on = models.DateField(_("levert fra"))
    # For a subscription: the last day of the period (the delivery is complete then).
    period_end = models.DateField(_("til og med"), null=True, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.SYSTEM)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-delivered_on", "-id"]
        verbose_name = _("leveranse")
        verbose_name_plural = _("leveranser")

    def __str__(self) -> str:
        return f"{self.description} ({self.delivered_on})"

    @property
    def completed_on(self):
        return self.period_end or self.delivered_on
