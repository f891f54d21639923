"""Shared hypothesis settings and strategies for the bad-input tests in tests/security.

Every property here runs derandomized (the same examples on every run and machine, so CI is
stable) with a bounded number of examples and no deadline (timing is not what is tested)."""

from html.parser import HTMLParser

from hypothesis import HealthCheck, settings, strategies as st

FUZZ = settings(
    deadline=None,
    database=None,
    derandomize=True,
    max_examples=150,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.function_scoped_fixture,  # the fixtures' rows are read, never changed
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
    ],
)
FUZZ_SLOW = settings(FUZZ, max_examples=60)  # each example writes through a whole service

# Text as hostile as it gets: NUL and other controls, lone surrogates excluded (not storable
# in any database and not producible by a browser form), right-to-left marks, emoji, combining
HOSTILE_STRINGS = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\r\n",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
    "{{7*7}}",
    "{% debug %}",
    "' OR 1=1 --",
    "%s%s%n",
    "\u202eevil",
    "ß" * 3,
    "9" * 40,
    "-1",
    "1e309",
    "NaN",
    "0001-01-01",
    "9999-12-31",
    "2026-02-30",
    "x" * 5000,
]
text = st.one_of(
    st.sampled_from(HOSTILE_STRINGS),
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=80),
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    text,
)
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(text, inner, max_size=3)),
    max_leaves=8,
)


class _Elements(HTMLParser):
    """Collects what a browser would run from a piece of HTML: script elements, event-handler
    attributes and javascript:/vbscript:/data: URLs in href/src/action attributes."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.dangers: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "iframe", "object", "embed"):
            self.dangers.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.dangers.append(f"{tag} {name}={value!r}")
            if name in ("href", "src", "action", "formaction", "xlink:href") and value:
                scheme = "".join(ch for ch in value if ch > " ").lower()
                if scheme.startswith(("javascript:", "vbscript:", "data:text/html")):
                    self.dangers.append(f"{tag} {name}={value!r}")


def html_dangers(markup: str) -> list[str]:
    """What in `markup` would run in a browser (an empty list for safe HTML)."""
    parser = _Elements()
    parser.feed(markup)
    parser.close()
    return parser.dangers
