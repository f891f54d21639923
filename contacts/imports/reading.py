"""What an uploaded file is, and its rows, read as a stream.

`inspect_upload(data, name)` looks at the first bytes (and, for XLSX, the workbook) and
returns a `FileInfo` or raises ValidationError with a message a person understands:
0-byte uploads, empty files, files with only a header, binary files that are neither CSV
nor XLSX. `iter_rows(...)` yields `(line_number, cells)` for the data rows of a stored file,
where `line_number` is the line people see in their editor or spreadsheet (the header is
line 1), so rejected rows can be found again.
"""

import codecs
import csv
import datetime
import io
from collections.abc import Iterator
from dataclasses import dataclass, field

from charset_normalizer import from_bytes
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from python_calamine import CalamineError, CalamineWorkbook

SAMPLE_BYTES = 64 * 1024
DELIMITERS = ",;\t|"
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy .xls / .doc
PREVIEW_ROWS = 10
# Western-European exports that are not UTF-8 are nearly always Windows-1252 (a superset of
# Latin-1 for printable text); charset-normalizer may name a sibling code page for them.
_LATIN_FAMILY = {
    "cp1252",
    "latin_1",
    "iso8859_1",
    "iso8859_15",
    "cp1250",
    "iso8859_2",
    "cp850",
    "mac_roman",
    "cp437",
    "iso8859_9",
    "cp1254",
}


class Format:
    CSV = "csv"
    XLSX = "xlsx"


@dataclass
class FileInfo:
    file_format: str
    encoding: str = ""
    delimiter: str = ""
    headers: list[str] = field(default_factory=list)
    sample: list[list[str]] = field(default_factory=list)  # first data rows


def _reject_not_tabular():
    raise ValidationError(
        _(
            "This file is neither a CSV nor an Excel (.xlsx) file. Save it as CSV or XLSX and upload it again."
        ),
        code="format",
    )


def detect_encoding(sample: bytes) -> str:
    """The text encoding of `sample` (the start of a file); raises for binary data."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in sample:
        _reject_not_tabular()
    try:
        # final=False: the sample may end in the middle of a multi-byte character.
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    # Western-European text first: on short samples the free guess below can name any code
    # page for a German export (mac_turkish, cp775, even big5); asked only about cp1252,
    # charset-normalizer accepts it when the bytes read as coherent text there.
    if from_bytes(sample, cp_isolation=["cp1252"]).best() is not None:
        return "cp1252"
    best = from_bytes(sample).best()
    if best is None:
        _reject_not_tabular()
    name = codecs.lookup(best.encoding).name.replace("-", "_")
    if name in _LATIN_FAMILY or name.startswith(("iso8859", "cp125")):
        try:
            sample.decode("cp1252")
            return "cp1252"
        except UnicodeDecodeError:
            return "latin-1"
    return best.encoding


def _looks_binary(text: str) -> bool:
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\r\n\t")
    return controls > max(2, len(text) // 100)


def detect_delimiter(text: str) -> str:
    """Comma, semicolon, tab or pipe: csv.Sniffer, checked against the header line."""
    lines = [ln for ln in text.splitlines() if ln.strip()][:20]
    if not lines:
        return ","
    try:
        found = csv.Sniffer().sniff("\n".join(lines), delimiters=DELIMITERS).delimiter
    except csv.Error:
        found = ""
    header = lines[0]
    counts = {d: header.count(d) for d in DELIMITERS}
    if found and counts.get(found):
        return found
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


def _strip_row(cells) -> list[str]:
    return [_cell_text(c) if not isinstance(c, str) else c.strip() for c in cells]


def _is_blank(cells: list[str]) -> bool:
    return not any(cells)


def _split_header(rows: Iterator[tuple[int, list[str]]]) -> tuple[list[str], list[list[str]]]:
    header = None
    sample = []
    for _line, cells in rows:
        if header is None:
            header = cells
            continue
        sample.append(cells)
        if len(sample) >= PREVIEW_ROWS:
            break
    if header is None:
        raise ValidationError(_("The file is empty."), code="empty")
    if not any(header):
        raise ValidationError(_("The first row must name the columns."), code="header")
    if not sample:
        raise ValidationError(_("The file has a header row but no data rows."), code="no_rows")
    return header, sample


def inspect_upload(data: bytes, name: str = "") -> FileInfo:
    """Format, encoding, delimiter, header and sample rows of an upload (its full bytes for
    XLSX, at least the first SAMPLE_BYTES for CSV). Raises ValidationError for bad files."""
    if not data:
        raise ValidationError(_("The uploaded file is empty (0 bytes)."), code="empty")
    if data.startswith(OLE_MAGIC):
        raise ValidationError(
            _("Old Excel files (.xls) are not supported. Save the sheet as .xlsx or CSV."),
            code="format",
        )
    if data.startswith(ZIP_MAGIC):
        try:
            workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        except (CalamineError, ValueError, OSError, Exception):  # noqa: BLE001 - any broken zip
            _reject_not_tabular()
        headers, sample = _split_header(_xlsx_rows(workbook))
        return FileInfo(file_format=Format.XLSX, headers=headers, sample=sample)
    head = data[:SAMPLE_BYTES]
    encoding = detect_encoding(head)
    text = codecs.getincrementaldecoder(encoding)(errors="replace").decode(head, final=False)
    if _looks_binary(text):
        _reject_not_tabular()
    if not text.strip():
        raise ValidationError(_("The file is empty."), code="empty")
    delimiter = detect_delimiter(text)
    stream = io.StringIO(text if len(data) <= SAMPLE_BYTES else text.rsplit("\n", 1)[0])
    headers, sample = _split_header(_csv_rows(stream, delimiter))
    return FileInfo(
        file_format=Format.CSV,
        encoding=encoding,
        delimiter=delimiter,
        headers=headers,
        sample=sample,
    )


def _csv_rows(stream, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """(first physical line of the record, cells) of every non-blank record."""
    reader = csv.reader(stream, delimiter=delimiter)
    previous_end = 0
    for cells in reader:
        start = previous_end + 1
        previous_end = reader.line_num
        cells = _strip_row(cells)
        if not _is_blank(cells):
            yield start, cells


def _xlsx_rows(workbook) -> Iterator[tuple[int, list[str]]]:
    sheet = workbook.get_sheet_by_index(0)
    first = sheet.start[0] if sheet.start else 0
    for index, cells in enumerate(sheet.iter_rows()):
        cells = _strip_row(cells)
        if not _is_blank(cells):
            yield first + index + 1, cells


def iter_rows(
    fileobj, *, file_format: str, encoding: str = "", delimiter: str = ",", skip_header: bool = True
) -> Iterator[tuple[int, list[str]]]:
    """Stream the rows of a stored file (opened in binary mode) as (line, cells).

    CSV is decoded incrementally (constant memory); XLSX is read with calamine."""
    if file_format == Format.XLSX:
        rows = _xlsx_rows(CalamineWorkbook.from_filelike(fileobj))
    else:
        text = io.TextIOWrapper(fileobj, encoding=encoding or "utf-8", errors="replace", newline="")
        rows = _csv_rows(text, delimiter or ",")
    header_seen = not skip_header
    for line, cells in rows:
        if not header_seen:
            header_seen = True
            continue
        yield line, cells
