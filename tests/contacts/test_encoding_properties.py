"""Property tests of the CSV encoding detection (`contacts.imports.reading.detect_encoding`):
whatever the text, the encoding it names reads the bytes back as that text."""

import codecs

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings, strategies as st

from contacts.imports.reading import detect_encoding

PROPERTY = settings(
    deadline=None,  # no timing in tests (DESIGN.md §10)
    database=None,
    derandomize=True,  # the same examples on every run and machine
    max_examples=200,
    suppress_health_check=[HealthCheck.too_slow],
)

# Text of a spreadsheet export: no NUL (binary), no lone surrogates (not encodable).
any_text = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"))

GERMAN_WORDS = [
    "Müller",
    "Größe",
    "Straße",
    "Köln",
    "Düsseldorf",
    "Änderung",
    "Öffnung",
    "Übung",
    "Jürgen",
    "Bäckerei",
    "Zoë",
    "café",
    "Señor",
    "Ørsted",
    "Åsa",
    "1.234,50 €",
    "Anna",
    "Berlin",
    "GmbH",
    "info@example.de",
]
WESTERN_CELL = st.lists(st.sampled_from(GERMAN_WORDS), min_size=1, max_size=3).map(" ".join)


@st.composite
def western_csv(draw):
    """A CSV export of Western-European text with at least one accented letter."""
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    rows = draw(st.lists(st.lists(WESTERN_CELL, min_size=2, max_size=4), min_size=1, max_size=30))
    header = delimiter.join(["Name", "Stadt", "Firma", "Notiz"][: len(rows[0])])
    text = "\r\n".join([header, *(delimiter.join(row) for row in rows)]) + "\r\n"
    if text.isascii():
        text += "Müller\r\n"
    return text


@PROPERTY
@given(any_text)
def test_utf8_is_recognised_and_reads_back(text):
    data = text.encode("utf-8")
    assert detect_encoding(data) == "utf-8"
    assert data.decode(detect_encoding(data)) == text


@PROPERTY
@given(any_text, st.data())
def test_a_sample_cut_inside_a_character_is_still_utf8(text, data):
    """The detector sees the first 64 KB, which may end in the middle of a character."""
    encoded = text.encode("utf-8")
    cut = data.draw(st.integers(min_value=0, max_value=len(encoded)))
    assert detect_encoding(encoded[:cut]) == "utf-8"


@PROPERTY
@given(any_text)
def test_a_utf8_byte_order_mark_is_honoured_and_dropped(text):
    data = codecs.BOM_UTF8 + text.encode("utf-8")
    assert detect_encoding(data) == "utf-8-sig"
    assert data.decode("utf-8-sig") == text


@PROPERTY
@given(any_text, st.sampled_from(["utf-16-le", "utf-16-be"]))
def test_utf16_with_its_byte_order_mark_reads_back(text, codec):
    bom = codecs.BOM_UTF16_LE if codec.endswith("le") else codecs.BOM_UTF16_BE
    data = bom + text.encode(codec)
    assert detect_encoding(data) == "utf-16"
    assert data.decode("utf-16") == text


@PROPERTY
@given(western_csv(), st.sampled_from(["cp1252", "latin-1"]))
def test_a_western_european_export_reads_back_as_its_text(text, codec):
    """Excel and older tools save "ANSI": Windows-1252 (or Latin-1). Such a file is not
    UTF-8; the encoding named must give back every character."""
    try:
        data = text.encode(codec)
    except UnicodeEncodeError:  # "€" is not in Latin-1
        data = text.replace("€", "EUR").encode(codec)
        text = data.decode(codec)
    encoding = detect_encoding(data)
    assert data.decode(encoding) == text


@PROPERTY
@given(st.binary(min_size=1, max_size=200), st.data())
def test_bytes_with_a_nul_are_refused_as_not_tabular(prefix, data):
    sample = prefix + b"\x00" + data.draw(st.binary(max_size=50))
    if sample.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return  # a byte order mark says it is text
    with pytest.raises(ValidationError):
        detect_encoding(sample)


@pytest.mark.parametrize(
    ("codec", "rows"),
    [
        ("shift_jis", [f"山田太郎{i},東京都新宿区,株式会社サンプル{i}" for i in range(30)]),
        ("gbk", [f"张三{i},北京市朝阳区,这是一个测试" for i in range(30)]),
    ],
)
def test_an_east_asian_export_is_not_taken_for_windows_1252(codec, rows):
    text = "\r\n".join(["Name,City,Company", *rows])
    data = text.encode(codec)
    assert detect_encoding(data) != "cp1252"
    assert data.decode(detect_encoding(data)) == text
