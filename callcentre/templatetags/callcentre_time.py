"""Template filters of the call-centre pages."""

from django import template

register = template.Library()


@register.filter
def wait_clock(seconds) -> str:
    """Seconds as a stopwatch reads: 574 -> "9:34", 45 -> "0:45", 3725 -> "1:02:05"; "" for
    None or ""."""
    if seconds in (None, ""):
        return ""
    seconds = max(int(seconds), 0)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes}:{secs:02d}"
