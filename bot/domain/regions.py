"""Indonesian administrative regions: provinces, their time zones, and the regency catalog.

Province codes and names are stable facts (Kemendagri codes; 38 provinces since the 2022
Papua split), so they live in code. Regencies (kabupaten/kota) change by ministerial decree,
so they come from a CSV file the admin configures (``code,province_code,name``, code written
``PP.KK``, UTF-8, RFC 4180); without such a file the regency is free text
(:meth:`RegionsCatalog.empty`).

Pure module: the only I/O is :func:`load_regions` reading the configured file.
"""

from __future__ import annotations

import csv
import io
import os
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from bot.domain.problem_text import ProblemText
from bot.i18n import N_

__all__ = [
    "PROVINCES",
    "PROVINCE_ZONES",
    "Regency",
    "RegionsCatalog",
    "RegionsFileError",
    "RegionsFileProblem",
    "TimeZone",
    "ipwl_zone",
    "is_known_province_code",
    "load_regions",
    "province_search",
    "reader_zone",
    "time_zone",
    "zone_label",
    "zone_of",
]

# The 38 current Kemendagri province codes (Kepmendagri 300.2.2-2138/2025). Names as Kemendagri
# writes them. Codes are never reused: when a province is split, the old one keeps its code and
# the new ones get new codes (93–96 came out of 91 and 92 in 2022).
PROVINCES: Mapping[str, str] = MappingProxyType(
    {
        "11": "Aceh",
        "12": "Sumatera Utara",
        "13": "Sumatera Barat",
        "14": "Riau",
        "15": "Jambi",
        "16": "Sumatera Selatan",
        "17": "Bengkulu",
        "18": "Lampung",
        "19": "Kepulauan Bangka Belitung",
        "21": "Kepulauan Riau",
        "31": "Daerah Khusus Ibukota Jakarta",
        "32": "Jawa Barat",
        "33": "Jawa Tengah",
        "34": "Daerah Istimewa Yogyakarta",
        "35": "Jawa Timur",
        "36": "Banten",
        "51": "Bali",
        "52": "Nusa Tenggara Barat",
        "53": "Nusa Tenggara Timur",
        "61": "Kalimantan Barat",
        "62": "Kalimantan Tengah",
        "63": "Kalimantan Selatan",
        "64": "Kalimantan Timur",
        "65": "Kalimantan Utara",
        "71": "Sulawesi Utara",
        "72": "Sulawesi Tengah",
        "73": "Sulawesi Selatan",
        "74": "Sulawesi Tenggara",
        "75": "Gorontalo",
        "76": "Sulawesi Barat",
        "81": "Maluku",
        "82": "Maluku Utara",
        "91": "Papua",
        "92": "Papua Barat",
        "93": "Papua Selatan",
        "94": "Papua Tengah",
        "95": "Papua Pegunungan",
        "96": "Papua Barat Daya",
    }
)

# Short forms people actually type ("jabar", "NTT", "DIY"). Matched whole, ignoring case and
# spaces, by province_search.
_PROVINCE_ALIASES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "11": ("nad", "nanggroe aceh darussalam"),
        "12": ("sumut",),
        "13": ("sumbar",),
        "16": ("sumsel",),
        "19": ("babel", "bangka belitung"),
        "21": ("kepri",),
        "31": ("dki", "dki jakarta", "daerah khusus jakarta"),
        "32": ("jabar",),
        "33": ("jateng",),
        "34": ("diy", "jogja", "yogya", "jogjakarta", "yogyakarta"),
        "35": ("jatim",),
        "52": ("ntb",),
        "53": ("ntt",),
        "61": ("kalbar",),
        "62": ("kalteng",),
        "63": ("kalsel",),
        "64": ("kaltim",),
        "65": ("kaltara",),
        "71": ("sulut",),
        "72": ("sulteng",),
        "73": ("sulsel",),
        "74": ("sultra",),
        "76": ("sulbar",),
        "82": ("malut",),
        "92": ("pabar",),
        "93": ("papsel",),
        "94": ("papteng",),
        "95": ("papeg",),
        "96": ("pbd",),
    }
)


def is_known_province_code(code: str) -> bool:
    """Tell whether ``code`` (two digits) is a Kemendagri province code.

    NIKs are never reissued when a province splits, so older NIKs keep the prefix of the
    province the person was registered in at the time (e.g. 91 Papua or 92 Papua Barat for
    people now living in Papua Selatan). Those historical prefixes are all still current codes,
    so the current list is also the complete list of prefixes a genuine NIK can carry.
    """
    return code in PROVINCES


# --------------------------------------------------------------------------- time zones


class TimeZone(StrEnum):
    """The three Indonesian time zones, by their everyday label."""

    WIB = "WIB"  # Waktu Indonesia Barat, UTC+7
    WITA = "WITA"  # Waktu Indonesia Tengah, UTC+8
    WIT = "WIT"  # Waktu Indonesia Timur, UTC+9

    @property
    def zone_name(self) -> str:
        """IANA zone name, for ``zoneinfo.ZoneInfo``."""
        return _ZONE_NAMES[self]

    @property
    def utc_offset_hours(self) -> int:
        """Offset from UTC in hours (Indonesia has no daylight saving time)."""
        return _ZONE_OFFSETS[self]


_ZONE_NAMES: Mapping[TimeZone, str] = MappingProxyType(
    {TimeZone.WIB: "Asia/Jakarta", TimeZone.WITA: "Asia/Makassar", TimeZone.WIT: "Asia/Jayapura"}
)
_ZONE_OFFSETS: Mapping[TimeZone, int] = MappingProxyType({TimeZone.WIB: 7, TimeZone.WITA: 8, TimeZone.WIT: 9})


def _zones() -> dict[str, TimeZone]:
    wib: tuple[str, ...] = ("11", "12", "13", "14", "15", "16", "17", "18", "19", "21")  # Sumatra and islands
    wib += ("31", "32", "33", "34", "35", "36")  # Java
    wib += ("61", "62")  # West and Central Kalimantan
    wita: tuple[str, ...] = ("51", "52", "53")  # Bali, NTB, NTT
    wita += ("63", "64", "65")  # South, East and North Kalimantan
    wita += ("71", "72", "73", "74", "75", "76")  # all of Sulawesi
    wit = ("81", "82", "91", "92", "93", "94", "95", "96")  # Maluku and Papua
    zones = {code: TimeZone.WIB for code in wib}
    zones.update({code: TimeZone.WITA for code in wita})
    zones.update({code: TimeZone.WIT for code in wit})
    return zones


PROVINCE_ZONES: Mapping[str, TimeZone] = MappingProxyType(_zones())


def time_zone(province_code: str) -> TimeZone:
    """Return the time zone of a province; raise ``ValueError`` for an unknown code."""
    try:
        return PROVINCE_ZONES[province_code]
    except KeyError:
        raise ValueError(f"unknown province code: {province_code!r}") from None


def zone_of(province_code: str) -> str:
    """Return the IANA zone name of a province, e.g. ``"Asia/Makassar"`` for ``"73"``."""
    return time_zone(province_code).zone_name


def zone_label(province_code: str) -> str:
    """Return ``"WIB"``, ``"WITA"`` or ``"WIT"`` for a province."""
    return time_zone(province_code).value


def ipwl_zone(province_code: str | None, centre_zone: str) -> str:
    """The IANA zone an IPWL lives by (its province's: WIB, WITA or WIT); the centre's for a
    province the register does not know, so that no rule falls back to UTC."""
    zone = PROVINCE_ZONES.get(province_code or "")
    return zone.zone_name if zone is not None else centre_zone


def reader_zone(operated_provinces: Sequence[str | None], centre_zone: str) -> str:
    """The zone a person reads times in: an operator's IPWL's (the first one, when a person runs
    several), the centre's for everyone else — its staff, the public, and every group chat."""
    return ipwl_zone(operated_provinces[0], centre_zone) if operated_provinces else centre_zone


# --------------------------------------------------------------------------- search helpers


def _fold(text: str) -> str:
    """Case-, accent- and spacing-insensitive form of a name, for matching only."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.casefold().split())


_PROVINCE_PREFIX = re.compile(r"^(?:provinsi|propinsi|prov|prop)\b\.?\s*")
# Longest first, so "kabupaten administrasi" wins over "kabupaten".
_REGENCY_PREFIX = re.compile(
    r"^(?:(?P<kab>kabupaten administrasi|kabupaten|kab\.?)|"
    r"(?P<kota>kota administrasi|kota adm\.?|kota))(?:\s+|$|(?<=\.))"
)


def _split_regency_prefix(folded: str) -> tuple[str | None, str]:
    """Split ``"kab. bogor"`` into ``("kab", "bogor")``; kind is None without a prefix."""
    match = _REGENCY_PREFIX.match(folded)
    if match is None:
        return None, folded
    kind = "kab" if match.group("kab") else "kota"
    return kind, folded[match.end() :].strip()


# How Indonesian offices shorten the long province names on a button or a chart label.
_SHORT_NAMES = {"19": "Kep. Bangka Belitung", "31": "DKI Jakarta", "34": "DI Yogyakarta", "52": "NTB", "53": "NTT"}


def province_short_name(code: str) -> str:
    """A province's name short enough for a button: "DKI Jakarta", not "Daerah Khusus Ibukota Ja…"."""
    return _SHORT_NAMES.get(code) or PROVINCES.get(code, code)


def province_search(text: str) -> list[tuple[str, str]]:
    """Find provinces by code (``"32"``), name fragment (``"jawa"``) or short form (``"jabar"``).

    Results are ``(code, name)`` pairs, best first: exact code, exact name or short form,
    names starting with the text, then names containing it. Empty text finds nothing.
    """
    query = _PROVINCE_PREFIX.sub("", _fold(text)).strip()
    if not query:
        return []
    if query in PROVINCES:
        return [(query, PROVINCES[query])]
    compact = query.replace(" ", "")
    exact: list[str] = []
    starts: list[str] = []
    contains: list[str] = []
    for code, name in PROVINCES.items():
        folded = _fold(name)
        aliases = {a.replace(" ", "") for a in _PROVINCE_ALIASES.get(code, ())}
        if folded == query or compact in aliases or folded.replace(" ", "") == compact:
            exact.append(code)
        elif folded.startswith(query):
            starts.append(code)
        elif query in folded or compact in folded.replace(" ", ""):
            contains.append(code)
    return [(code, PROVINCES[code]) for code in exact + starts + contains]


# --------------------------------------------------------------------------- regencies


@dataclass(frozen=True)
class Regency:
    """One kabupaten or kota: ``code`` is ``"PP.KK"`` (e.g. ``"32.01"``)."""

    code: str
    province_code: str
    name: str

    @property
    def nik_code(self) -> str:
        """The four digits a NIK starts with, e.g. ``"3201"``."""
        return self.code.replace(".", "")

    @property
    def is_city(self) -> bool:
        """True for a kota (code 71 and above, by Kemendagri convention)."""
        return int(self.code[3:]) >= 71


_REGENCY_CODE = re.compile(r"^(\d{2})\.?(\d{2})$")


def _normalize_regency_code(code: str) -> str | None:
    """``"3201"``, ``"32.01"``, ``" 32.01 "`` → ``"32.01"``; None when not a regency code."""
    match = _REGENCY_CODE.match(code.strip())
    if match is None:
        return None
    return f"{match.group(1)}.{match.group(2)}"


class RegionsCatalog:
    """The regencies of the configured regions file, indexed for lookup and search.

    ``RegionsCatalog.empty()`` stands for "no file configured": lookups find nothing and
    ``has_regencies`` is False, so callers ask for the regency as free text.
    """

    def __init__(self, regencies: Iterable[Regency] = ()) -> None:
        by_code: dict[str, Regency] = {}
        by_province: dict[str, list[Regency]] = {}
        for regency in regencies:
            by_code[regency.code] = regency
            by_province.setdefault(regency.province_code, []).append(regency)
        for items in by_province.values():
            items.sort(key=lambda r: (_fold(r.name), r.code))
        self._by_code = by_code
        self._by_province = by_province

    @classmethod
    def empty(cls) -> RegionsCatalog:
        """A catalog without regencies, for when no regions file is configured."""
        return cls()

    @property
    def has_regencies(self) -> bool:
        """False when no regions file is configured (the regency is then free text)."""
        return bool(self._by_code)

    def __len__(self) -> int:
        return len(self._by_code)

    def __iter__(self) -> Iterator[Regency]:
        return iter(sorted(self._by_code.values(), key=lambda r: r.code))

    def regencies_of(self, province_code: str) -> list[Regency]:
        """The regencies of a province, sorted by name (a new list each time)."""
        return list(self._by_province.get(province_code, ()))

    def regency(self, code: str) -> Regency | None:
        """Look a regency up by code, written ``"32.01"`` or ``"3201"``."""
        normalized = _normalize_regency_code(code)
        return None if normalized is None else self._by_code.get(normalized)

    def find(self, province_code: str, text: str) -> list[Regency]:
        """Search a province's regencies by name fragment, ignoring case and the prefix.

        ``"bogor"``, ``"Kab. Bogor"`` and ``"kabupaten bogor"`` all find Kabupaten Bogor; when the
        text names a kind (``"kota bogor"``) and a regency of that kind matches, only those are
        returned. A code (``"32.01"``/``"3201"``) finds that regency. Best matches come first:
        exact name, then names starting with the text, then the rest, each group by name.
        """
        regencies = self._by_province.get(province_code, [])
        by_code = self.regency(text)
        if by_code is not None:
            return [by_code] if by_code.province_code == province_code else []
        kind, query = _split_regency_prefix(_fold(text))
        if not query:
            return []
        ranked: list[tuple[int, Regency]] = []
        for regency in regencies:
            regency_kind, bare = _split_regency_prefix(_fold(regency.name))
            if query not in bare:
                continue
            rank = 0 if bare == query else 1 if bare.startswith(query) else 2
            ranked.append((rank, regency))
        if kind is not None:
            # "Kota Bogor" should not also offer Kabupaten Bogor, but a wrong or missing kind
            # ("kab. depok", where only Kota Depok exists) must still find something.
            same_kind = [(rank, r) for rank, r in ranked if _split_regency_prefix(_fold(r.name))[0] == kind]
            ranked = same_kind or ranked
        # Stable sort keeps the by-name order of regencies_of within each rank.
        ranked.sort(key=lambda item: item[0])
        return [regency for _, regency in ranked]

    def province_name(self, code: str) -> str | None:
        """The name of a province, or None for an unknown code (works without a file)."""
        return PROVINCES.get(code)


# --------------------------------------------------------------------------- loading


@dataclass(frozen=True)
class RegionsFileProblem(ProblemText):
    """One thing wrong with the regions file: an N_ msgid with named placeholders.

    ``row`` is the spreadsheet row number (the header is row 1), or None for the whole file.
    """

    row: int | None = None


class RegionsFileError(ValueError):
    """The regions file is missing or invalid; ``problems`` lists every row-numbered issue."""

    # Enough to fix a file in one go without flooding a terminal or a chat message.
    MAX_SHOWN = 20

    def __init__(self, path: str, problems: Iterable[RegionsFileProblem]) -> None:
        self.path = path
        self.problems: tuple[RegionsFileProblem, ...] = tuple(problems)
        lines = [p.render() for p in self.problems[: self.MAX_SHOWN]]
        hidden = len(self.problems) - len(lines)
        if hidden > 0:
            lines.append(f"… and {hidden} more problems")
        super().__init__(f"invalid regions file {path}:\n" + "\n".join(lines))


_HEADER = ("code", "province_code", "name")
_FILE_CODE = re.compile(r"^(\d{2})\.(\d{2})$")
# What a spreadsheet makes of "32.10" when it treats the column as numbers.
_MANGLED_CODE = re.compile(r"^\d{2}\.\d$")


def _problem(message: str, row: int | None = None, **params: object) -> RegionsFileProblem:
    if row is not None:
        params["row"] = row
    return RegionsFileProblem(message=message, params=params, row=row)


def load_regions(path: str | os.PathLike[str]) -> RegionsCatalog:
    """Read and validate a regencies CSV (``code,province_code,name``) into a catalog.

    Every row is checked (code format ``PP.KK``, known province, code prefix matching the
    province, no duplicate codes, non-empty name) and all problems are reported together in a
    :class:`RegionsFileError`, so the admin can fix the file in one pass. A byte-order mark
    (as written by spreadsheet programs) is accepted.
    """
    shown_path = os.fspath(path)
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except FileNotFoundError:
        raise RegionsFileError(
            shown_path, [_problem(N_("The regions file was not found: {path}"), path=shown_path)]
        ) from None
    except OSError as exc:
        raise RegionsFileError(
            shown_path,
            [
                _problem(
                    N_("The regions file could not be read: {error}"),
                    error=exc.strerror or type(exc).__name__,
                )
            ],
        ) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RegionsFileError(
            shown_path,
            [_problem(N_('The regions file is not UTF-8 text; save it as "CSV UTF-8".'))],
        ) from None

    problems: list[RegionsFileProblem] = []
    regencies: list[Regency] = []
    first_row_of: dict[str, int] = {}
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    row_number = 0
    try:
        for row_number, fields in enumerate(reader, start=1):
            if row_number == 1:
                header = tuple(f.strip().casefold() for f in fields)
                if header != _HEADER:
                    raise RegionsFileError(
                        shown_path,
                        [
                            _problem(
                                N_("The first row must be the header {expected}; found {found}."),
                                expected=",".join(_HEADER),
                                found=",".join(fields)[:80] or "(empty)",
                            )
                        ],
                    )
                continue
            if not any(f.strip() for f in fields):
                continue  # blank lines are harmless; spreadsheets often leave one at the end
            regency = _check_row(row_number, fields, first_row_of, problems)
            if regency is not None:
                regencies.append(regency)
    except csv.Error as exc:
        problems.append(
            _problem(
                N_("Row {row}: the CSV is malformed ({error})."),
                row=row_number + 1,
                error=str(exc)[:80],
            )
        )
    if row_number == 0:
        problems.append(_problem(N_("The regions file is empty.")))
    elif not problems and not regencies:
        problems.append(_problem(N_("The regions file has a header but no regencies.")))
    if problems:
        raise RegionsFileError(shown_path, problems)
    return RegionsCatalog(regencies)


def _check_row(
    row: int,
    fields: list[str],
    first_row_of: dict[str, int],
    problems: list[RegionsFileProblem],
) -> Regency | None:
    """Validate one data row; append its problems and return the regency if it is sound."""
    if len(fields) != len(_HEADER):
        problems.append(
            _problem(
                N_("Row {row}: expected 3 columns (code, province_code, name), found {count}."),
                row=row,
                count=len(fields),
            )
        )
        return None
    code, province_code, name = (f.strip() for f in fields)
    before = len(problems)
    match = _FILE_CODE.match(code)
    if match is None or match.group(2) == "00":
        if _MANGLED_CODE.match(code):
            message = N_(
                "Row {row}: code {code} is not in the form PP.KK, e.g. 32.01 "
                "(a spreadsheet may have turned 32.10 into 32.1; format the column as text)."
            )
        else:
            message = N_("Row {row}: code {code} is not in the form PP.KK, e.g. 32.01.")
        problems.append(_problem(message, row=row, code=code[:20] or "(empty)"))
    if not is_known_province_code(province_code):
        problems.append(
            _problem(
                N_("Row {row}: province code {province_code} is not a known province."),
                row=row,
                province_code=province_code[:20] or "(empty)",
            )
        )
    elif match is not None and match.group(1) != province_code:
        problems.append(
            _problem(
                N_("Row {row}: code {code} does not start with its province code {province_code}."),
                row=row,
                code=code,
                province_code=province_code,
            )
        )
    if match is not None:
        if code in first_row_of:
            problems.append(
                _problem(
                    N_("Row {row}: code {code} already appears in row {first_row}."),
                    row=row,
                    code=code,
                    first_row=first_row_of[code],
                )
            )
        else:
            first_row_of[code] = row
    if not name:
        problems.append(_problem(N_("Row {row}: the name is empty."), row=row))
    if len(problems) > before:
        return None
    return Regency(code=code, province_code=province_code, name=" ".join(name.split()))
