"""The only code that changes privacy state: consents, exports, erasure, requests."""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import json
import secrets
import zipfile
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from core.audit import Actor, audit_log
from core.dates import add_months
from core.erasure_journal import journal_append
from core.outbox import outbox_enqueue
from privacy import handlers, inventory, selectors
from privacy.inventory import Erasure
from privacy.models import (
    AnalyticsSalt,
    ConsentChannel,
    ConsentPurpose,
    ConsentRecord,
    ConsentText,
    DailyPageStat,
    DataExport,
    MarketingSuppression,
    PageView,
    PrivacyRequest,
    SegmentMembership,
    StatementAcknowledgement,
)

# Version of the consent texts shown on the consents page and in the cookie banner.
CONSENT_TEXT_VERSION = "2026-11-24"
EXPORT_VALID_DAYS = 7
ANALYTICS_RAW_DAYS = 30
VERIFICATION_VALID_DAYS = 7
UNVERIFIED_REQUEST_DAYS = 30
MAX_UNVERIFIED_PER_DAY = 3
MAX_MESSAGE_LENGTH = 5000


def _actor_for(user: Any, fallback: str) -> Actor:
    if user is not None and getattr(user, "is_authenticated", False):
        return Actor.user(user)
    return Actor.system(fallback)


# --- Consents ------------------------------------------------------------------------------
def consent_texts_current() -> dict[str, Any]:
    """The texts the pages show today for each purpose (the consents form's labels and the
    cookie banner's category descriptions), as lazy strings."""
    from privacy.cookies import CATEGORY_DESCRIPTIONS, CookieCategory
    from privacy.forms import ConsentsForm

    fields = ConsentsForm.base_fields
    return {
        ConsentPurpose.MARKETING_EMAIL: fields["marketing_email"].label,
        ConsentPurpose.PRODUCT_ANALYTICS: fields["product_analytics"].label,
        ConsentPurpose.COOKIE_FUNCTIONAL: CATEGORY_DESCRIPTIONS[CookieCategory.FUNCTIONAL],
        ConsentPurpose.COOKIE_ANALYTICS: CATEGORY_DESCRIPTIONS[CookieCategory.ANALYTICS],
    }


def consent_text_archive(*, purpose: str, version: str) -> ConsentText | None:
    """Keep the exact text of ``version`` the first time it is used (never rewritten)."""
    text = consent_texts_current().get(purpose)
    if text is None:
        return None  # a purpose no page asks for any more (SMS): nothing is shown
    existing = ConsentText.objects.filter(purpose=purpose, version=version).first()
    if existing is not None:
        return existing
    with translation.override("nb"):
        text_nb = str(text)
    with translation.override("en"):
        text_en = str(text)
    try:
        with transaction.atomic():
            return ConsentText.objects.create(
                purpose=purpose, version=version, text_nb=text_nb, text_en=text_en
            )
    except IntegrityError:
        return ConsentText.objects.get(purpose=purpose, version=version)


def _consent_record(
    *, purpose: str, given: bool, channel: str, user: Any, visitor_id: str, text_version: str
) -> ConsentRecord:
    if purpose not in ConsentPurpose.values:
        raise ValidationError(_("Ukjent formål for samtykke."))
    if channel not in ConsentChannel.values:
        raise ValidationError(_("Ukjent kanal for samtykke."))
    if (user is None or not user.is_authenticated) and not visitor_id:
        raise ValidationError(_("Et samtykke må gjelde en bruker eller en besøkende."))
    consent_text_archive(purpose=purpose, version=text_version)
    record = ConsentRecord.objects.create(
        user=user if user is not None and user.is_authenticated else None,
        visitor_id=visitor_id,
        purpose=purpose,
        given=given,
        text_version=text_version,
        channel=channel,
    )
    if record.user is not None:
        # Anonymous visitors' cookie choices are documented by the ledger alone.
        audit_log(
            action="privacy.consent.given" if given else "privacy.consent.withdrawn",
            actor=Actor.user(record.user),
            target=record,
            data={"purpose": purpose, "channel": channel, "text_version": text_version},
        )
    return record


@transaction.atomic
def consent_give(
    *,
    purpose: str,
    channel: str,
    user: Any = None,
    visitor_id: str = "",
    text_version: str = CONSENT_TEXT_VERSION,
) -> ConsentRecord:
    record = _consent_record(
        purpose=purpose,
        given=True,
        channel=channel,
        user=user,
        visitor_id=visitor_id,
        text_version=text_version,
    )
    if purpose in (ConsentPurpose.MARKETING_EMAIL, ConsentPurpose.MARKETING_SMS) and record.user:
        # A new, explicit consent lifts an earlier objection to direct marketing.
        MarketingSuppression.objects.filter(email__iexact=record.user.email).delete()
    return record


@transaction.atomic
def consent_withdraw(
    *,
    purpose: str,
    channel: str,
    user: Any = None,
    visitor_id: str = "",
    text_version: str = CONSENT_TEXT_VERSION,
) -> ConsentRecord:
    """Withdraw at once: every reader asks the ledger, so the next check sees it. Withdrawing
    the marketing consent also takes the person out of every marketing segment now (the
    statement: profiling for marketing rests on that consent)."""
    record = _consent_record(
        purpose=purpose,
        given=False,
        channel=channel,
        user=user,
        visitor_id=visitor_id,
        text_version=text_version,
    )
    if purpose == ConsentPurpose.MARKETING_EMAIL and record.user_id:
        SegmentMembership.objects.filter(user_id=record.user_id).delete()
    return record


@transaction.atomic
def consents_update(*, user: Any, wanted: dict[str, bool], channel: str) -> list[ConsentRecord]:
    """Record the purposes whose state changes (the consents page)."""
    current = selectors.consent_state(user=user, purposes=tuple(wanted))
    changed = []
    for purpose, given in wanted.items():
        record = current.get(purpose)
        if record is not None and record.given == given:
            continue
        if record is None and not given:
            continue
        service = consent_give if given else consent_withdraw
        changed.append(service(purpose=purpose, channel=channel, user=user))
    return changed


@transaction.atomic
def cookie_choice_save(
    *, visitor_id: str, functional: bool, analytics: bool, user: Any = None, channel: str
) -> None:
    """A browser's cookie choice, keyed by its visitor id and linked to a logged-in user."""
    from privacy.cookies import COOKIE_POLICY_VERSION

    for purpose, given in (
        (ConsentPurpose.COOKIE_FUNCTIONAL, functional),
        (ConsentPurpose.COOKIE_ANALYTICS, analytics),
    ):
        _consent_record(
            purpose=purpose,
            given=given,
            channel=channel,
            user=user,
            visitor_id=visitor_id,
            text_version=COOKIE_POLICY_VERSION,
        )


# --- Direct marketing ------------------------------------------------------------------
@transaction.atomic
def marketing_object(*, user: Any, channel: str) -> None:
    """Objection to direct marketing (GDPR art. 21(2)): withdrawn and suppressed at once."""
    for purpose in (ConsentPurpose.MARKETING_EMAIL, ConsentPurpose.MARKETING_SMS):
        _consent_record(
            purpose=purpose,
            given=False,
            channel=channel,
            user=user,
            visitor_id="",
            text_version=CONSENT_TEXT_VERSION,
        )
    MarketingSuppression.objects.get_or_create(email=user.email.lower())
    SegmentMembership.objects.filter(user=user).delete()
    audit_log(
        action="privacy.marketing.objected",
        actor=Actor.user(user),
        target=user,
        data={"channel": channel},
    )


def unsubscribe_token(*, user: Any) -> str:
    """Signed, not encrypted: it carries the user id and a digest, never the address."""
    return signing.dumps(
        {"u": user.pk, "h": selectors.email_digest(user.email)}, salt=selectors.UNSUBSCRIBE_SALT
    )


def unsubscribe_url(*, user: Any) -> str:
    return settings.SITE_URL + reverse(
        "privacy:unsubscribe", kwargs={"token": unsubscribe_token(user=user)}
    )


def marketing_email_headers(*, user: Any) -> dict[str, str]:
    """RFC 2369/8058 headers for a marketing e-mail: one-click unsubscribe, no login."""
    return {
        "List-Unsubscribe": f"<{unsubscribe_url(user=user)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


# --- Statement ---------------------------------------------------------------------------
@transaction.atomic
def statement_acknowledge(*, user: Any) -> StatementAcknowledgement:
    version = selectors.statement_version()
    ack = StatementAcknowledgement.objects.create(user=user, version=version)
    audit_log(
        action="privacy.statement.acknowledged",
        actor=Actor.user(user),
        target=ack,
        data={"version": version},
    )
    return ack


# --- Portability export ------------------------------------------------------------------
@transaction.atomic
def export_downloaded(*, export: DataExport, user: Any) -> None:
    audit_log(action="privacy.export.downloaded", actor=Actor.user(user), target=export)


@transaction.atomic
def export_request(*, user: Any) -> DataExport:

    export = DataExport.objects.create(
        user=user, expires_at=timezone.now() + datetime.timedelta(days=EXPORT_VALID_DAYS)
    )
    audit_log(action="privacy.export.requested", actor=Actor.user(user), target=export)
    outbox_enqueue(task="privacy.tasks.export_build_task", args=[str(export.pk)])
    return export


README = """FakturaNett - eksport av personopplysninger / export of personal data

Laget / created: {created}
Person: {email}

data.json   alle opplysningene, gruppert per kategori / everything, grouped by category
<kategori>.csv   én fil per kategori / one file per category (UTF-8, comma separated)

Hver opplysning har formål, rettslig grunnlag, kilde, lagringstid og mottakere.
Each item lists its purpose, legal basis, source, retention and recipients.

Behandlingsansvarlig / controller: Invoice Club AS, Trondheim.
Spørsmål / questions: {contact}
"""


def _build_zip(*, user: Any) -> bytes:
    reports = selectors.personal_data_for(user=user)
    buffer = io.BytesIO()
    columns = [
        "record",
        "field",
        "value",
        "purpose",
        "legal_basis",
        "source",
        "retention",
        "recipients",
    ]
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        data = {
            report.key: {
                "category": report.label,
                "items": [{c: getattr(item, c) for c in columns} for item in report.items],
            }
            for report in reports
        }
        archive.writestr("data.json", json.dumps(data, ensure_ascii=False, indent=2))
        for report in reports:
            if not report.items:
                continue
            text = io.StringIO()
            writer = csv.writer(text)
            writer.writerow(columns)
            for item in report.items:
                writer.writerow([getattr(item, c) for c in columns])
            archive.writestr(f"{report.key}.csv", text.getvalue())
        archive.writestr(
            "README.txt",
            README.format(
                created=timezone.localtime().strftime("%Y-%m-%d %H:%M"),
                email=user.email,
                contact=settings.SITE_URL + reverse("privacy:contact"),
            ),
        )
    return buffer.getvalue()


def export_build(*, export_id: str) -> DataExport:
    export = DataExport.objects.select_related("user").get(pk=export_id)
    if export.status != DataExport.Status.PENDING:
        return export
    try:
        content = _build_zip(user=export.user)
    except Exception:
        with transaction.atomic():
            DataExport.objects.filter(pk=export.pk).update(status=DataExport.Status.FAILED)
        raise
    with transaction.atomic():
        export.file.save(f"{export.pk.hex}.zip", ContentFile(content), save=False)
        export.status = DataExport.Status.READY
        export.save(update_fields=["file", "status"])
        audit_log(action="privacy.export.built", actor=Actor.system("privacy"), target=export)
    return export


# --- Erasure -----------------------------------------------------------------------------
def _anonymise(rows: Any, declaration: inventory.ModelDeclaration) -> None:
    """Replace each personal field by its ``erase_to`` (a value, or a callable of the row)."""
    specs = declaration.personal
    per_row = any(callable(spec.erase_to) for spec in specs.values())
    redact = hasattr(rows, "_redact")  # append-only rows: the one sanctioned change
    if not per_row:
        values = {name: spec.erase_to for name, spec in specs.items()}
        if redact:
            rows._redact(**values)
        else:
            rows.update(**values)
        return
    for row in rows:
        values = {
            name: spec.erase_to(row) if callable(spec.erase_to) else spec.erase_to
            for name, spec in specs.items()
        }
        same_row = rows.model._default_manager.filter(pk=row.pk)
        if redact:
            same_row._redact(**values)
        else:
            same_row.update(**values)


def person_rows_erase(*, user: Any) -> None:
    """Delete or anonymise the person's rows as every handler's declarations say.

    The one erasure walk: the person's own request (``user_erase``), the privacy officer's,
    and the retention engine's rule for unused accounts all come here."""
    with scopes_disabled():
        # Every data-category handler's models, each once, the account row last.
        for declaration in handlers.erasure_sequence():
            rows = declaration.rows_for(user)
            if rows is None or declaration.erasure == Erasure.KEEP:
                continue
            if declaration.eraser is not None:
                declaration.eraser(rows, user)
            elif declaration.erasure == Erasure.DELETE:
                rows.delete()
            else:
                _anonymise(rows, declaration)


@transaction.atomic
def user_erase(*, user: Any, close_companies: bool = False, actor: Actor | None = None) -> None:
    """Erase a person: leave every company, delete or anonymise what the inventory says.

    Accounting material belongs to the companies and is not touched; audit rows are only
    redacted. The last owner of a company hands it over first, or — ``close_companies`` —
    closes it with the erasure (``accounts.services.company_close``: no new documents; its
    accounting records are kept until their deadline and then anonymised by the retention
    engine). ``actor``: who asked (the person, or the privacy officer on request).
    """
    from accounts.services import company_close

    actor = actor or Actor.user(user)
    blocking = selectors.companies_where_last_owner(user=user)
    if blocking and not close_companies:
        raise ValidationError(
            _(
                "Du er eneste eier av %(companies)s. Gi en annen eierrollen eller avslutt "
                "firmaet før du sletter kontoen."
            )
            % {"companies": ", ".join(c.name for c in blocking)}
        )
    for company in blocking:
        company_close(company=company, actor=actor)
    audit_log(action="privacy.erasure.started", actor=actor, target=user)
    state = selectors.consent_state(user=user)
    for purpose, record in state.items():
        if record is not None and record.given:
            consent_withdraw(purpose=purpose, channel=ConsentChannel.WEB, user=user)
    person_rows_erase(user=user)
    audit_log(
        action="privacy.erasure.completed",
        actor=Actor.system("privacy"),
        target=user,
        data={"user_id": user.pk},
    )
    # Outside the database, so that restoring an older backup erases the person again.
    user_id = user.pk
    transaction.on_commit(lambda: journal_append(kind="user", object_id=user_id))


# --- Privacy requests (contact form) ----------------------------------------------------
def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_reference() -> str:
    return f"PV-{timezone.localdate():%Y%m%d}-{secrets.token_hex(3).upper()}"


def clean_message(text: str) -> str:
    """Plain text only: over-long or binary input is refused with a message."""
    if len(text) > MAX_MESSAGE_LENGTH:
        raise ValidationError(
            _("Meldingen er for lang (høyst %(max)s tegn).") % {"max": MAX_MESSAGE_LENGTH}
        )
    if any((ord(ch) < 32 and ch not in "\n\r\t") or ch in "\ufffe\uffff" for ch in text):
        raise ValidationError(_("Meldingen inneholder tegn som ikke er tekst."))
    return text.strip()


@transaction.atomic
def privacy_request_create(
    *,
    kind: str,
    name: str,
    email: str,
    message: str,
    subject_field: str = "",
    user: Any = None,
) -> PrivacyRequest:
    """Register a request. Without a login it is acted on only after e-mail verification."""

    if kind not in PrivacyRequest.Kind.values:
        raise ValidationError(_("Ukjent type henvendelse."))
    message = clean_message(message)
    if not message:
        raise ValidationError(_("Skriv hva henvendelsen gjelder."))
    now = timezone.now()
    logged_in = user is not None and getattr(user, "is_authenticated", False)
    if not logged_in and (
        PrivacyRequest.objects.filter(
            email__iexact=email.strip(),
            status=PrivacyRequest.Status.AWAITING_VERIFICATION,
            received_at__gt=now - datetime.timedelta(days=1),
        ).count()
        >= MAX_UNVERIFIED_PER_DAY
    ):
        # Nobody can use the form to flood someone else's inbox with our e-mails.
        raise ValidationError(
            _(
                "Vi har allerede sendt flere bekreftelseslenker til denne adressen i dag. "
                "Åpne en av dem, eller prøv igjen i morgen."
            )
        )
    token = "" if logged_in else secrets.token_urlsafe(32)
    for _attempt in range(5):
        try:
            with transaction.atomic():
                request = PrivacyRequest.objects.create(
                    reference=_new_reference(),
                    kind=kind,
                    user=user if logged_in else None,
                    name=name.strip(),
                    email=(user.email if logged_in else email).strip(),
                    subject_field=subject_field,
                    message=message,
                    status=(
                        PrivacyRequest.Status.OPEN
                        if logged_in
                        else PrivacyRequest.Status.AWAITING_VERIFICATION
                    ),
                    received_at=now,
                    deadline=add_months(timezone.localdate(now), 1),
                    verified_at=now if logged_in else None,
                    verification_token_hash=_hash_token(token) if token else "",
                )
            break
        except IntegrityError:
            continue
    else:
        raise RuntimeError("Could not allocate a privacy request reference.")
    audit_log(
        action="privacy.request.received",
        actor=_actor_for(user, "privacy-contact-form"),
        target=request,
        data={"reference": request.reference, "kind": kind, "verified": logged_in},
    )
    outbox_enqueue(task="privacy.tasks.privacy_request_email_task", args=[request.pk, token])
    return request


@transaction.atomic
def privacy_request_verify(*, token: str) -> PrivacyRequest:

    request = (
        PrivacyRequest.objects.select_for_update()
        .filter(
            verification_token_hash=_hash_token(token),
            status=PrivacyRequest.Status.AWAITING_VERIFICATION,
        )
        .first()
    )
    if request is None or request.received_at < timezone.now() - datetime.timedelta(
        days=VERIFICATION_VALID_DAYS
    ):
        raise ValidationError(_("Lenken er ugyldig eller utløpt."))
    request.status = PrivacyRequest.Status.OPEN
    request.verified_at = timezone.now()
    request.verification_token_hash = ""
    request.save(update_fields=["status", "verified_at", "verification_token_hash"])
    audit_log(
        action="privacy.request.verified",
        actor=Actor.system("privacy-contact-form"),
        target=request,
        data={"reference": request.reference},
    )
    outbox_enqueue(task="privacy.tasks.privacy_request_email_task", args=[request.pk, ""])
    return request


# --- First-party analytics ---------------------------------------------------------------
def _salt_for(day: datetime.date) -> str:
    salt = AnalyticsSalt.objects.filter(day=day).values_list("salt", flat=True).first()
    if salt:
        return salt
    try:
        with transaction.atomic():
            return AnalyticsSalt.objects.create(day=day, salt=secrets.token_hex(32)).salt
    except IntegrityError:
        return AnalyticsSalt.objects.get(day=day).salt


def visitor_hash(*, visitor_id: str, day: datetime.date) -> str:
    return hashlib.sha256(f"{_salt_for(day)}:{visitor_id}".encode()).hexdigest()


def page_view_record(*, visitor_id: str, path: str) -> PageView:
    """One page view: the route, the day and today's salted hash of the visitor id."""
    day = timezone.localdate()
    return PageView.objects.create(
        day=day, path=path[:300], visitor_hash=visitor_hash(visitor_id=visitor_id, day=day)
    )


@transaction.atomic
def analytics_retention_run(*, today: datetime.date | None = None) -> dict[str, int]:
    """Aggregate finished days, drop raw events after 30 days and old daily salts."""
    from django.db.models import Count

    today = today or timezone.localdate()
    aggregated = 0
    done_days = PageView.objects.filter(day__lt=today).values_list("day", flat=True).distinct()
    for day in set(done_days):
        for row in (
            PageView.objects.filter(day=day)
            .values("path")
            .annotate(views=Count("id"), visitors=Count("visitor_hash", distinct=True))
        ):
            DailyPageStat.objects.update_or_create(
                day=day,
                path=row["path"],
                defaults={"page_views": row["views"], "unique_visitors": row["visitors"]},
            )
            aggregated += 1
    cutoff = today - datetime.timedelta(days=ANALYTICS_RAW_DAYS)
    deleted, _detail = PageView.objects.filter(day__lt=cutoff).delete()
    salts, _detail = AnalyticsSalt.objects.filter(day__lt=today).delete()
    return {"aggregated": aggregated, "deleted": deleted, "salts_deleted": salts}


# --- Requests handled in the back office (privacy officer) --------------------------------
MAX_EXTENSION_MONTHS = 2


def _deadline_for(request: PrivacyRequest, extension_months: int) -> datetime.date:
    """One month from receipt (art. 12(3)), plus any extension (at most two months)."""
    return add_months(timezone.localdate(request.received_at), 1 + extension_months)


def _subject_user(request: PrivacyRequest) -> Any:
    """The account a request is about: its own link, else the verified address's account."""
    from accounts.models import User

    if request.user_id:
        return request.user
    if request.verified_at or request.verification_method:
        return User.objects.filter(email__iexact=request.email).first()
    return None


def _require_open(request: PrivacyRequest) -> None:
    if request.status == PrivacyRequest.Status.CLOSED:
        raise ValidationError(_("Henvendelsen er avsluttet."))
    if request.status == PrivacyRequest.Status.AWAITING_VERIFICATION:
        raise ValidationError(_("Identiteten er ikke bekreftet ennå."))


@transaction.atomic
def privacy_request_register(
    *,
    staff: Any,
    kind: str,
    name: str,
    email: str,
    message: str,
    channel: str,
    verification_method: str,
    received_on: datetime.date | None = None,
) -> PrivacyRequest:
    """A request received by phone, letter or in person, with how identity was verified."""
    from accounts.models import User

    errors: dict[str, str] = {}
    if kind not in PrivacyRequest.Kind.values:
        errors["kind"] = _("Ukjent type henvendelse.")
    if channel not in PrivacyRequest.Channel.values or channel == "self_service":
        errors["channel"] = _("Velg hvordan henvendelsen kom inn.")
    if verification_method not in PrivacyRequest.Verification.values:
        errors["verification_method"] = _("Oppgi hvordan identiteten ble bekreftet.")
    elif verification_method == PrivacyRequest.Verification.LOGGED_IN:
        errors["verification_method"] = _(
            "En henvendelse registrert av oss er ikke gjort fra en innlogget konto."
        )
    if not name.strip():
        errors["name"] = _("Skriv navnet til personen.")
    today = timezone.localdate()
    received_on = received_on or today
    if received_on > today:
        errors["received_on"] = _("Datoen kan ikke være i fremtiden.")
    try:
        message = clean_message(message)
    except ValidationError as error:
        errors["message"] = error.messages[0]
    if not errors.get("message") and not message:
        errors["message"] = _("Skriv hva henvendelsen gjelder.")
    if errors:
        raise ValidationError(errors)
    received_at = timezone.make_aware(datetime.datetime.combine(received_on, datetime.time(12)))
    if received_on == today:
        received_at = timezone.now()
    for _attempt in range(5):
        try:
            with transaction.atomic():
                request = PrivacyRequest.objects.create(
                    reference=_new_reference(),
                    kind=kind,
                    user=User.objects.filter(email__iexact=email.strip()).first(),
                    name=name.strip(),
                    email=email.strip(),
                    message=message,
                    status=PrivacyRequest.Status.OPEN,
                    received_at=received_at,
                    deadline=add_months(received_on, 1),
                    verified_at=timezone.now(),
                    channel=channel,
                    verification_method=verification_method,
                    registered_by=staff,
                )
            break
        except IntegrityError:
            continue
    else:
        raise RuntimeError("Could not allocate a privacy request reference.")
    audit_log(
        action="privacy.request.registered",
        actor=Actor.user(staff),
        target=request,
        data={
            "reference": request.reference,
            "kind": kind,
            "channel": channel,
            "verification": verification_method,
        },
    )
    return request


@transaction.atomic
def privacy_request_assign(*, request: PrivacyRequest, staff: Any, assignee: Any) -> PrivacyRequest:
    request = PrivacyRequest.objects.select_for_update().get(pk=request.pk)
    if request.status == PrivacyRequest.Status.CLOSED:
        raise ValidationError(_("Henvendelsen er avsluttet."))
    request.assigned_to = assignee
    request.save(update_fields=["assigned_to"])
    audit_log(
        action="privacy.request.assigned",
        actor=Actor.user(staff),
        target=request,
        data={"reference": request.reference, "assignee": assignee.pk if assignee else None},
    )
    return request


@transaction.atomic
def privacy_request_extend(
    *, request: PrivacyRequest, staff: Any, months: int, reason: str
) -> PrivacyRequest:
    """Extend the deadline (art. 12(3)): by at most two months in all, with a reason that
    the person is told, and only before the current deadline has passed."""

    request = PrivacyRequest.objects.select_for_update().get(pk=request.pk)
    _require_open(request)
    errors: dict[str, str] = {}
    reason = reason.strip()
    if not reason:
        errors["reason"] = _(
            "Skriv hvorfor fristen må forlenges; begrunnelsen sendes til personen."
        )
    elif len(reason) > 2000:
        errors["reason"] = _("Begrunnelsen er for lang (høyst 2000 tegn).")
    if not isinstance(months, int) or months < 1:
        errors["months"] = _("Velg en eller to måneder.")
    elif request.extension_months + months > MAX_EXTENSION_MONTHS:
        errors["months"] = _("Fristen kan forlenges med høyst to måneder til sammen.")
    if errors:
        raise ValidationError(errors)
    if request.deadline < timezone.localdate():
        raise ValidationError(_("Fristen er allerede passert; den kan ikke forlenges nå."))
    request.extension_months += months
    request.extension_reason = "\n".join(filter(None, [request.extension_reason, reason]))
    request.deadline = _deadline_for(request, request.extension_months)
    request.status = PrivacyRequest.Status.EXTENDED
    request.save(update_fields=["extension_months", "extension_reason", "deadline", "status"])
    audit_log(
        action="privacy.request.extended",
        actor=Actor.user(staff),
        target=request,
        data={"reference": request.reference, "months": months, "deadline": str(request.deadline)},
    )
    outbox_enqueue(
        task="privacy.tasks.privacy_request_extended_email_task", args=[request.pk, reason]
    )
    return request


@transaction.atomic
def privacy_request_export(*, request: PrivacyRequest, staff: Any) -> DataExport:
    """Access or portability: the same export the person can make on the privacy pages."""

    request = PrivacyRequest.objects.select_for_update().get(pk=request.pk)
    _require_open(request)
    if request.kind not in (PrivacyRequest.Kind.ACCESS, PrivacyRequest.Kind.PORTABILITY):
        raise ValidationError(_("Eksport gjelder bare krav om innsyn og dataportabilitet."))
    subject = _subject_user(request)
    if subject is None:
        raise ValidationError(
            _("Ingen konto har denne e-postadressen; svar personen med det vi har av opplysninger.")
        )
    export = DataExport.objects.create(
        user=subject, expires_at=timezone.now() + datetime.timedelta(days=EXPORT_VALID_DAYS)
    )
    audit_log(
        action="privacy.export.requested",
        actor=Actor.user(staff),
        target=export,
        data={"reference": request.reference},
    )
    outbox_enqueue(task="privacy.tasks.export_build_task", args=[str(export.pk)])
    return export


@transaction.atomic
def privacy_request_erase(
    *, request: PrivacyRequest, staff: Any, close_companies: bool = False
) -> None:
    """Erasure: the same erasure as self-service, unless a legal hold keeps the data."""
    from backoffice.selectors import has_legal_hold

    request = PrivacyRequest.objects.select_for_update().get(pk=request.pk)
    _require_open(request)
    if request.kind != PrivacyRequest.Kind.ERASURE:
        raise ValidationError(_("Sletting gjelder bare krav om sletting."))
    subject = _subject_user(request)
    if subject is None or not subject.is_active:
        raise ValidationError(_("Ingen aktiv konto har denne e-postadressen."))
    if has_legal_hold(person=subject):
        raise ValidationError(
            _(
                "En åpen tvist holder på opplysningene (personvernforordningen art. 17 nr. 3 e). "
                "Svar personen at de slettes når saken er avsluttet."
            )
        )
    audit_log(
        action="privacy.request.erasure_run",
        actor=Actor.user(staff),
        target=request,
        data={"reference": request.reference, "close_companies": close_companies},
    )
    user_erase(user=subject, close_companies=close_companies, actor=Actor.user(staff))


@transaction.atomic
def privacy_request_close(*, request: PrivacyRequest, staff: Any, response: str) -> PrivacyRequest:
    """Answer and close; the answer is e-mailed to the person."""

    request = PrivacyRequest.objects.select_for_update().get(pk=request.pk)
    _require_open(request)
    response = clean_message(response)
    if not response:
        raise ValidationError({"response": _("Skriv svaret til personen.")})
    request.outcome = response
    request.status = PrivacyRequest.Status.CLOSED
    request.closed_at = timezone.now()
    request.save(update_fields=["outcome", "status", "closed_at"])
    audit_log(
        action="privacy.request.closed",
        actor=Actor.user(staff),
        target=request,
        data={"reference": request.reference},
    )
    outbox_enqueue(task="privacy.tasks.privacy_request_closed_email_task", args=[request.pk])
    return request


# --- Registers: sub-processors and risk assessments (R6, R10) -----------------------------
SUBPROCESSOR_FIELDS = (
    "name",
    "service",
    "country",
    "transfer_basis",
    "agreement_date",
    "active",
    "service_en",
    "country_en",
    "transfer_basis_en",
)
RISK_FIELDS = (
    "title",
    "description",
    "likelihood",
    "consequence",
    "measures",
    "owner",
    "last_reviewed",
    "next_review",
)


def _save_register_row(row: Any, values: dict[str, Any], fields: tuple[str, ...]) -> list[str]:
    if row.pk is None:
        changed = [name for name in fields if name in values]
    else:
        changed = [name for name in fields if name in values and getattr(row, name) != values[name]]
    for name in fields:
        if name in values:
            setattr(row, name, values[name])
    row.full_clean()
    row.save()
    return changed


@transaction.atomic
def subprocessor_save(*, staff: Any, values: dict[str, Any], subprocessor: Any = None) -> Any:
    from privacy.models import SubProcessor

    row = subprocessor or SubProcessor()
    created = row.pk is None
    changed = _save_register_row(row, values, SUBPROCESSOR_FIELDS)
    audit_log(
        action="privacy.subprocessor.created" if created else "privacy.subprocessor.changed",
        actor=Actor.user(staff),
        target=row,
        data={"name": row.name, "fields": changed},
    )
    return row


# The assessments the statement implies (clause 10: "jevnlige risikovurderinger"): data
# stored in the register in Norwegian, like the seeded sub-processors; each is reviewed
# within a year and then kept up to date by the privacy officer.
SEEDED_RISKS = (
    (
        "Tilgangsstyring: ansatte ser mer enn de trenger",
        "Ansatte og rådgivere kan se kundeopplysninger utover det arbeidsoppgavene krever "
        "(personvernerklæringen punkt 5).",
        2,
        4,
        "Rollematrise per datakategori, tidsbegrensede tilganger for rådgivere, utvidet "
        "tilgang med begrunnelse, tofaktorinnlogging for ansatte, tilgangslogg over alle "
        "oppslag i kundedata.",
    ),
    (
        "Underleverandører behandler opplysninger utenfor avtalen",
        "Lagrings- og kommunikasjonsleverandører får tilgang til personopplysninger "
        "(personvernerklæringen punkt 6).",
        2,
        4,
        "Databehandleravtale med hver underleverandør, bare leverandører innenfor EU/EØS, "
        "offentlig liste i personvernerklæringen, gjennomgang ved nye leverandører.",
    ),
    (
        "Lagring: opplysninger beholdes lenger enn formålet krever",
        "Personopplysninger blir liggende etter at formålet er oppfylt "
        "(personvernerklæringen punkt 7).",
        3,
        3,
        "Lagringsmotoren kjører hver natt med én regel per datakategori, juridisk "
        "tilbakehold stanser sletting, slettelogg uten personopplysninger, lagrings- og "
        "slettingsrutinene publiseres og kontrolleres mot regelverket av en test.",
    ),
)


@transaction.atomic
def risk_register_seed(*, owner: Any, on: datetime.date | None = None) -> int:
    """Add the statement's risk assessments that are missing (by title); returns how many."""
    from privacy.models import RiskAssessment

    today = on or timezone.localdate()
    existing = set(RiskAssessment.objects.values_list("title", flat=True))
    added = 0
    for title, description, likelihood, consequence, measures in SEEDED_RISKS:
        if title in existing:
            continue
        risk_assessment_save(
            staff=owner,
            values={
                "title": title,
                "description": description,
                "likelihood": likelihood,
                "consequence": consequence,
                "measures": measures,
                "owner": owner,
                "last_reviewed": today,
                "next_review": add_months(today, 12),
            },
        )
        added += 1
    return added


@transaction.atomic
def risk_assessment_save(*, staff: Any, values: dict[str, Any], risk: Any = None) -> Any:
    from privacy.models import RiskAssessment

    row = risk or RiskAssessment()
    last, following = values.get("last_reviewed"), values.get("next_review")
    if last and following and following <= last:
        raise ValidationError(
            {"next_review": _("Neste gjennomgang må være etter siste gjennomgang.")}
        )
    created = row.pk is None
    changed = _save_register_row(row, values, RISK_FIELDS)
    if "next_review" in changed:
        row.reminded_on = None
        row.save(update_fields=["reminded_on"])
    audit_log(
        action="privacy.risk.created" if created else "privacy.risk.changed",
        actor=Actor.user(staff),
        target=row,
        data={"title": row.title, "fields": changed},
    )
    return row


def risk_review_remind(*, on: datetime.date | None = None) -> int:
    """E-mail the privacy officers once about every review that is due (daily task)."""
    from django.core.mail import send_mail
    from django.template.loader import render_to_string

    from privacy.models import RiskAssessment

    day = on or timezone.localdate()
    due = list(selectors.risk_reviews_due(on=day).filter(reminded_on__isnull=True))
    recipients = selectors.privacy_officer_emails()
    if not due or not recipients:
        return 0
    context = {"risks": due, "url": settings.SITE_URL + reverse("retention_staff:risks")}
    send_mail(
        render_to_string("privacy/email/risk_reviews_due_subject.txt", context).strip(),
        render_to_string("privacy/email/risk_reviews_due.txt", context),
        None,
        recipients,
    )
    RiskAssessment.objects.filter(pk__in=[r.pk for r in due]).update(reminded_on=day)
    return len(due)
