"""Files for people: the monthly report as an XLSX workbook and PNG charts, and XLSX exports.

CPU-bound and synchronous on purpose: callers run these in a worker thread (``asyncio.to_thread``)
so the bot keeps answering while a national-scale workbook is written. Workbooks are written
with openpyxl's write-only mode (rows stream to a temporary file, memory stays flat); charts use
matplotlib's object API on the Agg canvas — no pyplot, so no global state shared between threads.
matplotlib is imported on first use: importing the bot loads none of it.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from bot.domain import audit_terms
from bot.domain.models import ProposalStatus
from bot.domain.regions import PROVINCES
from bot.domain.report_figures import (
    FLOWS,
    NO_TEAM,
    NO_TEAM_LABEL,
    STAGES,
    Figures,
    MonthlyReport,
    Period,
    RefundReceipt,
)
from bot.domain.validation import BANKS
from bot.i18n import N_, Translator, format_date, format_money, zone_label

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MONEY = "#,##0"
PERCENT = "0.0%"

STATUS_SHORT: Mapping[ProposalStatus, str] = audit_terms.PROPOSAL_STATES  # one set of words for states

NOTES = (
    N_(
        "Scope: proposals whose period falls in the report's year, year to date: the position at the end of "
        "the report's month in the centre's time zone (for the month still running: when the report was made). "
        "Anything recorded later does not count, so the report of a month says the same when made again. "
        "The 'this month' counts are the month's own events."
    ),
    N_(
        "Clients proposed: clients of proposals sent to the centre (not draft, not withdrawn). "
        "Clients decreed: clients of proposals with an SK (status 'SK issued' or later). "
        "Clients served: clients whose transfer was sent."
    ),
    N_(
        "Target: the yearly target shared over the active IPWL in whole clients; a province's or PIC team's "
        "target is the sum of its IPWL's. Expected: the target × month ÷ 12, rounded to whole clients, what "
        "should be decreed by the month's end. Percentages have one decimal."
    ),
    N_(
        "Funds decreed: the budget (RAB) of decreed clients. Transferred: transfers sent. Accounted for: "
        "the realizations of validated LPJ only. Filed, not yet validated: realizations of LPJ submitted but "
        "not validated yet — not accounted for until they are."
    ),
    N_("LPJ on time / late: submitted LPJ, against the due date set when the payment was recorded."),
    N_(
        "Budget ceiling (pagu): the year's ceiling set by an admin (the whole year's, else the sum of the "
        "components'); committed against it: the budget of proposals in the SKs dated in the year, whatever "
        "their period, recorded by the month's end (the figure an SK is checked against)."
    ),
    N_(
        "Refunds: money already transferred for a client of the year's proposals who then left the list "
        "(dropped out, died, moved) under an SK perubahan, to come back to the centre. A case counts from when "
        "the SK perubahan opened it; received: the receipts finance recorded by the report's moment (each with "
        "the day the money arrived and its proof: a reference number, or the number of the proof file kept with "
        "the proposal's records); outstanding: the amount less what was received. Received in the month: the "
        "receipts recorded in the month. Clients are shown by their number in the proposal, never by name."
    ),
    N_(
        "Days per stage: calendar days per proposal, from the latest start to the first end of the stage "
        "(a returned proposal is timed from its resubmission); the median over the year's proposals."
    ),
)

# Column labels of the exports, by the column keys of storage/reports.py EXPORTS.
EXPORT_COLUMNS: Mapping[str, str] = {
    "code": N_("Proposal"),
    "ipwl_code": N_("IPWL code"),
    "ipwl_name": N_("IPWL"),
    "province_code": N_("Province"),  # holds the province's name (written from its code)
    "team_code": N_("PIC team"),
    "status": N_("Status"),
    "version": N_("Version"),
    "period": N_("Period"),
    "clients": N_("Clients"),
    "budget": N_("Budget (Rp)"),
    "sk_number": N_("SK number"),
    "sk_date": N_("SK date"),
    "lpj_due_on": N_("LPJ due"),
    "created_at": N_("Created ({zone})"),
    "submitted_at": N_("Submitted ({zone})"),
    "status_since": N_("Status since ({zone})"),
    "position": N_("No."),
    "full_name": N_("Full name"),
    "nik": N_("NIK"),
    "sex": N_("Sex"),
    "birth_date": N_("Birth date"),
    "regency": N_("Regency/city"),
    "address": N_("Address"),
    "phone": N_("Phone"),
    "approach": N_("Approach"),
    "components": N_("Components"),
    "assessment": N_("Assessment"),
    "intervention_plan": N_("Intervention plan"),
    "erased_at": N_("Anonymized ({zone})"),
    "client_code": N_("Client code"),
    "initials": N_("Initials"),
    "birth_year": N_("Birth year"),
    "spp_number": N_("SPP number"),
    "spp_date": N_("SPP date"),
    "spm_number": N_("SPM number"),
    "spm_date": N_("SPM date"),
    "bank_code": N_("Bank"),
    "account_number": N_("Account"),
    "amount": N_("Amount (Rp)"),
    "transfer_status": N_("Transfer"),
    "transfer_on": N_("Transfer date"),
    "updated_at": N_("Updated ({zone})"),
    "lpj_version": N_("LPJ version"),
    "late": N_("Late"),
    "accounted": N_("Accounted for (Rp)"),
    "holder_name": N_("Account holder"),
    "receipt": N_("Receipt no."),
    "file_name": N_("File"),
    "stamped": N_("Meterai"),
    "client_budget": N_("RAB (Rp)"),
    "realized": N_("Realized (Rp)"),
    "difference": N_("RAB − realized (Rp)"),
    "at": N_("Time ({zone})"),
    "actor": N_("Who"),
    "actor_role": N_("Role"),
    "entity": N_("Entity"),
    "entity_id": N_("Id"),
    "action": N_("Action"),
    "from_status": N_("From"),
    "to_status": N_("To"),
    "reason": N_("Reason"),
}
DETAIL_SHEETS: Mapping[str, str] = {"receipts": N_("Receipts"), "realization": N_("Realization per client")}
MONEY_COLUMNS = frozenset({"budget", "amount", "accounted", "client_budget", "realized", "difference"})
# Columns holding an instant (UTC text in the database): written in the centre's zone, named in the header.
TIME_COLUMNS = frozenset({"created_at", "submitted_at", "status_since", "erased_at", "updated_at", "at"})
# Columns holding a calendar day (ISO text in the database): written as real dates a spreadsheet sorts.
DATE_COLUMNS = frozenset(
    {
        "sk_date",
        "lpj_due_on",
        "spp_date",
        "spm_date",
        "transfer_on",
        "birth_date",
        "issued_on",
        "served_from",
        "served_to",
    }
)
DATE_FORMAT = "dd-mm-yyyy"  # day-month-year, as the bot asks for dates
_YES_NO = (N_("No"), N_("Yes"))

_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
_TITLE_FONT = Font(bold=True, size=14)
_BOLD = Font(bold=True)


def percent(t: Translator, share: float) -> str:
    """A share as the report writes it everywhere, chat, workbook and charts: one decimal ("0,1%").
    A share that is not nothing but rounds to it reads "<0,1%", never "0,0%" (2 of 4,700 is not 0)."""
    if 0 < share < 0.0005:
        return "<" + t.format_number(0.1, decimals=1) + "%"
    return t.format_number(share * 100, decimals=1) + "%"


def as_of_text(report: MonthlyReport, t: Translator) -> str:
    """Where the figures stand: "the end of 30 Nov 2026 (WIB)", or the moment, for a running month."""
    if report.month_complete or report.as_of is None:
        nxt = report.period.following()
        last = dt.date(nxt.year, nxt.month, 1) - dt.timedelta(days=1)
        return t.gettext(N_("the end of {date} ({zone})"), date=t.format_date(last), zone=zone_label(report.timezone))
    return t.format_datetime(report.as_of, report.timezone)


def month_name(period: Period, t: Translator) -> str:
    """ "November 2026" in the reader's language."""
    return format_date(dt.date(period.year, period.month, 1), t.locale).split(" ", 1)[1]


def group_label(figures: Figures, t: Translator) -> str:
    return t.gettext(NO_TEAM_LABEL) if figures.key == NO_TEAM else figures.label


# --- writing workbooks -------------------------------------------------------------------------------


class SheetWriter:
    """One write-only sheet: a header row, then rows, with widths and number formats per column."""

    def __init__(
        self,
        book: Workbook,
        title: str,
        headers: Sequence[str],
        *,
        widths: Sequence[int] = (),
        formats: Mapping[int, str] | None = None,
        freeze: str | None = "A2",
    ) -> None:
        self.sheet = book.create_sheet(title[:31])
        self._formats = dict(formats or {})
        for index, header in enumerate(headers, start=1):
            width = widths[index - 1] if index - 1 < len(widths) else max(10, min(40, len(header) + 2))
            self.sheet.column_dimensions[get_column_letter(index)].width = width
        if freeze:
            self.sheet.freeze_panes = freeze
        if headers:
            self.sheet.append([self._styled(h, font=_HEADER_FONT, fill=_HEADER_FILL) for h in headers])

    def _styled(
        self,
        value: object,
        *,
        font: Font | None = None,
        fill: PatternFill | None = None,
        number_format: str | None = None,
    ) -> Cell:
        # Any value openpyxl writes (dates and Decimals too): its stub narrows WriteOnlyCell's value
        # to str, float and datetime, where the function hands it to Cell, which takes them all.
        cell = WriteOnlyCell(self.sheet, value=value)  # type: ignore[arg-type]
        if font is not None:
            cell.font = font
        if fill is not None:
            cell.fill = fill
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        if number_format is not None:
            cell.number_format = number_format
        return cell

    def append(self, row: Sequence[object]) -> None:
        if not self._formats:
            self.sheet.append(list(row))
            return
        self.sheet.append(
            [
                self._styled(value, number_format=self._formats[i])
                if i in self._formats and value is not None
                else value
                for i, value in enumerate(row)
            ]
        )

    def title(self, text: str) -> None:
        self.sheet.append([self._styled(text, font=_TITLE_FONT)])

    def bold(self, *values: object) -> None:
        self.sheet.append([self._styled(values[0], font=_BOLD), *values[1:]])


def _save(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- the monthly report workbook ---------------------------------------------------------------------


# The figure columns of the IPWL, province and team sheets (year to date, at the month's end).
FIGURE_COLUMNS = (
    N_("Yearly target (clients)"),
    N_("Expected by month end (clients)"),
    N_("Clients proposed, year to date"),
    N_("Clients decreed, year to date"),
    N_("Clients served, year to date"),
    N_("Progress to target"),
    N_("Funds decreed, year to date (Rp)"),
    N_("Funds transferred, year to date (Rp)"),
    N_("Funds accounted for: LPJ validated (Rp)"),
    N_("Funds in LPJ filed, not yet validated (Rp)"),
    N_("LPJ on time"),
    N_("LPJ late"),
    N_("LPJ validated"),
    N_("LPJ filed, not yet validated"),
)


def _figure_columns(t: Translator, *, ipwl: bool) -> list[str]:
    columns = [t.gettext(N_("Code")), t.gettext(N_("Name"))]
    if ipwl:
        columns += [t.gettext(N_("Province")), t.gettext(N_("PIC team"))]
    else:
        columns += [t.gettext(N_("IPWL"))]
    columns += [t.gettext(x) for x in FIGURE_COLUMNS]
    columns += [t.gettext(N_("Median days: {stage}"), stage=t.gettext(stage.label)) for stage in STAGES]
    columns += [t.gettext(N_("Proposals: {status}"), status=t.gettext(STATUS_SHORT[s])) for s in ProposalStatus]
    return columns


def _figure_row(f: Figures, report: MonthlyReport, t: Translator, extra: Sequence[object]) -> list[object]:
    return [
        f.key,
        group_label(f, t),
        *extra,
        f.target,
        f.expected(report.period.month),
        f.clients_proposed,
        f.clients_decreed,
        f.clients_served,
        round(f.progress, 3),
        f.funds_decreed,
        f.funds_transferred,
        f.funds_accounted,
        f.funds_filed,
        f.lpj_on_time,
        f.lpj_late,
        f.lpj_validated,
        f.lpj_filed,
        *(f.median_days(stage.key) for stage in STAGES),
        # Zero counts stay blank: most IPWL have proposals in few statuses, and an empty cell costs
        # nothing to write (the sheet of a national report has 10,000 rows).
        *(f.proposals.get(s) or None for s in ProposalStatus),
    ]


def _figure_sheet(
    book: Workbook,
    title: str,
    rows: Iterable[Figures],
    report: MonthlyReport,
    t: Translator,
    *,
    province_names: Mapping[str, str] | None = None,
    team_codes: Mapping[str, str] | None = None,
) -> None:
    ipwl = province_names is not None
    headers = _figure_columns(t, ipwl=ipwl)
    first = 4 if ipwl else 3  # the first figure column, after code, name and the scope columns
    formats = {first + 5: PERCENT, first + 6: MONEY, first + 7: MONEY, first + 8: MONEY, first + 9: MONEY}
    widths = [12, 34] + ([20, 10] if ipwl else [8])
    sheet = SheetWriter(book, title, headers, widths=widths, formats=formats, freeze="C2")
    for f in rows:
        extra: list[object] = (
            [province_names[f.key], team_codes[f.key]]
            if province_names is not None and team_codes is not None
            else [f.ipwl_count]
        )
        sheet.append(_figure_row(f, report, t, extra))


# The reasons a client paid leaves the list (bot.domain.client_changes.EXITS), as the chat names them.
REFUND_REASONS: Mapping[str, str] = {
    "drop_out": N_("drops out"),
    "death": N_("died"),
    "move": N_("moves to another IPWL"),
    "double_assistance": N_("double assistance"),
}
REFUND_COLUMNS = (
    N_("Proposal"),
    N_("IPWL code"),
    N_("Client no."),
    N_("Reason"),
    N_("SK perubahan"),
    N_("Opened"),
    N_("To recover (Rp)"),
    N_("Received (Rp)"),
    N_("Outstanding (Rp)"),
    N_("Status"),
    N_("Receipt: day received"),
    N_("Receipt: amount (Rp)"),
    N_("Receipt: proof"),
    N_("Receipt: recorded by"),
)


def refund_line(report: MonthlyReport, t: Translator) -> str:
    """The refunds in one line (the summary sheet and the chat): open cases and what is still out,
    and what came back in the month."""
    totals = report.refund_totals
    return refund_text(t, report.period, totals.open, totals.outstanding, totals.received_in_month)


def refund_text(t: Translator, period: Period, open_cases: int, outstanding: int, received: int) -> str:
    """:func:`refund_line` from its three figures (the scheduled report's caption keeps only those)."""
    return t.gettext(
        N_("Refunds: {open} open with {outstanding} outstanding; {received} received in {month}"),
        open=t.format_number(open_cases),
        outstanding=format_money(outstanding),
        received=format_money(received),
        month=month_name(period, t),
    )


def _proof(receipt: RefundReceipt, t: Translator) -> str:
    # The proof file by its number, not its name: file names are sealed as personal data (a slip
    # photographed as "bukti <client's name>.jpg"), and this workbook names no client.
    if receipt.reference:
        return receipt.reference
    if receipt.proof_id is not None:
        return t.gettext(N_("file no. {number}"), number=receipt.proof_id)
    return "-"


def _refund_sheet(book: Workbook, report: MonthlyReport, t: Translator) -> None:
    """One row per case, its receipts on the rows under it (the case's code and client number
    repeated, so a filter keeps them together; case amounts only on the case's row, so a column
    adds up), and the control totals."""
    money = {6: MONEY, 7: MONEY, 8: MONEY, 11: MONEY}
    widths = [22, 10, 9, 20, 26, 12, 16, 16, 16, 12, 14, 16, 26, 22]
    sheet = SheetWriter(
        book,
        t.gettext(N_("Refunds")),
        [t.gettext(c) for c in REFUND_COLUMNS],
        widths=widths,
        formats=money | {5: DATE_FORMAT, 10: DATE_FORMAT},
    )
    zone = ZoneInfo(report.timezone)
    for case in report.refunds:
        sheet.append(
            [
                case.proposal_code,
                case.ipwl_code,
                case.position,
                t.gettext(REFUND_REASONS[case.kind]) if case.kind in REFUND_REASONS else case.kind,
                case.amendment_number or "-",
                case.opened_at.astimezone(zone).date(),
                case.amount,
                case.received,
                case.outstanding,
                t.gettext(N_("Settled") if case.settled else N_("Open")),
            ]
        )
        for receipt in case.receipts:
            sheet.append(
                [
                    case.proposal_code,
                    case.ipwl_code,
                    case.position,
                    *([None] * 7),
                    receipt.received_on,
                    receipt.amount,
                    _proof(receipt, t),
                    receipt.recorded_by or "-",
                ]
            )
    totals = report.refund_totals
    sheet.append(
        [
            t.gettext(N_("Total")),
            t.gettext(N_("{count} case(s), {open} open"), count=totals.cases, open=totals.open),
            None,
            None,
            None,
            None,
            totals.amount,
            totals.received,
            totals.outstanding,
            None,
            t.gettext(N_("{count} receipt(s)"), count=totals.receipts),
            totals.received,
        ]
    )


def made_line(report: MonthlyReport, t: Translator) -> str:
    """When the report was made, and whether it is the one kept as sent on schedule (and was late)."""
    if report.sent_at is not None:
        text = t.gettext(
            N_("As sent on {when}, kept unchanged"), when=t.format_datetime(report.sent_at, report.timezone)
        )
        if report.late:
            text += " · " + t.gettext(N_("sent late"))
        return text
    return t.gettext(N_("Made on {when}"), when=t.format_datetime(report.generated_at, report.timezone))


def render_workbook(report: MonthlyReport, t: Translator, *, centre: str) -> bytes:
    """The monthly report as XLSX: summary, per IPWL, per province, per PIC team, the refunds, and
    the definitions."""
    book = Workbook(write_only=True)
    c = report.centre
    summary = SheetWriter(book, t.gettext(N_("Summary")), [], widths=[46, 22, 14], freeze=None, formats={1: MONEY})
    summary.title(t.gettext(N_("ATENSI monthly report – {month}"), month=month_name(report.period, t)))
    summary.append([centre])
    summary.append([made_line(report, t)])
    summary.append([t.gettext(N_("Figures at {moment}"), moment=as_of_text(report, t))])
    summary.append([])
    rows: list[tuple[str, object]] = [
        (N_("Yearly target (clients)"), report.yearly_target),
        (N_("Expected by the end of the month"), report.expected),
        (N_("Clients proposed"), c.clients_proposed),
        (N_("Clients decreed (SK)"), c.clients_decreed),
        (N_("Clients served (transfer sent)"), c.clients_served),
        (N_("Proposals this year"), c.proposal_count),
        (N_("Budget ceiling, pagu (Rp)"), report.ceiling),
        (N_("Committed against it: SKs of the year (Rp)"), report.committed),
        (N_("Funds decreed (Rp)"), c.funds_decreed),
        (N_("Funds transferred (Rp)"), c.funds_transferred),
        (N_("Funds accounted for: LPJ validated (Rp)"), c.funds_accounted),
        (N_("Funds in LPJ filed, not yet validated (Rp)"), c.funds_filed),
        (N_("LPJ on time"), c.lpj_on_time),
        (N_("LPJ late"), c.lpj_late),
        (N_("LPJ validated"), c.lpj_validated),
        (N_("LPJ filed, not yet validated"), c.lpj_filed),
    ]
    summary.bold(t.gettext(N_("Year to date: 1 January to {moment}"), moment=as_of_text(report, t)))
    for label, value in rows:
        summary.append([t.gettext(label), value])
    summary.append([t.gettext(N_("Progress to target")), percent(t, c.progress)])
    summary.append([refund_line(report, t)])
    summary.append([])
    summary.bold(t.gettext(N_("This month")))
    for key, label, _ in FLOWS:
        summary.append([t.gettext(label), report.flows.get(key, 0)])
    summary.append([])
    summary.bold(t.gettext(N_("Median days per stage")), t.gettext(N_("Days")), t.gettext(N_("Proposals")))
    for stage in STAGES:
        summary.append([t.gettext(stage.label), c.median_days(stage.key), c.stage_count(stage.key)])
    summary.append([])
    summary.bold(t.gettext(N_("Proposals by status")))
    for status in ProposalStatus:
        summary.append([t.gettext(STATUS_SHORT[status]), c.proposals.get(status, 0)])

    _figure_sheet(
        book,
        t.gettext(N_("IPWL")),
        report.ipwl,
        report,
        t,
        province_names=report.ipwl_province,
        team_codes=report.ipwl_team,
    )
    _figure_sheet(book, t.gettext(N_("Provinces")), report.provinces, report, t)
    _figure_sheet(book, t.gettext(N_("PIC teams")), report.teams, report, t)
    _refund_sheet(book, report, t)
    notes = SheetWriter(book, t.gettext(N_("Notes")), [], widths=[120], freeze=None)
    for note in NOTES:
        notes.append([t.gettext(note)])
    return _save(book)


# --- charts --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Chart:
    name: str  # file name, e.g. "progress-2026-11.png"
    title: str
    png: bytes
    caption: str = ""  # the chart's key figures as text (plain, ≤ 1024 characters): sent with the photo


# Sized for a phone: Telegram shows a photo about 330 CSS px wide on a 390 px screen (and lets people
# enlarge it). The figure is drawn 4.4 in × 180 dpi = 792 px wide, so one CSS px is 2.4 image px;
# the smallest text (SMALL_PT) then stands at least READABLE_CSS_PX tall on that screen.
PHONE_PHOTO_CSS_PX = 330
READABLE_CSS_PX = 12
WIDTH_IN, DPI = 4.4, 180
SMALL_PT = 12  # ticks, labels, legend: 12 pt at 180 dpi = 30 image px = 12.5 CSS px on the phone
TITLE_PT = 15
BLUE, GREEN, AMBER, GREY = "#1F4E79", "#2E8B57", "#C77C02", "#D9D9D9"


def smallest_text_css_px() -> float:
    """How tall the smallest chart text is on a 390 px phone screen (the chart test's measure)."""
    return SMALL_PT / 72 * DPI * PHONE_PHOTO_CSS_PX / (WIDTH_IN * DPI)


def short_money(amount: int, t: Translator) -> str:
    """Rupiah for a chart label: "Rp1,2 billion" / "Rp350 million" in the reader's language."""
    if abs(amount) >= 1_000_000_000:
        return t.gettext(N_("Rp{amount} billion"), amount=t.format_number(amount / 1e9, decimals=1))
    if abs(amount) >= 1_000_000:
        return t.gettext(N_("Rp{amount} million"), amount=t.format_number(amount / 1e6, decimals=0))
    return format_money(amount)


def _figure(height_in: float) -> Any:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(WIDTH_IN, height_in), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def _png(figure: Any) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, facecolor="white")
    return buffer.getvalue()


def _style(ax: Any) -> None:
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(labelsize=SMALL_PT)


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(text, width)) or text


def progress_chart(report: MonthlyReport, t: Translator) -> bytes:
    """Clients decreed and served against each province's share of the target, with the pace."""
    groups = sorted((g for g in report.provinces if g.ipwl_count), key=lambda g: g.progress)
    figure = _figure(2.4 + 0.75 * max(1, len(groups)))
    ax = figure.add_subplot()
    _style(ax)
    figure.suptitle(
        _wrap(t.gettext(N_("Progress to the yearly target by province")), 32), fontsize=TITLE_PT, fontweight="bold"
    )
    ax.set_title(month_name(report.period, t), fontsize=SMALL_PT)
    y = list(range(len(groups)))
    month = report.period.month
    ax.barh(y, [g.target for g in groups], color=GREY, height=0.7, label=t.gettext(N_("Target (share)")))
    ax.barh(y, [g.clients_decreed for g in groups], color=BLUE, height=0.7, label=t.gettext(N_("Decreed (SK)")))
    ax.barh(
        y, [g.clients_served for g in groups], color=GREEN, height=0.32, label=t.gettext(N_("Served (transfer sent)"))
    )
    ax.scatter(
        [g.expected(month) for g in groups],
        y,
        marker="|",
        s=300,
        linewidths=2.5,
        color=AMBER,
        zorder=3,
        label=t.gettext(N_("Expected by month end")),
    )
    ax.set_yticks(y, [_wrap(g.label, 12) for g in groups], fontsize=SMALL_PT)
    top = max([g.target for g in groups] + [g.clients_decreed for g in groups] + [1])
    for index, g in enumerate(groups):
        ax.text(
            max(g.target, g.clients_decreed) + top * 0.03, index, percent(t, g.progress), va="center", fontsize=SMALL_PT
        )
    ax.set_xlim(0, top * 1.45)
    ax.set_ylim(-0.6, len(groups) - 0.4)
    ax.set_xticks([])
    ax.spines["bottom"].set_visible(False)
    handles, labels = ax.get_legend_handles_labels()
    figure.legend(handles, labels, loc="outside lower center", ncol=1, fontsize=SMALL_PT, frameon=False)
    return _png(figure)


def funds_chart(report: MonthlyReport, t: Translator) -> bytes:
    """The funds pipeline: decreed → transferred → accounted for (validated LPJ), with LPJ filed apart."""
    c = report.centre
    labels = [
        t.gettext(N_("Decreed")),
        t.gettext(N_("Transferred")),
        t.gettext(N_("Accounted for (LPJ validated)")),
        t.gettext(N_("LPJ not yet validated")),
    ]
    values = [c.funds_decreed, c.funds_transferred, c.funds_accounted, c.funds_filed]
    figure = _figure(5.6)
    ax = figure.add_subplot()
    _style(ax)
    figure.suptitle(t.gettext(N_("Funds pipeline")), fontsize=TITLE_PT, fontweight="bold")
    ax.set_title(month_name(report.period, t), fontsize=SMALL_PT)
    y = list(range(len(values)))[::-1]
    ax.barh(y, values, color=[BLUE, GREEN, AMBER, GREY], height=0.6)
    ax.set_yticks(y, [_wrap(label, 12) for label in labels], fontsize=SMALL_PT)
    top = max(values + [1])
    for index, value in zip(y, values, strict=True):
        ax.text(value + top * 0.03, index, short_money(value, t), va="center", fontsize=SMALL_PT)
    ax.set_xlim(0, top * 1.6)
    ax.set_xticks([])
    ax.spines["bottom"].set_visible(False)
    return _png(figure)


def stages_chart(report: MonthlyReport, t: Translator) -> bytes:
    """Median days each stage takes, with how many proposals it rests on."""
    c = report.centre
    figure = _figure(5.2)
    ax = figure.add_subplot()
    _style(ax)
    figure.suptitle(_wrap(t.gettext(N_("Time per stage (median days)")), 32), fontsize=TITLE_PT, fontweight="bold")
    ax.set_title(t.gettext(N_("Proposals of {year}"), year=report.period.year), fontsize=SMALL_PT)
    stages = list(reversed(STAGES))
    days = [c.median_days(s.key) or 0.0 for s in stages]
    y = list(range(len(stages)))
    ax.barh(y, days, color=BLUE, height=0.6)
    ax.set_yticks(y, [_wrap(t.gettext(s.label), 12) for s in stages], fontsize=SMALL_PT)
    top = max(days + [1.0])
    for index, stage in enumerate(stages):
        median = c.median_days(stage.key)
        text = (
            t.gettext(N_("{days} d"), days=t.format_number(median, decimals=1))
            if median is not None
            else t.gettext(N_("no data"))
        )
        ax.text(days[index] + top * 0.03, index, text, va="center", fontsize=SMALL_PT)
    ax.set_xlim(0, top * 1.5)
    ax.set_xticks([])
    ax.spines["bottom"].set_visible(False)
    return _png(figure)


def chart_captions(report: MonthlyReport, t: Translator) -> dict[str, str]:
    """Each chart's key figures as text, so the message says what the picture shows."""
    c = report.centre
    month = month_name(report.period, t)
    behind = [g for g in report.provinces if g.target and g.clients_decreed < g.expected(report.period.month)]
    progress = [
        t.gettext(N_("Progress to the yearly target by province")) + " – " + month,
        t.gettext(
            N_("Decreed: {decreed} of {target} clients ({percent}); expected by the end of the month: {expected}"),
            decreed=t.format_number(c.clients_decreed),
            target=t.format_number(report.yearly_target),
            percent=percent(t, c.progress),
            expected=t.format_number(report.expected),
        ),
        t.gettext(N_("Served (transfer sent): {served}"), served=t.format_number(c.clients_served)),
    ]
    if behind:
        progress.append(
            t.gettext(
                N_("Behind the expected pace: {list}"),
                list=", ".join(
                    f"{g.label} {percent(t, g.progress)}" for g in sorted(behind, key=lambda g: g.progress)[:6]
                ),
            )
        )
    share = (lambda value: f" ({percent(t, value / c.funds_decreed)})") if c.funds_decreed else (lambda value: "")
    funds = [
        t.gettext(N_("Funds pipeline")) + " – " + month,
        t.gettext(N_("Decreed: {amount}"), amount=format_money(c.funds_decreed)),
        t.gettext(N_("Transferred: {amount}"), amount=format_money(c.funds_transferred)) + share(c.funds_transferred),
        t.gettext(N_("Accounted for (LPJ validated): {amount}"), amount=format_money(c.funds_accounted))
        + share(c.funds_accounted),
        t.gettext(N_("In LPJ filed, not yet validated: {amount}"), amount=format_money(c.funds_filed)),
    ]
    stages = [t.gettext(N_("Time per stage (median days)")) + " – " + month]
    for stage in STAGES:
        median = c.median_days(stage.key)
        stages.append(
            t.gettext(
                N_("{stage}: {days} days (n={count})"),
                stage=t.gettext(stage.label),
                days=t.format_number(median, decimals=1),
                count=c.stage_count(stage.key),
            )
            if median is not None
            else t.gettext(N_("{stage}: no data yet"), stage=t.gettext(stage.label))
        )
    return {
        "progress": "\n".join(progress)[:1024],
        "funds": "\n".join(funds)[:1024],
        "stages": "\n".join(stages)[:1024],
    }


def render_charts(report: MonthlyReport, t: Translator) -> list[Chart]:
    key = report.period.key
    captions = chart_captions(report, t)
    return [
        Chart(
            f"progress-{key}.png",
            t.gettext(N_("Progress to the yearly target by province")),
            progress_chart(report, t),
            captions["progress"],
        ),
        Chart(f"funds-{key}.png", t.gettext(N_("Funds pipeline")), funds_chart(report, t), captions["funds"]),
        Chart(
            f"stages-{key}.png",
            t.gettext(N_("Time per stage (median days)")),
            stages_chart(report, t),
            captions["stages"],
        ),
    ]


# --- exports ---------------------------------------------------------------------------------------------


class ExportBook:
    """An export written page by page (callers hand each page over from the event loop).

    Rows arrive as the database holds them; the book writes them as a reader expects: instants in
    the centre's zone (named in the headers), statuses, banks, roles and audit actions in words,
    provinces by name. Extra sheets (:meth:`sheet`) hold the detail of the same export.
    """

    def __init__(self, t: Translator, title: str, columns: Sequence[str], timezone: str = "Asia/Jakarta") -> None:
        self._book = Workbook(write_only=True)
        self._t = t
        self._zone = ZoneInfo(timezone)
        self._zone_label = zone_label(timezone)
        self.rows = 0
        self._columns: Sequence[str] = ()
        self._sheet = self._new_sheet(title, columns)

    def _new_sheet(
        self, title: str, columns: Sequence[str], extra_labels: Mapping[str, str] | None = None
    ) -> SheetWriter:
        t = self._t
        names = {**EXPORT_COLUMNS, **(extra_labels or {})}
        labels = [
            t.gettext(names.get(column, column), zone=self._zone_label)
            if column in TIME_COLUMNS
            else t.gettext(names.get(column, column))
            for column in columns
        ]
        formats = {i: MONEY for i, column in enumerate(columns) if column in MONEY_COLUMNS}
        formats |= {i: "yyyy-mm-dd hh:mm:ss" for i, column in enumerate(columns) if column in TIME_COLUMNS}
        formats |= {i: DATE_FORMAT for i, column in enumerate(columns) if column in DATE_COLUMNS}
        self._columns = tuple(columns)
        return SheetWriter(self._book, title, labels, formats=formats)

    def sheet(self, title: str, columns: Sequence[str], extra_labels: Mapping[str, str] | None = None) -> None:
        """Start another sheet: the rows appended from now on go there."""
        self._sheet = self._new_sheet(title, columns, extra_labels)

    def note(self, line: str) -> None:
        """A line of text on the current sheet (an introduction, "nothing held")."""
        self._sheet.append([line])

    def append(self, rows: Iterable[Sequence[object]], *, count: bool = True) -> None:
        for row in rows:
            self._sheet.append(self._present(row))
            self.rows += count

    def _present(self, row: Sequence[object]) -> list[object]:
        t, columns = self._t, self._columns
        values = dict(zip(columns, row, strict=True))
        out: list[object] = []
        for column, value in values.items():
            if column == "actor" and "actor_role" in values:
                out.append(audit_terms.actor_words(t, _text(value), _text(values.get("actor_role"))))
            elif column == "reason" and "action" in values:
                out.append(
                    audit_terms.describe(
                        t,
                        str(values["action"]),
                        _text(values.get("from_status")),
                        _text(values.get("to_status")),
                        _text(value),
                        str(values.get("entity", "proposal")),
                    ).detail
                )
            elif value is None:
                out.append(None)
            elif column in TIME_COLUMNS:
                moment = dt.datetime.fromisoformat(str(value)) if isinstance(value, str) else value
                out.append(
                    moment.astimezone(self._zone).replace(tzinfo=None) if isinstance(moment, dt.datetime) else value
                )
            elif column in DATE_COLUMNS:
                out.append(_day(value))
            elif column == "status":
                out.append(_status_words(t, str(value)))
            elif column == "account_status":
                out.append(audit_terms.state_words(t, str(value), "verify_account"))
            elif column == "transfer_status":
                out.append(audit_terms.state_words(t, str(value), "transfer"))
            elif column == "bank_code":
                out.append(bank_name(str(value)))
            elif column in ("late", "stamped"):
                out.append(t.gettext(_YES_NO[bool(value)]))
            elif column == "province_code":
                out.append(PROVINCES.get(str(value), value))
            elif column == "actor_role":
                out.append(audit_terms.role_words(t, str(value)))
            elif column == "entity":
                out.append(audit_terms.entity_words(t, str(value)))
            elif column == "action" and "entity" in values:
                said = audit_terms.describe(
                    t,
                    str(value),
                    _text(values.get("from_status")),
                    _text(values.get("to_status")),
                    _text(values.get("reason")),
                    str(values["entity"]),
                )
                out.append(said.action)
            elif column in ("from_status", "to_status") and "action" in values:
                before, after = audit_terms.change_words(
                    t,
                    str(values["action"]),
                    _text(values.get("from_status")),
                    _text(values.get("to_status")),
                    str(values.get("entity")),
                )
                out.append(before if column == "from_status" else after)
            else:
                out.append(value)
        return out

    def finish(self) -> bytes:
        return _save(self._book)


def _text(value: object) -> str | None:
    """A stored value as the audit words take it: text, or None for nothing recorded."""
    return None if value is None else str(value)


def _day(value: object) -> object:
    """An ISO day as a date cell; anything else (a masked value) as it is."""
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return value


def _status_words(t: Translator, value: str) -> str:
    try:
        return t.gettext(STATUS_SHORT[ProposalStatus(value)])
    except ValueError:
        return value


def bank_name(code: str) -> str:
    """A bank by our code ("bri") or its interbank code ("002"), as people know it ("BRI")."""
    bank = BANKS.get(code) or next((b for b in BANKS.values() if b.transfer_code == code), None)
    return bank.name if bank is not None else code


# The personal-data export (/datapribadi): sheet and column headings the person it is about can read.
PERSONAL_SHEETS: Mapping[str, str] = {
    "clients": N_("Client data"),
    "budget_lines": N_("Budget (RAB)"),
    "bank_accounts": N_("Bank account"),
    "transfers": N_("Transfers"),
    "lpj_services": N_("Services (LPJ)"),
    "lpj_realizations": N_("Realization (LPJ)"),
    "attachments": N_("Files"),
    "return_reasons": N_("Return reasons"),
    "proposal_versions": N_("Proposal versions"),
    "decrees": N_("SK"),
    "audit_events": N_("Audit trail"),
    "consents": N_("Consent"),
}
PERSONAL_COLUMNS: Mapping[str, str] = {
    "id": N_("Id"),
    "proposal_id": N_("Proposal id"),
    "client_id": N_("Client id"),
    "province_code": N_("Province"),
    "flags": N_("Flags"),
    "component": N_("Component"),
    "description": N_("Description"),
    "quantity": N_("Quantity"),
    "unit_cost": N_("Unit cost (Rp)"),
    "total": N_("Total (Rp)"),
    "status": N_("Status"),
    "return_reason": N_("Reason returned"),
    "passbook_id": N_("Passbook file id"),
    "note": N_("Note"),
    "recorded_by": N_("Recorded by (id)"),
    "lpj_id": N_("LPJ id"),
    "served_from": N_("Served from"),
    "served_to": N_("Served to"),
    "budget_line_id": N_("Budget line id"),
    "purpose": N_("Purpose"),
    "mime_type": N_("File type"),
    "size": N_("Size (bytes)"),
    "sha256": N_("SHA-256"),
    "stage": N_("Stage"),
    "field": N_("Field"),
    "proposal": N_("Proposal"),
    "snapshot": N_("Content"),
    "number": N_("SK number"),
    "issued_on": N_("SK date"),
    "change": N_("Change"),
    "detail": N_("Detail"),
    "notice_version": N_("Privacy notice version"),
    "guardian_name": N_("Guardian"),
    "guardian_relation": N_("Guardian's relation"),
    "withdrawn_at": N_("Consent withdrawn at"),
    "recorded_at": N_("Consent recorded at"),
}


def render_personal_data(
    tables: Mapping[str, Sequence[Mapping[str, object]]], t: Translator, timezone: str, *, intro: Sequence[str] = ()
) -> bytes:
    """Everything held about one person, with headings in their language and values in words."""
    book = ExportBook(t, t.gettext(N_("Read me")), (), timezone)
    for line in intro:
        book.note(line)
    for name, rows in tables.items():
        columns = list(rows[0].keys()) if rows else []
        labels = {c: PERSONAL_COLUMNS[c] for c in columns if c in PERSONAL_COLUMNS and c not in EXPORT_COLUMNS}
        # A transfer's and an account's status in their own words (not a proposal's).
        shown = [_PERSONAL_STATUS.get(name, c) if c == "status" else c for c in columns]
        labels |= {k: EXPORT_COLUMNS["status"] for k in shown if k != "status" and k in _PERSONAL_STATUS.values()}
        book.sheet(t.gettext(PERSONAL_SHEETS[name]) if name in PERSONAL_SHEETS else name, shown, labels)
        if not rows:
            book.note(t.gettext(N_("(nothing held)")))
        book.append(
            [
                [
                    version_text(t, str(row[column]))
                    if column == "snapshot" and isinstance(row[column], str)
                    else row.get(column)
                    for column in columns
                ]
                for row in rows
            ]
        )
    return book.finish()


_PERSONAL_STATUS: Mapping[str, str] = {"transfers": "transfer_status", "bank_accounts": "account_status"}


def version_text(t: Translator, snapshot: str) -> str:
    """One submitted version of a client's record as "label: value" lines in the reader's language
    (never the stored JSON); text that is not a recorded version is shown as it is."""
    try:
        entry = json.loads(snapshot)
    except ValueError:
        return snapshot
    if not isinstance(entry, dict):
        return snapshot
    lines = []
    for key, value in entry.items():
        if key == "budget" or value in (None, "", []):
            continue
        if key == "province_code":
            value = PROVINCES.get(str(value), value)
        elif key in DATE_COLUMNS and isinstance((day := _day(value)), dt.date):
            value = t.format_date(day)
        elif isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        label = t.gettext(EXPORT_COLUMNS[key]) if key in EXPORT_COLUMNS else key
        lines.append(f"{label}: {value}")
    for line in entry.get("budget") or ():
        try:
            component, description, quantity, unit_cost = line
            lines.append(
                t.gettext(
                    N_("RAB: component {component}, {description}: {quantity} × {unit_cost} = {total}"),
                    component=component,
                    description=description,
                    quantity=quantity,
                    unit_cost=format_money(int(unit_cost)),
                    total=format_money(int(quantity) * int(unit_cost)),
                )
            )
        except (TypeError, ValueError):
            lines.append(t.gettext(N_("RAB: {line}"), line=", ".join(str(v) for v in line)))
    return "\n".join(lines)


def render_tables(tables: Mapping[str, Sequence[Mapping[str, object]]], *, intro: Sequence[str] = ()) -> bytes:
    """Several tables of rows (column → value) as sheets; ``intro`` lines on a first sheet."""
    book = Workbook(write_only=True)
    if intro:
        sheet = SheetWriter(book, "README", [], widths=[110], freeze=None)
        for line in intro:
            sheet.append([line])
    for name, rows in tables.items():
        columns = list(rows[0].keys()) if rows else ["-"]
        sheet = SheetWriter(book, name, columns, widths=[18] * len(columns))
        for row in rows:
            sheet.append([row.get(column) for column in columns])
    return _save(book)
