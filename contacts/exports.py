"""CSV and XLSX exports of filtered contact and account lists, streamed.

Rows are read with `iterator(chunk_size=...)` (server-side cursor on PostgreSQL) and written
as they come, so exporting a million contacts needs constant memory. Cells that a
spreadsheet would run as a formula (starting with = + - @, tab or carriage return) are
prefixed with a single quote unless the caller explicitly asks for raw values.
"""

import codecs
import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

CHUNK_SIZE = 2000
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralize(value) -> str:
    """A cell value that no spreadsheet will evaluate (OWASP CSV injection advice)."""
    if value is None:
        return ""
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    get: callable


def _date(value):
    return value.isoformat() if value else ""


CONTACT_COLUMNS = [
    Column("id", _("ID"), lambda c: c.pk),
    Column(
        "salutation", _("Salutation"), lambda c: c.get_salutation_display() if c.salutation else ""
    ),
    Column("first_name", _("First name"), lambda c: c.first_name),
    Column("last_name", _("Last name"), lambda c: c.last_name),
    Column("email", _("Email"), lambda c: c.email),
    Column("email2", _("Other email"), lambda c: c.email2),
    Column("phone", _("Phone"), lambda c: c.phone),
    Column("mobile", _("Mobile"), lambda c: c.mobile),
    Column("job_title", _("Job title"), lambda c: c.job_title),
    Column("company", _("Company"), lambda c: c.account.name if c.account_id else ""),
    Column("street", _("Street"), lambda c: c.street),
    Column("postal_code", _("Postal code"), lambda c: c.postal_code),
    Column("city", _("City"), lambda c: c.city),
    Column("region", _("Region"), lambda c: c.region),
    Column("country", _("Country"), lambda c: c.country),
    Column("lifecycle_stage", _("Lifecycle stage"), lambda c: c.lifecycle_stage),
    Column("sex", _("Sex"), lambda c: c.sex),
    Column("date_of_birth", _("Birthday"), lambda c: _date(c.date_of_birth)),
    Column("education", _("Education"), lambda c: c.education),
    Column("language", _("Language"), lambda c: c.language),
    Column("email_opt_in", _("Email opt-in"), lambda c: "yes" if c.email_opt_in else "no"),
    Column("do_not_call", _("Do not call"), lambda c: "yes" if c.do_not_call else "no"),
    Column("do_not_mail", _("Do not mail"), lambda c: "yes" if c.do_not_mail else "no"),
    Column("owner", _("Owner"), lambda c: c.owner.email if c.owner_id else ""),
    Column("created_at", _("Created"), lambda c: c.created_at.isoformat()),
]
ACCOUNT_COLUMNS = [
    Column("id", _("ID"), lambda a: a.pk),
    Column("name", _("Account name"), lambda a: a.name),
    Column("domain", _("Domain"), lambda a: a.domain),
    Column("industry", _("Industry"), lambda a: a.industry),
    Column("size", _("Size"), lambda a: a.size),
    Column("phone", _("Phone"), lambda a: a.phone),
    Column("website", _("Website"), lambda a: a.website),
    Column("street", _("Street"), lambda a: a.street),
    Column("postal_code", _("Postal code"), lambda a: a.postal_code),
    Column("city", _("City"), lambda a: a.city),
    Column("region", _("Region"), lambda a: a.region),
    Column("country", _("Country"), lambda a: a.country),
    Column("owner", _("Owner"), lambda a: a.owner.email if a.owner_id else ""),
    Column("created_at", _("Created"), lambda a: a.created_at.isoformat()),
]


def columns_with_custom(columns: list[Column], custom_fields) -> list[Column]:
    extra = [
        Column(f"custom:{f.key}", f.label, lambda obj, key=f.key: (obj.custom or {}).get(key, ""))
        for f in custom_fields
    ]
    return [*columns, *extra]


def _records(queryset, order) -> Iterator:
    return queryset.order_by(*order).iterator(chunk_size=CHUNK_SIZE)


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
    for count, record in enumerate(_records(queryset, order), start=1):
        writer.writerow([clean(c.get(record)) for c in columns])
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
    for record in _records(queryset, order):
        sheet.append([clean(c.get(record)) for c in columns])
    book.save(target)


__all__ = ["ACCOUNT_COLUMNS", "CONTACT_COLUMNS", "csv_stream", "neutralize", "xlsx_write"]
