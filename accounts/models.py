from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.identifiers import format_kontonr, format_orgnr, validate_kontonr, validate_orgnr
from core.validators import validate_single_line


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in. The e-mail address is the username."""

    class Language(models.TextChoices):
        NB = "nb", _("Norsk bokmål")
        EN = "en", _("English")

    email = models.EmailField(_("e-post"), max_length=254, unique=True)
    full_name = models.CharField(_("navn"), max_length=150)
    phone = models.CharField(_("telefon"), max_length=30, blank=True)
    language = models.CharField(
        _("språk"), max_length=5, choices=Language.choices, default=Language.NB
    )
    email_verified_at = models.DateTimeField(_("e-post bekreftet"), null=True, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("bruker")
        verbose_name_plural = _("brukere")
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self) -> str:
        return self.full_name or self.email

    @property
    def is_email_verified(self) -> bool:
        return self.email_verified_at is not None


class Company(models.Model):
    """A customer company: the tenant. Every tenant row carries its id."""

    # The name is the sender name and part of the subject of the company's e-mails.
    name = models.CharField(_("firmanavn"), max_length=200, validators=[validate_single_line])
    organization_number = models.CharField(
        _("organisasjonsnummer"), max_length=9, unique=True, validators=[validate_orgnr]
    )
    vat_registered = models.BooleanField(_("registrert i Merverdiavgiftsregisteret"))
    in_foretaksregisteret = models.BooleanField(_("registrert i Foretaksregisteret"))
    address_line = models.CharField(_("adresse"), max_length=200)
    postcode = models.CharField(_("postnummer"), max_length=10)
    city = models.CharField(_("poststed"), max_length=100)
    country = models.CharField(_("land"), max_length=2, default="NO")
    bank_account = models.CharField(_("kontonummer"), max_length=11, validators=[validate_kontonr])
    iban = models.CharField(_("IBAN"), max_length=34, blank=True)
    bic = models.CharField(_("BIC/SWIFT"), max_length=11, blank=True)
    email = models.EmailField(_("e-post for faktura"), blank=True)
    phone = models.CharField(_("telefon"), max_length=30, blank=True)
    website = models.URLField(_("nettside"), blank=True)
    require_two_factor = models.BooleanField(
        _("krev tofaktorautentisering for alle medlemmer"), default=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Closed by its last owner (or the privacy officer on request): no new documents; the
    # accounting records stay until their deadline (the retention engine then anonymises).
    closed_at = models.DateTimeField(_("avsluttet"), null=True, blank=True)

    class Meta:
        verbose_name = _("firma")
        verbose_name_plural = _("firmaer")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def organization_number_display(self) -> str:
        """As invoices must print it: 'Org.nr 999 999 999 MVA Foretaksregisteret'."""
        parts = [f"Org.nr {format_orgnr(self.organization_number)}"]
        if self.vat_registered:
            parts.append("MVA")
        if self.in_foretaksregisteret:
            parts.append("Foretaksregisteret")
        return " ".join(parts)

    @property
    def bank_account_display(self) -> str:
        return format_kontonr(self.bank_account) if self.bank_account else ""


class Role(models.TextChoices):
    OWNER = "owner", _("Eier")
    ADMIN = "admin", _("Administrator")
    ACCOUNTANT = "accountant", _("Regnskapsfører")
    MEMBER = "member", _("Medlem (kun lesetilgang)")


# Roles that may change the company's bookkeeping data (clients, invoices, ...).
EDITOR_ROLES = frozenset({Role.OWNER, Role.ADMIN, Role.ACCOUNTANT})
# Roles that may manage members, invitations, API tokens and company settings.
MANAGER_ROLES = frozenset({Role.OWNER, Role.ADMIN})


class Membership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("rolle"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "company"], name="membership_unique")
        ]
        ordering = ["company__name"]

    def __str__(self) -> str:
        return f"{self.user} @ {self.company} ({self.role})"

    @property
    def can_edit(self) -> bool:
        return self.role in EDITOR_ROLES

    @property
    def can_manage(self) -> bool:
        return self.role in MANAGER_ROLES

    @property
    def is_owner(self) -> bool:
        return self.role == Role.OWNER


class Invitation(models.Model):
    """An e-mailed invitation to join a company; the token is stored hashed."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("e-post"))
    role = models.CharField(_("rolle"), max_length=20, choices=Role.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} → {self.company}"

    @property
    def is_open(self) -> bool:
        return (
            self.accepted_at is None
            and self.revoked_at is None
            and self.expires_at > timezone.now()
        )


class TermsAcceptance(models.Model):
    """Which version of the terms and privacy statement a user accepted, and when."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="terms_acceptances"
    )
    terms_version = models.CharField(max_length=20)
    accepted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-accepted_at"]

    def __str__(self) -> str:
        return f"{self.user} accepted {self.terms_version}"
