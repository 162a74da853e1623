"""What the head of centre and admins read: the monthly report's summary and the exports."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from bot.domain.report_figures import STAGES, MonthlyReport, Period
from bot.files.report_files import (
    as_of_text,
    group_label,
    made_line,
    month_name,
    percent,
    refund_line,
    refund_text,
)
from bot.i18n import N_, Translator, format_money
from handlers.views import _, clip, esc

EXPORT_LABELS: Mapping[str, str] = {
    "proposals": N_("Proposals"),
    "clients": N_("Clients (personal data)"),
    "payments": N_("Payments and transfers"),
    "lpj": N_("LPJ"),
    "audit": N_("Audit log"),
}


def preparing(t: Translator, period: Period) -> str:
    return _(t, N_("⏳ Preparing the report for {month}…"), month=month_name(period, t))


def ceiling_lines(t: Translator, report: MonthlyReport) -> list[str]:
    """The year's ceiling (pagu) against what the SKs committed, what was transferred and accounted for."""
    if not report.ceiling:
        return [_(t, N_("Budget ceiling (pagu): not set for {year}."), year=report.period.year)]
    c = report.centre
    return [
        _(
            t,
            N_(
                "Budget ceiling (pagu) {ceiling}: committed (SK) {committed} ({percent}), transferred "
                "{transferred}, accounted for (LPJ) {accounted}; remaining {remaining}"
            ),
            ceiling=format_money(report.ceiling),
            committed=format_money(report.committed),
            percent=percent(t, report.committed / report.ceiling),
            transferred=format_money(c.funds_transferred),
            accounted=format_money(c.funds_accounted),
            remaining=format_money(report.ceiling - report.committed),
        )
    ]


def summary(t: Translator, report: MonthlyReport) -> str:
    """The report in one message: the workbook and the charts follow it."""
    c = report.centre
    month = month_name(report.period, t)
    lines = [
        _(t, N_("📊 <b>ATENSI report – {month}</b>"), month=month),
        esc(made_line(report, t)),
        _(t, N_("Year to date, figures at {moment}"), moment=as_of_text(report, t)),
        "",
        _(
            t,
            N_(
                "<b>Clients decreed: {decreed}</b> of the target {target} ({percent}); expected by the end of "
                "{month}: {expected}"
            ),
            decreed=t.format_number(c.clients_decreed),
            target=t.format_number(report.yearly_target),
            percent=percent(t, c.progress),
            month=month,
            expected=t.format_number(report.expected),
        ),
        _(
            t,
            N_("Served (transfer sent): {served} · proposed: {proposed}"),
            served=t.format_number(c.clients_served),
            proposed=t.format_number(c.clients_proposed),
        ),
        _(
            t,
            N_("Funds: decreed {decreed}, transferred {transferred}, accounted for (LPJ validated) {accounted}"),
            decreed=format_money(c.funds_decreed),
            transferred=format_money(c.funds_transferred),
            accounted=format_money(c.funds_accounted),
        ),
        *ceiling_lines(t, report),
        _(
            t,
            N_(
                "LPJ: {on_time} on time, {late} late; {validated} validated, {filed} filed and not yet validated "
                "({amount})"
            ),
            on_time=c.lpj_on_time,
            late=c.lpj_late,
            validated=c.lpj_validated,
            filed=c.lpj_filed,
            amount=format_money(c.funds_filed),
        ),
        esc(refund_line(report, t)),
    ]
    medians = [
        f"{t.gettext(s.label)} {t.format_number(m, decimals=1)}"
        for s in STAGES
        if (m := c.median_days(s.key)) is not None
    ]
    if medians:
        lines.append(_(t, N_("Median days: {list}"), list=" · ".join(medians)))
    f = report.flows
    lines.append(
        _(
            t,
            N_("This month: {submitted} submitted, {decreed} SK, {paid} paid, {lpj} LPJ, {closed} closed"),
            submitted=f.get("submitted", 0),
            decreed=f.get("decreed", 0),
            paid=f.get("paid", 0),
            lpj=f.get("lpj", 0),
            closed=f.get("closed", 0),
        )
    )
    behind = [p for p in report.provinces if p.target and p.clients_decreed < p.expected(report.period.month)]
    if behind:
        lines += [
            "",
            _(
                t,
                N_("Behind the expected pace: {list}"),
                list=", ".join(
                    f"{group_label(p, t)} ({percent(t, p.progress)})"
                    for p in sorted(behind, key=lambda x: x.progress)[:8]
                ),
            ),
        ]
    lines += ["", _(t, N_("The workbook has every figure per IPWL, province and PIC team; the charts follow."))]
    return clip("\n".join(lines))


def workbook_caption(t: Translator, period: Period) -> str:
    return _(t, N_("📎 ATENSI monthly report, {month} (XLSX)"), month=month_name(period, t))


def scheduled_caption(t: Translator, period_key: str, s: Mapping[str, Any], timezone: str) -> str:
    """The caption of the scheduled report's workbook (≤ 1024 characters); says so when it is late."""
    year, month = (int(x) for x in period_key.split("-"))
    lines = [_(t, N_("📊 <b>ATENSI monthly report – {month}</b>"), month=month_name(Period(year, month), t))]
    if s.get("late") and s.get("due"):
        due = dt.datetime.fromisoformat(str(s["due"]))
        lines.append(
            _(
                t,
                N_("⏰ Sent late: it was due on {when}, when the bot was not running."),
                when=t.format_datetime(due, timezone),
            )
        )
    lines += [
        _(
            t,
            N_("Clients decreed: {decreed} of {target} ({percent}; expected {expected}); served: {served}"),
            decreed=t.format_number(int(s.get("decreed", 0))),
            target=t.format_number(int(s.get("target", 0))),
            percent=percent(t, float(s.get("progress", 0.0))),
            expected=t.format_number(int(s.get("expected", 0))),
            served=t.format_number(int(s.get("served", 0))),
        ),
        _(
            t,
            N_("Funds decreed {decreed}, transferred {transferred}, accounted for (LPJ validated) {accounted}"),
            decreed=format_money(int(s.get("funds_decreed", 0))),
            transferred=format_money(int(s.get("funds_transferred", 0))),
            accounted=format_money(int(s.get("funds_accounted", 0))),
        ),
    ]
    if "refunds_open" in s:  # (a report queued before the refunds were in it has none)
        lines.append(
            esc(
                refund_text(
                    t,
                    Period(year, month),
                    int(s["refunds_open"]),
                    int(s.get("refunds_outstanding", 0)),
                    int(s.get("refunds_received_month", 0)),
                )
            )
        )
    lines.append(
        _(t, N_("Figures at the end of the month; /laporan {key} shows this report again as sent."), key=period_key)
    )
    return clip("\n".join(lines), 1024)


def chart_caption(t: Translator, caption: str) -> str:
    """A chart photo's caption: its key figures, kept with the chart when it was rendered."""
    return clip(esc(caption), 1024)


# --- exports -------------------------------------------------------------------------------------------------


def export_kinds(t: Translator) -> str:
    return _(t, N_("📤 <b>Export</b> as a spreadsheet: what?"))


def export_mask(t: Translator, kind: str = "clients") -> str:
    if kind == "payments":
        return _(
            t,
            N_(
                "Payment lists hold personal data. Masked: NIK and account partly hidden, the holder by "
                "initials. Full: everything, to reconcile with the bank statement (recorded in the audit log)."
            ),
        )
    return _(
        t,
        N_(
            "Client lists hold personal data. Masked: a client code and initials instead of names and "
            "NIK, the birth year, the regency; no phone, address or health notes. Full: everything "
            "(recorded in the audit log)."
        ),
    )


def export_range(t: Translator, kind: str) -> str:
    return _(t, N_("{kind}: which period?"), kind=t.gettext(EXPORT_LABELS[kind]))


def export_range_prompt(t: Translator) -> str:
    return _(t, N_("Type the first and the last day, e.g. {example}"), example="01-01-2026 31-03-2026")


def export_working(t: Translator) -> str:
    """A button's toast: plain text."""
    return t.gettext(N_("⏳ Preparing the export…"))


def export_caption(
    t: Translator, kind: str, rows: int, span: tuple[dt.date, dt.date], unmasked: bool, zone: str = "WIB"
) -> str:
    text = _(
        t,
        N_("📎 {kind}: {rows} row(s), {start} – {end}"),
        kind=t.gettext(EXPORT_LABELS[kind]),
        rows=rows,
        start=span[0],
        end=span[1],
    )
    if kind in ("clients", "payments"):
        text += "\n" + (
            _(t, N_("🔓 Full personal data: keep it safe and delete it when done."))
            if unmasked
            else _(t, N_("🔒 Masked."))
        )
    text += "\n" + _(t, N_("Times in {zone}."), zone=zone)
    return text
