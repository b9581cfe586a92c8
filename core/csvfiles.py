"""CSV import and export that Norwegian Excel users can open and save (clients, products).

Export: UTF-8 with a byte order mark (so Excel shows æøå right), ``;`` as separator,
CRLF line ends, a header row. Cells that Excel would run as a formula are prefixed
with ``'`` (CSV injection); import strips that prefix again, so a round trip is exact.

Import: the whole upload is checked before any row is used: size (2 MB), not empty,
UTF-8 text without control characters, a known header. Problems with the file raise
``ValidationError``; problems in rows are collected as ``RowError`` by the caller, which
raises ``CsvImportError`` with all of them so nothing is imported.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.contrib import messages
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
        help_text=_("Semikolon- eller kommaseparert, UTF-8, høyst 2 MB."),
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


def _decode(data: bytes) -> str:
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("Filen er for stor. Største tillatte størrelse er 2 MB."), code="too_large"
        )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ValidationError(
            _(
                "Filen er UTF-16-kodet (Unicode-tekst). Lagre den som «CSV UTF-8 (kommadelt)» "
                "i Excel og prøv igjen."
            ),
            code="not_utf8",
        )
    if b"\x00" in data:
        raise ValidationError(
            _("Filen ser ikke ut som en CSV-fil (den inneholder binære data)."), code="binary"
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValidationError(
            _(
                "Filen er ikke UTF-8-kodet. Lagre den som «CSV UTF-8 (kommadelt)» "
                "i Excel og prøv igjen."
            ),
            code="not_utf8",
        ) from exc
    text = text.removeprefix(BOM)
    if _CONTROL.search(text):
        raise ValidationError(
            _("Filen ser ikke ut som en CSV-fil (den inneholder kontrolltegn)."), code="binary"
        )
    if not text.strip():
        raise ValidationError(_("Filen er tom."), code="empty")
    return text


def _delimiter(first_line: str) -> str:
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


def read_csv(
    data: bytes, *, columns: Mapping[str, str], required: Iterable[str] = ()
) -> list[CsvRow]:
    """Parse ``data`` into rows keyed by field name.

    ``columns`` maps every accepted header (normalised: lower case, single spaces) to a
    field name. Raises ``ValidationError`` when the file as a whole cannot be used.
    """
    text = _decode(data)
    first_line = text.lstrip().split("\n", 1)[0].strip()
    if first_line.lower().startswith("sep=") and len(first_line) == 5:
        # Excel's separator hint line: "sep=;"
        delimiter = first_line[4]
        text = text.lstrip().split("\n", 1)[1] if "\n" in text.lstrip() else ""
    else:
        delimiter = _delimiter(first_line)
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
    return rows


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


def csv_import_page(
    request: HttpRequest,
    *,
    import_csv: Callable[..., list[Any]],
    success_message: Callable[[int], str],
    success_url: str,
    template: str,
    context: dict[str, Any],
) -> HttpResponse:
    """The upload page of a CSV import: validate the file, run the import service, and show
    either the per-row error report (status 400, nothing imported) or a success message."""
    form = CsvUploadForm(request.POST or None, request.FILES or None)
    row_errors: list[RowError] = []
    if request.method == "POST" and form.is_valid():
        try:
            created = import_csv(
                company=request.company,  # type: ignore[attr-defined]
                actor=Actor.user(request.user),
                data=form.cleaned_data["file"],
            )
        except CsvImportError as exc:
            row_errors = exc.row_errors
            form.add_error(None, exc.messages[0])
        except ValidationError as exc:
            form.add_error("file", exc)
        else:
            messages.success(request, success_message(len(created)))
            return redirect(success_url)
    status = 400 if request.method == "POST" else 200
    return render(
        request, template, {"form": form, "row_errors": row_errors, **context}, status=status
    )
