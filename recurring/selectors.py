"""Reads of recurring invoice templates and runs, shared by views and the API."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet

from recurring.models import RecurringInvoice, RecurringInvoiceLine, RecurringRun


def template_list() -> QuerySet[RecurringInvoice]:
    """The company's templates (scoped), with their client and number of failed runs."""
    return (
        RecurringInvoice.objects.select_related("client")
        .annotate(
            failed_runs=Count("runs", filter=Q(runs__status=RecurringRun.Status.FAILED)),
            run_count=Count("runs"),
        )
        .order_by("name", "pk")
    )


def template_detail(*, pk: int) -> RecurringInvoice:
    return (
        RecurringInvoice.objects.select_related("client")
        .prefetch_related(
            Prefetch(
                "lines",
                queryset=RecurringInvoiceLine.objects.select_related("product", "vat_code"),
            ),
            Prefetch(
                "runs",
                queryset=RecurringRun.objects.select_related("invoice").order_by("-period_start"),
            ),
        )
        .get(pk=pk)
    )


def failed_runs() -> QuerySet[RecurringRun]:
    """Periods whose invoice could not be made, newest first (shown until fixed)."""
    return (
        RecurringRun.objects.filter(status=RecurringRun.Status.FAILED)
        .select_related("template")
        .order_by("-period_start")
    )
