"""Segments, campaigns and sending (R1c). The only code that changes marketing state.

Marketing rests on consent only, as the privacy statement says: a person is profiled
(segments) and gets a campaign only with the marketing consent given in the ledger, an
active customer relationship (``backoffice.selectors``) and no objection (suppression list).
Withdrawing the consent or objecting removes the person from every segment at once
(``segments_leave``, called by ``privacy.services.consents``). The basis is recorded per
recipient and checked again just before each message goes. (The existing-customer rule of
markedsføringsloven § 15 is not used.)
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Count, Max
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from accounts.models import Membership, User
from core.audit import Actor, audit_log
from core.dates import add_months
from core.outbox import outbox_enqueue_many
from marketing.models import Campaign, CampaignRecipient, Segment, SegmentMembership, SegmentRule
from privacy import selectors as privacy_selectors
from privacy.models import ConsentPurpose

MAX_BODY = 20000


# --- Relationship and objection facts, read once per computation ---------------------------
@dataclass
class Facts:
    today: datetime.date
    active_company_ids: set[int]
    companies_of: dict[int, set[int]]

    def relationship_active(self, user_id: int) -> bool:
        return bool(self.companies_of.get(user_id, set()) & self.active_company_ids)


def facts(*, today: datetime.date | None = None, user_ids: Any = None) -> Facts:
    from backoffice.selectors import active_customers

    today = today or timezone.localdate()
    memberships = Membership.objects.all()
    if user_ids is not None:
        memberships = memberships.filter(user_id__in=user_ids)
    companies_of: dict[int, set[int]] = {}
    for user_id, company_id in memberships.values_list("user_id", "company_id"):
        companies_of.setdefault(user_id, set()).add(company_id)
    active = set(active_customers(on=today).values_list("pk", flat=True))
    return Facts(today=today, active_company_ids=active, companies_of=companies_of)


def objection_reason(user: User) -> str | None:
    """Why ``user`` must not get marketing (objection, withdrawn consent), or None."""
    if privacy_selectors.is_marketing_suppressed(email=user.email):
        return _("har reservert seg mot direkte markedsføring")
    record = privacy_selectors.consent_state(user=user, purposes=(ConsentPurpose.MARKETING_EMAIL,))[
        ConsentPurpose.MARKETING_EMAIL
    ]
    if record is not None and not record.given:
        return _("har trukket samtykket til markedsføring på e-post")
    return None


# --- Segments -------------------------------------------------------------------------------
def _criteria_text(rule: SegmentRule) -> str:
    if rule.kind == SegmentRule.Kind.PLAN_ACTIVITY:
        return _(
            "Firmaet har abonnementet %(plan)s og utstedte minst %(n)s fakturaer forrige kvartal"
        ) % {"plan": rule.plan.name if rule.plan else "?", "n": rule.min_invoices}
    if rule.kind == SegmentRule.Kind.LAPSED:
        return _("Siste bestilling fra firmaet er eldre enn %(months)s måneder") % {
            "months": rule.months
        }
    return _("Har valgt språket %(language)s") % {"language": rule.language}


@transaction.atomic
def segment_rule_create(
    *,
    staff: User,
    name: str,
    description: str,
    kind: str,
    plan: Any = None,
    min_invoices: int | None = None,
    months: int | None = None,
    language: str = "",
) -> SegmentRule:
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = _("Gi segmentet et navn.")
    if not description.strip():
        errors["description"] = _("Beskriv hva segmentet brukes til; kundene ser det.")
    if kind not in SegmentRule.Kind.values:
        errors["kind"] = _("Velg en regel.")
    elif kind == SegmentRule.Kind.PLAN_ACTIVITY:
        if plan is None:
            errors["plan"] = _("Velg abonnementet.")
        if min_invoices is None or min_invoices < 0:
            errors["min_invoices"] = _("Oppgi antall fakturaer (0 eller mer).")
    elif kind == SegmentRule.Kind.LAPSED:
        if months is None or not 1 <= months <= 120:
            errors["months"] = _("Oppgi et antall måneder mellom 1 og 120.")
    elif language not in dict(settings.LANGUAGES):
        errors["language"] = _("Velg et språk.")
    if errors:
        raise ValidationError(errors)
    segment = Segment.objects.create(
        name=name.strip(), description=description.strip(), criteria=""
    )
    rule = SegmentRule.objects.create(
        segment=segment,
        kind=kind,
        plan=plan if kind == SegmentRule.Kind.PLAN_ACTIVITY else None,
        min_invoices=min_invoices if kind == SegmentRule.Kind.PLAN_ACTIVITY else None,
        months=months if kind == SegmentRule.Kind.LAPSED else None,
        language=language if kind == SegmentRule.Kind.LANGUAGE else "",
    )
    segment.criteria = _criteria_text(rule)
    segment.save(update_fields=["criteria"])
    audit_log(
        action="marketing.segment.created",
        actor=Actor.user(staff),
        target=segment,
        data={"kind": kind, "criteria": segment.criteria},
    )
    return rule


def segments_leave(*, user_id: int) -> None:
    """Take the person out of every marketing segment at once (withdrawn consent or an
    objection: profiling for marketing rests on the consent, as the statement says)."""
    SegmentMembership.objects.filter(user_id=user_id).delete()


def previous_quarter(day: datetime.date) -> tuple[datetime.date, datetime.date]:
    first_month = 3 * ((day.month - 1) // 3) + 1
    start_this = datetime.date(day.year, first_month, 1)
    end = start_this - datetime.timedelta(days=1)
    start = datetime.date(end.year, 3 * ((end.month - 1) // 3) + 1, 1)
    return start, end


def _matches(rule: SegmentRule, today: datetime.date) -> dict[int, str]:
    """user id → the reason (in words the person is shown) for the segment's rule."""
    from backoffice.models import Order
    from invoicing.models import Invoice

    reasons: dict[int, str] = {}
    if rule.kind == SegmentRule.Kind.LANGUAGE:
        for user_id in User.objects.filter(language=rule.language, is_active=True).values_list(
            "pk", flat=True
        ):
            reasons[user_id] = _criteria_text(rule)
        return reasons
    company_reason: dict[int, str] = {}
    if rule.kind == SegmentRule.Kind.PLAN_ACTIVITY:
        start, end = previous_quarter(today)
        on_plan = set(
            Order.objects.filter(plan=rule.plan, status=Order.Status.CONFIRMED).values_list(
                "customer_id", flat=True
            )
        )
        with scopes_disabled():
            counts = (
                Invoice.objects.filter(
                    company_id__in=on_plan,
                    kind=Invoice.Kind.INVOICE,
                    invoice_date__gte=start,
                    invoice_date__lte=end,
                )
                .exclude(status=Invoice.Status.DRAFT)
                .values("company_id")
                .annotate(n=Count("id"))
            )
            for row in counts:
                if row["n"] >= (rule.min_invoices or 0) and row["n"] > 0:
                    company_reason[row["company_id"]] = _(
                        "Firmaet ditt har abonnementet %(plan)s og utstedte %(n)s fakturaer "
                        "%(start)s–%(end)s"
                    ) % {
                        # Only orders of the rule's plan counted: it has one here.
                        "plan": rule.plan.name if rule.plan else "",
                        "n": row["n"],
                        "start": start.strftime("%d.%m.%Y"),
                        "end": end.strftime("%d.%m.%Y"),
                    }
    else:
        limit = timezone.make_aware(
            datetime.datetime.combine(add_months(today, -(rule.months or 0)), datetime.time.min)
        )
        for last_order in Order.objects.values("customer_id").annotate(last=Max("ordered_at")):
            if last_order["last"] < limit:
                company_reason[last_order["customer_id"]] = _(
                    "Siste bestilling fra firmaet ditt var %(date)s"
                ) % {"date": timezone.localtime(last_order["last"]).strftime("%d.%m.%Y")}
    for user_id, company_id in Membership.objects.filter(
        company_id__in=company_reason, user__is_active=True
    ).values_list("user_id", "company_id"):
        reasons.setdefault(user_id, company_reason[company_id])
    return reasons


@transaction.atomic
def segment_compute(*, rule: SegmentRule, today: datetime.date | None = None) -> int:
    """Recompute the members with their reasons. Only people who gave the marketing consent
    are profiled; without it, without an active relationship or after an objection they are
    not (and lose an earlier membership)."""
    today = today or timezone.localdate()
    reasons = _matches(rule, today)
    known = facts(today=today, user_ids=list(reasons))
    users = User.objects.in_bulk(list(reasons))
    consenting = privacy_selectors.users_with_consent(
        purpose=ConsentPurpose.MARKETING_EMAIL, user_ids=list(reasons)
    )
    wanted = {
        user_id: reason
        for user_id, reason in reasons.items()
        if known.relationship_active(user_id)
        and objection_reason(users[user_id]) is None
        and user_id in consenting
    }
    segment = rule.segment
    SegmentMembership.objects.filter(segment=segment).exclude(user_id__in=wanted).delete()
    existing = dict(
        SegmentMembership.objects.filter(segment=segment).values_list("user_id", "reason")
    )
    for user_id, reason in wanted.items():
        if user_id not in existing:
            SegmentMembership.objects.create(user_id=user_id, segment=segment, reason=reason)
        elif existing[user_id] != reason:
            SegmentMembership.objects.filter(segment=segment, user_id=user_id).update(reason=reason)
    rule.computed_at = timezone.now()
    rule.save(update_fields=["computed_at"])
    audit_log(
        action="marketing.segment.computed",
        actor=Actor.system("marketing"),
        target=segment,
        data={"members": len(wanted)},
    )
    return len(wanted)


# --- Campaigns --------------------------------------------------------------------------------
@dataclass
class PreviewRow:
    user: User
    basis: str = ""
    basis_label: str = ""
    reason: str = ""


@dataclass
class Preview:
    included: list[PreviewRow]
    excluded: list[PreviewRow]


def recipient_basis(campaign: Campaign, user: User, known: Facts) -> tuple[str, str]:
    """(basis, "") when ``user`` may get ``campaign``; ("", reason) when not."""
    if not user.is_active:
        return "", _("kontoen er ikke aktiv")
    objection = objection_reason(user)
    if objection:
        return "", objection
    if not known.relationship_active(user.pk):
        return "", _("kundeforholdet er avsluttet (3 år etter siste leveranse)")
    if privacy_selectors.consent_is_given(purpose=ConsentPurpose.MARKETING_EMAIL, user=user):
        return CampaignRecipient.Basis.CONSENT, ""
    return "", _("har ikke samtykket til markedsføring")


def campaign_preview(*, campaign: Campaign, today: datetime.date | None = None) -> Preview:
    members = list(
        User.objects.filter(
            pk__in=SegmentMembership.objects.filter(segment=campaign.segment).values("user_id")
        ).order_by("email")
    )
    known = facts(today=today, user_ids=[u.pk for u in members])
    preview = Preview(included=[], excluded=[])
    for user in members:
        basis, reason = recipient_basis(campaign, user, known)
        if basis:
            label = str(CampaignRecipient.Basis(basis).label)
            preview.included.append(PreviewRow(user=user, basis=basis, basis_label=label))
        else:
            preview.excluded.append(PreviewRow(user=user, reason=reason))
    return preview


@transaction.atomic
def campaign_create(
    *,
    staff: User,
    name: str,
    segment: Segment,
    subject: str,
    body: str,
) -> Campaign:
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = _("Gi kampanjen et navn.")
    if not subject.strip():
        errors["subject"] = _("Skriv et emne.")
    if not body.strip():
        errors["body"] = _("Skriv teksten.")
    elif len(body) > MAX_BODY:
        errors["body"] = _("Teksten er for lang.")
    if errors:
        raise ValidationError(errors)
    campaign = Campaign.objects.create(
        name=name.strip(),
        segment=segment,
        subject=subject.strip(),
        body=body.strip(),
        created_by=staff,
    )
    audit_log(
        action="marketing.campaign.created",
        actor=Actor.user(staff),
        target=campaign,
        data={"segment": segment.pk},
    )
    return campaign


def campaign_start(*, campaign: Campaign, staff: User) -> int:
    """Fix the recipients with their basis and queue one task per recipient (once)."""

    with transaction.atomic():
        locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if locked.status != Campaign.Status.DRAFT:
            raise ValidationError(_("Kampanjen er allerede sendt eller under sending."))
        preview = campaign_preview(campaign=locked)
        if not preview.included:
            raise ValidationError(_("Ingen i segmentet kan få kampanjen."))
        CampaignRecipient.objects.bulk_create(
            [
                CampaignRecipient(campaign=locked, user=row.user, basis=row.basis)
                for row in preview.included
            ],
            ignore_conflicts=True,
        )
        locked.status = Campaign.Status.SENDING
        locked.started_at = timezone.now()
        locked.save(update_fields=["status", "started_at"])
        audit_log(
            action="marketing.campaign.started",
            actor=Actor.user(staff),
            target=locked,
            data={"recipients": len(preview.included), "excluded": len(preview.excluded)},
        )
        ids = list(
            CampaignRecipient.objects.filter(
                campaign=locked, status=CampaignRecipient.Status.PENDING
            ).values_list("pk", flat=True)
        )
        outbox_enqueue_many(
            task="marketing.tasks.campaign_recipient_send_task", calls=[([pk], {}) for pk in ids]
        )
    return len(ids)


def _claim(recipient_id: int) -> bool:
    """Atomically take a pending recipient; whoever loses the race sends nothing."""
    return (
        CampaignRecipient.objects.filter(
            pk=recipient_id, status=CampaignRecipient.Status.PENDING
        ).update(status=CampaignRecipient.Status.SENDING, claimed_at=timezone.now())
        == 1
    )


def _finish(recipient_id: int, status: str, error: str = "") -> None:
    values: dict[str, Any] = {"status": status, "error": error[:300]}
    if status == CampaignRecipient.Status.SENT:
        values["sent_at"] = timezone.now()
    CampaignRecipient.objects.filter(pk=recipient_id).update(**values)


def unsubscribe_token(*, user: User) -> str:
    """Signed, not encrypted: it carries the user id and a digest, never the address."""
    return signing.dumps(
        {"u": user.pk, "h": privacy_selectors.email_digest(user.email)},
        salt=privacy_selectors.UNSUBSCRIBE_SALT,
    )


def unsubscribe_url(*, user: User) -> str:
    return settings.SITE_URL + reverse(
        "privacy:unsubscribe", kwargs={"token": unsubscribe_token(user=user)}
    )


def marketing_email_headers(*, unsubscribe_url: str) -> dict[str, str]:
    """RFC 2369/8058 headers for a marketing e-mail: one-click unsubscribe, no login."""
    return {
        "List-Unsubscribe": f"<{unsubscribe_url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def marketing_message(*, campaign: Campaign, user: User) -> EmailMessage:
    # One signed link for the body and the header: the signature carries the second it
    # was made, so signing twice could give two different links in one message.
    unsubscribe = unsubscribe_url(user=user)
    with translation.override(user.language or settings.LANGUAGE_CODE):
        body = render_to_string(
            "marketing/email/campaign.txt",
            {"campaign": campaign, "user": user, "unsubscribe_url": unsubscribe},
        )
    return EmailMessage(
        subject=campaign.subject,
        body=body,
        to=[user.email],
        headers=marketing_email_headers(unsubscribe_url=unsubscribe),
    )


def campaign_recipient_send(*, recipient_id: int) -> str:
    """Send one message, at most once. The basis is checked again right before sending."""
    if not _claim(recipient_id):
        return "skipped"
    recipient = CampaignRecipient.objects.select_related("campaign", "user").get(pk=recipient_id)
    campaign, user = recipient.campaign, recipient.user
    basis, reason = recipient_basis(campaign, user, facts(user_ids=[user.pk]))
    if not basis:
        _finish(recipient_id, CampaignRecipient.Status.SKIPPED, reason)
    else:
        try:
            marketing_message(campaign=campaign, user=user).send()
        except Exception as error:
            _finish(recipient_id, CampaignRecipient.Status.FAILED, str(error))
        else:
            _finish(recipient_id, CampaignRecipient.Status.SENT)
    _complete_if_done(campaign)
    return "done"


def _complete_if_done(campaign: Campaign) -> None:
    with transaction.atomic():
        open_left = CampaignRecipient.objects.filter(
            campaign=campaign,
            status__in=[CampaignRecipient.Status.PENDING, CampaignRecipient.Status.SENDING],
        ).exists()
        if not open_left:
            Campaign.objects.filter(pk=campaign.pk, status=Campaign.Status.SENDING).update(
                status=Campaign.Status.SENT, finished_at=timezone.now()
            )


def campaign_progress(*, campaign: Campaign) -> dict[str, int]:
    counts = dict(
        CampaignRecipient.objects.filter(campaign=campaign)
        .values_list("status")
        .annotate(n=Count("id"))
    )
    total = sum(counts.values())
    done = total - counts.get("pending", 0) - counts.get("sending", 0)
    return {
        "total": total,
        "done": done,
        "sent": counts.get("sent", 0),
        "skipped": counts.get("skipped", 0),
        "failed": counts.get("failed", 0),
    }
