"""The payment note printed under an invoice's payment details (and sent as the EHF's
payment terms): the company's own text per language (``InvoicingSettings``), else the
default of that language.

The note is frozen into the invoice's seller snapshot at issue (``invoice_issue``), the
default included, so neither a later edit by the company nor a new default text in a
later release changes an issued invoice's PDF or EHF (``documents_repair`` re-renders an
archived file and compares bytes). Credit notes are not paid and carry no note.
"""

from __future__ import annotations

from accounts.models import Company
from invoicing.models import InvoicingSettings
from invoicing.selectors import invoicing_settings_for

LANGUAGES = ("nb", "en")
# The documents are in the client's language, not the user's: literal texts per language,
# like the PDF's labels (``documents.pdf.LABELS``), not gettext.
DEFAULT_PAYMENT_NOTES = {
    "nb": "Ved betaling etter forfall beregnes forsinkelsesrente etter forsinkelsesrenteloven.",
    "en": "Interest is charged on late payment under the Norwegian Late Payment Interest Act.",
}
PAYMENT_NOTE_MAX_LENGTH = 600


def payment_note(*, settings_row: InvoicingSettings, language: str) -> str:
    """The note in ``language`` (nb for anything else): the company's own or the default."""
    language = language if language in LANGUAGES else "nb"
    own = getattr(settings_row, f"payment_note_{language}", "").strip()
    return own or DEFAULT_PAYMENT_NOTES[language]


def payment_note_for(*, company: Company, language: str) -> str:
    """The note a draft of ``company`` would print today (the PDF preview)."""
    return payment_note(settings_row=invoicing_settings_for(company=company), language=language)
