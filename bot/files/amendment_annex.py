"""The annex of an SK perubahan (issue 16.6): one row per change — the IPWL, the proposal, the
client's number, name and NIK (as the SK's own annex lists them, no more), the kind of change, what
the SK said and what the SK perubahan makes of it, the reason, and any refund to recover."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.domain.client_changes import ChangeKind
from bot.files.workbook import first_sheet
from bot.i18n import format_date, resolve_locale


@dataclass(frozen=True)
class AmendmentLine:
    """One line of the SK perubahan's annex: no more personal data than the SK's own annex."""

    ipwl_code: str
    proposal_code: str
    position: int
    client_name: str
    nik: str
    kind: ChangeKind
    before: str
    after: str
    reason: str
    refund: int | None
    amends: str = ""  # the SK this line amends: its number and date ("" when the proposal has none)


_COLUMNS = {
    "id": (
        "No",
        "IPWL",
        "Usulan",
        "No. klien",
        "Nama",
        "NIK",
        "Perubahan",
        "Semula",
        "Menjadi",
        "Alasan",
        "Pengembalian dana",
        "SK yang diubah",
    ),
    "en": (
        "No",
        "IPWL",
        "Proposal",
        "Client no.",
        "Name",
        "NIK",
        "Change",
        "Before",
        "After",
        "Reason",
        "Refund",
        "SK amended",
    ),
}
_KINDS: Mapping[str, Mapping[ChangeKind, str]] = {
    "id": {
        ChangeKind.DROP_OUT: "Mengundurkan diri",
        ChangeKind.DEATH: "Meninggal dunia",
        ChangeKind.MOVE: "Pindah IPWL",
        ChangeKind.NAME: "Koreksi nama",
        ChangeKind.NIK: "Koreksi NIK",
        ChangeKind.DOUBLE_ASSISTANCE: "Bantuan ganda",
    },
    "en": {
        ChangeKind.DROP_OUT: "Drops out",
        ChangeKind.DEATH: "Died",
        ChangeKind.MOVE: "Moves to another IPWL",
        ChangeKind.NAME: "Name correction",
        ChangeKind.NIK: "NIK correction",
        ChangeKind.DOUBLE_ASSISTANCE: "Double assistance",
    },
}
_STATES = {
    "id": {"on_list": "Penerima manfaat", "off_list": "Dikeluarkan dari daftar", "moved": "Pindah ke {code}"},
    "en": {"on_list": "Beneficiary", "off_list": "Taken off the list", "moved": "Moved to {code}"},
}


def _state(value: str, lang: str) -> str:
    """A code of the service (``on_list``, ``off_list``, ``moved:CODE``) in words; a value as it is."""
    words = _STATES[lang]
    if value.startswith("moved:"):
        return words["moved"].format(code=value.split(":", 1)[1])
    return words.get(value, value)


def build_amendment_annex(
    number: str, issued_on: dt.date, lines: Sequence[AmendmentLine], locale: str | None = "id"
) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    lang = "en" if resolve_locale(locale) == "en" else "id"
    wb = Workbook()
    ws = first_sheet(wb)
    ws.title = "Lampiran SK perubahan" if lang == "id" else "SK perubahan annex"
    ws.append([("Lampiran SK perubahan " if lang == "id" else "Annex to SK perubahan ") + number])
    # The date as people read it, in the annex's language ("2 Desember 2026"), never ISO.
    ws.append([("Tanggal " if lang == "id" else "Date ") + format_date(issued_on, "en" if lang == "en" else "id")])
    # Which SK(s) it amends: an SK perubahan may cover proposals of several SKs.
    amended = sorted({line.amends for line in lines if line.amends})
    ws.append([("Mengubah " if lang == "id" else "Amends ") + "; ".join(amended)] if amended else [])
    ws.append(list(_COLUMNS[lang]))
    bold = Font(bold=True)
    for cell in (ws["A1"], *ws[4]):
        cell.font = bold
    for letter, width in zip("ABCDEFGHIJKL", (5, 10, 16, 9, 28, 20, 20, 24, 24, 40, 16, 36), strict=True):
        ws.column_dimensions[letter].width = width
    ordered = sorted(lines, key=lambda x: (x.ipwl_code, x.proposal_code, x.position))
    for index, line in enumerate(ordered, start=1):
        ws.append(
            [
                index,
                line.ipwl_code,
                line.proposal_code,
                line.position,
                line.client_name,
                line.nik,
                _KINDS[lang][line.kind],
                _state(line.before, lang),
                _state(line.after, lang),
                line.reason,
                line.refund,
                line.amends,
            ]
        )
        for column in (6, 8, 9):  # a NIK stays text (no 3.2e15)
            ws.cell(row=ws.max_row, column=column).number_format = "@"
        ws.cell(row=ws.max_row, column=11).number_format = "#,##0"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
