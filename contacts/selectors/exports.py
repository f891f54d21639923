"""CSV and XLSX exports of filtered contact and account lists, streamed.

Rows are read with `iterator(chunk_size=...)` (server-side cursor on PostgreSQL) and written
as they come, so exporting a million contacts needs constant memory.

Nothing in an export is ever run as a formula, header row included (column labels come
from custom field names people type). CSV has no cell types, so a cell starting with
= + - @, tab or carriage return gets a leading single quote (OWASP's advice) — unless it is
a plain number ("+442079460018", "-12.5"): signs and digits alone cannot run as a formula,
and a phone number stays exactly as stored. XLSX cells are typed: every text is written as
a string cell (never a formula, whatever it starts with) and the ones starting with a
formula character also carry Excel's quote-prefix style, so editing the cell in Excel keeps
it text; the values themselves stay exact. There is no raw mode.

Dates are ISO 8601 ("2026-11-29"); times (created) ISO 8601 in the workspace's time zone
with its offset, to the second: "2026-11-29T14:03:07+01:00".
"""

import codecs
import csv
import datetime
import io
import zoneinfo
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from workspaces.csv_cells import FORMULA_CHARS, neutralize  # noqa: F401 - re-exported

from ..filters import AccountFilter, ContactFilter
from ..models import CustomFieldEntity, Salutation
from .accounts import account_list
from .contacts import contact_list
from .custom_fields import custom_field_list

CHUNK_SIZE = 2000


def workspace_zone(workspace) -> datetime.tzinfo:
    """The workspace's time zone (UTC when it names none or an unknown one)."""
    try:
        return zoneinfo.ZoneInfo(getattr(workspace, "time_zone", "") or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return datetime.UTC


def export_value(value, tz: datetime.tzinfo):
    """A value as exported: a time in `tz`, to the second (ISO 8601 once formatted); other
    values unchanged."""
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(tz)
        return value.replace(microsecond=0)
    return value


def xlsx_cell(sheet, value):
    """A write-only cell that no spreadsheet will evaluate: numbers stay numbers, everything
    else is a typed string cell (openpyxl would turn a text starting with "=" into a
    formula); a text starting with a formula character also gets the quote-prefix style.
    Characters XML cannot carry are dropped."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if isinstance(value, int | float) and not isinstance(value, bool) and abs(value) < 1e15:
        return WriteOnlyCell(sheet, value=value)  # larger ones (stored before a limit) as text
    text = "" if value is None else str(value)
    text = ILLEGAL_CHARACTERS_RE.sub("", text)
    cell = WriteOnlyCell(sheet, value=None)
    cell.value = text
    cell.data_type = "s"
    if text and text[0] in FORMULA_CHARS:
        cell.quotePrefix = True
    return cell


@dataclass(frozen=True)
class Column:
    """One exported column: `source` is read with values_list (no model instances: an export
    of a million rows spends its time in Python), `fmt` turns it into the cell value."""

    key: str
    label: str
    source: str | tuple[str, ...]  # a tuple: fmt gets the values of these fields
    fmt: Callable | None = None


def _date(value):
    return value.isoformat() if value else ""


def _birthday(date_of_birth, month, day):
    """The date of birth in ISO form, or a birthday without a year as ISO 8601 writes one
    ("--05-17", which the importer reads back)."""
    if date_of_birth:
        return date_of_birth.isoformat()
    return f"--{month:02d}-{day:02d}" if month and day else ""


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
    _col(
        "date_of_birth",
        _("Birthday"),
        ("date_of_birth", "birthday_month", "birthday_day"),
        fmt=_birthday,
    ),
    _col("education", _("Education")),
    _col("language", _("Language")),
    _col("email_opt_in", _("Email opt-in"), fmt=_yes_no),
    _col("do_not_call", _("Do not call"), fmt=_yes_no),
    _col("do_not_mail", _("Do not mail"), fmt=_yes_no),
    _col("owner", _("Owner"), "owner__email"),
    _col("created_at", _("Created"), fmt=_date),
    # added later: at the end, so that spreadsheets reading columns by position still work
    _col("title", _("Title")),
    _col("phone_extension", _("Extension")),
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


def _cells(queryset, columns: list[Column], order, tz=None) -> Iterator[list]:
    """The cell values of every row, read in chunks with a server-side cursor; times in `tz`
    (default: the active time zone) to the second."""
    tz = tz or timezone.get_current_timezone()
    sources = list(
        dict.fromkeys(
            s for c in columns for s in (c.source if isinstance(c.source, tuple) else (c.source,))
        )
    )
    index = {source: i for i, source in enumerate(sources)}
    getters = [
        (
            tuple(index[s] for s in c.source) if isinstance(c.source, tuple) else index[c.source],
            c.fmt,
        )
        for c in columns
    ]
    rows = queryset.order_by(*order).values_list(*sources).iterator(chunk_size=CHUNK_SIZE)
    for row in rows:
        row = [export_value(v, tz) for v in row]
        yield [
            (fmt(*(row[j] for j in i)) if isinstance(i, tuple) else fmt(row[i]) if fmt else row[i])
            for i, fmt in getters
        ]


def csv_stream(
    queryset, *, columns: list[Column], order=("id",), delimiter: str = ",", tz=None
) -> Iterable[bytes]:
    """UTF-8 CSV with a BOM (so Excel opens it as UTF-8), header first, streamed in chunks;
    every cell, header included, neutralised; times in `tz` (the workspace's time zone;
    default the active one)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, quoting=csv.QUOTE_ALL)
    clean = neutralize

    def flush() -> bytes:
        data = buffer.getvalue().encode("utf-8")
        buffer.seek(0)
        buffer.truncate()
        return data

    yield codecs.BOM_UTF8
    writer.writerow([clean(str(c.label)) for c in columns])
    for count, cells in enumerate(_cells(queryset, columns, order, tz), start=1):
        writer.writerow([clean(v) for v in cells])
        if count % 500 == 0:
            yield flush()
    yield flush()


def xlsx_write(
    queryset, *, columns: list[Column], order=("id",), target, progress=None, tz=None
) -> None:
    """An XLSX workbook in openpyxl's write-only mode (rows are not kept in memory) written to
    `target` (a binary file); every cell, header included, written with `xlsx_cell`; times
    in `tz` (the workspace's time zone; default the active one).
    `progress(rows written)` is called every CHUNK_SIZE rows."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append([xlsx_cell(sheet, str(c.label)) for c in columns])
    try:
        for count, cells in enumerate(_cells(queryset, columns, order, tz), start=1):
            sheet.append([xlsx_cell(sheet, v) for v in cells])
            if progress and count % CHUNK_SIZE == 0:
                progress(count)
    except BaseException:
        sheet.close()  # openpyxl keeps the rows in a temporary file until saved: remove it
        sheet._writer.cleanup()
        raise
    book.save(target)


# Query parameters of a list page that are not filters.
NOT_FILTERS = {"format", "cursor", "after", "csrfmiddlewaretoken", "query"}


MAX_PARAM_VALUES = 50  # values kept per filter parameter


def export_params(query: QueryDict) -> dict[str, list[str]]:
    """The filters of a list page's query string, as stored on an ExportJob."""
    return {
        name: [v[:200] for v in values[:MAX_PARAM_VALUES]]
        for name, values in query.lists()
        if name not in NOT_FILTERS and any(values)
    }


def export_source(*, workspace, entity: str, params: dict[str, list[str]]):
    """(queryset, columns, order, file base name) of the filtered list `params` describe,
    exactly as the list page and the CSV export read it."""
    data = QueryDict(mutable=True)
    for name, values in params.items():
        data.setlist(name, values)
    if entity == CustomFieldEntity.ACCOUNT:
        filterset = AccountFilter(
            data, queryset=account_list(workspace=workspace), workspace=workspace
        )
        base, basename = ACCOUNT_COLUMNS, "accounts"
    else:
        filterset = ContactFilter(
            data, queryset=contact_list(workspace=workspace), workspace=workspace
        )
        base, basename = CONTACT_COLUMNS, "contacts"
    columns = columns_with_custom(base, custom_field_list(workspace=workspace, entity=entity))
    return filterset.qs, columns, filterset.order, basename
