from __future__ import annotations

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import AppendOnlyModel


class ConsentPurpose(models.TextChoices):
    MARKETING_EMAIL = "marketing_email", _("Markedsføring på e-post")
    MARKETING_SMS = "marketing_sms", _("Markedsføring på SMS")
    PRODUCT_ANALYTICS = "product_analytics", _("Analyse av hvordan du bruker produktet")
    COOKIE_FUNCTIONAL = "cookie_functional", _("Funksjonelle informasjonskapsler")
    COOKIE_ANALYTICS = "cookie_analytics", _("Analytiske informasjonskapsler")


class ConsentChannel(models.TextChoices):
    WEB = "web", _("Nettsiden")
    COOKIE_BANNER = "cookie_banner", _("Valg av informasjonskapsler")
    EMAIL_LINK = "email_link", _("Lenke i e-post")
    STAFF = "staff", _("Registrert av våre ansatte")


class ConsentRecord(AppendOnlyModel):
    """One given or withdrawn consent. Never changed; the latest row per purpose counts."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="consent_records",
    )
    # Pseudonymous id of a browser (from the fn_consent cookie), for anonymous visitors.
    visitor_id = models.CharField(max_length=64, blank=True, db_index=True)
    purpose = models.CharField(max_length=30, choices=ConsentPurpose.choices)
    given = models.BooleanField()
    text_version = models.CharField(max_length=20)
    channel = models.CharField(max_length=20, choices=ConsentChannel.choices)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    redacted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "purpose", "-created_at"])]

    def __str__(self) -> str:
        state = "given" if self.given else "withdrawn"
        return f"{self.purpose} {state} {self.created_at:%Y-%m-%d}"


class MarketingSuppression(models.Model):
    """An objection to direct marketing (GDPR art. 21(2)): never market to this address."""

    email = models.EmailField(unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.email


class PageView(models.Model):
    """A raw, pseudonymous page view (with analytics consent only); kept 30 days."""

    day = models.DateField(db_index=True)
    path = models.CharField(max_length=300)
    visitor_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.day} {self.path}"


class AnalyticsSalt(models.Model):
    """The salt of one day: deleted after the day, so hashes cannot be linked across days."""

    day = models.DateField(unique=True)
    salt = models.CharField(max_length=64)

    def __str__(self) -> str:
        return str(self.day)


class DailyPageStat(models.Model):
    """Anonymous aggregate: page views and unique visitors per path and day."""

    day = models.DateField()
    path = models.CharField(max_length=300)
    page_views = models.PositiveIntegerField(default=0)
    unique_visitors = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-day", "path"]
        constraints = [
            models.UniqueConstraint(fields=["day", "path"], name="daily_page_stat_unique")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.path}: {self.page_views}"


class SubProcessor(models.Model):
    """A sub-processor (underleverandør) that processes customers' data for us (R6)."""

    name = models.CharField(_("navn"), max_length=200)
    service = models.CharField(_("tjeneste"), max_length=300)
    country = models.CharField(_("land"), max_length=100)
    transfer_basis = models.CharField(_("overføringsgrunnlag"), max_length=300)
    agreement_date = models.DateField(_("databehandleravtale inngått"))
    active = models.BooleanField(default=True)
    # The English statement shows these (the Norwegian ones above when left empty).
    service_en = models.CharField(_("tjeneste (engelsk)"), max_length=300, blank=True)
    country_en = models.CharField(_("land (engelsk)"), max_length=100, blank=True)
    transfer_basis_en = models.CharField(
        _("overføringsgrunnlag (engelsk)"), max_length=300, blank=True
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("underleverandør")
        verbose_name_plural = _("underleverandører")

    def __str__(self) -> str:
        return self.name

    def localized(self, language: str) -> dict[str, str | datetime.date]:
        english = language == "en"
        return {
            "name": self.name,
            "service": (english and self.service_en) or self.service,
            "country": (english and self.country_en) or self.country,
            "transfer_basis": (english and self.transfer_basis_en) or self.transfer_basis,
            "agreement_date": self.agreement_date,
        }


class StatementAcknowledgement(models.Model):
    """A user has read a newer version of the privacy statement than the one accepted."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    version = models.CharField(max_length=20)
    acknowledged_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.user_id} read {self.version}"


class DataExport(models.Model):
    """A portability export (ZIP) built in the background; downloadable for 7 days."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Lages")
        READY = "ready", _("Klar")
        FAILED = "failed", _("Feilet")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    file = models.FileField(upload_to="privacy/exports/", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"export {self.pk} ({self.status})"


class PrivacyRequest(models.Model):
    """A question or claim about personal data (R9b, R11), tracked to its deadline."""

    class Kind(models.TextChoices):
        QUESTION = "question", _("Spørsmål om personvern")
        ACCESS = "access", _("Innsyn")
        RECTIFICATION = "rectification", _("Retting")
        ERASURE = "erasure", _("Sletting")
        OBJECTION = "objection", _("Protest mot behandling")
        PORTABILITY = "portability", _("Dataportabilitet")
        COMPLAINT = "complaint", _("Klage")

    class Status(models.TextChoices):
        AWAITING_VERIFICATION = "awaiting_verification", _("Venter på bekreftelse av e-post")
        OPEN = "open", _("Under behandling")
        EXTENDED = "extended", _("Fristen er forlenget")
        CLOSED = "closed", _("Avsluttet")

    class Channel(models.TextChoices):
        SELF_SERVICE = "self_service", _("Skjema på nettsiden")
        PHONE = "phone", _("Telefon")
        LETTER = "letter", _("Brev")
        IN_PERSON = "in_person", _("Personlig oppmøte")
        EMAIL = "email", _("E-post")

    class Verification(models.TextChoices):
        LOGGED_IN = "logged_in", _("Innlogget konto")
        EMAIL_LINK = "email_link", _("Lenke sendt til e-postadressen")
        ID_IN_PERSON = "id_in_person", _("Legitimasjon kontrollert ved oppmøte")
        SIGNED_LETTER = "signed_letter", _("Brev med underskrift, sammenholdt med kundeforholdet")
        CALLBACK = "callback", _("Ringt tilbake på registrert telefonnummer")

    reference = models.CharField(max_length=20, unique=True)
    kind = models.CharField(_("type henvendelse"), max_length=20, choices=Kind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    name = models.CharField(_("navn"), max_length=150)
    email = models.EmailField(_("e-post"))
    # For rectification: which data is wrong (inventory "model.field" or free text).
    subject_field = models.CharField(_("gjelder"), max_length=200, blank=True)
    message = models.TextField(_("melding"))
    status = models.CharField(max_length=25, choices=Status.choices)
    received_at = models.DateTimeField()
    deadline = models.DateField()
    verification_token_hash = models.CharField(max_length=64, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.TextField(blank=True)
    # Handling in the back office (privacy officer).
    channel = models.CharField(
        _("mottatt via"), max_length=20, choices=Channel.choices, default=Channel.SELF_SERVICE
    )
    verification_method = models.CharField(
        _("identitet bekreftet ved"), max_length=20, choices=Verification.choices, blank=True
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registrert av"),
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("saksbehandler"),
    )
    extension_months = models.PositiveSmallIntegerField(
        _("fristen forlenget med (måneder)"), default=0
    )
    extension_reason = models.TextField(_("begrunnelse for forlengelse"), blank=True)

    class Meta:
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return self.reference


class RiskAssessment(models.Model):
    """A risk assessment (R10): reviewed regularly; a reminder goes out when one is due."""

    class Level(models.IntegerChoices):
        VERY_LOW = 1, _("1 – svært lav")
        LOW = 2, _("2 – lav")
        MEDIUM = 3, _("3 – middels")
        HIGH = 4, _("4 – høy")
        VERY_HIGH = 5, _("5 – svært høy")

    title = models.CharField(_("tittel"), max_length=200)
    description = models.TextField(_("beskrivelse"), max_length=4000)
    likelihood = models.PositiveSmallIntegerField(_("sannsynlighet"), choices=Level.choices)
    consequence = models.PositiveSmallIntegerField(_("konsekvens"), choices=Level.choices)
    measures = models.TextField(_("tiltak"), max_length=4000)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("ansvarlig"),
    )
    last_reviewed = models.DateField(_("sist gjennomgått"))
    next_review = models.DateField(_("neste gjennomgang"))
    reminded_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["next_review", "title"]
        verbose_name = _("risikovurdering")
        verbose_name_plural = _("risikovurderinger")

    def __str__(self) -> str:
        return self.title

    @property
    def score(self) -> int:
        return self.likelihood * self.consequence


class ConsentText(models.Model):
    """The exact text a consent was given or withdrawn under, archived per version.

    ``ConsentRecord.text_version`` names a version; this row keeps what the person was shown
    under it (bokmål and English), written the first time that version is used, never
    changed afterwards (art. 7(1): the controller must be able to show what was agreed to)."""

    purpose = models.CharField(max_length=30, choices=ConsentPurpose.choices)
    version = models.CharField(max_length=20)
    text_nb = models.TextField()
    text_en = models.TextField()
    first_used_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["purpose", "version"], name="consent_text_unique")
        ]
        verbose_name = _("samtykketekst")
        verbose_name_plural = _("samtykketekster")

    def __str__(self) -> str:
        return f"{self.purpose} {self.version}"


class ControllerReferral(models.Model):
    """A request about a customer's own client, passed on to that customer.

    For the clients a customer company invoices, the company is the controller and we are
    its processor (GDPR art. 28(3)(e)): the privacy officer finds the person's client
    records, tells each company's owners, with a deadline, and tracks the answer. The
    company answers from its "find a person" page."""

    class Status(models.TextChoices):
        OPEN = "open", _("Venter på kunden")
        ANSWERED = "answered", _("Besvart av kunden")

    request = models.ForeignKey(PrivacyRequest, on_delete=models.CASCADE, related_name="referrals")
    company = models.ForeignKey("accounts.Company", on_delete=models.CASCADE, related_name="+")
    # The company's client numbers found for the person (what the owners are pointed to).
    client_numbers = models.JSONField(default=list)
    deadline = models.DateField(_("frist for kunden"))
    status = models.CharField(
        _("status for videresendingen"), max_length=10, choices=Status.choices, default="open"
    )
    created_at = models.DateTimeField(_("videresendt"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    answered_at = models.DateTimeField(_("besvart"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answer = models.TextField(_("kundens svar"), blank=True, max_length=4000)

    class Meta:
        ordering = ["deadline", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["request", "company"], name="referral_unique")
        ]

    def __str__(self) -> str:
        return f"{self.request_id} → {self.company_id}"

    def state_on(self, day: datetime.date) -> str:
        """ "answered", "overdue" (still open after its deadline) or "open" on ``day``."""
        if self.status == self.Status.ANSWERED:
            return "answered"
        if self.deadline < day:
            return "overdue"
        return "open"

    @property
    def state(self) -> str:
        """The state today (the pages show it)."""
        return self.state_on(timezone.localdate())
