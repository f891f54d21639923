"""Splitting one written full name into the contact's fields (no queries).

"Prof. Dr. Sanne van der Berg" -> title "Prof. Dr.", first name "Sanne", last name "van der
Berg"; "Hartmann, Clara" -> "Clara" / "Hartmann"; "Herr Friedrich von Alvensleben" ->
salutation "mr", "Friedrich" / "von Alvensleben".

Salutations and titles at the start of the name (or of a part after a comma) are taken off
first, from the lists below: salutations ("Herr", "Frau", "Mr", "Mrs", "Ms", "Mx", "Señora",
...) become the contact's salutation, the titles as written ("Dr.", "Prof. Dr.", "Dr. med.",
"Dipl.-Ing.", "Rev.") its `title`. The rest goes to the `nameparser` library (its
vocabulary of surname particles: van, van der, von, von und zu, de, de la, del, da, di, dos,
bin, binti, al, ter, ten, zu, ...; "Last, First"; nicknames in quotes; suffixes; maiden
names after "geb."/"née"), with its own list of titles emptied: it knows hundreds of
occupations ("Judge", "Pastor", "King") that are also people's names.

The parts are put together as people expect them: given and middle names are the first
name ("Anna Maria"), suffixes follow the last name ("King Jr."), a maiden name stays with
it ("Meyer geb. Klein"), a nickname follows the first name in brackets. A single word is a
last name. Every word of the input ends up in exactly one field; if the library's split
would lose one, the name is split at its last word instead.
"""

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from nameparser import Lexicon, Parser, Role

# Normalised word (lower case, outer dots dropped) -> salutation value (Salutation choices).
SALUTATIONS = {
    **dict.fromkeys(
        [
            "mr",
            "mister",
            "herr",
            "herrn",
            "hr",
            "monsieur",
            "señor",
            "senor",
            "senhor",
            "signor",
            "signore",
            "sig",
            "meneer",
            "dhr",
            "heer",
            "sr",
        ],  # noqa: SIM905 - a word list
        "mr",
    ),
    **dict.fromkeys(
        [
            "mrs",
            "ms",
            "miss",
            "missus",
            "frau",
            "fr",
            "fräulein",
            "frl",
            "madame",
            "mme",
            "madam",
            "mademoiselle",
            "mlle",
            "señora",
            "senora",
            "sra",
            "señorita",
            "senorita",
            "srta",
            "senhora",
            "senhorita",
            "signora",
            "sig.ra",
            "signorina",
            "sig.na",
            "mevrouw",
            "mevr",
            "mw",
            "juffrouw",
        ],  # noqa: SIM905 - a word list
        "ms",
    ),
    "mx": "mx",
}
# Titles kept as written in the contact's `title`: academic degrees and honorifics.
TITLES = frozenset(
    [
        "dr",
        "dr.-ing",
        "dr-ing",
        "dra",
        "doctor",
        "doktor",
        "prof",
        "professor",
        "professorin",
        "prof.ssa",
        "univ.-prof",
        "univ.prof",
        "fh-prof",
        "apl.-prof",
        "priv.-doz",
        "pd",
        "dipl",
        "dipl.-ing",
        "dipl.-kfm",
        "dipl.-kffr",
        "dipl.-inf",
        "dipl.-psych",
        "dipl.-oec",
        "dipl.-betriebsw",
        "ing",
        "mag",
        "dott",
        "dott.ssa",
        "lic",
        "sir",
        "dame",
        "lord",
        "lady",
        "rev",
        "reverend",
        "father",
        "rabbi",
        "imam",
        "sheikh",
        "hon",
        "capt",
        "captain",
        "col",
        "colonel",
        "gen",
        "lt",
        "maj",
        "sgt",
        "cpt",
        "adm",
        "cdr",
        "senator",
        "sen",
        "rep",
        "gov",
        "amb",
    ]  # noqa: SIM905 - a word list
)
# Qualifiers of a doctorate ("Dr. med.", "Dr. rer. nat.", "Dr. h.c."): titles only after one.
DEGREE_QUALIFIERS = frozenset(
    [
        "med",
        "dent",
        "vet",
        "rer",
        "nat",
        "pol",
        "soc",
        "oec",
        "phil",
        "jur",
        "iur",
        "theol",
        "habil",
        "h.c",
        "hc",
        "mult",
        "sc",
        "techn",
        "agr",
        "paed",
        "univ",
        "publ",
    ]  # noqa: SIM905 - a word list
)
_TITLE_WORDS = frozenset(SALUTATIONS) | TITLES
_DOCTORAL = frozenset({"dr", "dr.-ing", "dr-ing", "dra", "prof", "doctor", "doktor"})


@dataclass(frozen=True)
class SplitName:
    """One full name split into the contact's fields; strings are "" when absent.

    `salutation` is a Salutation value ("mr", "ms", "mx") and `salutation_text` the word it
    came from, as written ("Herr"); `title` holds the titles as written ("Prof. Dr.")."""

    first_name: str = ""
    last_name: str = ""
    salutation: str = ""
    salutation_text: str = ""
    title: str = ""

    def words(self) -> list[str]:
        """Every word the split kept, in field order (salutation, title, first, last)."""
        text = " ".join((self.salutation_text, self.title, self.first_name, self.last_name))
        return _words(text)


def _norm(word: str) -> str:
    return unicodedata.normalize("NFC", word).casefold().strip(".,;:")


def _words(text: str) -> list[str]:
    """The words of `text` for comparing splits: no commas, quotes or brackets around."""
    out = []
    for word in re.split(r"[\s,]+", text):
        word = word.strip("\"'“”„‚‘’«»()[]")
        if word:
            out.append(word)
    return out


def _title_parts(word: str, after_doctor: bool) -> list[str] | None:
    """The titles in `word` ("Prof.Dr." holds two), or None when it is not all titles."""
    parts = [word] if "." not in word.rstrip(".") else re.findall(r"[^.]+(?:\.|$)", word)
    if len(parts) > 1 and _norm(word) in TITLES | DEGREE_QUALIFIERS:
        parts = [word]  # "Dipl.-Ing.", "h.c." are one title
    out = []
    for part in parts:
        key = _norm(part)
        if key in SALUTATIONS or key in TITLES or (after_doctor and key in DEGREE_QUALIFIERS):
            out.append(part)
            after_doctor = after_doctor or key in _DOCTORAL
        else:
            return None
    return out


@dataclass
class _Titles:
    salutation: str = ""
    salutation_text: str = ""
    titles: list[str] | None = None

    def take(self, segment: str) -> str:
        """Take the salutations and titles at the start of `segment`; return the rest."""
        words = segment.split()
        if self.titles is None:
            self.titles = []
        after_doctor = any(_norm(t) in _DOCTORAL for t in self.titles)
        taken = 0
        for word in words:
            parts = _title_parts(word, after_doctor)
            if parts is None:
                break
            for part in parts:
                key = _norm(part)
                if key in SALUTATIONS and not self.salutation_text:
                    self.salutation, self.salutation_text = SALUTATIONS[key], part
                else:
                    self.titles.append(part)
                    after_doctor = after_doctor or key in _DOCTORAL
            taken += 1
        return " ".join(words[taken:])


@cache
def _parser() -> Parser:
    lexicon = Lexicon.default()
    lexicon = lexicon.remove(titles=lexicon.titles, given_name_titles=lexicon.given_name_titles)
    return Parser(lexicon=lexicon)


@cache
def _special_words() -> frozenset[str]:
    """Words that make a name more than "Given Family" for nameparser."""
    lexicon = _parser().lexicon
    return frozenset().union(
        lexicon.particles,
        lexicon.suffix_words,
        lexicon.suffix_acronyms,
        lexicon.conjunctions,
        lexicon.maiden_markers,
        lexicon.bound_given_names,
    )


# One word of letters (Latin, Greek, Cyrillic) with inner hyphens, apostrophes or dots.
_PLAIN_WORD = re.compile(r"^[A-Za-z\u00C0-\u024F\u0370-\u04FF][\w'’.-]*$")


def _plain_pair(rest: str) -> tuple[str, str] | None:
    """(first, last) of a plain "Given Family" name, without the library (which takes
    about 1.5 ms a name: a 100,000-row import would spend minutes in it); None for anything
    else: particles, suffixes, commas, quotes, more words, other scripts."""
    words = rest.split(" ")
    if len(words) != 2:
        return None
    special = _special_words()
    for word in words:
        if not _PLAIN_WORD.match(word) or _norm(word) in special:
            return None
    return words[0], words[1]


def _compose(parsed, text: str) -> tuple[str, str] | None:
    """(first, last) from nameparser's roles; None when it read no name."""
    tokens = list(parsed.tokens)
    given = [t.text for t in tokens if t.role in (Role.GIVEN, Role.MIDDLE)]
    nick = [t.text for t in tokens if t.role == Role.NICKNAME]
    family = parsed.family
    suffix = " ".join(t.text for t in tokens if t.role == Role.SUFFIX)
    maiden_tokens = [t for t in tokens if t.role == Role.MAIDEN]
    last = " ".join(p for p in (family, suffix) if p)
    if maiden_tokens:
        first_maiden = maiden_tokens[0]
        before = [
            t
            for t in tokens
            if t.span and first_maiden.span and t.span.end <= first_maiden.span.start
        ]
        start = before[-1].span.end if before else 0
        marker = text[start : first_maiden.span.start].strip(" ,") if first_maiden.span else ""
        last = " ".join(p for p in (last, marker, " ".join(t.text for t in maiden_tokens)) if p)
    first = " ".join(given)
    if nick:
        first = f"{first} ({' '.join(nick)})".strip()
    if not first and not last:
        return None
    if first and not last and len(given) == 1 and not nick:
        first, last = "", first  # one word: a last name
    return first, last


def split_full_name(text: str | None) -> SplitName:
    """Split a written full name (see the module's docstring). Never raises; an empty or
    blank text gives an empty SplitName."""
    text = " ".join(unicodedata.normalize("NFC", text or "").split())
    if not text:
        return SplitName()
    if "," not in text and "." not in text:  # the common "Anna Berg", without the machinery
        pair = _plain_pair(text)
        if pair is not None and _norm(pair[0]) not in _TITLE_WORDS:
            return SplitName(first_name=pair[0], last_name=pair[1])
    titles = _Titles()
    segments = [titles.take(segment) for segment in text.split(",")]
    rest = ", ".join(s.strip() for s in segments if s.strip())
    base = {
        "salutation": titles.salutation,
        "salutation_text": titles.salutation_text,
        "title": " ".join(titles.titles or []),
    }
    if not rest:
        return SplitName(**base)
    pair = _plain_pair(rest)
    if pair is not None:  # "Given Family": nothing to lose
        return SplitName(first_name=pair[0], last_name=pair[1], **base)
    composed = _compose(_parser().parse(rest), rest)
    if composed is not None:
        split = SplitName(first_name=composed[0], last_name=composed[1], **base)
        if sorted(split.words()) == sorted(_words(text)):
            return split
    # the library lost or invented a word: split at the last word ("Last, First" kept)
    head, comma, tail = rest.partition(",")
    if comma and tail.strip():
        return SplitName(first_name=tail.strip(" ,"), last_name=head.strip(), **base)
    first, _sep, last = rest.rpartition(" ")
    return SplitName(first_name=first, last_name=last, **base)
