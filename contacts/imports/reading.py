"""What an uploaded file is, and its rows, read as a stream with bounded memory.

`inspect_upload(fileobj, name)` looks at the first bytes (and, for XLSX, the first rows of the
workbook) and returns a `FileInfo` or raises ValidationError with a message a person
understands: 0-byte uploads, empty files, files with only a header, binary files that are
neither CSV nor XLSX, files beyond the caps in `limits` (columns, rows, field and record
size, zip bombs). `iter_rows(...)` yields `(line_number, cells)` for the data rows of a stored
file, where `line_number` is the line people see in their editor or spreadsheet (the header is
line 1), so rejected rows can be found again.
"""

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field

from charset_normalizer import from_bytes
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from . import limits
from .xlsx import iter_sheet_rows

SAMPLE_BYTES = 64 * 1024
DELIMITERS = ",;\t|"
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy .xls / .doc
PREVIEW_ROWS = limits.PREVIEW_ROWS
# The csv module's own limit (128 KB per field) would stop a whole import with a library
# message; our limits are checked per record (`MAX_RECORD_CHARS`) and per field (the row is
# rejected), so the module's limit only needs to be above them.
if csv.field_size_limit() < limits.MAX_RECORD_CHARS:
    csv.field_size_limit(limits.MAX_RECORD_CHARS)
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
    rows: list[tuple[int, list[str]]] = field(default_factory=list)  # first data rows

    @property
    def sample(self) -> list[list[str]]:
        """The cells of the first data rows."""
        return [cells for _line, cells in self.rows]


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
    return "" if value is None else str(value).strip()


def _strip_row(cells) -> list[str]:
    return [c.strip() if isinstance(c, str) else _cell_text(c) for c in cells]


def _is_blank(cells: list[str]) -> bool:
    return not any(cells)


def _too_many_columns(count: int):
    raise ValidationError(
        _(
            "The file has %(count)s columns; an import reads at most %(limit)s. Delete the "
            "columns you do not need and upload it again."
        )
        % {"count": f"{count:,}", "limit": limits.MAX_COLUMNS},
        code="too_wide",
    )


def _preview_cells(cells: list[str]) -> list[str]:
    return [c[: limits.PREVIEW_CELL_CHARS] for c in cells[: limits.MAX_COLUMNS]]


def _split_header(
    rows: Iterator[tuple[int, list[str]]],
) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header and the first data rows (as many as PREVIEW_ROWS and the preview budget
    allow, cells cut to PREVIEW_CELL_CHARS): what the mapping page needs, kept on the job."""
    header = None
    sample = []
    budget = limits.PREVIEW_BUDGET_CHARS
    for line, cells in rows:
        if header is None:
            if len(cells) > limits.MAX_COLUMNS:
                _too_many_columns(len(cells))
            header = [c[: limits.HEADER_CHARS] for c in cells]
            continue
        kept = _preview_cells(cells)
        budget -= sum(len(c) for c in kept)
        if sample and budget < 0:
            break
        sample.append((line, kept))
        if len(sample) >= PREVIEW_ROWS:
            break
    if header is None:
        raise ValidationError(_("The file is empty."), code="empty")
    if not any(header):
        raise ValidationError(_("The first row must name the columns."), code="header")
    if not sample:
        raise ValidationError(_("The file has a header row but no data rows."), code="no_rows")
    return header, sample


def inspect_upload(upload, name: str = "") -> FileInfo:
    """Format, encoding, delimiter, header and first data rows of an upload.

    `upload`: the file (binary, seekable: an UploadedFile or a stored file) or its bytes.
    Detects a CSV's encoding and delimiter on its first SAMPLE_BYTES and then reads its first
    rows; of an XLSX the zip directory and the first rows.
    Raises ValidationError for bad files. Leaves the file positioned at its start."""
    fileobj = io.BytesIO(upload) if isinstance(upload, bytes | bytearray) else upload
    fileobj.seek(0)
    head = fileobj.read(SAMPLE_BYTES)
    more = bool(fileobj.read(1))
    fileobj.seek(0)
    if not head:
        raise ValidationError(_("The uploaded file is empty (0 bytes)."), code="empty")
    if head.startswith(OLE_MAGIC):
        raise ValidationError(
            _("Old Excel files (.xls) are not supported. Save the sheet as .xlsx or CSV."),
            code="format",
        )
    if head.startswith(ZIP_MAGIC):
        rows = iter_sheet_rows(fileobj)
        try:
            headers, sample = _split_header(rows)
        finally:
            rows.close()
            fileobj.seek(0)
        return FileInfo(file_format=Format.XLSX, headers=headers, rows=sample)
    encoding = detect_encoding(head)
    text = codecs.getincrementaldecoder(encoding)(errors="replace").decode(head, final=False)
    if _looks_binary(text):
        _reject_not_tabular()
    if not text.strip():
        raise ValidationError(_("The file is empty."), code="empty")
    delimiter = detect_delimiter(text.rsplit("\n", 1)[0] if more else text)
    # The header and first rows come from the same bounded reader the import uses, so a first
    # row longer than the sample is read whole, and a too wide one refused.
    stream = io.TextIOWrapper(fileobj, encoding=encoding, errors="replace", newline="")
    try:
        headers, sample = _split_header(_csv_rows(stream, delimiter))
    finally:
        stream.detach()  # the upload stays open for storing
        fileobj.seek(0)
    return FileInfo(
        file_format=Format.CSV,
        encoding=encoding,
        delimiter=delimiter,
        headers=headers,
        rows=sample,
    )


class _BoundedLines:
    """The lines of a text stream for csv.reader, refusing a record (a row, quoted line
    breaks included) longer than MAX_RECORD_CHARS, so memory stays bounded whatever the file;
    `record_done()` starts counting the next record."""

    def __init__(self, stream):
        self.stream = stream
        self.line = 0
        self.record_start = 1
        self.record_chars = 0

    def __iter__(self):
        return self

    def __next__(self) -> str:
        text = self.stream.readline(limits.MAX_RECORD_CHARS + 1)
        if not text:
            raise StopIteration
        self.line += 1
        if not self.record_chars:
            self.record_start = self.line
        self.record_chars += len(text)
        if self.record_chars > limits.MAX_RECORD_CHARS:
            raise ValidationError(
                _(
                    "The row at line %(line)s holds more than %(limit)s characters; a field "
                    "may hold at most %(field)s. Check the quotes around that row."
                )
                % {
                    "line": self.record_start,
                    "limit": f"{limits.MAX_RECORD_CHARS:,}",
                    "field": f"{limits.MAX_FIELD_CHARS:,}",
                },
                code="too_large",
            )
        return text

    def record_done(self) -> None:
        self.record_chars = 0


def _csv_rows(stream, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """(first physical line of the record, cells) of every non-blank record."""
    lines = _BoundedLines(stream)
    reader = csv.reader(lines, delimiter=delimiter)
    previous_end = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise ValidationError(
                _("Line %(line)s cannot be read as CSV (%(error)s).")
                % {"line": lines.line, "error": exc},
                code="format",
            ) from None
        lines.record_done()
        start = previous_end + 1
        previous_end = reader.line_num
        cells = _strip_row(cells)
        if not _is_blank(cells):
            yield start, cells


def iter_rows(
    fileobj, *, file_format: str, encoding: str = "", delimiter: str = ",", skip_header: bool = True
) -> Iterator[tuple[int, list[str]]]:
    """Stream the rows of a stored file (opened in binary mode; seekable for XLSX) as
    (line, cells). Memory is bounded whatever the file (see `limits`); a file beyond a cap
    raises ValidationError when the reader gets there."""
    if file_format == Format.XLSX:
        rows = iter_sheet_rows(fileobj)
    else:
        text = io.TextIOWrapper(fileobj, encoding=encoding or "utf-8", errors="replace", newline="")
        rows = _csv_rows(text, delimiter or ",")
    header_seen = not skip_header
    for line, cells in rows:
        if not header_seen:
            header_seen = True
            continue
        yield line, cells
