"""The German catalogue is complete for the shell and compiled (the .mo matches the .po)."""

import gettext
import re
from pathlib import Path

from django.conf import settings

LOCALE = Path(settings.BASE_DIR) / "locale" / "de" / "LC_MESSAGES"


ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}


def _unquote(chunks: list[str]) -> str:
    return re.sub(r"\\(.)", lambda m: ESCAPES.get(m.group(1), m.group(1)), "".join(chunks))


def po_entries(path: Path) -> dict[str, str]:
    """msgid -> msgstr of the singular, non-obsolete entries (a small .po reader)."""
    entries, key, field, chunks = {}, {}, None, []
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        match = re.match(
            r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[0\])?|msgstr\[\d\]) "(.*)"$', line
        )
        if match:
            if field:
                key[field] = _unquote(chunks)
            field, chunks = match.group(1), [match.group(2)]
        elif line.startswith('"') and field:
            chunks.append(line[1:-1])
        elif not line.strip():
            if field:
                key[field] = _unquote(chunks)
            if key.get("msgid"):
                entries[key["msgid"]] = key.get("msgstr", key.get("msgstr[0]", ""))
            key, field, chunks = {}, None, []
    return entries


def test_every_german_message_is_translated():
    untranslated = [
        msgid for msgid, msgstr in po_entries(LOCALE / "django.po").items() if not msgstr
    ]
    assert untranslated == []


def test_compiled_catalogue_matches_the_po_file():
    with (LOCALE / "django.mo").open("rb") as handle:
        catalogue = gettext.GNUTranslations(handle)
    stale = [
        msgid
        for msgid, msgstr in po_entries(LOCALE / "django.po").items()
        if msgstr and catalogue.gettext(msgid) != msgstr
    ]
    assert stale == [], "run `make messages` (compilemessages) and commit django.mo"
