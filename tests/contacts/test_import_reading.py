"""Upload inspection: bad files are refused with a clear message; encodings, delimiters and
XLSX are recognised."""

import io

import openpyxl
import pytest
from django.core.exceptions import ValidationError

from contacts.imports.reading import detect_delimiter, detect_encoding, inspect_upload, iter_rows
from tests.contacts.fixtures.importing import sample


def _message(data, name="x.csv"):
    with pytest.raises(ValidationError) as info:
        inspect_upload(data, name)
    return " ".join(info.value.messages)


def test_zero_byte_upload_is_refused():
    assert "0 bytes" in _message(b"")


def test_whitespace_only_file_is_empty():
    assert "empty" in _message(b"\r\n  \n\n")


def test_header_without_rows_is_refused():
    assert "no data rows" in _message(b"First Name,Email\n")


def test_garbage_binary_is_not_csv_or_xlsx():
    assert "neither a CSV nor an Excel" in _message(bytes(range(256)) * 40, "photo.jpg")


def test_png_image_is_not_csv_or_xlsx():
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200)
    assert "neither a CSV nor an Excel" in _message(png, "contacts.csv")


def test_broken_zip_is_not_xlsx():
    assert "neither a CSV nor an Excel" in _message(b"PK\x03\x04" + b"junk" * 50, "a.xlsx")


def test_legacy_xls_asks_for_xlsx():
    assert ".xlsx" in _message(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500), "old.xls")


def test_utf8_with_bom_is_detected():
    info = inspect_upload(sample("google_bom.csv"))
    assert info.encoding == "utf-8-sig"
    assert info.headers[0] == "Given Name"  # no BOM glued to the first header
    assert info.sample[0][:2] == ["Zoë", "Çelik"]


def test_utf8_without_bom_is_detected():
    assert detect_encoding("Name\nJosé\n".encode()) == "utf-8"


def test_cp1252_with_umlauts_is_detected_and_decoded():
    info = inspect_upload(sample("german_cp1252.csv"))
    assert info.encoding == "cp1252"
    assert info.headers[5] == "Straße"
    assert info.sample[0][:2] == ["Jürgen", "Müller"]


@pytest.mark.parametrize(
    ("delimiter", "text"),
    [
        (",", "a,b,c\n1,2,3\n"),
        (";", "a;b;c\n1;2,5;3\n"),
        ("\t", "a\tb\tc\n1\t2\t3\n"),
    ],
)
def test_delimiter_is_detected(delimiter, text):
    assert detect_delimiter(text) == delimiter


def test_semicolon_file_with_commas_in_values_keeps_columns():
    info = inspect_upload("Name;Firma\nMüller, Hans;ACME, Inc.\n".encode())
    assert info.delimiter == ";"
    assert info.sample == [["Müller, Hans", "ACME, Inc."]]


def _xlsx(rows) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_xlsx_headers_and_rows_are_read():
    import datetime

    data = _xlsx(
        [
            ["First Name", "Email", "Birthday", "Phone"],
            ["Ada", "ada@example.com", datetime.date(1985, 12, 10), 4930123456],
        ]
    )
    info = inspect_upload(data, "people.xlsx")
    assert info.file_format == "xlsx"
    assert info.headers == ["First Name", "Email", "Birthday", "Phone"]
    assert info.sample[0] == ["Ada", "ada@example.com", "1985-12-10", "4930123456"]


def test_empty_xlsx_is_refused():
    assert "empty" in _message(_xlsx([]), "empty.xlsx")


def test_csv_line_numbers_count_the_header_and_multiline_cells():
    data = b'Name,Notes\nAda,"two\nlines"\n\nGrace,x\n'
    rows = list(iter_rows(io.BytesIO(data), file_format="csv", encoding="utf-8", delimiter=","))
    assert [line for line, _cells in rows] == [2, 5]
