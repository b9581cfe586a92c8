"""The operator's back office: staff, access log, customer relationships.

State changes go through ``backoffice.services`` only; reads through
``backoffice.selectors`` (relationship status, legal holds) and
``backoffice.permissions`` (the permission matrix).

A *customer* is an ``accounts.Company`` (a company that uses FakturaNett); its users
(``accounts.Membership``) are the people. The operator's own company (Invoice Club AS)
is an ``accounts.Company`` too, marked by the single ``OperatorCompany`` row; it invoices
customers with the product's own invoicing engine.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import AppendOnlyModel


class Source(models.TextChoices):
    """Where a record came from (R3): the customer, or staff after contact with them."""

    WEB = "web", _("Kunden selv på nettsiden")
    STAFF = "staff", _("Ansatt, etter kontakt med kunden")
    PROVIDER = "provider", _("Kredittopplysningsbyrå")
    SYSTEM = "system", _("Tjenesten selv")


# --- Staff -------------------------------------------------------------------------------


class StaffRole(models.TextChoices):
    SUPPORT = "support", _("Kundestøtte")
    MARKETING = "marketing", _("Salg og markedsføring")
    FINANCE = "finance", _("Økonomi")
    PRIVACY_OFFICER = "privacy_officer", _("Personvernansvarlig")
    ADMINISTRATOR = "administrator", _("Administrator")
    AUDITOR = "auditor", _("Ekstern revisor")
    LAWYER = "lawyer", _("Ekstern advokat")
    IT_CONSULTANT = "it_consultant", _("Ekstern IT-konsulent")


ADVISER_ROLES = frozenset({StaffRole.AUDITOR, StaffRole.LAWYER, StaffRole.IT_CONSULTANT})


class StaffProfile(models.Model):
    """A staff member of the operator (``User.is_staff``) and what they may do.

    External advisers need ``valid_until`` and see only ``granted_categories``.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_profile"
    )
    roles = models.JSONField(_("roller"), default=list)
    # Advisers only: the data categories granted (within their role's ceiling).
    granted_categories = models.JSONField(_("tildelte kategorier"), default=list, blank=True)
    valid_until = models.DateField(_("tilgang til og med"), null=True, blank=True)
    is_active = models.BooleanField(_("aktiv"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("ansatt")
        verbose_name_plural = _("ansatte")

    def __str__(self) -> str:
        return str(self.user)

    @property
    def is_adviser(self) -> bool:
        return any(role in ADVISER_ROLES for role in self.roles)

    def is_expired(self, on: object = None) -> bool:
        today = on or timezone.localdate()
        return self.valid_until is not None and self.valid_until < today  # type: ignore[operator]

    def role_labels(self) -> list[str]:
        return [str(StaffRole(r).label) for r in self.roles if r in StaffRole.values]


class StaffGrantRequest(models.Model):
    """A change of a staff member's access that opens personal data, waiting for a second
    administrator (four-eyes): neither the requester nor the person may approve it.

    ``before`` is the access when it was asked for; an approval applies ``roles``,
    ``granted_categories`` and ``valid_until`` only if the access is still ``before``.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Venter på godkjenning")
        APPROVED = "approved", _("Godkjent")
        REJECTED = "rejected", _("Avvist")

    profile = models.ForeignKey(
        StaffProfile, on_delete=models.CASCADE, related_name="grant_requests"
    )
    roles = models.JSONField(_("roller"), default=list)
    granted_categories = models.JSONField(_("tildelte kategorier"), default=list, blank=True)
    valid_until = models.DateField(_("tilgang til og med"), null=True, blank=True)
    # The personal-data categories the change opens, and the access it replaces.
    opens = models.JSONField(default=list)
    before = models.JSONField(default=dict)
    reason = models.CharField(_("begrunnelse"), max_length=500)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["profile"],
                condition=Q(status="pending"),
                name="staffgrant_one_pending_per_profile",
            )
        ]
        verbose_name = _("tilgangsforespørsel")
        verbose_name_plural = _("tilgangsforespørsler")

    def __str__(self) -> str:
        return f"{self.profile}: {self.roles} ({self.status})"

    def role_labels(self) -> list[str]:
        return [str(StaffRole(r).label) for r in self.roles if r in StaffRole.values]


class ElevatedSession(models.Model):
    """An administrator's explicit, time-limited, reasoned access to personal data."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("begrunnelse"), max_length=500)
    started_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.user_id} {self.started_at:%Y-%m-%d %H:%M}"

    def is_active(self, now: object = None) -> bool:
        moment = now or timezone.now()
        return self.ended_at is None and self.expires_at > moment  # type: ignore[operator]


class AccessLogEntry(AppendOnlyModel):
    """One back-office view of a customer's personal data: who, whose, what, when, why."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey(
        "accounts.Company", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    categories = models.JSONField(default=list)
    purpose = models.CharField(max_length=50)
    reason = models.CharField(max_length=500, blank=True)
    view = models.CharField(max_length=100)
    path = models.CharField(max_length=300)
    elevated_session = models.ForeignKey(
        ElevatedSession, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    request_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["customer", "-created_at"]),
            models.Index(fields=["staff", "-created_at"]),
        ]
        verbose_name = _("tilgangslogg")
        verbose_name_plural = _("tilgangslogg")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.staff_id} → {self.customer_id}"


# --- The operator, plans, orders, deliveries -----------------------------------------------


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


# --- Relationship records --------------------------------------------------------------------


class Interaction(models.Model):
    """A call, meeting or e-mail between staff and a customer."""

    class Kind(models.TextChoices):
        CALL = "call", _("Telefonsamtale")
        MEETING = "meeting", _("Møte")
        EMAIL = "email", _("E-post")

    customer = models.ForeignKey(
        "accounts.Company", on_delete=models.PROTECT, related_name="interactions"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("kontaktperson"),
    )
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices)
    occurred_on = models.DateField(_("dato"))
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    summary = models.TextField(_("sammendrag"), max_length=4000)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.STAFF)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_on", "-id"]
        verbose_name = _("kontakt")
        verbose_name_plural = _("kontakter")

    def __str__(self) -> str:
        return f"{self.kind} {self.occurred_on}"


class Complaint(models.Model):
    """A complaint (reklamasjon) or a dispute (tvist). An open dispute holds data."""

    class Kind(models.TextChoices):
        COMPLAINT = "complaint", _("Reklamasjon")
        DISPUTE = "dispute", _("Tvist")

    class Status(models.TextChoices):
        OPEN = "open", _("Åpen")
        RESOLVED = "resolved", _("Løst")
        REJECTED = "rejected", _("Avvist")

    customer = models.ForeignKey(
        "accounts.Company", on_delete=models.PROTECT, related_name="complaints"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("kontaktperson"),
    )
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices)
    subject = models.CharField(_("gjelder"), max_length=200)
    description = models.TextField(_("beskrivelse"), max_length=4000)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    resolution = models.TextField(_("utfall"), blank=True, max_length=4000)
    opened_on = models.DateField(_("mottatt"))
    closed_on = models.DateField(_("avsluttet"), null=True, blank=True)
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.STAFF)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-opened_on", "-id"]
        verbose_name = _("reklamasjon eller tvist")
        verbose_name_plural = _("reklamasjoner og tvister")

    def __str__(self) -> str:
        return self.subject


class LegalHold(models.Model):
    """Data that must be kept for a legal claim (GDPR art. 17(3)(e)).

    Placed when a dispute opens, released when it closes. While active, the retention
    engine and erasure must keep the customer's (and the person's) data.
    """

    customer = models.ForeignKey(
        "accounts.Company", on_delete=models.PROTECT, related_name="legal_holds"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    complaint = models.ForeignKey(
        Complaint, on_delete=models.PROTECT, null=True, blank=True, related_name="holds"
    )
    reason = models.CharField(max_length=300)
    placed_at = models.DateTimeField(default=timezone.now)
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-placed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["complaint"],
                condition=Q(released_at__isnull=True),
                name="legalhold_one_open_per_complaint",
            )
        ]

    def __str__(self) -> str:
        return self.reason


class CreditCheck(models.Model):
    customer = models.ForeignKey(
        "accounts.Company", on_delete=models.PROTECT, related_name="credit_checks"
    )
    provider = models.CharField(_("leverandør"), max_length=100)
    checked_on = models.DateField(_("dato"))
    result = models.CharField(_("resultat"), max_length=200)
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True)
    reference = models.CharField(_("referanse"), max_length=100, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices)
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-checked_on", "-id"]
        verbose_name = _("kredittsjekk")
        verbose_name_plural = _("kredittsjekker")

    def __str__(self) -> str:
        return f"{self.provider} {self.checked_on}: {self.result}"


class FinancingUse(models.Model):
    """A customer's use of a financing partner (e.g. invoice purchase, leasing)."""

    customer = models.ForeignKey(
        "accounts.Company", on_delete=models.PROTECT, related_name="financing_uses"
    )
    partner = models.CharField(_("finansieringspartner"), max_length=150)
    arrangement = models.CharField(_("ordning"), max_length=200)
    started_on = models.DateField(_("fra"))
    ended_on = models.DateField(_("til"), null=True, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.STAFF)
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-started_on", "-id"]
        verbose_name = _("bruk av finansieringspartner")
        verbose_name_plural = _("bruk av finansieringspartnere")

    def __str__(self) -> str:
        return f"{self.partner}: {self.arrangement}"


class SurveyInvitation(models.Model):
    """One NPS survey sent to one person of a customer; answered at most once."""

    customer = models.ForeignKey(
        "accounts.Company", on_delete=models.PROTECT, related_name="survey_invitations"
    )
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    period = models.CharField(max_length=7)  # e.g. "2026-Q4"
    nonce = models.CharField(max_length=32)
    sent_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    comment = models.TextField(blank=True, max_length=2000)

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "person", "period"], name="survey_once_per_period"
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__lte=10), name="survey_score_0_10"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period} {self.person_id}"


class UsageStat(models.Model):
    """Product usage, aggregated per feature and day. No user or company ids (R1b)."""

    day = models.DateField()
    feature = models.CharField(max_length=50)
    count = models.PositiveIntegerField(default=0)
    # How many distinct companies used the feature that day (a number, not who).
    companies = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-day", "feature"]
        constraints = [
            models.UniqueConstraint(fields=["day", "feature"], name="usagestat_unique_day_feature")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.feature}: {self.count}"
