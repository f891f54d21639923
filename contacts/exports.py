"""CSV and XLSX exports of filtered contact and account lists, streamed.

Rows are read with `iterator(chunk_size=...)` (server-side cursor on PostgreSQL) and written
as they come, so exporting a million contacts needs constant memory. Cells that a
spreadsheet would run as a formula (starting with = + - @, tab or carriage return) are
prefixed with a single quote unless the caller explicitly asks for raw values.
"""

import codecs
import csv
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .models import Salutation

CHUNK_SIZE = 2000
FORMULA_CHARS = "=+-@\t\r"


def neutralize(value) -> str:
    """A cell value that no spreadsheet will evaluate (OWASP CSV injection advice)."""
    if value is None:
        return ""
    text = value if type(value) is str else str(value)
    return f"'{text}" if text and text[0] in FORMULA_CHARS else text


@dataclass(frozen=True)
class Column:
    """One exported column: `source` is read with values_list (no model instances: an export
    of a million rows spends its time in Python), `fmt` turns it into the cell value."""

    key: str
    label: str
    source: str
    fmt: Callable | None = None


def _date(value):
    return value.isoformat() if value else ""


def _yes_no(value):
    return "yes" if value else "no"


def _display(choices):
    labels = dict(choices)
    return lambda value: str(labels.get(value, value)) if value else ""


def _col(key, label, source=None, fmt=None) -> Column:
    return Column(key, label, source or key, fmt)


_ADDRESS = [
    _col("street", _("Street")),
    _col("postal_code", _("Postal code")),
    _col("city", _("City")),
    _col("region", _("Region")),
    _col("country", _("Country")),
]
CONTACT_COLUMNS = [
    _col("id", _("ID")),
    _col("salutation", _("Salutation"), fmt=_display(Salutation.choices)),
    _col("first_name", _("First name")),
    _col("last_name", _("Last name")),
    _col("email", _("Email")),
    _col("email2", _("Other email")),
    _col("phone", _("Phone")),
    _col("mobile", _("Mobile")),
    _col("job_title", _("Job title")),
    _col("company", _("Company"), "account__name"),
    *_ADDRESS,
    _col("lifecycle_stage", _("Lifecycle stage")),
    _col("sex", _("Sex")),
    _col("date_of_birth", _("Birthday"), fmt=_date),
    _col("education", _("Education")),
    _col("language", _("Language")),
    _col("email_opt_in", _("Email opt-in"), fmt=_yes_no),
    _col("do_not_call", _("Do not call"), fmt=_yes_no),
    _col("do_not_mail", _("Do not mail"), fmt=_yes_no),
    _col("owner", _("Owner"), "owner__email"),
    _col("created_at", _("Created"), fmt=_date),
]
ACCOUNT_COLUMNS = [
    _col("id", _("ID")),
    _col("name", _("Account name")),
    _col("domain", _("Domain")),
    _col("industry", _("Industry")),
    _col("size", _("Size")),
    _col("phone", _("Phone")),
    _col("website", _("Website")),
    *_ADDRESS,
    _col("owner", _("Owner"), "owner__email"),
    _col("created_at", _("Created"), fmt=_date),
]


def columns_with_custom(columns: list[Column], custom_fields) -> list[Column]:
    extra = [
        Column(f"custom:{f.key}", f.label, "custom", lambda d, key=f.key: (d or {}).get(key, ""))
        for f in custom_fields
    ]
    return [*columns, *extra]


def _cells(queryset, columns: list[Column], order) -> Iterator[list]:
    """The cell values of every row, read in chunks with a server-side cursor."""
    sources = list(dict.fromkeys(c.source for c in columns))
    index = {source: i for i, source in enumerate(sources)}
    getters = [(index[c.source], c.fmt) for c in columns]
    rows = queryset.order_by(*order).values_list(*sources).iterator(chunk_size=CHUNK_SIZE)
    for row in rows:
        yield [fmt(row[i]) if fmt else row[i] for i, fmt in getters]


def csv_stream(
    queryset, *, columns: list[Column], order=("id",), safe: bool = True, delimiter: str = ","
) -> Iterable[bytes]:
    """UTF-8 CSV with a BOM (so Excel opens it as UTF-8), header first, streamed in chunks."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    clean = neutralize if safe else (lambda v: "" if v is None else str(v))

    def flush() -> bytes:
        data = buffer.getvalue().encode("utf-8")
        buffer.seek(0)
        buffer.truncate()
        return data

    yield codecs.BOM_UTF8
    writer.writerow([clean(str(c.label)) for c in columns])
    for count, cells in enumerate(_cells(queryset, columns, order), start=1):
        writer.writerow([clean(v) for v in cells])
        if count % 500 == 0:
            yield flush()
    yield flush()


def xlsx_write(
    queryset, *, columns: list[Column], order=("id",), safe: bool = True, target
) -> None:
    """An XLSX workbook in openpyxl's write-only mode (rows are not kept in memory)."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    clean = neutralize if safe else (lambda v: v)
    sheet.append([str(c.label) for c in columns])
    for cells in _cells(queryset, columns, order):
        sheet.append([clean(v) for v in cells])
    book.save(target)


__all__ = ["ACCOUNT_COLUMNS", "CONTACT_COLUMNS", "csv_stream", "neutralize", "xlsx_write"]
