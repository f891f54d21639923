"""Whether two first names can be the same person's name (pure: no queries).

The duplicate finder pairs contacts at one account whose full names are alike. Alike
strings are not enough: "Clara Wolf" and "Laura Wolf" score 90 % but are two people, and
so are "Maria" and "Mario", "Daniel" and "Daniela". Two first names count as one name when

- they are equal once case, accents, hyphens and "ß" are set aside ("Anna-Lena", "anna lena");
- one is an initial of the other ("J." and "John");
- one is a short form that begins the other and the other is at least two letters longer
  ("Alex" and "Alexander", "Chris" and "Christopher"; not "Jan" and "Jana");
- they sound alike (Metaphone, via jellyfish) and do not differ only in a last vowel
  ("Jon" and "John", "Stefan" and "Stephan", "Klara" and "Clara"; not "Maria" and "Mario",
  "Anna" and "Anne").

An empty first name contradicts nothing (the other parts of the name decide).
"""

import unicodedata

import jellyfish

VOWELS = set("aeiouy")


def fold(name: str) -> str:
    """Lower case ASCII letters and single spaces: "Jürgen-Maria" -> "jurgen maria"."""
    text = (name or "").casefold().replace("ß", "ss")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = "".join(ch if ch.isalnum() else " " for ch in text)
    return " ".join(text.split())


def _strip_last_vowel(name: str) -> str:
    return name[:-1] if name and name[-1] in VOWELS else name


def _initial(name: str) -> bool:
    return len(name) == 1


def same_first_name(a: str, b: str) -> bool:
    """True when first names `a` and `b` may name the same person (rules above); True when
    either is empty."""
    a, b = fold(a), fold(b)
    if not a or not b or a == b:
        return True
    first_a, first_b = a.split()[0], b.split()[0]
    if _initial(first_a) or _initial(first_b):
        return first_a[0] == first_b[0]
    short, long = sorted((a.replace(" ", ""), b.replace(" ", "")), key=len)
    if long.startswith(short):
        return len(short) >= 2 and len(long) - len(short) >= 2
    if _strip_last_vowel(a) == _strip_last_vowel(b):
        return False  # Maria / Mario, Anna / Anne: different names
    return jellyfish.metaphone(a) == jellyfish.metaphone(b)
