"""contacts.names: one written full name split into salutation, title, first and last name,
the way people write names (surname particles, "Last, First", titles, suffixes)."""

import csv
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from contacts.models import Salutation
from contacts.names import SALUTATIONS, SplitName, _compose, _parser, _plain_pair, split_full_name

REALWORLD = Path(__file__).resolve().parents[1] / "fixtures" / "realworld"
PROPERTY = settings(deadline=None, database=None, derandomize=True, max_examples=300)


def test_fixture_names_split_at_their_particles_and_commas():
    with (REALWORLD / "fullname-particles.csv").open(encoding="utf-8") as fh:
        names = [row["Name"] for row in csv.DictReader(fh)]
    assert [(s.first_name, s.last_name) for s in map(split_full_name, names)] == [
        ("Sanne", "van der Berg"),
        ("Clara", "Hartmann"),
        ("Friedrich", "von Alvensleben"),
    ]


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        ("Ludwig van Beethoven", "Ludwig", "van Beethoven"),
        ("Jan de Vries", "Jan", "de Vries"),
        ("Maria de la Cruz", "Maria", "de la Cruz"),
        ("Ana del Río", "Ana", "del Río"),
        ("Leonardo da Vinci", "Leonardo", "da Vinci"),
        ("Maria di Stefano", "Maria", "di Stefano"),
        ("Maria dos Santos", "Maria", "dos Santos"),
        ("Ahmad bin Abdullah", "Ahmad", "bin Abdullah"),
        ("Siti binti Rahman", "Siti", "binti Rahman"),
        ("Omar al Farsi", "Omar", "al Farsi"),
        ("Jan ter Horst", "Jan", "ter Horst"),
        ("Karl Theodor zu Guttenberg", "Karl Theodor", "zu Guttenberg"),
        ("Hans-Peter von und zu Guttenberg", "Hans-Peter", "von und zu Guttenberg"),
        ("Seán O'Brien", "Seán", "O'Brien"),
        ("van der Berg, Sanne", "Sanne", "van der Berg"),
        ("Berg, Sanne van der", "Sanne", "van der Berg"),
        ("Anna Maria Müller", "Anna Maria", "Müller"),
        ("John Smith III", "John", "Smith III"),
        ("Martin Luther King, Jr.", "Martin Luther", "King Jr."),
        ("Ingrid Meyer geb. Klein", "Ingrid", "Meyer geb. Klein"),
        ("Schmidt", "", "Schmidt"),
        # occupations nameparser knows as titles are names here
        ("Pastor Maldonado", "Pastor", "Maldonado"),
        ("Judge Reinhold", "Judge", "Reinhold"),
        ("Nat King Cole", "Nat King", "Cole"),
    ],
)
def test_particles_commas_and_suffixes(text, first, last):
    split = split_full_name(text)
    assert (split.first_name, split.last_name) == (first, last)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Herr Jan ter Horst", SplitName("Jan", "ter Horst", "mr", "Herr", "")),
        ("Frau Dr. Anna Schmidt", SplitName("Anna", "Schmidt", "ms", "Frau", "Dr.")),
        ("Prof. Dr. Hans Weber", SplitName("Hans", "Weber", "", "", "Prof. Dr.")),
        ("Prof.Dr. Hans Weber", SplitName("Hans", "Weber", "", "", "Prof. Dr.")),
        ("Dr. med. Eva Roth", SplitName("Eva", "Roth", "", "", "Dr. med.")),
        ("Dr. rer. nat. Jan Meier", SplitName("Jan", "Meier", "", "", "Dr. rer. nat.")),
        ("Dipl.-Ing. Klaus Meyer", SplitName("Klaus", "Meyer", "", "", "Dipl.-Ing.")),
        ("Mr Tom Jones", SplitName("Tom", "Jones", "mr", "Mr", "")),
        ("Mrs. Jane Doe Jr.", SplitName("Jane", "Doe Jr.", "ms", "Mrs.", "")),
        ("Ms Sarah Lee", SplitName("Sarah", "Lee", "ms", "Ms", "")),
        ("Mx. Alex Kim", SplitName("Alex", "Kim", "mx", "Mx.", "")),
        ("Müller, Dr. Hans", SplitName("Hans", "Müller", "", "", "Dr.")),
        ("Hartmann, Frau Clara", SplitName("Clara", "Hartmann", "ms", "Frau", "")),
        ("Herr Dr. Müller", SplitName("", "Müller", "mr", "Herr", "Dr.")),
        ("Dr.", SplitName("", "", "", "", "Dr.")),
        ("", SplitName()),
    ],
)
def test_salutations_and_titles_go_to_their_fields(text, expected):
    assert split_full_name(text) == expected


def test_salutation_values_are_salutation_choices():
    assert set(SALUTATIONS.values()) <= set(Salutation.values)


GIVEN = ["Anna", "Jan", "Hans-Peter", "Seán", "Zoë", "Mary", "Ahmad", "Clara", "Ngozi", "Li"]
FAMILY = ["Berg", "Müller", "O'Brien", "Schmidt-Weber", "Rahman", "Guttenberg", "Smith", "Cruz"]
PARTICLES = ["", "van", "van der", "von", "von und zu", "de", "de la", "del", "da", "bin", "ter"]
PREFIXES = ["", "Herr", "Frau", "Dr.", "Prof. Dr.", "Mrs.", "Herr Dr.", "Dipl.-Ing."]
SUFFIXES = ["", "Jr.", "III", "Sr."]


@st.composite
def written_names(draw):
    given = " ".join(draw(st.lists(st.sampled_from(GIVEN), min_size=1, max_size=2)))
    family = " ".join(
        p for p in (draw(st.sampled_from(PARTICLES)), draw(st.sampled_from(FAMILY))) if p
    )
    prefix, suffix = draw(st.sampled_from(PREFIXES)), draw(st.sampled_from(SUFFIXES))
    comma = draw(st.booleans())
    if comma and not suffix:
        text = f"{family}, {' '.join(p for p in (prefix, given) if p)}"
    else:
        text = " ".join(p for p in (prefix, given, family, suffix) if p)
    return text, given, family, suffix


@given(written_names())
@PROPERTY
def test_splitting_keeps_every_word_and_finds_the_family_name(case):
    text, given, family, suffix = case
    split = split_full_name(text)
    assert sorted(split.words()) == sorted(text.replace(",", " ").split())
    assert split.first_name == given
    assert split.last_name == " ".join(p for p in (family, suffix) if p)


@given(st.text(max_size=40))
@PROPERTY
def test_any_text_splits_without_losing_a_word(text):
    split = split_full_name(text)
    text = unicodedata.normalize("NFC", text)  # names are kept composed
    original = sorted(w.strip("\"'“”„‚‘’«»()[]") for w in text.replace(",", " ").split())
    assert sorted(split.words()) == sorted(w for w in original if w)


WORDS = GIVEN + FAMILY + ["Van", "Dean", "Major", "Mary", "Ann", "Ma", "Do", "Le", "Du", "Jo"]
WORDS += ["St.", "Jr", "Von", "Bin", "MD", "PhD", "Esq", "José", "Łukasz", "Ølsen", "Νίκος"]


@given(st.sampled_from(WORDS), st.sampled_from(WORDS))
@PROPERTY
def test_the_fast_path_for_plain_names_splits_as_the_library_does(first, second):
    text = f"{first} {second}"
    pair = _plain_pair(text)
    if pair is not None:
        assert pair == _compose(_parser().parse(text), text)
