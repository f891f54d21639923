"""Reading dates as spreadsheets, address books and other CRMs write them (no queries).

What is understood (`parse_partial_date`):

- ISO dates, also with a time ("1965-05-17", "1965-05-17T00:00:00Z", "1965-05-17 08:30"),
  and compact ISO ("19650517");
- day, month and year separated by dots, slashes, hyphens or spaces ("17.05.1965",
  "05/17/1965", "17-05-65"), with month names in English, German, French, Spanish, Italian,
  Dutch and Portuguese ("17 May 1965", "May 17, 1965", "17. Mai 1965", "17-May-65");
- Excel serial day numbers that reach a CSV as plain numbers ("23879" is 1965-05-17 in the
  1900 date system, with Lotus 1-2-3's 29 February 1900 honoured as Excel does);
- birthdays without a year: vCard and Google ("--05-17", "--0517"), "05-17", "17.05.",
  "17/05", "May 17", "17. Mai"; Apple Contacts' placeholder year 1604 and a year 0000 also
  mean "no year";
- Outlook's empty date ("0/0/00", "00.00.0000") is empty.

Which of day and month comes first when a date alone does not say ("03/04/1970") is the
`order` ("dmy", "mdy" or "ymd"); `workspace_date_order` picks it from the workspace's
country (or, without one, the country of its time zone): a German workspace reads
03/04/1970 as 3 April, a US one as 4 March. Dotted dates are always day first; a number
above 12 is always the day.

Two-digit years: a birth date (`past=True`) takes the latest century that does not put it in
the future ("17.05.65" is 1965, "01.01.20" is 2020 once that day has come); other dates take
the year nearest today.
"""

import datetime
import re
import unicodedata
from dataclasses import dataclass

from django.db import models
from django.utils.formats import date_format
from django.utils.translation import gettext as _, gettext_lazy, pgettext

from workspaces.countries import country_for_time_zone


class DateOrder(models.TextChoices):
    """How an import reads dates whose day and month could be either way round."""

    AUTO = "auto", gettext_lazy("Automatic (from the workspace's country)")
    DMY = "dmy", gettext_lazy("Day, month, year (17/05/1965)")
    MDY = "mdy", gettext_lazy("Month, day, year (05/17/1965)")
    YMD = "ymd", gettext_lazy("Year, month, day (1965/05/17)")


# Countries whose everyday numeric dates put the month first (US and its territories, the
# Philippines, Micronesia, the Marshall Islands, Palau) or the year first (East Asia,
# Hungary, Lithuania, Mongolia, Sweden, Canada's official form, Iran, Bhutan). Sources: the
# CLDR short date patterns of the countries' main locales. Every other country: day first.
MDY_COUNTRIES = frozenset({"US", "PR", "GU", "VI", "AS", "MP", "UM", "PH", "FM", "MH", "PW"})
YMD_COUNTRIES = frozenset({"CN", "JP", "KR", "KP", "TW", "HU", "LT", "MN", "SE", "CA", "IR", "BT"})

EXCEL_MAX_SERIAL = 2958465  # 9999-12-31
APPLE_NO_YEAR = 1604  # Apple Contacts writes a birthday without a year as 1604-MM-DD

# Month names and their usual abbreviations (lower case, accents kept and removed).
_MONTHS = {
    1: "january jan januar jänner jaenner janvier janv enero ene gennaio gen januari janeiro",
    2: "february feb februar feber février fevrier févr fevr fev febrero febbraio februari "
    "fevereiro",
    3: "march mar märz maerz marz mars marzo maart mrt março marco",
    4: "april apr avril avr abril abr aprile",
    5: "may mai mayo maggio mag mei maio",
    6: "june jun juni juin junio giugno giu junho",
    7: "july jul juli juillet juil julio luglio lug julho",
    8: "august aug août aout agosto ago augustus",
    9: "september sep sept septembre septiembre set settembre setembro",
    10: "october oct oktober okt octobre octubre ottobre ott outubro out",
    11: "november nov novembre noviembre novembro",
    12: "december dec dezember dez décembre decembre déc diciembre dic dicembre dezembro",
}
MONTH_NAMES = {name: month for month, names in _MONTHS.items() for name in names.split()}
# Words around a date that say nothing about it: ordinal endings, "of", weekdays.
_FILLER = frozenset(
    [
        "st",
        "nd",
        "rd",
        "th",
        "of",
        "the",
        "de",
        "del",
        "der",
        "den",
        "am",
        "le",
        "el",
        "monday",
        "mon",
        "tuesday",
        "tue",
        "tues",
        "wednesday",
        "wed",
        "thursday",
        "thu",
        "thur",
        "thurs",
        "friday",
        "fri",
        "saturday",
        "sat",
        "sunday",
        "sun",
        "montag",
        "mo",
        "dienstag",
        "di",
        "mittwoch",
        "mi",
        "donnerstag",
        "do",
        "freitag",
        "fr",
        "samstag",
        "sa",
        "sonntag",
        "so",
        "年",
        "月",
        "日",
        "년",
        "월",
        "일",
    ]  # noqa: SIM905 - a word list
)
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad\u200e\u200f"), None)
# A time after the date ("T08:30:00Z", " 12:00:00 am", " 08:30 +01:00"): dropped.
_TIME = re.compile(
    r"(?:(?<=\d)t|\s+)\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(?:am|pm|a\.m\.|p\.m\.)?"
    r"\s*(?:z|utc|gmt|[+-]\d{2}:?\d{2})?$"
)
_VCARD_NO_YEAR = re.compile(r"^--(\d{2})-?(\d{2})$")
_SERIAL = re.compile(r"^\d{5}(?:[.,]\d+)?$")


class DateError(ValueError):
    """A text that holds no date (or not a usable one); `str(error)` says why, readably."""


@dataclass(frozen=True)
class PartialDate:
    """A calendar date whose year may be unknown (a birthday without a year)."""

    month: int
    day: int
    year: int | None = None

    @property
    def date(self) -> datetime.date | None:
        """The full date, or None without a year."""
        return datetime.date(self.year, self.month, self.day) if self.year else None


def _days_in_month(month: int, year: int | None) -> int:
    if month == 2:
        leap = year is None or (year % 4 == 0 and (year % 100 != 0 or year % 400 == 0))
        return 29 if leap else 28
    return 30 if month in (4, 6, 9, 11) else 31


def _valid(year: int | None, month: int, day: int) -> bool:
    return 1 <= month <= 12 and 1 <= day <= _days_in_month(month, year)


def pivot_two_digit_year(
    two_digits: int, *, month: int, day: int, today: datetime.date, past: bool
) -> int:
    """The four-digit year of a date written with a two-digit year.

    `past=True` (birth dates): the latest year ending in those digits that does not put
    month/day after `today` (so a birth date is never in the future). `past=False`: the year
    ending in those digits nearest to `today`'s year (ties go to the past). Raises DateError
    when no such year makes month/day a real date (29 February of a common year)."""
    century = today.year // 100 * 100
    candidates = [century + 100 + two_digits, century + two_digits, century - 100 + two_digits]
    candidates = [y for y in candidates if _valid(y, month, day)]
    if past:
        for year in candidates:  # latest first
            if datetime.date(year, month, day) <= today:
                return year
    elif candidates:
        return min(candidates, key=lambda y: (abs(y - today.year), y > today.year))
    raise DateError(_("There is no such date."))


def excel_serial_to_date(serial: float) -> datetime.date:
    """The date of an Excel serial day number in the 1900 date system (1 = 1900-01-01; a
    fraction is the time of day and is dropped). Excel counts a 29 February 1900 that never
    was (Lotus 1-2-3's leap-year bug, kept for compatibility): serials from 61 on are one
    day ahead of a plain count from 1899-12-31, and 60 itself is no date. Raises DateError
    outside 1..2958465 (9999-12-31) and for 60. Source: Microsoft, "Excel incorrectly assumes
    that the year 1900 is a leap year"."""
    days = int(serial)
    if days < 1 or days > EXCEL_MAX_SERIAL:
        raise DateError(_("%(value)s is no spreadsheet date number.") % {"value": serial})
    if days == 60:
        raise DateError(_("Spreadsheet day 60 is 29 February 1900, a day that did not exist."))
    if days < 60:
        return datetime.date(1899, 12, 31) + datetime.timedelta(days=days)
    return datetime.date(1899, 12, 30) + datetime.timedelta(days=days)


def _clean_text(text: str) -> str:
    text = unicodedata.normalize("NFKC", str(text or "").translate(_INVISIBLE))
    return " ".join(text.split()).strip().lower()


def _strip_accents(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _month_name(word: str) -> int | None:
    word = word.rstrip(".")
    return MONTH_NAMES.get(word) or MONTH_NAMES.get(_strip_accents(word))


def _finish(year, month, day, *, today, past) -> PartialDate:
    if year is not None and (year == 0 or year == APPLE_NO_YEAR):
        year = None  # an address book's "no year"
    if isinstance(year, str):  # two digits, pivoted once month and day are known
        if not _valid(None, month, day):
            raise DateError(_("There is no such date."))
        year = pivot_two_digit_year(int(year), month=month, day=day, today=today, past=past)
    if year is not None and year < 1000:
        raise DateError(_("The year has fewer than four digits."))
    if not _valid(year, month, day):
        raise DateError(_("There is no such date."))
    return PartialDate(month=month, day=day, year=year)


def _year(token: str):
    """A year token: int for four digits, the two-digit string to pivot later, else None."""
    if len(token) == 4:
        return int(token)
    if len(token) == 2:
        return token
    return None


def _numbers_only(numbers: list[str], separators: str, order: str, today, past) -> PartialDate:
    if len(numbers) == 2:
        return _without_year(numbers, separators, order)
    if len(numbers) != 3:
        raise DateError(_("It is not a date we can read."))
    a, b, c = numbers
    dotted = "." in separators and "/" not in separators
    if len(a) == 4:  # year first: ISO, East Asian forms
        if len(b) > 2 or len(c) > 2:
            raise DateError(_("It is not a date we can read."))
        return _finish(int(a), int(b), int(c), today=today, past=past)
    if len(a) > 2 or len(b) > 2 or len(c) not in (2, 4):
        raise DateError(_("It is not a date we can read."))
    if len(c) == 2 and int(a) > 31:  # "65/05/17": only the first can be the year
        return _finish(a, int(b), int(c), today=today, past=past)
    if len(c) == 2 and order == DateOrder.YMD and not dotted:
        # two-digit years everywhere: "65/05/17" where year-first is the custom
        try:
            return _finish(a, int(b), int(c), today=today, past=past)
        except DateError:
            pass  # "17/05/65" is no year-first date: read it year last
    year = _year(c)
    first, second = int(a), int(b)
    day_first = dotted or order == DateOrder.DMY
    if first > 12 >= second:
        day_first = True
    elif second > 12 >= first:
        day_first = False
    day, month = (first, second) if day_first else (second, first)
    return _finish(year, month, day, today=today, past=past)


def _without_year(numbers: list[str], separators: str, order: str) -> PartialDate:
    """Two numbers: a year and a month ("05/1965") has no day; else day and month."""
    a, b = numbers
    if len(a) > 2 or len(b) > 2:
        raise DateError(_("The date has no day."))
    first, second = int(a), int(b)
    if "." in separators:
        day_first = True  # "17.05."
    elif separators.strip() == "-":
        day_first = first > 12  # ISO "05-17"; "17-05" can only be day first
    else:
        day_first = order == DateOrder.DMY
        if first > 12 >= second:
            day_first = True
        elif second > 12 >= first:
            day_first = False
    day, month = (first, second) if day_first else (second, first)
    if not _valid(None, month, day):
        raise DateError(_("There is no such date."))
    return PartialDate(month=month, day=day)


def _with_month_name(month: int, numbers: list[str], today, past) -> PartialDate:
    if not numbers or len(numbers) > 2:
        raise DateError(_("The date has no day."))
    if len(numbers) == 1:
        if len(numbers[0]) > 2:
            raise DateError(_("The date has no day."))
        return _finish(None, month, int(numbers[0]), today=today, past=past)
    a, b = numbers
    if len(a) == 4 and len(b) <= 2:  # "1965 May 17"
        return _finish(int(a), month, int(b), today=today, past=past)
    if len(a) <= 2 and len(b) in (2, 4):  # "17 May 1965", "May 17, 65", "17-May-65"
        return _finish(_year(b), month, int(a), today=today, past=past)
    raise DateError(_("It is not a date we can read."))


def _compact(text: str, order: str, today, past) -> PartialDate | None:
    """A cell that is only digits: compact ISO, an Excel serial, or a compact date."""
    if _SERIAL.match(text):
        return _from_date(excel_serial_to_date(float(text.replace(",", "."))))
    if not text.isdigit():
        return None
    if len(text) == 8:
        if text[:2] in ("18", "19", "20"):
            try:
                return _finish(int(text[:4]), int(text[4:6]), int(text[6:]), today=today, past=past)
            except DateError:
                pass
        parts = [text[:2], text[2:4], text[4:]]
    elif len(text) == 6:
        parts = [text[:2], text[2:4], text[4:]]
    elif len(text) == 4 and text[:2] in ("18", "19", "20"):
        raise DateError(_("The date has only a year."))
    else:
        raise DateError(_("It is not a date we can read."))
    return _numbers_only(parts, "", order, today, past)


def _from_date(value: datetime.date) -> PartialDate:
    return PartialDate(month=value.month, day=value.day, year=value.year)


def parse_partial_date(
    text: str | None,
    *,
    order: str = DateOrder.DMY,
    today: datetime.date | None = None,
    past: bool = False,
) -> PartialDate | None:
    """The date in `text` as spreadsheets and address books write it (see the module's
    docstring), the year None when the text has none; None for an empty text.

    `order`: "dmy", "mdy" or "ymd" (DateOrder), how to read numbers that could be either
    day or month. `past`: the date cannot be later than `today` (birth dates): two-digit
    years pivot into the past and a later full date raises. `today` defaults to the current
    date. Raises DateError (a ValueError) with a readable reason otherwise."""
    today = today or datetime.date.today()
    text = _clean_text(text)
    if not text or not any(ch.isalnum() for ch in text):
        return None
    if (text.isdigit() and int(text) == 0) or re.fullmatch(r"0+\W+0+\W+0+\W*", text):
        return None  # Outlook's empty date
    if match := _VCARD_NO_YEAR.match(text):
        return _finish(None, int(match[1]), int(match[2]), today=today, past=past)
    text = _TIME.sub("", text).strip() or text
    result = _compact(text, order, today, past)
    if result is None:
        tokens = re.findall(r"\d+|[^\W\d_]+\.?", text)
        separators = re.sub(r"[\w]", "", text)
        numbers = [t for t in tokens if t.isdigit()]
        words = [t.rstrip(".") for t in tokens if not t.isdigit()]
        months = [m for m in map(_month_name, words) if m]
        unknown = [w for w in words if not _month_name(w) and w not in _FILLER]
        if unknown or len(months) > 1:
            raise DateError(_("It is not a date we can read."))
        if months:
            result = _with_month_name(months[0], numbers, today, past)
        else:
            result = _numbers_only(numbers, separators, order, today, past)
    if past and result.year is not None and result.date > today:
        raise DateError(_("The date is in the future."))
    return result


def parse_date(
    text: str | None,
    *,
    order: str = DateOrder.DMY,
    today: datetime.date | None = None,
    past: bool = False,
) -> datetime.date | None:
    """Like parse_partial_date, for a full date: None for an empty text; DateError also when
    the text has no year."""
    result = parse_partial_date(text, order=order, today=today, past=past)
    if result is None:
        return None
    if result.year is None:
        raise DateError(_("The date has no year."))
    return result.date


def month_day_text(month: int, day: int) -> str:
    """A birthday without a year as people read it: "17 May" (in the active language; the
    format, "j F", is translatable)."""
    return date_format(
        datetime.date(2000, month, day), pgettext("day and month of a birthday", "j F")
    )


# --- which order: the workspace's country ---------------------------------------------------


def date_order_for_country(country: str | None) -> str:
    """DateOrder value ("dmy", "mdy", "ymd") of the country (ISO 3166 alpha-2); "dmy" for an
    unknown or empty one, as most of the world writes."""
    code = (country or "").strip().upper()
    if code in MDY_COUNTRIES:
        return DateOrder.MDY
    if code in YMD_COUNTRIES:
        return DateOrder.YMD
    return DateOrder.DMY


def workspace_date_order(workspace, chosen: str = DateOrder.AUTO) -> str:
    """The order to read ambiguous dates with: `chosen` unless it is "auto"; then the order
    of the workspace's country (its `country` setting when it has one, else the country of
    its time zone). No query: reads the workspace's attributes."""
    if chosen and chosen != DateOrder.AUTO:
        return chosen
    country = getattr(workspace, "country", "") or country_for_time_zone(
        getattr(workspace, "time_zone", "")
    )
    return date_order_for_country(country)
