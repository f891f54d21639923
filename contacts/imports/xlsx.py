"""The rows of an .xlsx upload's first sheet, read as a stream with memory bounded whatever
the file claims.

An .xlsx file is a zip of XML parts. A reader that builds the sheet's grid densely can be
made to allocate gigabytes by a 2 KB file (one cell at XFD1048576), and a 1 MB zip can unpack
to hundreds of MB of XML. So, in order:

1. the zip's directory is checked before anything is expanded: number of entries, each
   part's uncompressed size and compression ratio, the total (`limits`);
2. the XML is parsed incrementally with expat, 64 KB at a time; a DTD is refused, so no
   entity is ever expanded;
3. the sheet's `<dimension>` and every row and cell reference are checked against
   `MAX_COLUMNS` / `MAX_ROWS` (a reference beyond refuses the file); empty cells and rows
   cost nothing, only the row being built is held, and one cell keeps at most
   `MAX_FIELD_CHARS + 1` characters (the import rejects that row);
4. shared strings are read lazily, in order and only as far as the rows need them, into a
   temporary file; memory holds one 8-byte offset per string (`MAX_SHARED_STRINGS`).

zipfile itself never returns more bytes than a part's claimed size, so the checked claims
hold while reading.
"""

import array
import datetime
import os
import posixpath
import re
import struct
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from xml.parsers import expat

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils.cell import column_index_from_string, get_column_letter
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

from . import limits

CHUNK_BYTES = 64 * 1024
_EOCD = b"PK\x05\x06"
_EOCD_SIZE = 22
_REF = re.compile(r"\$?([A-Za-z]{1,3})\$?([0-9]{1,9})")
_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")
_INTEGER = re.compile(r"-?[0-9]{1,18}")
_MAX_STYLES = 100_000


class _Damaged(Exception):
    """The workbook's XML or zip structure is broken (turned into a refusal)."""


class _NotWorkbook(_Damaged):
    """Not a zip, or a zip without a workbook in it (a .docx, an archive of files)."""


def refuse(message: str, code: str = "xlsx"):
    raise ValidationError(message, code=code)


def _not_workbook_message() -> str:
    return _(
        "This file is neither a CSV nor an Excel (.xlsx) file. Save it as CSV or XLSX and "
        "upload it again."
    )


def _damaged_message() -> str:
    return _(
        "This Excel file is damaged or not a real .xlsx workbook. Open it in a spreadsheet, "
        "save it again as .xlsx or CSV, and upload that."
    )


def _beyond_caps(ref: str, claimed: bool) -> str:
    text = (
        _("The sheet claims cells up to %(ref)s")
        if claimed
        else _("The sheet has a cell at %(ref)s")
    )
    return (
        text % {"ref": ref}
        + "; "
        + _(
            "an import reads at most %(columns)s columns (A to %(last)s) and %(rows)s rows. "
            "Delete what lies beyond, or save the sheet as CSV."
        )
        % {
            "columns": limits.MAX_COLUMNS,
            "last": get_column_letter(limits.MAX_COLUMNS),
            "rows": f"{limits.MAX_ROWS:,}",
        }
    )


# --- the zip ---------------------------------------------------------------------------------


def _check_directory_claims(fileobj) -> None:
    """Read the zip's end record (before zipfile loads the whole directory into memory)."""
    fileobj.seek(0, os.SEEK_END)
    size = fileobj.tell()
    tail_size = min(size, _EOCD_SIZE + 0xFFFF)
    fileobj.seek(size - tail_size)
    tail = fileobj.read(tail_size)
    fileobj.seek(0)
    at = tail.rfind(_EOCD)
    if at < 0 or len(tail) - at < _EOCD_SIZE:
        raise _NotWorkbook
    entries, directory_size = struct.unpack("<10xHL6x", tail[at : at + _EOCD_SIZE])
    if entries > limits.MAX_ZIP_ENTRIES or directory_size > limits.MAX_ZIP_DIRECTORY_BYTES:
        refuse(
            _(
                "This file holds %(count)s packed parts; an Excel workbook of contacts has a "
                "few dozen. Save the sheet as CSV and upload that."
            )
            % {"count": f"{entries:,}"}
        )


def _check_part_claims(archive: zipfile.ZipFile) -> None:
    total = 0
    for info in archive.infolist():
        total += info.file_size
        ratio_checked = info.file_size > limits.RATIO_CHECKED_ABOVE_BYTES
        if (
            info.file_size > limits.MAX_PART_BYTES
            or total > limits.MAX_UNPACKED_BYTES
            or (
                ratio_checked
                and info.file_size > limits.MAX_COMPRESSION_RATIO * max(info.compress_size, 1)
            )
        ):
            refuse(
                _(
                    "This file unpacks to far more data than it holds (%(part)s: %(size)s "
                    "from %(packed)s), as a zip bomb does; a spreadsheet does not. Save the "
                    "sheet as CSV and upload that."
                )
                % {
                    "part": info.filename[:80],
                    "size": filesizeformat(info.file_size),
                    "packed": filesizeformat(info.compress_size),
                },
                code="zip_bomb",
            )
        if info.flag_bits & 0x1:
            refuse(_("This file is password-protected. Remove the password and upload it again."))


def open_checked_zip(fileobj) -> zipfile.ZipFile:
    """A ZipFile over `fileobj` (binary, seekable) whose directory claims were checked.
    Raises ValidationError for a zip bomb or too many parts, `_Damaged` for a broken zip."""
    _check_directory_claims(fileobj)
    try:
        archive = zipfile.ZipFile(fileobj)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as exc:
        raise _NotWorkbook from exc
    _check_part_claims(archive)
    return archive


# --- XML -------------------------------------------------------------------------------------


def _refuse_dtd(*_args):
    raise _Damaged("DTD")  # OOXML never has one; refusing it means no entity expansion


def _local(name: str) -> str:
    return name.rpartition("}")[2]


def _parser(start=None, end=None, text=None):
    parser = expat.ParserCreate(namespace_separator="}")
    parser.buffer_text = True
    parser.StartDoctypeDeclHandler = _refuse_dtd
    parser.EntityDeclHandler = _refuse_dtd
    if start:
        parser.StartElementHandler = start
    if end:
        parser.EndElementHandler = end
    if text:
        parser.CharacterDataHandler = text
    return parser


def _open_part(archive, name: str, limit: int):
    try:
        info = archive.getinfo(name)
    except KeyError as exc:
        raise _Damaged(name) from exc
    if info.file_size > limit:
        refuse(
            _("A part of this workbook is too large (%(part)s: %(size)s). Save it as CSV.")
            % {"part": name[:80], "size": filesizeformat(info.file_size)}
        )
    return archive.open(info)


def _parse_part(archive, name: str, *, start=None, end=None, text=None, limit=None) -> None:
    parser = _parser(start, end, text)
    with _open_part(archive, name, limit or limits.MAX_SMALL_PART_BYTES) as stream:
        while chunk := stream.read(CHUNK_BYTES):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)


def _int(text, default=None) -> int:
    if text is None and default is not None:
        return default
    try:
        return int(text)
    except (TypeError, ValueError) as exc:
        raise _Damaged(text) from exc


def _unescape(text: str) -> str:
    """OOXML writes control characters as _x000D_ (and a literal "_x" as _x005F_x)."""
    if "_x" not in text:
        return text
    return _ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), text)


# --- where the first sheet is ----------------------------------------------------------------


@dataclass
class _Book:
    sheet: str
    shared_strings: str | None
    styles: str | None
    epoch: datetime.datetime


def _relationships(archive, path: str, base: str) -> dict[str, tuple[str, str]]:
    """{Id: (Type, part name)} of a .rels part ({} when it is missing)."""
    if path not in archive.NameToInfo:
        return {}
    found = {}

    def start(name, attrs):
        if _local(name) == "Relationship" and attrs.get("TargetMode") != "External":
            target = attrs.get("Target", "")
            if target.startswith("/"):
                target = target[1:]
            else:
                target = posixpath.normpath(posixpath.join(base, target))
            found[attrs.get("Id", "")] = (attrs.get("Type", ""), target)

    _parse_part(archive, path, start=start)
    return found


def _rels_path(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", f"{name}.rels")


def _locate(archive) -> _Book:
    package = _relationships(archive, "_rels/.rels", "")
    workbook = next(
        (target for kind, target in package.values() if kind.endswith("/officeDocument")),
        "xl/workbook.xml",
    )
    state = {"sheet": None, "date1904": False}

    def start(name, attrs):
        local = _local(name)
        if local == "workbookPr":
            state["date1904"] = attrs.get("date1904", "").lower() in ("1", "true")
        elif local == "sheet" and state["sheet"] is None:
            # r:id, whatever the relationships namespace is called
            state["sheet"] = next(
                (v for k, v in attrs.items() if "}" in k and _local(k) == "id"), ""
            )

    if workbook not in archive.NameToInfo:
        raise _NotWorkbook(workbook)
    _parse_part(archive, workbook, start=start)
    parts = _relationships(archive, _rels_path(workbook), posixpath.dirname(workbook))
    sheet = parts.get(state["sheet"] or "", ("", ""))[1]
    if not sheet:
        raise _Damaged("no sheet")

    def of_kind(suffix):
        return next(
            (t for kind, t in parts.values() if kind.endswith(suffix) and t in archive.NameToInfo),
            None,
        )

    return _Book(
        sheet=sheet,
        shared_strings=of_kind("/sharedStrings"),
        styles=of_kind("/styles"),
        epoch=CALENDAR_MAC_1904 if state["date1904"] else CALENDAR_WINDOWS_1900,
    )


def _date_styles(archive, name: str | None) -> list[bool]:
    """For each cell style index: whether its number format shows a date."""
    if not name:
        return []
    custom: dict[int, str] = {}
    formats: list[int] = []
    inside = {"cellXfs": False}

    def start(tag, attrs):
        local = _local(tag)
        if local == "numFmt":
            custom[_int(attrs.get("numFmtId"))] = attrs.get("formatCode", "")
        elif local == "cellXfs":
            inside["cellXfs"] = True
        elif local == "xf" and inside["cellXfs"]:
            formats.append(_int(attrs.get("numFmtId"), 0))
            if len(formats) > _MAX_STYLES:
                raise _Damaged("styles")

    def end(tag):
        if _local(tag) == "cellXfs":
            inside["cellXfs"] = False

    _parse_part(archive, name, start=start, end=end)
    is_date = {}
    for number_format in set(formats):
        code = custom.get(number_format) or BUILTIN_FORMATS.get(number_format, "")
        is_date[number_format] = bool(code) and is_date_format(code)
    return [is_date[f] for f in formats]


def _integer_formats(archive, name: str | None) -> dict[int, list[tuple[str, str]]]:
    """For cell style indexes whose number format writes a whole number with literal text or
    fixed digits ("+"0 shows 442079460018 as +442079460018, 0000000000 shows 301234567 as
    0301234567): that format's tokens (see `_integer_tokens`). Phone numbers and postal codes
    are kept as numbers with such formats; the value alone loses the "+" or the zeros."""
    if not name:
        return {}
    custom: dict[int, str] = {}
    formats: list[int] = []
    inside = {"cellXfs": False}

    def start(tag, attrs):
        local = _local(tag)
        if local == "numFmt":
            custom[_int(attrs.get("numFmtId"))] = attrs.get("formatCode", "")
        elif local == "cellXfs":
            inside["cellXfs"] = True
        elif local == "xf" and inside["cellXfs"]:
            formats.append(_int(attrs.get("numFmtId"), 0))
            if len(formats) > _MAX_STYLES:
                raise _Damaged("styles")

    def end(tag):
        if _local(tag) == "cellXfs":
            inside["cellXfs"] = False

    _parse_part(archive, name, start=start, end=end)
    tokens_of = {code_id: _integer_tokens(code) for code_id, code in custom.items()}
    return {
        index: tokens_of[code_id]
        for index, code_id in enumerate(formats)
        if tokens_of.get(code_id) is not None
    }


_FORMAT_LITERALS = frozenset(" -()+/")


def _integer_tokens(code: str) -> list[tuple[str, str]] | None:
    """The tokens of a number format's first section as [("digit", "0"|"#"), ("text", …)],
    or None when it is anything but digit placeholders and literal text (thousands
    separators, decimals, conditions, colours…: the value is then kept as it is) or when it
    would show a whole number as its plain digits anyway."""
    section = (code or "").split(";", 1)[0]
    tokens: list[tuple[str, str]] = []
    at = 0
    while at < len(section):
        char = section[at]
        if char == '"':
            close = section.find('"', at + 1)
            if close < 0:
                return None
            tokens.append(("text", section[at + 1 : close]))
            at = close + 1
        elif char == "\\" and at + 1 < len(section):
            tokens.append(("text", section[at + 1]))
            at += 2
        elif char in "0#":
            tokens.append(("digit", char))
            at += 1
        elif char in _FORMAT_LITERALS:
            tokens.append(("text", char))
            at += 1
        else:
            return None
    digits = [value for kind, value in tokens if kind == "digit"]
    has_text = any(kind == "text" and value for kind, value in tokens)
    if not digits or (not has_text and digits.count("0") <= 1):
        return None
    return tokens


def _integer_text(tokens: list[tuple[str, str]], digits: str) -> str:
    """`digits` (a whole number) as the format `tokens` shows it: placeholders filled from
    the right, "0" ones padded with zeros, digits beyond them before the first one."""
    remaining = list(digits)
    first = next(i for i, (kind, _v) in enumerate(tokens) if kind == "digit")
    out: list[str] = []
    for index in range(len(tokens) - 1, -1, -1):
        kind, value = tokens[index]
        if kind == "text":
            out.append(value)
        elif index == first:
            out.append("".join(remaining) if remaining else ("0" if value == "0" else ""))
            remaining = []
        elif remaining:
            out.append(remaining.pop())
        elif value == "0":
            out.append("0")
    return "".join(reversed(out))


# --- shared strings --------------------------------------------------------------------------


class _SharedStrings:
    """The shared string table, parsed lazily as far as `get` needs. Text goes to a temporary
    file; memory holds one offset per string."""

    def __init__(self, archive, name: str | None):
        self._offsets = array.array("Q", [0])
        self._blob = tempfile.TemporaryFile()  # noqa: SIM115 - closed by close()
        self._size = 0
        self._stream = _open_part(archive, name, limits.MAX_PART_BYTES) if name else None
        self._parser = _parser(self._start, self._end, self._text)
        self._parts: list[str] = []
        self._chars = 0
        self._in_text = False
        self._phonetic = 0

    def get(self, index: int) -> str:
        while index + 1 >= len(self._offsets) and self._stream is not None:
            self._feed()
        if not 0 <= index < len(self._offsets) - 1:
            raise _Damaged(f"shared string {index}")
        start, end = self._offsets[index], self._offsets[index + 1]
        return os.pread(self._blob.fileno(), end - start, start).decode("utf-8")

    def close(self) -> None:
        if self._stream is not None:
            self._stream.close()
            self._stream = None
        self._blob.close()

    def _feed(self) -> None:
        chunk = self._stream.read(CHUNK_BYTES)
        if chunk:
            self._parser.Parse(chunk, False)
        else:
            self._parser.Parse(b"", True)
            self._stream.close()
            self._stream = None
        self._blob.flush()

    def _start(self, name, _attrs):
        local = _local(name)
        if local == "si":
            self._parts, self._chars = [], 0
        elif local == "rPh":  # phonetic guide of East Asian text: not part of the value
            self._phonetic += 1
        elif local == "t" and not self._phonetic:
            self._in_text = True

    def _end(self, name):
        local = _local(name)
        if local == "t":
            self._in_text = False
        elif local == "rPh":
            self._phonetic -= 1
        elif local == "si":
            data = _unescape("".join(self._parts)).encode("utf-8")
            self._blob.write(data)
            self._size += len(data)
            self._offsets.append(self._size)
            self._parts = []
            if len(self._offsets) > limits.MAX_SHARED_STRINGS + 1:
                refuse(
                    _(
                        "This workbook holds more than %(count)s different texts; split it into "
                        "smaller files or save it as CSV."
                    )
                    % {"count": f"{limits.MAX_SHARED_STRINGS:,}"}
                )

    def _text(self, data):
        if self._in_text and self._chars <= limits.MAX_FIELD_CHARS:
            kept = data[: limits.MAX_FIELD_CHARS + 1 - self._chars]
            self._parts.append(kept)
            self._chars += len(kept)


# --- the sheet -------------------------------------------------------------------------------


class _SheetRows:
    """expat handlers that turn `<row>`/`<c>` elements into (row number, cells) rows."""

    def __init__(
        self, strings: _SharedStrings, date_styles: list[bool], epoch, integer_formats=None
    ):
        self.strings = strings
        self.date_styles = date_styles
        self.integer_formats = integer_formats or {}
        self.epoch = epoch
        self.done: list[tuple[int, list[str]]] = []
        self.row = 0
        self.cells: dict[int, str] | None = None
        self.row_chars = 0
        self.column = 0
        self.kind = "n"
        self.style = 0
        self.parts: list[str] = []
        self.chars = 0
        self.collecting = False
        self.inline = False
        self.phonetic = 0
        self.columns: dict[str, int] = {}  # "AB" -> 28, as met
        self.names: dict[str, str] = {}  # qualified tag -> local name, as met

    def _local(self, name: str) -> str:
        local = self.names.get(name)
        if local is None:
            local = self.names[name] = _local(name)
        return local

    def take(self) -> list[tuple[int, list[str]]]:
        done, self.done = self.done, []
        return done

    def _reference(self, ref: str, claimed: bool = False) -> tuple[int, int]:
        match = _REF.fullmatch(ref)
        if not match:
            raise _Damaged(ref)
        letters, digits = match.groups()
        column = self.columns.get(letters)
        if column is None:
            column = self.columns[letters] = column_index_from_string(letters.upper())
        row = int(digits)
        if column > limits.MAX_COLUMNS or row > limits.MAX_ROWS + 1:
            refuse(_beyond_caps(ref.upper(), claimed), code="too_large")
        return column, row

    def start(self, name, attrs):
        local = self._local(name)
        if local == "c" and self.cells is not None:
            ref = attrs.get("r")
            if ref:
                self.column, row = self._reference(ref)
            else:
                self.column += 1
                if self.column > limits.MAX_COLUMNS or self.row > limits.MAX_ROWS + 1:
                    ref = f"{get_column_letter(min(self.column, 16384))}{self.row}"
                    refuse(_beyond_caps(ref, False), code="too_large")
            self.kind = attrs.get("t", "n")
            self.style = _int(attrs.get("s"), 0)
            self.parts, self.chars = [], 0
        elif local == "v":
            self.collecting = True
        elif local == "is":
            self.inline = True
        elif local == "rPh":
            self.phonetic += 1
        elif local == "t" and self.inline and not self.phonetic:
            self.collecting = True
        elif local == "row":
            ref = attrs.get("r")
            self.row = _int(ref) if ref else self.row + 1
            if self.row < 1:
                raise _Damaged(ref)
            # a row beyond the caps is refused by its first cell (it costs nothing without)
            self.cells, self.column, self.row_chars = {}, 0, 0
        elif local == "dimension":
            last = attrs.get("ref", "").split(":")[-1]
            if last:
                self._reference(last, claimed=True)

    def end(self, name):
        local = self._local(name)
        if local in ("v", "t"):
            self.collecting = False
        elif local == "is":
            self.inline = False
        elif local == "rPh":
            self.phonetic -= 1
        elif local == "c" and self.cells is not None:
            value = self._value()
            if value:
                self.cells[self.column] = value
                self.row_chars += len(value)
                if self.row_chars > limits.MAX_RECORD_CHARS:
                    refuse(
                        _("Row %(line)s holds more than %(limit)s characters.")
                        % {"line": self.row, "limit": f"{limits.MAX_RECORD_CHARS:,}"},
                        code="too_large",
                    )
        elif local == "row" and self.cells is not None:
            if self.cells:
                row = [""] * max(self.cells)
                for column, value in self.cells.items():
                    row[column - 1] = value
                self.done.append((self.row, row))
            self.cells = None

    def text(self, data):
        if self.collecting and self.chars <= limits.MAX_FIELD_CHARS:
            kept = data[: limits.MAX_FIELD_CHARS + 1 - self.chars]
            self.parts.append(kept)
            self.chars += len(kept)

    def _value(self) -> str:
        raw = "".join(self.parts)
        kind = self.kind
        if kind == "s":
            return self.strings.get(_int(raw.strip())) if raw.strip() else ""
        if kind in ("inlineStr", "str"):
            return _unescape(raw)
        if kind == "e":  # a formula's error (#N/A, #REF!): no value to import
            return ""
        if kind == "b":
            return {"1": "true", "0": "false"}.get(raw.strip(), raw.strip())
        if kind == "d":
            return _iso(raw.strip())
        return self._number(raw.strip())

    def _number(self, raw: str) -> str:
        if not raw:
            return ""
        if self.style < len(self.date_styles) and self.date_styles[self.style]:
            try:
                return _date_text(from_excel(float(raw), self.epoch))
            except (ValueError, OverflowError, TypeError):
                return raw
        if _INTEGER.fullmatch(raw):
            return self._formatted_integer(raw)
        try:
            number = float(raw)
        except ValueError:
            return raw
        if number.is_integer() and abs(number) < 1e16:
            return self._formatted_integer(str(int(number)))
        return str(number)

    def _formatted_integer(self, digits: str) -> str:
        """A whole number as its cell's format shows it when that format adds text or
        zeros (+442079460018, 0301234567); the plain digits otherwise."""
        tokens = self.integer_formats.get(self.style)
        if tokens is None or digits.startswith("-"):
            return digits
        return _integer_text(tokens, digits)


def _date_text(value) -> str:
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _iso(raw: str) -> str:
    try:
        return _date_text(datetime.datetime.fromisoformat(raw))
    except ValueError:
        return raw


def iter_sheet_rows(fileobj) -> Iterator[tuple[int, list[str]]]:
    """(row number, cells) of every row of the first sheet that has a value, cells as text
    (numbers without a trailing ".0", whole numbers with the literal text and fixed zeros
    of their format — "+"0 keeps a phone's + —, dates as ISO dates), up to the row's last
    value.

    `fileobj`: the .xlsx file, binary and seekable. Raises ValidationError with a message for
    a person (a file beyond the caps in `limits`, a zip bomb, a damaged workbook) — possibly
    after some rows were yielded, so a caller that writes must read the whole file first."""
    try:
        with open_checked_zip(fileobj) as archive:
            book = _locate(archive)
            date_styles = _date_styles(archive, book.styles)
            integer_formats = _integer_formats(archive, book.styles)
            strings = _SharedStrings(archive, book.shared_strings)
            try:
                rows = _SheetRows(strings, date_styles, book.epoch, integer_formats)
                parser = _parser(rows.start, rows.end, rows.text)
                with _open_part(archive, book.sheet, limits.MAX_PART_BYTES) as stream:
                    while chunk := stream.read(CHUNK_BYTES):
                        parser.Parse(chunk, False)
                        yield from rows.take()
                    parser.Parse(b"", True)
                    yield from rows.take()
            finally:
                strings.close()
    except _NotWorkbook as exc:
        raise ValidationError(_not_workbook_message(), code="format") from exc
    except (_Damaged, expat.ExpatError, zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise ValidationError(_damaged_message(), code="format") from exc
