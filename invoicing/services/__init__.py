"""The only code that changes invoices, credit notes, number series and payments.

Every function is keyword-only, runs in one ``transaction.atomic`` inside the tenant scope
of the company it works on, writes its ``core.audit`` entry in that transaction, and raises
``django.core.exceptions.ValidationError`` (Norwegian, translated; keyed by field where
there is one, ``lines`` for line problems) for anything the user got wrong.

Callers (views, API, tasks) fetch objects through scoped querysets first; the services
check again that everything they are given belongs to the same company.

One module per subject; this package re-exports the public names (``__all__``), so other
apps import ``from invoicing import services`` or ``from invoicing.services import ...``.
Modules inside the package import from their siblings, never from this ``__init__``::

    common     MAX_AMOUNT, MAX_QUANTITY, totals_limit_problem and the shared helpers
    settings   invoicing_settings_update(company=, actor=, ...)      -> InvoicingSettings
               invoice_texts_update(company=, actor=, payment_note_nb=, payment_note_en=)
    vat_terms  vat_term_mark_reported(company=, actor=, through=)    -> InvoicingSettings
               vat_term_reopen(company=, actor=, through=)           -> InvoicingSettings
    drafts     invoice_create_draft(company=, actor=, header=, lines=) -> Invoice (draft, no number)
               invoice_update_draft(invoice=, actor=, header=, lines=) -> Invoice (lines replaced)
               invoice_delete_draft(invoice=, actor=)                 -> None
               invoice_duplicate(invoice=, actor=)                    -> Invoice (a new draft)
    issue      invoice_issue(invoice=, actor=)                        -> Invoice (number, KID)
               invoice_issue_many(company=, invoice_ids=, actor=, chunk_size=None)
                                                         -> IssueManyResult (issued, failed)
               invoice_mark_sent(invoice=, actor=)                    -> Invoice
    balance    an issued document's paid amount and status, the client's credit balance
    credit     invoice_credit(invoice=, actor=, lines=None, ...)      -> Invoice (credit note)
    payments   payment_register(invoice=, actor=, amount=, date=, ...) -> Payment
               payment_register_many(company=, actor=, payments=[PaymentData]) -> [Payment]
               payment_reverse(payment=, actor=, date=None, note="")  -> Payment (the reversal)
    summary    month_summary_add(company_id=, documents=, payments=)  the dashboard's months,
               called by issue and payments in their transaction; month_summary_batch()
               collects over chunks; month_summary_rebuild(company_ids=None) recounts

After an issue commits, ``invoicing.hooks`` calls the registered receivers (PDF, e-mail,
EHF later).
"""

from invoicing.services.common import MAX_AMOUNT, MAX_QUANTITY, totals_limit_problem
from invoicing.services.credit import CreditLine, invoice_credit
from invoicing.services.drafts import (
    InvoiceHeader,
    LineData,
    invoice_create_draft,
    invoice_delete_draft,
    invoice_duplicate,
    invoice_header_of,
    invoice_update_draft,
    line_data_of,
    lines_data_of,
    lines_validate,
)
from invoicing.services.issue import (
    IssueManyResult,
    buyer_snapshot,
    invoice_issue,
    invoice_issue_many,
    invoice_mark_sent,
    seller_snapshot,
)
from invoicing.services.payments import (
    PaymentData,
    payment_register,
    payment_register_many,
    payment_reverse,
)
from invoicing.services.settings import invoice_texts_update, invoicing_settings_update
from invoicing.services.summary import (
    month_summary_add,
    month_summary_batch,
    month_summary_rebuild,
)
from invoicing.services.vat_terms import vat_term_mark_reported, vat_term_reopen

__all__ = [
    "MAX_AMOUNT",
    "MAX_QUANTITY",
    "CreditLine",
    "InvoiceHeader",
    "IssueManyResult",
    "LineData",
    "PaymentData",
    "buyer_snapshot",
    "invoice_create_draft",
    "invoice_credit",
    "invoice_delete_draft",
    "invoice_duplicate",
    "invoice_header_of",
    "invoice_issue",
    "invoice_issue_many",
    "invoice_mark_sent",
    "invoice_texts_update",
    "invoice_update_draft",
    "invoicing_settings_update",
    "line_data_of",
    "lines_data_of",
    "lines_validate",
    "month_summary_add",
    "month_summary_batch",
    "month_summary_rebuild",
    "payment_register",
    "payment_register_many",
    "payment_reverse",
    "seller_snapshot",
    "totals_limit_problem",
    "vat_term_mark_reported",
    "vat_term_reopen",
]
