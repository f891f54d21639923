"""What an uploaded file is, and its rows, read as a stream with bounded memory.

`inspect_upload(fileobj, name)` looks at the upload and returns a `FileInfo` or raises
ValidationError with a message a person understands: 0-byte uploads, empty files, files with
only a header, binary files that are neither CSV nor XLSX, files beyond the caps in `limits`
(columns, rows, field and record size, zip bombs), and text files that no encoding reads
cleanly. A CSV's encoding is decided from the whole file (`file_encoding`), never from its
first part alone: a late umlaut in a Windows-1252 export is not read as a replacement
character, and a file that mixes encodings or cannot be read is refused with the line where
reading failed. Excel's `sep=;` hint line names the separator and is skipped.
`iter_rows(...)` yields `(line_number, cells)` for the data rows of a stored file, where
`line_number` is the physical line people see in a text editor (the header is line 1, or line
2 after a `sep=` line), so rejected rows can be found again. Rows are decoded strictly: a byte
the chosen encoding cannot read stops the import with its line instead of being replaced.
"""

import codecs
import csv
import io
import itertools
import re
import unicodedata
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
# Reading a whole upload to decide its encoding: chunk size, and how much of its non-ASCII
# lines is kept to choose among the 8-bit code pages (memory stays bounded whatever the file).
SCAN_CHUNK_BYTES = 1024 * 1024
SCAN_SAMPLE_BYTES = 128 * 1024
SCAN_LINE_BYTES = 2_000  # of one line in that sample
# The 8-bit code pages a non-UTF-8 export is read in, in order of preference when two read a
# file equally well (German or French text reads the same in Windows-1252 and -1250).
# Windows-1252 also covers Latin-1 text; Mac Roman is what older Mac Excel saved.
EIGHT_BIT_ENCODINGS = ("cp1252", "cp1250", "cp1251", "koi8_r", "mac_roman")
ENCODING_LABELS = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8 (BOM)",
    "utf-16": "UTF-16",
    "utf-16-le": "UTF-16 LE",
    "utf-16-be": "UTF-16 BE",
    "cp1252": "Windows-1252",
    "cp1250": "Windows-1250",
    "cp1251": "Windows-1251",
    "koi8_r": "KOI8-R",
    "mac_roman": "Mac Roman",
}
# UTF-8 sequences of Latin-1 letters (ä = C3 A4), Cyrillic letters (и = D0 B8), general
# punctuation (– = E2 80 93) and the euro sign: a whole line that holds one and reads as UTF-8
# was written as UTF-8 (in Windows-1252 they are "Ã¤", "â€“": mojibake, not text anyone types).
_UTF8_EVIDENCE = re.compile(rb"[\xc2\xc3\xd0\xd1][\x80-\xbf]|\xe2\x80[\x80-\xbf]|\xe2\x82\xac")
# Multi-byte East Asian encodings charset-normalizer may name for a file that no 8-bit code
# page reads (the file must then read whole in it).
EAST_ASIAN_ENCODINGS = frozenset(
    {"shift_jis", "cp932", "euc_jp", "gb2312", "gbk", "gb18030", "big5", "cp949", "euc_kr"}
)
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
# Punctuation and signs that sit next to letters in real text ("O’Brien", „Groß“, 25°C).
_TEXT_MARKS = frozenset("‘’‚“”„«»‹›–—…°²³·\u00a0\u00ad¡¿ºª€£¥©®™´")


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


def _undecodable(line: int, encoding: str = "") -> ValidationError:
    if encoding:
        message = _(
            "The file is %(encoding)s text, but line %(line)s cannot be read as %(encoding)s. "
            "Correct that line, or save the file as “CSV UTF-8”, and upload it again."
        ) % {"encoding": ENCODING_LABELS.get(encoding, encoding), "line": f"{line:,}"}
    else:
        message = _(
            "Line %(line)s cannot be read: the file is not UTF-8, and none of the encodings "
            "spreadsheets save in (Windows-1252, Windows-1250, Windows-1251, KOI8-R, Mac Roman) "
            "reads it as text. Save the file as “CSV UTF-8” and upload it again."
        ) % {"line": f"{line:,}"}
    return ValidationError(message, code="encoding")


def _mixed(utf8_line: int, line: int) -> ValidationError:
    return ValidationError(
        _(
            "The file is UTF-8 (see line %(utf8)s), but line %(line)s is not valid UTF-8: "
            "the file is damaged there or mixes encodings. Correct that line, or save the "
            "whole file as “CSV UTF-8”, and upload it again."
        )
        % {"utf8": f"{utf8_line:,}", "line": f"{line:,}"},
        code="encoding",
    )


def _utf16_without_bom(head: bytes) -> str:
    """ "utf-16-le" / "utf-16-be" for text that is clearly UTF-16 without a byte order mark
    (mostly ASCII, so every other byte is zero), else ""."""
    if len(head) < 16:
        return ""
    even, odd = head[0::2], head[1::2]
    for zeros, other, codec in ((odd, even, "utf-16-le"), (even, odd, "utf-16-be")):
        if zeros.count(0) >= 0.9 * len(zeros) and other.count(0) == 0:
            try:
                text = head[: len(head) // 2 * 2].decode(codec)
            except UnicodeDecodeError:
                continue
            if not _looks_binary(text):
                return codec
    return ""


def _script(ch: str) -> str:
    if ch.isascii():
        return "LATIN"
    return unicodedata.name(ch, "?").split(" ", 1)[0]


def plausibility(text: str) -> int:
    """How much `text` (the non-ASCII lines of a file, decoded in one candidate encoding)
    looks like something people write. +1 for an accented letter that fits its word; negative
    for what wrong code pages produce: a letter of another script inside a word ("Jьrgen",
    Windows-1252 read as -1251), a capital inside a lower-case word ("JŸrgen", Mac Roman read
    as Windows-1252), signs glued to letters ("Wei§"), control characters, and runs of
    accented Latin letters ("Ïåòðîâ", Cyrillic read as Windows-1252; a run counts once).
    Only relative values matter: the encoding with the highest score wins."""
    score = 0
    last = len(text) - 1
    for match in _NON_ASCII.finditer(text):
        i = match.start()
        ch = text[i]
        prev = text[i - 1] if i else " "
        nxt = text[i + 1] if i < last else " "
        category = unicodedata.category(ch)
        if category[0] == "L" and ch not in "ªº":
            script = _script(ch)
            if (prev.isalpha() and _script(prev) != script) or (
                nxt.isalpha() and _script(nxt) != script
            ):
                score -= 3
            elif (ch.isupper() and prev.isalpha() and (prev.islower() or nxt.islower())) or (
                category == "Lm" or unicodedata.decomposition(ch).startswith("<compat>")
            ):
                score -= 2
            elif script == "LATIN" and not prev.isascii() and prev.isalpha():
                pass
            else:
                score += 1
        elif category in ("Cc", "Co", "Cn") or (category == "Cf" and ch != "\u00ad"):
            score -= 5
        elif ch not in _TEXT_MARKS and (prev.isalpha() or nxt.isalpha()):
            score -= 2
    return score


@dataclass
class _Scan:
    """What one pass over the bytes of a file found (see `_scan`)."""

    utf8_error_line: int = 0  # first line that is not UTF-8 (0: none)
    utf8_evidence_line: int = 0  # first line that is UTF-8 with a typical UTF-8 sequence
    failed: dict[str, int] = field(default_factory=dict)  # 8-bit encoding -> first bad line
    sample: list[bytes] = field(default_factory=list)  # non-ASCII lines (bounded)
    sample_bytes: int = 0


def _line_of(block: bytes, offset: int, lines_before: int) -> int:
    return lines_before + block.count(b"\n", 0, offset) + 1


def _scan_block(scan: _Scan, block: bytes, lines_before: int, utf8) -> object:
    """Look at one block of non-ASCII bytes (whole lines, except when a line is longer than
    a chunk); returns the UTF-8 decoder to go on with (None once UTF-8 failed)."""
    if utf8 is not None:
        try:
            utf8.decode(block)
        except UnicodeDecodeError as exc:
            scan.utf8_error_line = _line_of(block, max(exc.start, 0), lines_before)
            utf8 = None
    if not scan.utf8_evidence_line:
        for n, match in enumerate(_UTF8_EVIDENCE.finditer(block)):
            if n >= 50:
                break
            begin = block.rfind(b"\n", 0, match.start()) + 1
            end = block.find(b"\n", match.end())
            try:
                block[begin : end if end >= 0 else len(block)].decode("utf-8")
            except UnicodeDecodeError:
                continue
            scan.utf8_evidence_line = _line_of(block, match.start(), lines_before)
            break
    for encoding in EIGHT_BIT_ENCODINGS:
        if encoding not in scan.failed:
            try:
                block.decode(encoding)
            except UnicodeDecodeError as exc:
                scan.failed[encoding] = _line_of(block, exc.start, lines_before)
    if scan.sample_bytes < SCAN_SAMPLE_BYTES:
        for line in block.split(b"\n"):
            if not line.isascii():
                kept = line[:SCAN_LINE_BYTES]
                scan.sample.append(kept)
                scan.sample_bytes += len(kept) + 1
                if scan.sample_bytes >= SCAN_SAMPLE_BYTES:
                    break
    return utf8


def _scan(fileobj, *, complete: bool = True) -> _Scan:
    """One pass over the bytes of `fileobj` (from its current position to the end) in chunks
    of SCAN_CHUNK_BYTES: where UTF-8 first fails, which 8-bit encodings read every byte, and a
    bounded sample of the lines with non-ASCII bytes. ASCII chunks cost a newline count.
    `complete=False`: the bytes are the start of a file, which may end inside a character."""
    scan = _Scan()
    utf8 = codecs.getincrementaldecoder("utf-8")()
    lines_before = 0
    carry = b""
    while True:
        chunk = fileobj.read(SCAN_CHUNK_BYTES)
        data = carry + chunk
        if not data:
            break
        if chunk:
            cut = data.rfind(b"\n") + 1
            if not cut and len(data) < 4 * SCAN_CHUNK_BYTES:
                carry = data  # a line longer than a chunk: wait for its end (bounded)
                continue
            block, carry = (data[:cut], data[cut:]) if cut else (data, b"")
        else:
            block, carry = data, b""
        if not block.isascii():
            utf8 = _scan_block(scan, block, lines_before, utf8)
        lines_before += block.count(b"\n")
        if not chunk:
            break
    if utf8 is not None and complete:
        try:
            utf8.decode(b"", final=True)
        except UnicodeDecodeError:
            scan.utf8_error_line = lines_before + 1
    return scan


def _check_whole(fileobj, encoding: str, head: bytes) -> None:
    """Decode the rest of `fileobj` strictly as `encoding` (a BOM-declared or otherwise
    chosen one); raises ValidationError naming the first line it cannot read."""
    decoder = codecs.getincrementaldecoder(encoding)()
    lines_before = 0
    while True:
        chunk = fileobj.read(SCAN_CHUNK_BYTES)
        try:
            text = decoder.decode(chunk, final=not chunk)
        except UnicodeDecodeError as exc:
            raw = exc.object[: max(exc.start, 0)]  # the bytes of this call before the error
            if encoding.startswith("utf-16"):
                big = encoding == "utf-16-be" or head.startswith(codecs.BOM_UTF16_BE)
                newlines = raw.count(b"\x00\n" if big else b"\n\x00")
            else:
                newlines = raw.count(b"\n")
            raise _undecodable(lines_before + newlines + 1, encoding) from None
        lines_before += text.count("\n")
        if not chunk:
            return


def _choose_encoding(scan: _Scan) -> str:
    """UTF-8 when every byte reads as UTF-8; otherwise the 8-bit encoding whose reading of
    the non-ASCII lines is most plausible, or an East Asian one charset-normalizer names."""
    if not scan.utf8_error_line:
        return "utf-8"
    if scan.utf8_evidence_line:
        raise _mixed(scan.utf8_evidence_line, scan.utf8_error_line)
    sample = b"\n".join(scan.sample)
    best, best_score = "", 0
    for encoding in EIGHT_BIT_ENCODINGS:
        if encoding in scan.failed:
            continue
        score = plausibility(sample.decode(encoding))
        if score > best_score:
            best, best_score = encoding, score
    if best:
        return best
    guess = from_bytes(sample).best()
    if guess is not None and guess.encoding in EAST_ASIAN_ENCODINGS:
        return guess.encoding
    raise _undecodable(scan.utf8_error_line)


def _bom_encoding(head: bytes) -> str:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return ""


def detect_encoding(sample: bytes) -> str:
    """The text encoding of `sample` (the start of a file, which may end inside a
    character), decided as `file_encoding` decides it for a whole file; raises
    ValidationError for binary data and for text no encoding reads."""
    return _decide(io.BytesIO(sample), sample, complete=False)


def file_encoding(fileobj) -> str:
    """The text encoding of the whole file `fileobj` (binary, seekable; read from its start
    in chunks, memory bounded), or ValidationError naming the line where reading failed.

    - A byte order mark decides (UTF-8, UTF-16); the rest must then read in it.
    - UTF-16 without a mark is recognised by its zero bytes.
    - A file whose every byte reads as UTF-8 is UTF-8.
    - A file with lines that are UTF-8 (with typical UTF-8 sequences such as "ä") and lines
      that are not mixes encodings: refused with both lines.
    - Otherwise the 8-bit code page (EIGHT_BIT_ENCODINGS) that reads every byte and gives
      the most plausible text (`plausibility`) on the non-ASCII lines of the whole file,
      whose place in the file does not matter; failing that, an East Asian encoding that
      charset-normalizer names and that reads the whole file.
    Leaves the file positioned at its start."""
    fileobj.seek(0)
    head = fileobj.read(SAMPLE_BYTES)
    fileobj.seek(0)
    try:
        return _decide(fileobj, head, complete=True)
    finally:
        fileobj.seek(0)


def _decide(fileobj, head: bytes, *, complete: bool) -> str:
    bom = _bom_encoding(head)
    utf16 = "" if bom else _utf16_without_bom(head)
    if bom or utf16:
        if complete:
            fileobj.seek(0)
            _check_whole(fileobj, bom or utf16, head)
        return bom or utf16
    if b"\x00" in head:
        _reject_not_tabular()
    encoding = _choose_encoding(_scan(fileobj, complete=complete))
    if encoding not in ("utf-8", *EIGHT_BIT_ENCODINGS) and complete:
        fileobj.seek(0)
        _check_whole(fileobj, encoding, head)
    return encoding


def sep_hint(line: str) -> str:
    """The separator an Excel `sep=;` hint line names ("" when `line` is no such line).
    Also accepts it quoted ("sep=;"), followed by empty cells, and `sep=\\t` for tab."""
    text = line.strip("\r\n\ufeff ")
    match = re.fullmatch(r'"?sep=(\\t|[^\w"\r\n ])"?[,;\t|]*', text, flags=re.IGNORECASE)
    if not match:
        return ""
    return "\t" if match.group(1) == "\\t" else match.group(1)


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
    Decides a CSV's encoding from the whole file (`file_encoding`: one pass in chunks), its
    delimiter from a `sep=` hint line or its first SAMPLE_BYTES, then reads its first rows; of
    an XLSX the zip directory and the first rows.
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
    encoding = file_encoding(fileobj)
    text = codecs.getincrementaldecoder(encoding)(errors="replace").decode(head, final=False)
    if _looks_binary(text):
        _reject_not_tabular()
    if not text.strip():
        raise ValidationError(_("The file is empty."), code="empty")
    first_line = text.split("\n", 1)[0]
    hinted = sep_hint(first_line)
    if hinted:
        text = text[len(first_line) + 1 :]
    delimiter = hinted or detect_delimiter(text.rsplit("\n", 1)[0] if more else text)
    # The header and first rows come from the same bounded reader the import uses, so a first
    # row longer than the sample is read whole, and a too wide one refused.
    stream = io.TextIOWrapper(fileobj, encoding=encoding, newline="")
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
        try:
            text = self.stream.readline(limits.MAX_RECORD_CHARS + 1)
        except UnicodeDecodeError:
            # the upload was checked whole, so this is a file changed since; the decoder
            # reads ahead, so the line is where reading stopped, not always the bad one
            raise ValidationError(
                _("The file cannot be read as %(encoding)s after line %(line)s.")
                % {
                    "encoding": ENCODING_LABELS.get(self.stream.encoding, self.stream.encoding),
                    "line": f"{self.line:,}",
                },
                code="encoding",
            ) from None
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
    """(first physical line of the record, cells) of every non-blank record. A first line
    that is Excel's `sep=` hint is skipped (it still counts as line 1)."""
    lines = _BoundedLines(stream)
    first = next(lines, None)
    if first is None:
        return
    skipped = 0
    if sep_hint(first):
        lines.record_done()
        skipped, source = 1, lines
    else:
        source = itertools.chain([first], lines)
    reader = csv.reader(source, delimiter=delimiter)
    previous_end = skipped
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
        previous_end = reader.line_num + skipped
        cells = _strip_row(cells)
        if not _is_blank(cells):
            yield start, cells


def iter_rows(
    fileobj, *, file_format: str, encoding: str = "", delimiter: str = ",", skip_header: bool = True
) -> Iterator[tuple[int, list[str]]]:
    """Stream the rows of a stored file (opened in binary mode; seekable for XLSX) as
    (line, cells). Memory is bounded whatever the file (see `limits`); a file beyond a cap,
    or a byte `encoding` cannot read (decoding is strict), raises ValidationError when the
    reader gets there."""
    if file_format == Format.XLSX:
        rows = iter_sheet_rows(fileobj)
    else:
        text = io.TextIOWrapper(fileobj, encoding=encoding or "utf-8", newline="")
        rows = _csv_rows(text, delimiter or ",")
    header_seen = not skip_header
    for line, cells in rows:
        if not header_seen:
            header_seen = True
            continue
        yield line, cells
