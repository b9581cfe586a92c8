"""Reads about consents, the data held about a person, and what erasure would do."""

from __future__ import annotations

import datetime
import hashlib
import hmac
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypedDict

from django.conf import settings
from django.core import signing
from django.db import models
from django.db.models import Count, ForeignObjectRel, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from core.personal_data import handlers, inventory
from core.personal_data.inventory import PURPOSES, RETENTION, Category, Erasure, LegalBasis, Source
from marketing.models import SegmentMembership
from privacy.models import (
    ConsentPurpose,
    ConsentRecord,
    ControllerReferral,
    DailyPageStat,
    DataExport,
    MarketingSuppression,
    PageView,
    PrivacyRequest,
    StatementAcknowledgement,
    SubProcessor,
)

if TYPE_CHECKING:
    from django.contrib.sessions.backends.base import SessionBase
    from django_stubs_ext import WithAnnotations

    from accounts.models import Company, User

UNSUBSCRIBE_SALT = "privacy.unsubscribe"
UNSUBSCRIBE_MAX_AGE = 60 * 60 * 24 * 365

COOKIE_PURPOSES = (ConsentPurpose.COOKIE_FUNCTIONAL, ConsentPurpose.COOKIE_ANALYTICS)
USER_PURPOSES = (
    # No SMS: the product sends none, so it asks no SMS consent.
    ConsentPurpose.MARKETING_EMAIL,
    ConsentPurpose.PRODUCT_ANALYTICS,
)


# --- Consents --------------------------------------------------------------------------
def consent_state(
    *, user: User | None = None, visitor_id: str = "", purposes: tuple[str, ...] | None = None
) -> dict[str, ConsentRecord | None]:
    """The latest record per purpose for a user or a visitor (None: never asked)."""
    wanted = purposes or tuple(ConsentPurpose.values)
    state: dict[str, ConsentRecord | None] = dict.fromkeys(wanted)
    if user is not None:
        rows = ConsentRecord.objects.filter(user=user)
    elif visitor_id:
        rows = ConsentRecord.objects.filter(visitor_id=visitor_id)
    else:
        return state
    for record in rows.filter(purpose__in=wanted).order_by("-created_at", "-id"):
        if state.get(record.purpose) is None:
            state[record.purpose] = record
        if all(state.values()):
            break
    return state


def consent_is_given(*, purpose: str, user: User | None = None, visitor_id: str = "") -> bool:
    record = consent_state(user=user, visitor_id=visitor_id, purposes=(purpose,))[purpose]
    return bool(record and record.given)


def users_with_consent(*, purpose: str, user_ids: list[int]) -> set[int]:
    """Of ``user_ids``, those whose latest record for ``purpose`` gives the consent (one query)."""
    from django.db.models import OuterRef, Subquery

    latest = ConsentRecord.objects.filter(user_id=OuterRef("user_id"), purpose=purpose).order_by(
        "-created_at", "-id"
    )
    rows = (
        ConsentRecord.objects.filter(user_id__in=user_ids, purpose=purpose)
        .annotate(latest_id=Subquery(latest.values("pk")[:1]))
        .filter(pk=models.F("latest_id"), given=True)
    )
    return set(rows.values_list("user_id", flat=True))


def cookie_choices(*, visitor_id: str) -> dict[str, bool]:
    """Functional/analytics choice of a browser; the ledger is keyed by its visitor id."""
    state = consent_state(visitor_id=visitor_id, purposes=COOKIE_PURPOSES)
    return {purpose: bool(record and record.given) for purpose, record in state.items()}


def is_marketing_suppressed(*, email: str) -> bool:
    return MarketingSuppression.objects.filter(email__iexact=email).exists()


def may_send_marketing(*, user: User, purpose: str = ConsentPurpose.MARKETING_EMAIL) -> bool:
    """Marketing goes only to active users who consented and have not objected."""
    if purpose not in (ConsentPurpose.MARKETING_EMAIL, ConsentPurpose.MARKETING_SMS):
        raise ValueError(f"{purpose} is not a marketing purpose.")
    return (
        user.is_active
        and consent_is_given(purpose=purpose, user=user)
        and not is_marketing_suppressed(email=user.email)
    )


def email_digest(email: str) -> str:
    """Ties an unsubscribe link to the address it was sent to (a changed address voids it)."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:20]


def user_from_unsubscribe_token(token: str) -> User | None:
    """The user an unsubscribe link was made for; None if forged, expired or stale."""
    from accounts.models import User

    try:
        payload = signing.loads(token, salt=UNSUBSCRIBE_SALT, max_age=UNSUBSCRIBE_MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(payload, dict):
        return None
    user_id = payload.get("u")
    if not isinstance(user_id, int):
        return None
    user = User.objects.filter(pk=user_id).first()
    if user is None or not hmac.compare_digest(email_digest(user.email), str(payload.get("h", ""))):
        return None
    return user


# --- The data held about a person -------------------------------------------------------
@dataclass
class HeldItem:
    record: str
    field: str
    value: str
    purpose: str
    legal_basis: str
    source: str
    retention: str
    recipients: str


@dataclass
class CategoryReport:
    key: str
    label: str
    items: list[HeldItem] = field(default_factory=list)


def _plain(value: Any) -> str:
    """A stored structure (a document's snapshot of the buyer, say) as the words in it,
    comma separated: the person reads values, never the keys they are stored under."""
    if isinstance(value, dict):
        return ", ".join(filter(None, (_plain(value[key]) for key in value)))
    if isinstance(value, list):
        return ", ".join(filter(None, (_plain(item) for item in value)))
    if value is None or isinstance(value, bool):
        return ""
    return str(value).strip()


def _display(
    row: models.Model, f: models.Field[Any, Any] | ForeignObjectRel, exportable: bool
) -> str | None:
    if not exportable:
        return _("(lagret som kryptert kode, vises ikke)")
    if f.many_to_many:
        values = [str(obj) for obj in getattr(row, f.name).all()]
        return ", ".join(values) or None
    value = getattr(row, f.name)
    if value is None or value == "" or value == {} or value == []:
        return None
    if isinstance(value, bool):
        return _("Ja") if value else _("Nei")
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, dict | list):
        return _plain(value) or None
    if getattr(f, "choices", None):
        return str(getattr(row, f"get_{f.name}_display")())
    if isinstance(f, models.FileField):
        return value.name.rsplit("/", 1)[-1]
    return str(value)


def _record_name(declaration: inventory.ModelDeclaration) -> str:
    """What the person sees for a row: the model's own (translated) name when it has one,
    else its data category's title (never a class name such as "Membership")."""
    model = declaration.model
    # Our own models name themselves in Norwegian; third-party ones (django-axes) do not.
    own = model in inventory.project_models()
    if own and "verbose_name" in model._meta.original_attrs:
        return str(model._meta.verbose_name).capitalize()
    owners = handlers.handlers_for_model(declaration.label)
    return str(owners[0].title) if owners else str(model._meta.verbose_name).capitalize()


def personal_data_for(*, user: User) -> list[CategoryReport]:
    """Everything held about ``user``, by category, with purpose, basis, source, retention."""
    reports = {c.value: CategoryReport(key=c.value, label=str(c.label)) for c in Category}
    with scopes_disabled():
        for declaration in handlers.erasure_sequence():
            rows = declaration.rows_for(user)
            if rows is None or not declaration.personal:
                continue
            model = declaration.model
            name = _record_name(declaration)
            for row in rows.order_by("pk"):
                record = f"{name} #{row.pk}"
                for field_name, spec in declaration.personal.items():
                    value = _display(row, model._meta.get_field(field_name), spec.exportable)
                    if value is None:
                        continue
                    reports[spec.category].items.append(
                        _held_item(record, declaration.field_label(field_name), value, spec)
                    )
        for handler in handlers.handlers():
            if handler.report is None:
                continue
            for line in handler.report(user):
                reports[line.spec.category].items.append(
                    _held_item(line.record, line.field, line.value, line.spec)
                )
    return list(reports.values())


def _held_item(record: str, label: str, value: str, spec: inventory.PersonalField) -> HeldItem:
    return HeldItem(
        record=record,
        field=label,
        value=value,
        purpose=str(PURPOSES[spec.purpose].label),
        legal_basis=str(LegalBasis(spec.legal_basis).label),
        source=str(Source(spec.source).label),
        retention=str(RETENTION[spec.retention].label),
        recipients=str(spec.recipients),
    )


def export_for_download(*, user: User, export_id: uuid.UUID) -> DataExport | None:
    return DataExport.objects.filter(
        pk=export_id, user=user, status=DataExport.Status.READY, expires_at__gt=timezone.now()
    ).first()


def exports_of(*, user: User) -> QuerySet[DataExport]:
    return DataExport.objects.filter(user=user, expires_at__gt=timezone.now())


# --- Erasure -----------------------------------------------------------------------------
@dataclass
class ErasureLine:
    label: str
    count: int
    categories: list[str]
    reason: str = ""
    until: datetime.date | None = None


@dataclass
class CompanyClosing:
    """A company the person is the last owner of: closed with the erasure."""

    company: Company
    # The bookkeeping deadline of its latest document (bokføringsloven § 13): its
    # accounting records are kept until then and anonymised after; None: nothing to keep.
    kept_until: datetime.date | None


@dataclass
class ErasurePlan:
    delete: list[ErasureLine]
    anonymise: list[ErasureLine]
    keep: list[ErasureLine]
    blocking_companies: list[Company]
    closing: list[CompanyClosing] = field(default_factory=list)


def company_records_kept_until(*, company: Company) -> datetime.date | None:
    """31.12 five years after the fiscal year of the company's latest document, or of our
    latest invoice to it: the day after, the retention engine anonymises a closed company."""
    from django.db.models import Max, Q

    from backoffice.models import CustomerAccount
    from invoicing.models import Invoice

    with scopes_disabled():
        ours = Q(pk__in=[])
        account = CustomerAccount.objects.filter(customer=company).first()
        if account is not None:
            ours = Q(client_id=account.client_id)
        latest = (
            Invoice._base_manager.exclude(status=Invoice.Status.DRAFT)
            .filter(Q(company=company) | ours)
            .aggregate(day=Max("invoice_date"))["day"]
        )
    if latest is None:
        return None
    return datetime.date(latest.year + 5, 12, 31)


def companies_where_last_owner(*, user: User) -> list[Company]:
    from accounts.models import Membership, Role

    owned = Membership.objects.filter(user=user, role=Role.OWNER).select_related("company")
    return [
        m.company
        for m in owned
        if not Membership.objects.filter(company=m.company, role=Role.OWNER)
        .exclude(user=user)
        .exists()
    ]


def erasure_plan(*, user: User) -> ErasurePlan:
    plan = ErasurePlan(delete=[], anonymise=[], keep=[], blocking_companies=[])
    plan.blocking_companies = companies_where_last_owner(user=user)
    plan.closing = [
        CompanyClosing(company=c, kept_until=company_records_kept_until(company=c))
        for c in plan.blocking_companies
    ]
    with scopes_disabled():
        for declaration in handlers.erasure_sequence():
            rows = declaration.rows_for(user)
            if rows is None:
                continue
            count = rows.count()
            if not count:
                continue
            categories = sorted(
                {str(Category(spec.category).label) for spec in declaration.personal.values()}
            )
            # The person sees the data category (the handler's title), never a model name.
            owners = handlers.handlers_for_model(declaration.label)
            label = str(owners[0].title) if owners else str(declaration.model._meta.verbose_name)
            line = ErasureLine(label=label, count=count, categories=categories)
            if declaration.erasure in (Erasure.DELETE, Erasure.ANONYMISE):
                bucket = plan.delete if declaration.erasure == Erasure.DELETE else plan.anonymise
                same = next((x for x in bucket if x.label == label), None)
                if same is None:
                    bucket.append(line)
                else:
                    same.count += count
                    same.categories = sorted(set(same.categories) | set(categories))
            else:
                line.reason = str(declaration.keep_reason)
                line.until = declaration.keep_until(user) if declaration.keep_until else None
                plan.keep.append(line)
    # Accounting material of the person's companies stays with the company.
    from accounts.models import Membership

    companies = [m.company for m in Membership.objects.filter(user=user).select_related("company")]
    if companies:
        plan.keep.append(
            ErasureLine(
                label=_("Fakturaer, kreditnotaer og annet regnskapsmateriale i %(companies)s")
                % {"companies": ", ".join(c.name for c in companies)},
                count=0,
                categories=[str(Category.CUSTOMER_HISTORY.label)],
                reason=_(
                    "Regnskapsmateriale skal oppbevares i 5 år etter utgangen av "
                    "regnskapsåret (bokføringsloven § 13). Det tilhører firmaet og endres ikke."
                ),
                until=inventory.end_of_bookkeeping_period(),
            )
        )
    return plan


# --- Requests, statement, profiling, sub-processors, analytics ---------------------------
def privacy_requests_of(*, user: User) -> QuerySet[PrivacyRequest]:
    return PrivacyRequest.objects.filter(user=user)


def segments_of(*, user: User) -> QuerySet[SegmentMembership]:
    return SegmentMembership.objects.filter(user=user).select_related("segment")


def active_subprocessors() -> QuerySet[SubProcessor]:
    return SubProcessor.objects.filter(active=True)


def statement_version() -> str:
    """The current statement is the one users accept with the terms at sign-up."""
    return settings.TERMS_VERSION


def statement_update_pending(*, user: User) -> bool:
    """True if the user accepted an older statement and has not read the new one."""
    from accounts.models import TermsAcceptance

    current = statement_version()
    accepted = (
        TermsAcceptance.objects.filter(user=user)
        .order_by("-accepted_at")
        .values_list("terms_version", flat=True)
        .first()
    )
    if accepted is None or accepted >= current:
        return False
    return not StatementAcknowledgement.objects.filter(user=user, version=current).exists()


# The statement version for which a session's user is known to have no update pending.
SESSION_STATEMENT_KEY = "privacy_statement_read"


def statement_update_pending_in_session(*, user: User, session: SessionBase | None) -> bool:
    """``statement_update_pending``, asked once per session and statement version while
    the answer is no (the page notice asks on every page; it was a query each, issue 15).
    The session only remembers an answer (``SESSION_STATEMENT_KEY``); no state changes.

    Why "no" cannot go stale within a version: the answer is yes only while the user's
    latest accepted terms are older than the current statement and no acknowledgement of
    the current one exists. Acceptances are recorded at the current version and
    acknowledgements only added, so neither can turn a no into a yes; a new version
    (``TERMS_VERSION``, a deploy) is a new key and asks again. Those rows are removed only
    with the account's erasure, which ends its sessions (unusable password, inactive). A
    "yes" is asked again on every page, so reading the statement hides the notice at once.
    """
    current = statement_version()
    if session is not None and session.get(SESSION_STATEMENT_KEY) == current:
        return False
    pending = statement_update_pending(user=user)
    if session is not None and not pending:
        session[SESSION_STATEMENT_KEY] = current
    return pending


def daily_page_stats(*, since: datetime.date) -> list[dict[str, Any]]:
    """Page views and unique visitors per day: stored aggregates plus today's raw events."""
    rows = {
        (s.day, s.path): {"views": s.page_views, "visitors": s.unique_visitors}
        for s in DailyPageStat.objects.filter(day__gte=since)
    }
    raw = (
        PageView.objects.filter(day__gte=since)
        .values("day", "path")
        .annotate(views=Count("id"), visitors=Count("visitor_hash", distinct=True))
    )
    for r in raw:
        rows.setdefault((r["day"], r["path"]), {"views": r["views"], "visitors": r["visitors"]})
    return [{"day": day, "path": path, **counts} for (day, path), counts in sorted(rows.items())]


# --- Back office: the requests queue and the registers ----------------------------------
class _Queued(TypedDict):
    referrals_overdue: int


def privacy_request_queue(
    *, status: str = "open"
) -> QuerySet[WithAnnotations[PrivacyRequest, _Queued]]:
    """Requests for the privacy officer, the closest deadline first."""
    rows = PrivacyRequest.objects.select_related("assigned_to", "registered_by", "user")
    if status == "open":
        rows = rows.filter(status__in=[PrivacyRequest.Status.OPEN, PrivacyRequest.Status.EXTENDED])
    elif status == "unverified":
        rows = rows.filter(status=PrivacyRequest.Status.AWAITING_VERIFICATION)
    elif status == "closed":
        rows = rows.filter(status=PrivacyRequest.Status.CLOSED)
    # Requests passed on to customer companies that have not answered by their deadline.
    rows = rows.annotate(
        referrals_overdue=Count(
            "referrals",
            filter=models.Q(referrals__status="open", referrals__deadline__lt=timezone.localdate()),
        )
    )
    return rows.order_by("deadline", "received_at")


def privacy_request_is_overdue(request: PrivacyRequest, *, on: datetime.date | None = None) -> bool:
    day = on or timezone.localdate()
    return request.status != PrivacyRequest.Status.CLOSED and request.deadline < day


def privacy_officer_emails() -> list[str]:
    # ``roles`` is a JSON list: filtered in Python (JSON containment differs per database).
    from backoffice.models import StaffProfile, StaffRole

    return sorted(
        p.user.email
        for p in StaffProfile.objects.filter(is_active=True, user__is_active=True).select_related(
            "user"
        )
        if StaffRole.PRIVACY_OFFICER in (p.roles or [])
    )


def risk_reviews_due(*, on: datetime.date | None = None) -> QuerySet:
    """Risk assessments whose next review is on or before ``on`` (for reminders and the
    back-office dashboard)."""
    from privacy.models import RiskAssessment

    day = on or timezone.localdate()
    return RiskAssessment.objects.filter(next_review__lte=day).select_related("owner")


# --- Requests passed on to a customer company (we are its processor) ----------------------
def controller_referrals(
    *, request: PrivacyRequest | None = None, company: Company | None = None
) -> list[ControllerReferral]:
    """Referrals of one request (privacy officer) or to one company (each has ``state``)."""
    rows = ControllerReferral.objects.select_related("company", "request", "answered_by")
    if request is not None:
        rows = rows.filter(request=request)
    if company is not None:
        rows = rows.filter(company=company)
    return list(rows)
