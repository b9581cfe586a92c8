"""The only code that changes a company's clients.

Rules decided here (and shown to users in the form's help texts):

- **Client number**: allocated by the service, the company's highest number + 1, with the
  company row locked (``FOR NO KEY UPDATE``) so concurrent creates of one company queue;
  on SQLite ``BEGIN IMMEDIATE`` serialises writers anyway. The unique constraint
  (company, number) stays the guard, and an insert that still collides is retried.
- **Organisasjonsnummer**: optional, but when given it must be valid (``"999 999 999"``
  is accepted and stored as 9 digits). A Norwegian company client *without* one is a
  **warning, not an error** (``client_warnings``): sole proprietorships need not be
  registered, and an invoice may name the buyer by name and address instead
  (bokføringsforskriften § 5-1-1 nr. 2). It becomes an error where the number is needed:
  delivery by EHF needs a Peppol id, which for a Norwegian company is ``0192:<orgnr>``.
- **Foreign VAT number** (``vat_number``): optional, for buyers outside Norway; with its
  country prefix and checked by python-stdnum (``core.identifiers.clean_foreign_vat_number``:
  EU numbers by ``eu.vat``, others such as GB and CH by stdnum's country module). It is
  snapshotted at issue, printed on the PDF and sent as the buyer's VAT identifier in EHF.
- **Peppol id**: ``^\\d{4}:[A-Za-z0-9]+$``; defaults to ``0192:<orgnr>`` for a Norwegian
  company with an orgnr; with scheme 0192 the orgnr part must be valid.
- **Duplicate orgnr**: allowed in the web forms (a municipality's units share one orgnr
  but have their own invoice addresses) and shown as a warning; rejected in CSV imports,
  where it nearly always means the same client twice.
- Audit entries carry numbers and the names of changed fields, never personal values.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import Company
from core.audit import Actor, audit_log
from core.csvfiles import (
    CsvFile,
    CsvImportError,
    CsvPreview,
    RowError,
    parse_bool,
    read_csv_file,
    row_errors_from,
)
from core.identifiers import clean_foreign_vat_number, clean_orgnr
from core.parsing import parse_int
from core.peppol import NORWEGIAN_ORGNR_SCHEME, clean_participant_id
from customers.countries import NORWAY, is_country_code
from customers.models import Client

ORGNR_SCHEME = NORWEGIAN_ORGNR_SCHEME
NUMBER_ATTEMPTS = 5
MAX_CLIENT_NUMBER = 999_999_999
AUDIT_NUMBERS = 100  # numbers listed in the audit entry of an import


@dataclass(frozen=True, kw_only=True)
class ClientData:
    """Everything a user may set on a client (the number is allocated, not chosen)."""

    name: str
    kind: str = Client.Kind.COMPANY
    organization_number: str = ""
    vat_number: str = ""
    address_line: str = ""
    address_line2: str = ""
    postcode: str = ""
    city: str = ""
    country: str = NORWAY
    invoice_emails: str = ""
    phone: str = ""
    contact_person: str = ""
    their_reference: str = ""
    payment_terms_days: int = 14
    language: str = Client.Language.NB
    peppol_id: str = ""
    delivery_channel: str = Client.DeliveryChannel.EMAIL
    price_display: str = Client.PriceDisplay.AUTO
    notes: str = ""

    @classmethod
    def from_client(cls, client: Client) -> ClientData:
        return cls(**{field: getattr(client, field) for field in CLIENT_FIELDS})


CLIENT_FIELDS: tuple[str, ...] = tuple(field.name for field in dataclasses.fields(ClientData))


def clean_invoice_emails(value: str) -> str:
    """Comma- (or semicolon-) separated addresses, each valid; returned as ``a, b``."""
    addresses = [part.strip() for part in re.split(r"[,;]", value) if part.strip()]
    for address in addresses:
        try:
            validate_email(address)
        except ValidationError as exc:
            raise ValidationError(
                _("«%(value)s» er ikke en gyldig e-postadresse."),
                code="invalid_email",
                params={"value": address},
            ) from exc
    return ", ".join(addresses)


def clean_peppol_id(value: str) -> str:
    """A valid Peppol participant id (EAS scheme and the scheme's own check), or raise."""
    return clean_participant_id(value)


def _strip_vat_form(value: str) -> str:
    """``NO 988 077 917 MVA`` (the VAT id form) → ``988077917``; anything else unchanged."""
    compact = value.replace(" ", "").upper()
    if compact.startswith("NO") and compact.endswith("MVA"):
        return compact[2:-3]
    return value


def _strip(data: ClientData) -> dict[str, Any]:
    values = dataclasses.asdict(data)
    return {
        key: value.strip() if isinstance(value, str) else value for key, value in values.items()
    }


def _apply(client: Client, data: ClientData) -> None:
    """Normalise and validate ``data`` onto ``client``; raise every error at once."""
    values = _strip(data)
    errors: dict[str, list[ValidationError]] = {}

    def fail(field: str, error: ValidationError) -> None:
        errors.setdefault(field, []).append(error)

    if values["organization_number"]:
        try:
            values["organization_number"] = clean_orgnr(
                _strip_vat_form(values["organization_number"])
            )
        except ValidationError as exc:
            fail("organization_number", exc)
    values["country"] = values["country"].upper()
    if values["vat_number"]:
        try:
            values["vat_number"] = clean_foreign_vat_number(values["vat_number"])
        except ValidationError as exc:
            fail("vat_number", exc)
    if not is_country_code(values["country"]):
        fail(
            "country",
            ValidationError(
                _("«%(value)s» er ikke en landkode (ISO 3166, to bokstaver, for eksempel NO)."),
                code="invalid_country",
                params={"value": data.country},
            ),
        )
    try:
        values["invoice_emails"] = clean_invoice_emails(values["invoice_emails"])
    except ValidationError as exc:
        fail("invoice_emails", exc)
    terms = values["payment_terms_days"]
    if not isinstance(terms, int) or isinstance(terms, bool) or not 0 <= terms <= 365:
        fail(
            "payment_terms_days",
            ValidationError(_("Betalingsfristen må være mellom 0 og 365 dager."), code="terms"),
        )
        values["payment_terms_days"] = client.payment_terms_days
    if len(values["notes"]) > 5000:
        fail("notes", ValidationError(_("Notatene kan ha høyst 5000 tegn."), code="max_length"))
    old_default = f"{ORGNR_SCHEME}:{client.organization_number}"
    if (
        client.organization_number
        and values["peppol_id"] == old_default
        and values["organization_number"] != client.organization_number
    ):
        # The Peppol id was the default for the old orgnr: it follows the new one.
        values["peppol_id"] = ""
    if values["peppol_id"]:
        try:
            values["peppol_id"] = clean_peppol_id(values["peppol_id"])
        except ValidationError as exc:
            fail("peppol_id", exc)
    elif (
        values["kind"] == Client.Kind.COMPANY
        and values["country"] == NORWAY
        and values["organization_number"]
        and "organization_number" not in errors
    ):
        values["peppol_id"] = f"{ORGNR_SCHEME}:{values['organization_number']}"
    if values["delivery_channel"] == Client.DeliveryChannel.EHF and not values["peppol_id"]:
        fail(
            "delivery_channel",
            ValidationError(
                _("Utsendelse som EHF krever Peppol-ID (eller organisasjonsnummer)."),
                code="ehf_needs_peppol_id",
            ),
        )

    for field, value in values.items():
        setattr(client, field, value)
    try:
        client.full_clean(exclude=["company", "number", *errors], validate_constraints=False)
    except ValidationError as exc:
        for field, field_errors in exc.error_dict.items():
            errors.setdefault(field, []).extend(field_errors)
    if errors:
        raise ValidationError(errors)


def _lock_numbering(company: Company) -> None:
    """Serialise number allocation per company until the transaction ends.

    FOR NO KEY UPDATE on the company row: concurrent client creates of the same company
    queue here, while inserts elsewhere that reference the company (FOR KEY SHARE) are
    not blocked. No-op on SQLite, where ``BEGIN IMMEDIATE`` already serialises writers.
    """
    Company.objects.select_for_update(no_key=True).filter(pk=company.pk).exists()


def _next_number(company: Company) -> int:
    highest = Client.objects.filter(company=company).aggregate(highest=Max("number"))["highest"]
    return (highest or 0) + 1


def _insert_with_number(client: Client) -> None:
    """Save a new client under the next free number, retrying if another took it."""
    _lock_numbering(client.company)
    for attempt in range(NUMBER_ATTEMPTS):
        client.number = _next_number(client.company)
        try:
            with transaction.atomic():
                client.save()
            return
        except IntegrityError:
            if attempt == NUMBER_ATTEMPTS - 1:
                raise


@transaction.atomic
def client_create(*, company: Company, actor: Actor, data: ClientData) -> Client:
    client = Client(company=company)
    _apply(client, data)
    _insert_with_number(client)
    audit_log(
        action="customers.client.created",
        actor=actor,
        company=company,
        target=client,
        data={"number": client.number, "kind": client.kind},
    )
    return client


@transaction.atomic
def client_update(*, client: Client, actor: Actor, data: ClientData) -> Client:
    before = ClientData.from_client(client)
    _apply(client, data)
    after = ClientData.from_client(client)
    changed = [field for field in CLIENT_FIELDS if getattr(before, field) != getattr(after, field)]
    if changed:
        client.save()
        audit_log(
            action="customers.client.updated",
            actor=actor,
            company=client.company,
            target=client,
            data={"number": client.number, "fields": changed},
        )
    return client


def _set_active(*, client: Client, actor: Actor, active: bool) -> Client:
    if client.is_active == active:
        return client
    client.is_active = active
    client.save(update_fields=["is_active", "updated_at"])
    audit_log(
        action="customers.client.activated" if active else "customers.client.archived",
        actor=actor,
        company=client.company,
        target=client,
        data={"number": client.number},
    )
    return client


@transaction.atomic
def client_archive(*, client: Client, actor: Actor) -> Client:
    """Archived clients stay (their invoices refer to them) but leave the pick lists."""
    return _set_active(client=client, actor=actor, active=False)


@transaction.atomic
def client_activate(*, client: Client, actor: Actor) -> Client:
    return _set_active(client=client, actor=actor, active=True)


# --- CSV ------------------------------------------------------------------------------

# Header in the export (Norwegian, whatever the UI language) and the field it holds.
CSV_COLUMNS: tuple[tuple[str, str], ...] = (
    ("kundenummer", "number"),
    ("type", "kind"),
    ("navn", "name"),
    ("organisasjonsnummer", "organization_number"),
    ("utenlandsk mva-nummer", "vat_number"),
    ("adresse", "address_line"),
    ("adresselinje 2", "address_line2"),
    ("postnummer", "postcode"),
    ("poststed", "city"),
    ("land", "country"),
    ("e-post for faktura", "invoice_emails"),
    ("telefon", "phone"),
    ("kontaktperson", "contact_person"),
    ("deres referanse", "their_reference"),
    ("betalingsfrist", "payment_terms_days"),
    ("språk", "language"),
    ("peppol-id", "peppol_id"),
    ("utsendelse", "delivery_channel"),
    ("priser på fakturaen", "price_display"),
    ("notater", "notes"),
    ("aktiv", "is_active"),
)
# Headers accepted on import: the export's, the field names, and a few common aliases.
_CSV_ALIASES: dict[str, str] = {
    **dict(CSV_COLUMNS),
    **{field.replace("_", " "): field for _header, field in CSV_COLUMNS},
    "kundenr": "number",
    "orgnr": "organization_number",
    "org.nr": "organization_number",
    "mva-nummer": "vat_number",
    "vat number": "vat_number",
    "e-post": "invoice_emails",
    "epost": "invoice_emails",
    "betalingsfrist (dager)": "payment_terms_days",
    "priser": "price_display",
}


def _choice(
    value: str,
    choices: type[Client.Kind | Client.Language | Client.DeliveryChannel | Client.PriceDisplay],
) -> str:
    """A choice by its code or its label in Norwegian or English, any case.

    Unknown values are kept as typed, so the model's choice check reports them.
    """
    key = value.strip().lower()
    for language in ("nb", "en"):
        with translation.override(language):
            for code, label in choices.choices:
                if key in {code, str(label).lower()}:
                    return code
    return value


_LABEL_ALIASES = {
    "bedrift": "company",
    "privatperson": "person",
    "e-post": "email",
    # Price display: the short forms people type ("inkl. mva" is the label itself).
    "automatisk": "auto",
    "inkl": "incl",
    "inkl mva": "incl",
    "eks": "excl",
    "eks mva": "excl",
    "ekskl. mva": "excl",
}


def client_csv_rows(clients: Any) -> list[list[str]]:
    return [
        [
            str(client.number),
            client.kind,
            client.name,
            client.organization_number,
            client.vat_number,
            client.address_line,
            client.address_line2,
            client.postcode,
            client.city,
            client.country,
            client.invoice_emails,
            client.phone,
            client.contact_person,
            client.their_reference,
            str(client.payment_terms_days),
            client.language,
            client.peppol_id,
            client.delivery_channel,
            client.price_display,
            client.notes,
            "ja" if client.is_active else "nei",
        ]
        for client in clients
    ]


def _row_to_data(values: dict[str, str]) -> ClientData:
    fields: dict[str, Any] = {key: values[key] for key in CLIENT_FIELDS if key in values}
    for key, choices in (
        ("kind", Client.Kind),
        ("language", Client.Language),
        ("delivery_channel", Client.DeliveryChannel),
        ("price_display", Client.PriceDisplay),
    ):
        if fields.get(key):
            raw = _LABEL_ALIASES.get(fields[key].strip().lower(), fields[key])
            fields[key] = _choice(raw, choices)
        else:
            fields.pop(key, None)
    if not fields.get("country"):
        fields.pop("country", None)
    terms = fields.pop("payment_terms_days", "").strip()
    if terms:
        # Not a whole number of days (Unicode digits, "30 dager", 10**30): the form's
        # range check refuses -1 with its message on the column.
        number = parse_int(terms, min_value=0)
        fields["payment_terms_days"] = -1 if number is None else number
    fields.setdefault("name", "")
    return ClientData(**fields)


def _labels() -> dict[str, str]:
    labels = {field: header for header, field in CSV_COLUMNS}
    return labels


def _client_import_plan(
    *, company: Company, data: bytes
) -> tuple[CsvFile, list[tuple[Client, int | None]]]:
    """The file and its validated, unsaved clients with their given numbers (``None``:
    allocate); ``CsvImportError`` lists every row error."""
    file = read_csv_file(data, columns=_CSV_ALIASES, required=["name"])
    rows = file.rows
    labels = _labels()
    existing_orgnrs = dict(
        Client.objects.filter(company=company)
        .exclude(organization_number="")
        .values_list("organization_number", "number")
    )
    existing_numbers = set(Client.objects.filter(company=company).values_list("number", flat=True))
    seen_orgnrs: dict[str, int] = {}
    seen_numbers: dict[int, int] = {}
    row_errors: list[RowError] = []
    prepared: list[tuple[Client, int | None]] = []

    for row in rows:
        values = row.values
        errors_here: list[RowError] = []
        if "__extra__" in values:
            errors_here.append(
                RowError(
                    row=row.number, field="", message=_("Raden har flere celler enn overskriften.")
                )
            )
        number: int | None = None
        raw_number = values.get("number", "").strip()
        if raw_number:
            number = parse_int(raw_number, min_value=1, max_value=MAX_CLIENT_NUMBER)
            if number is None:
                errors_here.append(
                    RowError(
                        row=row.number,
                        field=labels["number"],
                        message=_("Kundenummeret må være et heltall fra 1 til %(max)s.")
                        % {"max": MAX_CLIENT_NUMBER},
                    )
                )
            elif number in existing_numbers:
                errors_here.append(
                    RowError(
                        row=row.number,
                        field=labels["number"],
                        message=_("Kundenummer %(number)s er allerede i bruk.")
                        % {"number": number},
                    )
                )
            elif number in seen_numbers:
                errors_here.append(
                    RowError(
                        row=row.number,
                        field=labels["number"],
                        message=_("Kundenummer %(number)s står også på rad %(row)s.")
                        % {"number": number, "row": seen_numbers[number]},
                    )
                )
            else:
                seen_numbers[number] = row.number
        is_active = True
        try:
            is_active = parse_bool(values.get("is_active", ""), default=True)
        except ValidationError as exc:
            errors_here.extend(
                row_errors_from(row.number, ValidationError({"is_active": exc}), labels)
            )
        client = Client(company=company, is_active=is_active)
        try:
            _apply(client, _row_to_data(values))
        except ValidationError as exc:
            errors_here.extend(row_errors_from(row.number, exc, labels))
        else:
            orgnr = client.organization_number
            if orgnr and orgnr in existing_orgnrs:
                errors_here.append(
                    RowError(
                        row=row.number,
                        field=labels["organization_number"],
                        message=_("Organisasjonsnummeret finnes allerede på kunde %(number)s.")
                        % {"number": existing_orgnrs[orgnr]},
                    )
                )
            elif orgnr and orgnr in seen_orgnrs:
                errors_here.append(
                    RowError(
                        row=row.number,
                        field=labels["organization_number"],
                        message=_("Organisasjonsnummeret står også på rad %(row)s.")
                        % {"row": seen_orgnrs[orgnr]},
                    )
                )
            elif orgnr:
                seen_orgnrs[orgnr] = row.number
        row_errors.extend(errors_here)
        prepared.append((client, number))

    if row_errors:
        raise CsvImportError(row_errors)
    return file, prepared


def _client_preview(file: CsvFile, clients: list[Client]) -> CsvPreview:
    return CsvPreview.of(
        file, header=[header for header, _field in CSV_COLUMNS], rows=client_csv_rows(clients)
    )


def client_import_preview(*, company: Company, data: bytes) -> CsvPreview:
    """What ``client_import_csv`` would create now, numbers included; writes nothing.

    Raises what the import raises (``CsvImportError`` with every row error).
    """
    file, prepared = _client_import_plan(company=company, data=data)
    given = [number for _client, number in prepared if number is not None]
    next_number = max([_next_number(company), *(number + 1 for number in given)])
    for client, number in prepared:
        if number is None:
            client.number = next_number
            next_number += 1
        else:
            client.number = number
    return _client_preview(file, [client for client, _number in prepared])


@transaction.atomic
def client_import_csv(
    *, company: Company, actor: Actor, data: bytes, expected_fingerprint: str | None = None
) -> list[Client]:
    """Create a client for every row, or none at all.

    Every row is validated first (the same rules as the form, plus: no orgnr twice, in
    the file or among the company's clients; a given customer number must be free).
    Rows without a customer number get the next free numbers, in file order. With
    ``expected_fingerprint`` (the preview the user confirmed), the clients as created
    must be exactly those of that preview, or nothing is imported (``preview_changed``).
    """
    _lock_numbering(company)
    file, prepared = _client_import_plan(company=company, data=data)

    # Rows with their own number first, so an allocated number can never take one of them.
    numbered = []
    for client, number in prepared:
        if number is not None:
            client.number = number
            numbered.append(client)
    try:
        with transaction.atomic():
            Client.objects.bulk_create(numbered, batch_size=500)
    except IntegrityError as exc:  # taken by a concurrent create since validation
        raise ValidationError(
            _("Et av kundenumrene ble nettopp tatt i bruk. Prøv igjen."), code="number_taken"
        ) from exc
    unnumbered = [client for client, number in prepared if number is None]
    if unnumbered:
        next_number = _next_number(company)
        for offset, client in enumerate(unnumbered):
            client.number = next_number + offset
        try:
            with transaction.atomic():
                Client.objects.bulk_create(unnumbered, batch_size=500)
        except IntegrityError as exc:
            if expected_fingerprint is not None:  # the preview's numbers are no longer free
                raise ValidationError(
                    _("Et av kundenumrene ble nettopp tatt i bruk. Prøv igjen."),
                    code="number_taken",
                ) from exc
            # A concurrent create took one of these numbers: take them one by one.
            for client in unnumbered:
                client.pk = None
                _insert_with_number(client)
    created = [client for client, _number in prepared]
    _client_preview(file, created).check(expected_fingerprint)
    audit_log(
        action="customers.client.imported",
        actor=actor,
        company=company,
        # The first 100 numbers: enough to find the batch, small enough for the log.
        data={"count": len(created), "numbers": [c.number for c in created[:AUDIT_NUMBERS]]},
    )
    return created
