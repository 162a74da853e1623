"""Translations and locale-aware formatting.

Messages
--------
Msgids are English and carry *named* placeholders (``"Proposal {code} was returned"``). A
:class:`Translator` serves one locale (``"id"`` by default, ``"en"``); get one from the registry
built once at start-up::

    translations = load_translations(Path("locales"))      # in the composition root
    tr = translations.for_locale(user.language)             # "en-US" -> "en", None -> "id"
    tr.gettext("Proposal {code} was returned", code=p.code)
    tr.ngettext("{n} client", "{n} clients", len(clients))  # n is available as {n}
    tr.pgettext("button", "Approve")                        # button labels get a context
    tr = translations.for_reader(user.language, "Asia/Jayapura")  # a reader in Papua: times in WIT

Rules the catalog checker (``python -m bot.i18n.catalogs check``) relies on:

* ``gettext``/``pgettext`` format with :meth:`str.format` **only when params are given**; without
  params the text is returned as is, so literal braces are safe there. With params (and always
  with ``ngettext``/``npgettext``, which pass ``n``) literal braces must be doubled: ``{{ }}``.
* A missing or empty translation falls back to the English msgid (for plurals: the singular when
  ``n == 1``, else the plural). A translation that fails to format (a placeholder the code does not
  pass) falls back to the msgid, with a warning in the log.
* Params are inserted **as given, not HTML-escaped**: escaping is the job of ``handlers/views.py``
  (escape the values before passing them, or escape the whole result when it holds no markup).

Use :func:`N_` to mark a msgid for extraction in data (tables, enums) and translate it later with
``tr.gettext(value)``.

Formatting
----------
Output is pinned here, not delegated to Babel's patterns (they change between CLDR releases)::

    format_money(1_500_000)                                  -> "Rp1.500.000"
    format_date(date(2025, 8, 17), "id")                     -> "17 Agustus 2025"
    format_datetime(utc_dt, "Asia/Jakarta", "id")            -> "28 Nov 2026 14.05 WIB"
    format_age(timedelta(days=3), "id")                      -> "3 hari"
    format_number(1234567, "en")                             -> "1,234,567"

Every ``locale`` argument accepts a code (``"id"``, ``"en-US"``, ``None`` -> default) or anything
with a ``.locale`` attribute, such as a :class:`Translator`. Translators also offer these as
methods (``tr.format_money(...)``, ``tr.format_date(...)``, …).
"""

from __future__ import annotations

import datetime as dt
import gettext as _gettext
import logging
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from io import BytesIO
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import babel.support

__all__ = [
    "DEFAULT_LOCALE",
    "DEFAULT_TIMEZONE",
    "DOMAIN",
    "SUPPORTED_LOCALES",
    "N_",
    "Translations",
    "Translator",
    "compile_po_bytes",
    "format_age",
    "format_date",
    "FileSize",
    "format_datetime",
    "format_file_size",
    "format_money",
    "format_number",
    "load_translations",
    "resolve_locale",
    "zone_label",
]

log = logging.getLogger(__name__)

SUPPORTED_LOCALES: tuple[str, ...] = ("id", "en")
DEFAULT_LOCALE = "id"
SOURCE_LOCALE = "en"  # the language of the msgids: always available, even without a catalog
DOMAIN = "bot"
DEFAULT_TIMEZONE = "Asia/Jakarta"

# Legacy or regional spellings Telegram clients may send as ``language_code``.
_LOCALE_ALIASES = {"in": "id", "ind": "id", "eng": "en"}


def N_(message: str) -> str:
    """Mark a msgid for extraction without translating it now (gettext_noop)."""
    return message


# --------------------------------------------------------------------------------------------
# Translator


class Translator:
    """Translate and format for one reader: their locale, and the zone they read times in.

    ``Translator("en")`` without a catalog is a pass-through (the msgids are English), which is
    handy in tests. ``zone`` (an IANA name) is where the reader is: an instant is shown on their
    clock (``"… 16.05 WIT"`` for a Papuan operator, ``"… 14.05 WIB"`` for the centre) unless a caller
    names another zone. Instances are immutable and safe to share between tasks.
    """

    __slots__ = ("_catalog", "locale", "zone")

    def __init__(
        self, locale: str, catalog: _gettext.NullTranslations | None = None, zone: str = DEFAULT_TIMEZONE
    ) -> None:
        self.locale = locale
        self.zone = zone
        self._catalog = catalog if catalog is not None else _gettext.NullTranslations()

    def __repr__(self) -> str:
        zone = "" if self.zone == DEFAULT_TIMEZONE else f", zone={self.zone!r}"
        return f"Translator({self.locale!r}{zone})"

    def in_zone(self, zone: str) -> Translator:
        """The same language for a reader in ``zone`` (the catalog is shared, nothing is copied)."""
        return self if zone == self.zone else Translator(self.locale, self._catalog, zone)

    # -- messages ----------------------------------------------------------------------------

    def gettext(self, msgid: str, **params: Any) -> str:
        """Translate ``msgid``; format with ``params`` only when some are given."""
        if not msgid:
            return ""  # gettext("") would return the catalog header
        text = self._catalog.gettext(msgid) or msgid
        return self._format(text, msgid, params) if params else text

    _ = gettext

    def ngettext(self, singular: str, plural: str, n: int, **params: Any) -> str:
        """Translate a plural message for count ``n``; always formatted, ``{n}`` included."""
        fallback = singular if n == 1 else plural
        text = self._catalog.ngettext(singular, plural, n) or fallback
        return self._format(text, fallback, {"n": n, **params})

    def pgettext(self, context: str, msgid: str, **params: Any) -> str:
        """Translate ``msgid`` in ``context`` (e.g. ``"button"``); formatted only with params."""
        if not msgid:
            return ""
        text = self._catalog.pgettext(context, msgid) or msgid
        return self._format(text, msgid, params) if params else text

    def npgettext(self, context: str, singular: str, plural: str, n: int, **params: Any) -> str:
        """Plural message with a context; always formatted, ``{n}`` included."""
        fallback = singular if n == 1 else plural
        text = self._catalog.npgettext(context, singular, plural, n) or fallback
        return self._format(text, fallback, {"n": n, **params})

    def _format(self, text: str, fallback: str, params: Mapping[str, Any]) -> str:
        try:
            return text.format(**params)
        except (KeyError, IndexError, ValueError, AttributeError):
            if text == fallback:
                raise  # the msgid itself is broken: a bug in the calling code
            log.warning("broken %s translation of msgid %r; using the msgid", self.locale, fallback)
            return fallback.format(**params)

    # -- formatting in this locale -------------------------------------------------------------

    def format_money(self, amount: int) -> str:
        return format_money(amount)

    def format_number(self, n: int | float | Decimal, *, decimals: int = 0) -> str:
        return format_number(n, self.locale, decimals=decimals)

    def format_date(self, d: dt.date) -> str:
        return format_date(d, self.locale)

    def format_datetime(
        self, dt_utc: dt.datetime, tz_name: str | None = None, *, seconds: bool = False, zone: bool = True
    ) -> str:
        """The instant on the reader's clock (``tz_name`` only where a text names its own zone)."""
        return format_datetime(dt_utc, tz_name or self.zone, self.locale, seconds=seconds, zone=zone)

    def format_age(self, delta: dt.timedelta) -> str:
        return format_age(delta, self.locale)

    def format_file_size(self, size: int) -> str:
        return format_file_size(size, self.locale)


# --------------------------------------------------------------------------------------------
# Registry and loading


def resolve_locale(
    code: str | None,
    available: tuple[str, ...] | list[str] = SUPPORTED_LOCALES,
    default: str = DEFAULT_LOCALE,
) -> str:
    """Map a language code (Telegram ``language_code``, a stored preference) to an available one.

    ``"en-US"``/``"en_GB"`` -> ``"en"``, ``"in"`` (legacy Indonesian) -> ``"id"``; ``None``, empty
    or unknown -> ``default``.
    """
    if not code:
        return default
    norm = code.strip().lower().replace("_", "-")
    if norm in available:
        return norm
    primary = norm.split("-", 1)[0]
    primary = _LOCALE_ALIASES.get(primary, primary)
    return primary if primary in available else default


class Translations:
    """The loaded catalogs: one :class:`Translator` per available locale."""

    def __init__(
        self,
        catalogs: Mapping[str, _gettext.NullTranslations | None],
        default: str = DEFAULT_LOCALE,
    ) -> None:
        if default not in catalogs:
            raise ValueError(f"default locale {default!r} has no catalog")
        self.default = default
        self._translators = {code: Translator(code, cat) for code, cat in catalogs.items()}

    @property
    def available(self) -> list[str]:
        """Locale codes with a translator, the default first."""
        return [self.default, *sorted(c for c in self._translators if c != self.default)]

    def for_locale(self, code: str | None) -> Translator:
        """The translator for ``code``; unknown or ``None`` gives the default locale. Its times read
        in :data:`DEFAULT_TIMEZONE`: for a person, use :meth:`for_reader` with their zone."""
        return self._translators[resolve_locale(code, tuple(self._translators), self.default)]

    def for_reader(self, code: str | None, zone: str) -> Translator:
        """The translator for a person who reads ``code`` and lives in ``zone`` (an IANA name:
        an operator's IPWL's zone, the centre's for its staff and for group chats)."""
        return self.for_locale(code).in_zone(zone)

    def __contains__(self, code: object) -> bool:
        return code in self._translators

    def __repr__(self) -> str:
        return f"Translations(available={self.available!r}, default={self.default!r})"


def compile_po_bytes(po_path: Path, locale: str | None = None, domain: str = DOMAIN) -> bytes:
    """Compile a ``.po`` file to ``.mo`` bytes (fuzzy entries left out).

    Plural entries with no translated form at all are left out too, so lookups fall back to the
    English msgids (Babel would otherwise put the singular msgid in every form).
    """
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po_path.open("rb") as fh:
        catalog = read_po(fh, locale=locale, domain=domain)
    for message in list(catalog):
        if message.id and message.pluralizable and not any(message.string or ()):
            catalog.delete(message.id, context=message.context)
    buf = BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    return buf.getvalue()


def _load_catalog(lc_messages: Path, locale: str, domain: str) -> babel.support.Translations | None:
    mo, po = lc_messages / f"{domain}.mo", lc_messages / f"{domain}.po"
    if mo.is_file() and (not po.is_file() or mo.stat().st_mtime >= po.stat().st_mtime):
        data = mo.read_bytes()
    elif po.is_file():
        # No .mo (fresh checkout, tests) or a stale one: compile in memory.
        data = compile_po_bytes(po, locale, domain)
    else:
        return None
    return babel.support.Translations(BytesIO(data), domain=domain)


def load_translations(locales_dir: Path, default: str = DEFAULT_LOCALE, *, domain: str = DOMAIN) -> Translations:
    """Load ``<locales_dir>/<lang>/LC_MESSAGES/<domain>.mo`` for every language directory.

    A missing ``.mo`` (or one older than its ``.po``) is compiled in memory from the ``.po``.
    English, the msgid language, is always available. Raises :class:`FileNotFoundError` when the
    default locale has no catalog, so the bot never silently speaks English to everyone.
    """
    locales_dir = Path(locales_dir)
    catalogs: dict[str, _gettext.NullTranslations | None] = {}
    if locales_dir.is_dir():
        for lang_dir in sorted(p for p in locales_dir.iterdir() if p.is_dir()):
            catalog = _load_catalog(lang_dir / "LC_MESSAGES", lang_dir.name, domain)
            if catalog is not None:
                catalogs[lang_dir.name.lower().replace("_", "-")] = catalog
    catalogs.setdefault(SOURCE_LOCALE, None)
    if default not in catalogs:
        raise FileNotFoundError(
            f"no catalog for the default locale {default!r} in {locales_dir} "
            f"(expected {default}/LC_MESSAGES/{domain}.mo or .po)"
        )
    return Translations(catalogs, default=default)


# --------------------------------------------------------------------------------------------
# Formatting (pinned output)

_MONTHS_WIDE = {
    "id": (
        "Januari", "Februari", "Maret", "April", "Mei", "Juni",
        "Juli", "Agustus", "September", "Oktober", "November", "Desember",
    ),
    "en": (
        "January", "February", "March", "April", "May", "June",
        "July", "August", "September", "October", "November", "December",
    ),
}  # fmt: skip
_MONTHS_ABBR = {
    "id": ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}
_GROUP_SEP = {"id": ".", "en": ","}
_DECIMAL_SEP = {"id": ",", "en": "."}
_TIME_SEP = {"id": ".", "en": ":"}

# Indonesia's three zones; other zones use their tz abbreviation.
_ZONE_LABELS = {
    "Asia/Jakarta": "WIB",
    "Asia/Pontianak": "WIB",
    "Asia/Makassar": "WITA",
    "Asia/Ujung_Pandang": "WITA",
    "Asia/Jayapura": "WIT",
}

_AGE_WORDS = {
    # locale: (day, days, hour, hours, less than an hour)
    "id": ("{n} hari", "{n} hari", "{n} jam", "{n} jam", "kurang dari 1 jam"),
    "en": ("{n} day", "{n} days", "{n} hour", "{n} hours", "less than 1 hour"),
}


def _code(locale: Any) -> str:
    """A supported locale code from a code, ``None`` or an object with ``.locale``."""
    if locale is not None and not isinstance(locale, str):
        locale = getattr(locale, "locale", None)
    return resolve_locale(locale)


def _group(digits: int, sep: str) -> str:
    return f"{digits:,}".replace(",", sep)


def format_number(n: int | float | Decimal, locale: Any = DEFAULT_LOCALE, *, decimals: int = 0) -> str:
    """``1234567`` -> ``"1.234.567"`` (id) / ``"1,234,567"`` (en); ``decimals`` rounds half up."""
    if isinstance(n, bool) or not isinstance(n, (int, float, Decimal)):
        raise TypeError(f"format_number expects a number, got {type(n).__name__}")
    code = _code(locale)
    value = Decimal(str(n)) if isinstance(n, float) else Decimal(n)
    value = value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    sign = "-" if value < 0 else ""
    whole, _, frac = f"{abs(value):f}".partition(".")
    text = sign + _group(int(whole), _GROUP_SEP[code])
    if decimals > 0:
        text += _DECIMAL_SEP[code] + frac
    return "0" if text == "-0" else text


class FileSize(int):
    """A size in bytes that a message shows as people read it (see :func:`format_file_size`)."""


def format_file_size(size: int, locale: Any = DEFAULT_LOCALE) -> str:
    """``193`` -> ``"193 B"``, ``4608`` -> ``"4,5 KB"``, ``430_000`` -> ``"420 KB"``,
    ``1_288_490`` -> ``"1,2 MB"`` (id; en uses decimal points). Never rounds a file up to a bigger
    unit's "1" nor a non-empty file down to 0: the size shown is the size received."""
    if size < 1024:
        return f"{size} B"
    if size < 1000 * 1024:  # (from 1000 KB on, MB: never "1.024 KB")
        kb = size / 1024
        return f"{format_number(kb, locale, decimals=1 if kb < 10 else 0)} KB"
    mb = size / 1024 / 1024
    return f"{format_number(mb, locale, decimals=1 if mb < 100 else 0)} MB"


def format_money(amount: int) -> str:
    """Rupiah, whole amounts: ``1_500_000`` -> ``"Rp1.500.000"``, ``-2500`` -> ``"-Rp2.500"``.

    The same in every locale (it is how Rupiah is written). Floats are refused: money is integers.
    """
    if isinstance(amount, Decimal) and amount == amount.to_integral_value():
        amount = int(amount)
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise TypeError(f"money is an integer number of rupiah, got {type(amount).__name__}")
    sign = "-" if amount < 0 else ""
    return f"{sign}Rp{_group(abs(amount), '.')}"


def format_date(d: dt.date, locale: Any = DEFAULT_LOCALE) -> str:
    """``"17 Agustus 2025"`` (id) / ``"17 August 2025"`` (en).

    A ``datetime`` is refused: convert it to the recipient's local date first (or use
    :func:`format_datetime`), so a UTC date never shows up as a local one.
    """
    if isinstance(d, dt.datetime) or not isinstance(d, dt.date):
        raise TypeError("format_date expects a date; convert datetimes to a local date first")
    return f"{d.day} {_MONTHS_WIDE[_code(locale)][d.month - 1]} {d.year}"


def zone_label(tz_name: str, at: dt.datetime | None = None) -> str:
    """``"WIB"``/``"WITA"``/``"WIT"`` for Indonesia's zones, else the zone's abbreviation."""
    if tz_name in _ZONE_LABELS:
        return _ZONE_LABELS[tz_name]
    at = at or dt.datetime.now(dt.UTC)
    name = at.astimezone(ZoneInfo(tz_name)).tzname() or tz_name
    return f"UTC{name}" if name[:1] in "+-" else name


def format_datetime(
    dt_utc: dt.datetime, tz_name: str, locale: Any = DEFAULT_LOCALE, *, seconds: bool = False, zone: bool = True
) -> str:
    """An aware instant in the recipient's zone: ``"28 Nov 2026 14.05 WIB"`` / ``"… 14:05 WIB"``;
    ``seconds`` adds them (``14.05.09``, for the audit trail), ``zone=False`` leaves the zone to a
    heading that states it once.

    Naive datetimes are refused (time is stored in UTC and must be aware). An unknown ``tz_name``
    raises :class:`zoneinfo.ZoneInfoNotFoundError`.
    """
    if not isinstance(dt_utc, dt.datetime):
        raise TypeError("format_datetime expects a datetime")
    if dt_utc.tzinfo is None or dt_utc.utcoffset() is None:
        raise ValueError("format_datetime needs an aware datetime (store and pass UTC)")
    code = _code(locale)
    local = dt_utc.astimezone(ZoneInfo(tz_name))
    month = _MONTHS_ABBR[code][local.month - 1]
    clock = f"{local.hour:02d}{_TIME_SEP[code]}{local.minute:02d}"
    if seconds:
        clock += f"{_TIME_SEP[code]}{local.second:02d}"
    text = f"{local.day} {month} {local.year} {clock}"
    return f"{text} {zone_label(tz_name, dt_utc)}" if zone else text


def format_age(delta: dt.timedelta, locale: Any = DEFAULT_LOCALE) -> str:
    """How long something has waited: whole days, else whole hours, else "less than 1 hour".

    ``"3 hari"``/``"3 days"``, ``"5 jam"``/``"5 hours"``, ``"kurang dari 1 jam"``. Negative
    durations (clock skew) count as zero.
    """
    day, days, hour, hours, under_hour = _AGE_WORDS[_code(locale)]
    seconds = max(int(delta.total_seconds()), 0)
    if seconds >= 86_400:
        n = seconds // 86_400
        return (day if n == 1 else days).format(n=n)
    if seconds >= 3_600:
        n = seconds // 3_600
        return (hour if n == 1 else hours).format(n=n)
    return under_hour
