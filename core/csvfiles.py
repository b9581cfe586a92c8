"""CSV import and export that Norwegian Excel users can open and save (clients, products).

Export: UTF-8 with a byte order mark (so Excel shows æøå right), ``;`` as separator,
CRLF line ends, a header row. Cells that Excel would run as a formula are prefixed
with ``'`` (CSV injection); import strips that prefix again, so a round trip is exact.

Import: the whole upload is checked before any row is used: size (2 MB), not empty,
text without control characters, a known header. The encoding is decided by one strict
rule (``decode_upload``): UTF-16 with its byte order mark (Excel's "Unicode text"), else
UTF-8 (with or without BOM) when the bytes are valid UTF-8, else Windows-1252 (what
Norwegian Excel's "CSV (semikolondelt)" writes). Valid UTF-8 is a near-certain test (cp1252
text with æøå is practically never valid UTF-8), so no statistical guess is needed, and
a statistical detector could silently turn ø into another letter on a short file. The
separator is the one (``;``, ``,`` or tab) that splits the header into the most known
columns. Problems with the file raise ``ValidationError``; problems in rows are collected
as ``RowError`` by the caller, which raises ``CsvImportError`` with all of them so nothing
is imported.

Preview: the upload page checks the file with the app's preview service and keeps the
bytes in the shared cache for ``PREVIEW_SECONDS``, tied to the company, the user and the
kind of import; the preview page shows the rows as they will be created, and confirming
runs the import service with the fingerprint of what was shown, which refuses when the
result would differ (``CsvPreview.fingerprint``).
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
import re
import secrets
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from core.audit import Actor

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
MAX_ROWS = 10_000
BOM = "\ufeff"

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?[\d\s.,]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class RowError:
    """One problem in one row: the row number as a spreadsheet shows it (header = 1)."""

    row: int
    field: str
    message: str


class CsvImportError(ValidationError):
    """Some rows are invalid; ``row_errors`` lists every problem. Nothing was imported."""

    def __init__(self, row_errors: list[RowError]):
        self.row_errors = row_errors
        super().__init__(
            _("Filen inneholder feil, og ingenting ble importert. Rett feilene og prøv igjen."),
            code="csv_rows_invalid",
        )


@dataclass(frozen=True)
class CsvRow:
    number: int
    values: dict[str, str]


class CsvUploadForm(forms.Form):
    file = forms.FileField(
        label=_("CSV-fil"),
        help_text=_(
            "Fra Excel: «CSV (semikolondelt)» eller «CSV UTF-8». Semikolon, komma eller "
            "tabulator som skilletegn; UTF-8 eller Windows-1252; høyst 2 MB."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self) -> bytes:
        upload: UploadedFile[bytes] = self.cleaned_data["file"]
        if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(
                _("Filen er for stor. Største tillatte størrelse er 2 MB."), code="too_large"
            )
        data: bytes = upload.read(MAX_UPLOAD_BYTES + 1)  # django-stubs: read() -> Any
        if len(data) > MAX_UPLOAD_BYTES:
            raise ValidationError(
                _("Filen er for stor. Største tillatte størrelse er 2 MB."), code="too_large"
            )
        return data


ENCODING_LABELS = {
    "utf-8": "UTF-8",
    "utf-16": "UTF-16",
    "cp1252": "Windows-1252",
}
DELIMITER_LABELS = {";": _("semikolon"), ",": _("komma"), "\t": _("tabulator")}


def decode_upload(data: bytes) -> tuple[str, str]:
    """The text of an uploaded CSV file and the encoding it was read with.

    UTF-16 with a byte order mark, else strict UTF-8 (a BOM is dropped), else
    Windows-1252; bytes that are none of them, binary data, control characters and
    empty files raise ``ValidationError``.
    """
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("Filen er for stor. Største tillatte størrelse er 2 MB."), code="too_large"
        )
    encoding = "utf-8"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise ValidationError(
                _("Filen ser ikke ut som en CSV-fil (ugyldig UTF-16)."), code="binary"
            ) from exc
        if "\x00" in text:
            raise ValidationError(
                _("Filen ser ikke ut som en CSV-fil (den inneholder binære data)."), code="binary"
            )
    elif b"\x00" in data:
        raise ValidationError(
            _("Filen ser ikke ut som en CSV-fil (den inneholder binære data)."), code="binary"
        )
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            encoding = "cp1252"
            try:
                text = data.decode("cp1252")
            except UnicodeDecodeError as exc:
                raise ValidationError(
                    _(
                        "Tegnsettet i filen er ukjent (verken UTF-8 eller Windows-1252). Lagre "
                        "den som «CSV UTF-8 (kommadelt)» i Excel og prøv igjen."
                    ),
                    code="unknown_encoding",
                ) from exc
    text = text.removeprefix(BOM)
    if _CONTROL.search(text):
        raise ValidationError(
            _("Filen ser ikke ut som en CSV-fil (den inneholder kontrolltegn)."), code="binary"
        )
    if not text.strip():
        raise ValidationError(_("Filen er tom."), code="empty")
    return text, encoding


def _delimiter(first_line: str, columns: Mapping[str, str]) -> str:
    """The separator that splits the header into the most known columns; ``;`` on a tie
    (Norwegian Excel's), then ``,``, then tab."""
    best, best_score = "", 0
    for candidate in (";", ",", "\t"):
        try:
            cells = next(csv.reader([first_line], delimiter=candidate))
        except (csv.Error, StopIteration):
            continue
        score = sum(1 for cell in cells if _normalise_header(cell) in columns)
        if score > best_score:
            best, best_score = candidate, score
    if best:
        return best
    for candidate in (";", ",", "\t"):
        if candidate in first_line:
            return candidate
    return ";"


def _normalise_header(value: str) -> str:
    return " ".join(value.strip().lower().replace("_", " ").split())


def unprotect(value: str) -> str:
    """Undo the export's formula guard: ``'=x`` is read back as ``=x``."""
    if len(value) > 1 and value[0] == "'" and value[1] in _FORMULA_START:
        return value[1:]
    return value


def protect(value: str) -> str:
    """Keep a spreadsheet from running the cell as a formula (plain numbers stay)."""
    if value and value[0] in _FORMULA_START and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


@dataclass(frozen=True)
class CsvFile:
    rows: list[CsvRow]
    encoding: str
    delimiter: str

    @property
    def encoding_label(self) -> str:
        return ENCODING_LABELS.get(self.encoding, self.encoding)

    @property
    def delimiter_label(self) -> str:
        return str(DELIMITER_LABELS.get(self.delimiter, self.delimiter))


def read_csv(
    data: bytes, *, columns: Mapping[str, str], required: Iterable[str] = ()
) -> list[CsvRow]:
    """The rows of ``read_csv_file``."""
    return read_csv_file(data, columns=columns, required=required).rows


def read_csv_file(
    data: bytes, *, columns: Mapping[str, str], required: Iterable[str] = ()
) -> CsvFile:
    """Parse ``data`` into rows keyed by field name, with the encoding and separator used.

    ``columns`` maps every accepted header (normalised: lower case, single spaces) to a
    field name. Raises ``ValidationError`` when the file as a whole cannot be used.
    """
    text, encoding = decode_upload(data)
    first_line = text.lstrip().split("\n", 1)[0].strip()
    if first_line.lower().startswith("sep=") and len(first_line) == 5:
        # Excel's separator hint line: "sep=;"
        delimiter = first_line[4]
        text = text.lstrip().split("\n", 1)[1] if "\n" in text.lstrip() else ""
    else:
        delimiter = _delimiter(first_line, columns)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader)
        fields: list[str] = []
        unknown: list[str] = []
        for cell in header:
            key = _normalise_header(cell)
            field = columns.get(key) if key else ""  # an empty header cell: ignored column
            if field is None:
                unknown.append(cell.strip())
            fields.append(field or "")
        if unknown:
            raise ValidationError(
                _("Ukjente kolonner i overskriftsraden: %(columns)s."),
                code="unknown_columns",
                params={"columns": ", ".join(unknown)},
            )
        duplicates = sorted({f for f in fields if f and fields.count(f) > 1})
        if duplicates:
            raise ValidationError(
                _("Kolonner som står flere ganger: %(columns)s."),
                code="duplicate_columns",
                params={"columns": ", ".join(duplicates)},
            )
        missing = [field for field in required if field not in fields]
        if missing:
            raise ValidationError(
                _("Kolonner som mangler: %(columns)s."),
                code="missing_columns",
                params={"columns": ", ".join(missing)},
            )
        rows: list[CsvRow] = []
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            if len(rows) >= MAX_ROWS:
                raise ValidationError(
                    _("Filen har mer enn %(max)s rader. Del den opp i flere filer."),
                    code="too_many_rows",
                    params={"max": MAX_ROWS},
                )
            values = {
                field: unprotect(cell.strip())
                for field, cell in zip(fields, cells, strict=False)
                if field
            }
            if any(cell.strip() for cell in cells[len(fields) :]):
                values["__extra__"] = "1"
            rows.append(CsvRow(number=reader.line_num, values=values))
    except StopIteration as exc:
        raise ValidationError(_("Filen er tom."), code="empty") from exc
    except csv.Error as exc:
        raise ValidationError(
            _("Filen kunne ikke leses som CSV (rad %(row)s)."),
            code="csv_error",
            params={"row": reader.line_num},
        ) from exc
    if not rows:
        raise ValidationError(_("Filen har ingen rader under overskriftsraden."), code="empty")
    return CsvFile(rows=rows, encoding=encoding, delimiter=delimiter)


def csv_chunks(
    *, header: list[str], rows: Iterable[list[Any]], batch: int = 500
) -> Iterator[bytes]:
    """The CSV Excel opens correctly, in UTF-8 chunks: BOM, ``;``, CRLF, formula-guarded
    cells. Streams: ``rows`` is consumed lazily, ``batch`` rows per chunk."""
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    for count, row in enumerate(rows, start=1):
        writer.writerow([protect(str(cell)) for cell in row])
        if count % batch == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def csv_response(*, filename: str, header: list[str], rows: Iterable[list[str]]) -> HttpResponse:
    """A download Excel opens correctly: BOM, ``;``, CRLF, formula-guarded cells."""
    content = b"".join(csv_chunks(header=header, rows=rows))
    response = HttpResponse(content, content_type="text/csv")
    response["Content-Type"] = "text/csv; charset=utf-8"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


_TRUE = {"ja", "j", "yes", "y", "true", "1", "aktiv", "x"}
_FALSE = {"nei", "n", "no", "false", "0", "inaktiv", "arkivert"}


def parse_bool(value: str, *, default: bool) -> bool:
    """ja/nei (and yes/no, 1/0); empty gives ``default``; anything else raises."""
    key = value.strip().lower()
    if not key:
        return default
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise ValidationError(
        _("«%(value)s» er ikke ja eller nei."), code="invalid_bool", params={"value": value}
    )


def format_bool(value: bool) -> str:
    return "ja" if value else "nei"


def parse_decimal(value: str) -> Decimal:
    """Norwegian or plain amounts: ``1 234,50``, ``1234.50``, ``1234,5``."""
    cleaned = value.strip().replace("\u00a0", "").replace(" ", "").replace("\u202f", "")
    if "," in cleaned and "." in cleaned:
        raise ValidationError(
            _("«%(value)s» er ikke et gyldig beløp (bruk komma som desimaltegn)."),
            code="invalid_decimal",
            params={"value": value},
        )
    cleaned = cleaned.replace(",", ".")
    try:
        amount = Decimal(cleaned)
    except InvalidOperation as exc:
        raise ValidationError(
            _("«%(value)s» er ikke et gyldig beløp."),
            code="invalid_decimal",
            params={"value": value},
        ) from exc
    if not amount.is_finite():
        raise ValidationError(
            _("«%(value)s» er ikke et gyldig beløp."),
            code="invalid_decimal",
            params={"value": value},
        )
    return amount


def format_decimal(value: Decimal) -> str:
    """Comma decimals, no grouping: what Norwegian Excel reads back as a number."""
    return f"{value:.2f}".replace(".", ",")


def row_errors_from(row: int, error: ValidationError, labels: Mapping[str, str]) -> list[RowError]:
    """Flatten a service's ``ValidationError`` into row errors, one per message."""
    result: list[RowError] = []
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            label = labels.get(field, "") if field != "__all__" else ""
            for item in errors:
                for message in item.messages:
                    result.append(RowError(row=row, field=str(label), message=message))
    else:
        for message in error.messages:
            result.append(RowError(row=row, field="", message=message))
    return result


@dataclass(frozen=True)
class CsvPreview:
    """The rows an import will create, as the export writes them, for the preview page.

    ``fingerprint`` identifies exactly these values: the import service compares it with
    the one the user confirmed and writes nothing when they differ.
    """

    header: list[str]
    rows: list[list[str]]
    lines: list[int]
    encoding_label: str
    delimiter_label: str

    @classmethod
    def of(cls, file: CsvFile, *, header: list[str], rows: list[list[str]]) -> CsvPreview:
        return cls(
            header=header,
            rows=rows,
            lines=[row.number for row in file.rows],
            encoding_label=file.encoding_label,
            delimiter_label=file.delimiter_label,
        )

    @property
    def fingerprint(self) -> str:
        payload = json.dumps([self.header, self.rows], ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()

    def check(self, expected: str | None) -> None:
        """Raise ``ValidationError`` (code ``preview_changed``) unless ``expected`` is this
        preview's fingerprint; ``None`` means no preview was shown (scripts, tests)."""
        if expected is not None and not hmac.compare_digest(self.fingerprint, expected):
            raise ValidationError(
                _(
                    "Noe er endret siden forhåndsvisningen (for eksempel et nummer som er tatt "
                    "i bruk), så ingenting ble importert. Se over den nye forhåndsvisningen og "
                    "bekreft igjen."
                ),
                code="preview_changed",
            )

    def table(self, shown: Iterable[str]) -> tuple[list[str], list[tuple[int, list[str]]]]:
        """The header and rows (with their line numbers) of the columns in ``shown``."""
        indexes = [self.header.index(name) for name in shown if name in self.header]
        return (
            [self.header[i] for i in indexes],
            [
                (line, [row[i] for i in indexes])
                for line, row in zip(self.lines, self.rows, strict=True)
            ],
        )


# --- The upload kept between preview and confirmation ---------------------------------

PREVIEW_SECONDS = 30 * 60
PREVIEW_SHOWN_ROWS = 200
_TOKEN = re.compile(r"[A-Za-z0-9_-]{24}")


def _cache_key(token: str) -> str:
    return f"csvimport:{token}"


def upload_store(*, request: HttpRequest, kind: str, data: bytes) -> str:
    """Keep an upload for the preview; the token is its (unguessable) name."""
    token = secrets.token_urlsafe(18)
    cache.set(
        _cache_key(token),
        {
            "company": request.company.pk,  # type: ignore[attr-defined]
            "user": request.user.pk,
            "kind": kind,
            "data": data,
        },
        timeout=PREVIEW_SECONDS,
    )
    return token


def upload_load(*, request: HttpRequest, kind: str, token: str) -> bytes | None:
    """The upload behind ``token`` if it exists, has not expired and belongs to this
    company, this user and this kind of import; otherwise ``None``."""
    if not _TOKEN.fullmatch(token):
        return None
    entry = cache.get(_cache_key(token))
    if not isinstance(entry, dict):
        return None
    data = entry.get("data")
    if (
        entry.get("company") != request.company.pk  # type: ignore[attr-defined]
        or entry.get("user") != request.user.pk
        or entry.get("kind") != kind
        or not isinstance(data, bytes)
    ):
        return None
    return data


def upload_discard(*, token: str) -> None:
    if _TOKEN.fullmatch(token):
        cache.delete(_cache_key(token))


class ConfirmForm(forms.Form):
    fingerprint = forms.CharField(max_length=64, min_length=64, widget=forms.HiddenInput)


def csv_import_page(
    request: HttpRequest,
    *,
    kind: str,
    preview_csv: Callable[..., CsvPreview],
    preview_url: str,
    template: str,
    context: dict[str, Any],
) -> HttpResponse:
    """The upload page of a CSV import: check the file with the preview service, keep it
    for ``PREVIEW_SECONDS`` and go to its preview (``preview_url``, a URL name taking the
    token); or show the per-row error report (status 400). Nothing is imported here."""
    form = CsvUploadForm(request.POST or None, request.FILES or None)
    row_errors: list[RowError] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data["file"]
        try:
            preview_csv(company=request.company, data=data)  # type: ignore[attr-defined]
        except CsvImportError as exc:
            row_errors = exc.row_errors
            form.add_error(None, exc.messages[0])
        except ValidationError as exc:
            form.add_error("file", exc)
        else:
            token = upload_store(request=request, kind=kind, data=data)
            return redirect(preview_url, token=token)
    status = 400 if request.method == "POST" else 200
    return render(
        request, template, {"form": form, "row_errors": row_errors, **context}, status=status
    )


def csv_preview_page(
    request: HttpRequest,
    token: str,
    *,
    kind: str,
    preview_csv: Callable[..., CsvPreview],
    import_csv: Callable[..., list[Any]],
    shown_columns: list[str],
    success_message: Callable[[int], str],
    success_url: str,
    upload_template: str,
    context: dict[str, Any],
) -> HttpResponse:
    """The preview of a kept upload (GET) and its confirmation (POST).

    An unknown, expired or someone else's token gives the upload page with a message
    (404). "Avbryt" (``cancel``) deletes the kept upload. Confirming imports with the
    fingerprint of the preview the user saw; when the rows would now come out differently,
    nothing is imported and the new preview is shown (409).
    """
    data = upload_load(request=request, kind=kind, token=token)
    if data is None:
        notice = _(
            "Forhåndsvisningen finnes ikke (lenger). Den gjelder i %(minutes)s minutter "
            "og bare for den som lastet opp filen. Last opp filen på nytt."
        ) % {"minutes": PREVIEW_SECONDS // 60}
        return render(
            request,
            upload_template,
            {"form": CsvUploadForm(), "row_errors": [], "csv_notice": notice, **context},
            status=404,
        )
    company = request.company  # type: ignore[attr-defined]
    status = 200
    notice = ""
    if request.method == "POST" and "cancel" in request.POST:
        upload_discard(token=token)  # the file may hold personal data: gone at once
        messages.info(request, _("Importen er avbrutt. Ingenting ble lagret."))
        return redirect(context["upload_url"])
    if request.method == "POST":
        confirm = ConfirmForm(request.POST)
        expected = confirm.cleaned_data["fingerprint"] if confirm.is_valid() else "-"
        try:
            created = import_csv(
                company=company,
                actor=Actor.user(request.user),
                data=data,
                expected_fingerprint=expected,
            )
        except CsvImportError:
            status = 409  # the rows are shown below with their errors
        except ValidationError as exc:
            status = 409
            notice = exc.messages[0]
        else:
            upload_discard(token=token)
            messages.success(request, success_message(len(created)))
            return redirect(success_url)
    row_errors: list[RowError] = []
    preview: CsvPreview | None = None
    try:
        preview = preview_csv(company=company, data=data)
    except CsvImportError as exc:
        row_errors = exc.row_errors
        notice = notice or exc.messages[0]
    except ValidationError as exc:  # only if the file's rules changed since the upload
        notice = notice or exc.messages[0]
    header: list[str] = []
    rows: list[tuple[int, list[str]]] = []
    if preview is not None:
        header, rows = preview.table(shown_columns)
    return render(
        request,
        "core/csv_preview.html",
        {
            "preview": preview,
            "preview_header": header,
            # A page of 10,000 rows helps nobody: the first ones show the columns were read
            # right; the count and the fingerprint cover every row.
            "preview_rows": rows[:PREVIEW_SHOWN_ROWS],
            "preview_count": len(rows),
            "confirm_form": ConfirmForm(
                initial={"fingerprint": preview.fingerprint if preview else ""}
            ),
            "row_errors": row_errors,
            "csv_notice": notice,
            **context,
        },
        status=status,
    )
