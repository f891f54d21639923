"""The encoding of a CSV is decided from the whole file, rows are decoded strictly, and a
file no encoding reads is refused with the line where reading failed; Excel's `sep=` hint
line names the separator. More of the kinds of tests/fixtures/realworld/excel-sep-line.csv
and cp1252-late-umlauts.csv."""

import codecs
import io

import pytest
from django.core.exceptions import ValidationError

from contacts.imports import reading
from contacts.imports.reading import file_encoding, inspect_upload, iter_rows, sep_hint
from contacts.models import Contact, ImportRowError
from tests.contacts.fixtures.importing import run_import

FILLER = "".join(f"Person{i};Filler{i};p{i}@filler.example;Berlin\r\n" for i in range(2000))
HEADER = "Vorname;Nachname;E-Mail;Ort\r\n"


def _file(*late_rows: str) -> str:
    """A header, 2,000 ASCII rows (over 64 KB) and the given rows at the end."""
    return HEADER + FILLER + "".join(f"{row}\r\n" for row in late_rows)


def _refusal(data: bytes) -> str:
    with pytest.raises(ValidationError) as info:
        inspect_upload(data, "x.csv")
    return " ".join(info.value.messages)


@pytest.mark.parametrize(
    ("codec", "row", "expected"),
    [
        ("cp1252", "Jürgen;Weiß;jw@example.de;München", ("Jürgen", "Weiß", "München")),
        ("latin-1", "Renée;Lefèvre;rl@example.fr;Besançon", ("Renée", "Lefèvre", "Besançon")),
        ("mac_roman", "Jürgen;Weiß;jw@example.de;München", ("Jürgen", "Weiß", "München")),
        ("cp1251", "Иван;Петров;ip@example.ru;Москва", ("Иван", "Петров", "Москва")),
        ("cp1250", "Łukasz;Żółć;lz@example.pl;Kraków", ("Łukasz", "Żółć", "Kraków")),
        (
            "koi8_r",
            "Ольга;Смирнова;os@example.ru;Санкт-Петербург",
            ("Ольга", "Смирнова", "Санкт-Петербург"),
        ),
    ],
)
def test_an_8_bit_export_with_its_only_accents_late_in_the_file_reads_correctly(
    scope, codec, row, expected
):
    job = run_import(scope, _file(row).encode(codec))
    person = Contact.objects.get(email=row.split(";")[2])
    assert (person.first_name, person.last_name, person.city) == expected
    assert (job.created_count, job.rejected_count) == (2001, 0)


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (codecs.BOM_UTF8 + _file("Zoë;Çelik;zc@example.org;İzmir").encode(), "utf-8-sig"),
        (_file("Zoë;Çelik;zc@example.org;İzmir").encode("utf-16"), "utf-16"),
        (_file("Zoë;Çelik;zc@example.org;İzmir").encode("utf-16-le"), "utf-16-le"),
        (_file("Zoë;Çelik;zc@example.org;İzmir").encode(), "utf-8"),
    ],
    ids=["utf-8 with BOM", "utf-16 with BOM", "utf-16 without BOM", "utf-8"],
)
def test_unicode_files_are_recognised(scope, data, encoding):
    job = run_import(scope, data)
    assert job.encoding == encoding
    zoe = Contact.objects.get(email="zc@example.org")
    assert (zoe.first_name, zoe.last_name, zoe.city) == ("Zoë", "Çelik", "İzmir")


def test_excel_unicode_text_is_utf16_with_tabs(scope):
    """Excel's "Unicode Text" (.txt): UTF-16 with a byte order mark, tab-separated."""
    text = "First Name\tLast Name\tE-mail Address\r\nJürgen\tWeiß\tjw@example.de\r\n"
    job = run_import(scope, text.encode("utf-16"), name="contacts.txt")
    assert (job.encoding, job.delimiter) == ("utf-16", "\t")
    assert Contact.objects.get().last_name == "Weiß"


def test_a_utf8_file_with_a_damaged_line_is_refused_with_that_line():
    data = _file("Zoë;Çelik;zc@example.org;Köln").encode() + b"M\xfcller;X;mx@example.de;Bonn\r\n"
    message = _refusal(data)
    assert "line 2,002 is UTF-8" not in message
    assert "(see line 2,002), but line 2,003 is not valid UTF-8" in message


def test_bytes_no_encoding_reads_are_refused_with_the_line():
    data = _file("Fine;Row;f@example.de;Berlin").encode() + b"x\x81\xffy;a;b@example.de;c\r\n"
    message = _refusal(data)
    assert message.startswith("Line 2,003 cannot be read: the file is not UTF-8")


def test_a_bom_that_lies_is_refused_with_the_line():
    data = codecs.BOM_UTF8 + _file("Jürgen;Weiß;jw@example.de;München").encode("cp1252")
    assert "UTF-8 (BOM) text, but line 2,002 cannot be read as UTF-8 (BOM)" in _refusal(data)


def test_a_utf16_file_with_a_broken_character_is_refused_with_the_line():
    data = _file("Zoë;Çelik;zc@example.org;Köln").encode("utf-16-le")
    broken = codecs.BOM_UTF16_LE + data + "Ada;L;a@example.org;X\r\n".encode("utf-16-le")
    broken += b"\x00\xdc\r\x00\n\x00"  # a lone low surrogate on line 2,004
    assert "but line 2,004 cannot be read as UTF-16" in _refusal(broken)


def test_no_row_is_ever_read_with_replacement_characters():
    """A stored file read in an encoding that does not fit (a file changed after upload):
    the reader stops with a clear message instead of replacing bytes."""
    data = _file("Jürgen;Weiß;jw@example.de;München").encode("cp1252")
    rows = iter_rows(io.BytesIO(data), file_format="csv", encoding="utf-8", delimiter=";")
    with pytest.raises(ValidationError, match="cannot be read as UTF-8 after line"):
        for _line, cells in rows:
            assert not any("\ufffd" in c for c in cells)


def test_a_run_whose_file_no_longer_reads_fails_with_the_reason_and_writes_nothing(scope):
    from contacts.imports.jobs import import_job_create, import_job_queue
    from contacts.imports.runner import import_run
    from contacts.models import ImportJob
    from tests.contacts.fixtures.importing import upload

    data = _file("Jürgen;Weiß;jw@example.de;München").encode("cp1252")
    job = import_job_create(workspace=scope, actor=None, upload=upload(data))
    ImportJob.objects.filter(pk=job.pk).update(encoding="utf-8")
    import_job_queue(job=job, actor=None, enqueue=False)
    done = import_run(job_id=job.pk)
    assert done.status == "failed"
    assert "cannot be read as UTF-8" in done.error
    assert Contact.objects.count() == 0


def test_the_whole_file_is_read_in_chunks_and_lines_are_counted_across_them(monkeypatch):
    """Memory stays bounded: the encoding scan reads SCAN_CHUNK_BYTES at a time (here 1 KB),
    and the line it names is right whatever chunk it falls in."""
    monkeypatch.setattr(reading, "SCAN_CHUNK_BYTES", 1024)
    reads = []

    class Counting(io.BytesIO):
        def read(self, size=-1):
            reads.append(size)
            return super().read(size)

    data = _file("Jürgen;Weiß;jw@example.de;München").encode("cp1252")
    assert file_encoding(Counting(data)) == "cp1252"
    assert max(reads) <= reading.SAMPLE_BYTES and len(reads) > len(data) // 1024
    damaged = _file("Zoë;Çelik;zc@example.org;Köln").encode() + b"M\xfcller;X;m@x.de;B\r\n"
    with pytest.raises(ValidationError, match="but line 2,003 is not valid UTF-8"):
        file_encoding(Counting(damaged))


def test_the_encoding_is_named_on_the_mapping_page(owner_client, workspace):
    from tests.contacts.test_import_views import _upload

    response = _upload(owner_client, _file("Jürgen;Weiß;jw@example.de;München").encode("cp1252"))
    page = owner_client.get(response.url)
    assert '<span data-testid="import-encoding">Windows-1252</span>' in page.content.decode()


# --- the sep= hint line -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "separator"),
    [
        ("sep=;", ";"),
        ("sep=,", ","),
        ("sep=\t", "\t"),
        ("sep=\\t", "\t"),
        ("SEP=|", "|"),
        ('"sep=;"', ";"),
        ("sep=;;;", ";"),
        ("\ufeffsep=;\r\n", ";"),
        ("separator=;", ""),
        ("sep=", ""),
        ("Name;sep=;", ""),
    ],
)
def test_sep_hint_lines_are_recognised(line, separator):
    assert sep_hint(line) == separator


@pytest.mark.parametrize(
    ("hint", "separator"), [("sep=,", ","), ("sep=\t", "\t"), ('"sep=|"', "|")]
)
def test_a_sep_line_names_the_separator_and_is_skipped(scope, hint, separator):
    """The hint wins over what the other characters of the file suggest."""
    company = "".join(ch for ch in "Engines; Ltd, UK|EU" if ch != separator)
    rows = [["First Name", "Email", "Company"], ["Ada", "ada@example.com", company]]
    text = "\r\n".join([hint, *(separator.join(r) for r in rows)]) + "\r\n"
    job = run_import(scope, text.encode())
    assert (job.delimiter, job.headers) == (separator, rows[0])
    assert job.created_count == 1
    assert Contact.objects.get().account.name == company


def test_line_numbers_count_the_sep_line(scope):
    data = b"sep=;\r\nEmail;City\r\nok@example.com;Berlin\r\nnot-an-email;Bonn\r\n"
    job = run_import(scope, data)
    assert list(ImportRowError.objects.filter(job=job).values_list("line", flat=True)) == [4]


def test_a_sep_line_in_a_windows_1252_file_with_a_bom_less_header(scope):
    data = "sep=;\r\nVorname;Nachname;E-Mail\r\nJürgen;Weiß;jw@example.de\r\n".encode("cp1252")
    job = run_import(scope, data)
    assert (job.encoding, job.delimiter) == ("cp1252", ";")
    assert Contact.objects.get().last_name == "Weiß"
