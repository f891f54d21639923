"""The German catalogue is complete for the shell and compiled (the .mo matches the .po)."""

import gettext
import re
from pathlib import Path

from django.conf import settings

LOCALE = Path(settings.BASE_DIR) / "locale" / "de" / "LC_MESSAGES"


ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}


def _unquote(chunks: list[str]) -> str:
    return re.sub(r"\\(.)", lambda m: ESCAPES.get(m.group(1), m.group(1)), "".join(chunks))


# The shell: the tenancy core, accounts, members, settings and the base layout.
SHELL_SOURCES = (
    "crm_site/",
    "workspaces/",
    "templates/base.html",
    "templates/403.html",
    "templates/404.html",
    "templates/500.html",
    "templates/registration/",
    "templates/workspaces/",
    "templates/admin/",
)


def po_entries(path: Path, sources=None) -> dict[str, str]:
    """msgid -> msgstr (a small .po reader; plurals by their first form, fuzzy entries as
    untranslated); with `sources`, only entries referenced from those paths."""
    entries, key, field, chunks, refs, fuzzy = {}, {}, None, [], [], False
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if line.startswith("#: "):
            refs.extend(line[3:].split())
            continue
        if line.startswith("#,") and "fuzzy" in line:
            fuzzy = True
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
            wanted = sources is None or any(r.startswith(sources) for r in refs)
            if key.get("msgid") and wanted:  # fuzzy counts as untranslated, as for msgfmt
                msgid = key["msgid"]
                if key.get("msgctxt"):  # as gettext stores it: context EOT msgid
                    msgid = f"{key['msgctxt']}\x04{msgid}"
                entries[msgid] = "" if fuzzy else key.get("msgstr", key.get("msgstr[0]", ""))
            key, field, chunks, refs, fuzzy = {}, None, [], [], False
    return entries


def test_every_german_message_of_the_shell_is_translated():
    entries = po_entries(LOCALE / "django.po", sources=SHELL_SOURCES)
    assert len(entries) > 150
    assert [msgid for msgid, msgstr in entries.items() if not msgstr] == []


def test_compiled_catalogue_matches_the_po_file():
    with (LOCALE / "django.mo").open("rb") as handle:
        catalogue = gettext.GNUTranslations(handle)
    stale = [
        msgid
        for msgid, msgstr in po_entries(LOCALE / "django.po").items()
        if msgstr and catalogue.gettext(msgid) != msgstr
    ]
    assert stale == [], "run `make messages` (compilemessages) and commit django.mo"
