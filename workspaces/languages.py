"""The language a person works in (pure: no queries)."""

from django.conf import settings
from django.utils import translation


def language_of(user) -> str:
    """The language of records `user` creates (a new workspace's pipeline, the demo's stage
    names): the user's profile language, else the active one (in a request: the language
    the middleware chose, the browser's), else LANGUAGE_CODE. A code of settings.LANGUAGES."""
    codes = {code for code, _name in settings.LANGUAGES}
    for code in (getattr(user, "language", "") or "", translation.get_language() or ""):
        code = code.split("-")[0].lower()
        if code in codes:
            return code
    return settings.LANGUAGE_CODE
