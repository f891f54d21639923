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


def test_excel_written_workbook_reads_shared_strings_dates_and_numbers():
    from tests.contacts.fixtures.xlsx_files import sheet_xml, xlsx

    rich = '<si><r><t xml:space="preserve">Zoë </t></r><r><rPr><b/></rPr><t>Çelik</t></r><rPh sb="0" eb="1"><t>ゾエ</t></rPh></si>'
    strings = ["Name", "Born", "Met", "Phone", "Opt-in", rich, "line_x000D_break", "Job"]
    rows = (
        '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c>'
        '<c r="C1" t="s"><v>2</v></c><c r="D1" t="s"><v>3</v></c><c r="E1" t="s"><v>4</v></c>'
        '<c r="F1" t="s"><v>7</v></c></row>'
        '<row r="3"><c r="A3" t="s"><v>5</v></c><c r="B3" s="1"><v>31390</v></c>'
        '<c r="C3" s="2"><v>45000.5</v></c><c r="D3"><v>4930123456</v></c>'
        '<c r="E3" t="b"><v>1</v></c><c r="F3" t="e"><v>#N/A</v></c></row>'
        '<row r="4"><c r="A4" t="s"><v>6</v></c><c r="D4" s="3"><v>1.5</v></c>'
        '<c r="E4" t="str"><f>A1</f><v>no</v></c></row>'
    )
    info = inspect_upload(xlsx(sheet_xml(rows, "A1:F4"), strings), "excel.xlsx")
    assert info.headers == ["Name", "Born", "Met", "Phone", "Opt-in", "Job"]
    assert info.rows == [
        (3, ["Zoë Çelik", "1985-12-09", "2023-03-15T12:00:00", "4930123456", "true"]),
        (4, ["line\rbreak", "", "", "1.5", "no"]),
    ]


def test_mac_1904_workbook_dates_are_read():
    from tests.contacts.fixtures.xlsx_files import sheet_xml, xlsx

    rows = (
        '<row r="1"><c r="A1" t="s"><v>0</v></c></row>'
        '<row r="2"><c r="A2" s="1"><v>29928</v></c></row>'
    )
    info = inspect_upload(xlsx(sheet_xml(rows), ["Born"], date1904=True), "mac.xlsx")
    assert info.rows == [(2, ["1985-12-09"])]


def test_zip_that_is_not_a_workbook_is_not_xlsx():
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", "<document/>")
    assert "neither a CSV nor an Excel" in _message(out.getvalue(), "letter.docx")
