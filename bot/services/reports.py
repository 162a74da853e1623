"""The monthly report (on request and on schedule) and the XLSX exports.

Heavy work stays off the bot's back: SQL runs on a separate read connection
(``storage.reports.report_reader``: aiosqlite's own thread, its own snapshot, not the bot's lock),
and workbooks and charts are rendered in a worker thread. One heavy job runs at a time, so two
admins asking at once queue instead of doubling the memory.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import statistics
import sys
import time
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from bot.clock import Clock, today_in
from bot.config import Settings
from bot.domain.budget import year_ceiling
from bot.domain.kinds import ConversationKind, NotificationKind
from bot.domain.models import Role
from bot.domain.report_figures import STAGES, DurationCollector, MonthlyReport, Period, collect
from bot.domain.validation import mask_account, mask_nik, parse_date, parse_period
from bot.files import report_files
from bot.i18n import N_, Translations, Translator
from bot.services.base import Identity, Service, ServiceError, StaleButton
from storage.files import FileStore
from storage.reports import EXPORT_DETAILS, EXPORTS, report_reader
from storage.unit import Storage

EXPORT_KINDS = tuple(EXPORTS)
UPLOAD_LIMIT = 49 * 1024 * 1024  # the public Bot API takes uploads up to 50 MB
# The scheduled report goes out on the 1st at the configured hour; a bot that was down then catches
# up within the week, at that hour or later, and says it is late.
CATCH_UP_DAYS = 7
LATE_AFTER = dt.timedelta(hours=2)  # the hourly check runs within the hour; beyond two, it was missed
TYPICAL_DAYS_TTL = 3600.0


@dataclass(frozen=True)
class ReportFiles:
    workbook_name: str
    workbook: bytes
    charts: list[report_files.Chart]


@dataclass(frozen=True)
class ExportFile:
    name: str
    content: bytes
    rows: int


Range = tuple[dt.date, dt.date]  # [first day, last day], both included


def _require(who: Identity, *roles: Role) -> None:
    if not any(who.actor.has_role(role) for role in roles):
        raise ServiceError(
            "admin_only",
            N_("Only an admin can do this.")
            if roles == (Role.ADMIN,)
            else N_("Only the centre's admins, its head and auditors can see this."),
        )


class ReportService(Service):
    """``/laporan``, the scheduled monthly report, ``/ekspor``, and typical stage times."""

    def __init__(self, storage: Storage, clock: Clock, settings: Settings, *, files: FileStore | None = None) -> None:
        super().__init__(storage, clock, settings, files=files)
        self._heavy = asyncio.Semaphore(1)
        self._typical: tuple[float, dict[str, float | None]] | None = None

    @property
    def timezone(self) -> str:
        return self.settings.locale.timezone

    def _local_today(self) -> dt.date:
        return today_in(self.clock, self.timezone)

    # --- the monthly report --------------------------------------------------------------------------

    def period(self, text: str | None) -> Period:
        """The month asked for (``2026-11``, ``11/2026``, ``November 2026``), by default this month."""
        today = self._local_today()
        if not text or not text.strip():
            return Period(today.year, today.month)
        year, month = parse_period(text, today=today)
        if (year, month) > (today.year, today.month):
            raise ServiceError(
                "future_period",
                N_("{month} has not begun yet; choose this month or an earlier one."),
                month=f"{month:02d}-{year}",
            )
        return Period(year, month)

    async def monthly(self, who: Identity, text: str | None = None) -> MonthlyReport:
        """``/laporan [YYYY-MM]``: the figures of a month (admins, the head of centre, auditors).

        A month sent on schedule is the report kept as it was sent; any other past month is its
        position at the month's end, made from the data again; the month running is as of now.
        """
        _require(who, Role.ADMIN, Role.HEAD, Role.AUDITOR)
        period = self.period(text)
        async with self.storage.reading() as uow:
            kept = await uow.report_runs.kept(period.key)
        if kept is not None and kept.report is not None:
            return MonthlyReport.from_json(kept.report, sent_at=kept.sent_at, late=kept.late)
        async with self._heavy, _responsive():
            return await self._collect(period)

    async def _collect(self, period: Period) -> MonthlyReport:
        async with self.storage.reading() as uow:
            end = period.bounds(self.timezone)[1]  # a month over: the SKs recorded by its end
            over = end if end <= self.clock.now() else None
            # ... and the ceiling in force at its end, not today's (a pagu raised since changes nothing).
            ceiling = year_ceiling(await uow.budget.ceilings(period.year, at=over))
            committed = sum((await uow.budget.committed(period.year, until=over)).values())
        async with report_reader(self.storage.db) as reader:
            report = await collect(
                reader,
                period,
                now=self.clock.now(),
                timezone=self.timezone,
                yearly_target=self.settings.program.yearly_target,
                ceiling=ceiling,
            )
        return dataclasses.replace(report, committed=committed)

    async def render(self, report: MonthlyReport, t: Translator) -> ReportFiles:
        """The workbook and the charts, rendered in a worker thread."""
        async with self._heavy, _responsive():
            return await asyncio.to_thread(self._render, report, t)

    def _render(self, report: MonthlyReport, t: Translator) -> ReportFiles:
        workbook = report_files.render_workbook(report, t, centre=self.settings.program.centre_name)
        return ReportFiles(f"laporan-atensi-{report.period.key}.xlsx", workbook, report_files.render_charts(report, t))

    def due_period(self, now: dt.datetime) -> Period | None:
        """The month whose report is due now: the previous one, from the 1st at the configured hour
        (centre time) until the end of the first week — only at or after that hour of the day, so a
        bot started at 01:00 on the 2nd waits for the hour instead of sending in the night."""
        local = now.astimezone(ZoneInfo(self.timezone))
        if not self.settings.admin.monthly_report or local.day > CATCH_UP_DAYS:
            return None
        if local.hour < self.settings.admin.monthly_report_hour:
            return None
        return Period(local.year, local.month).previous()

    def due_at(self, period: Period) -> dt.datetime:
        """When ``period``'s scheduled report is due: the next month's 1st at the configured hour."""
        nxt = period.following()
        zone = ZoneInfo(self.timezone)
        return dt.datetime(nxt.year, nxt.month, 1, self.settings.admin.monthly_report_hour, tzinfo=zone).astimezone(
            dt.UTC
        )

    async def send_due_monthly(self, translations: Translations) -> Period | None:
        """The scheduled job: if last month's report is due and not yet sent, render it for every
        head of centre (in their language), keep the files, and queue them through the outbox.

        Idempotent: the run is recorded under the month in the transaction that queues the
        messages, so restarts and a second instance never send it twice.
        """
        now = self.clock.now()
        period = self.due_period(now)
        if period is None:
            return None
        async with self.storage.reading() as uow:
            if await uow.report_runs.done(period.key):
                return None
            heads = await uow.admin.holders(Role.HEAD)
        if not heads:
            return None
        due = self.due_at(period)
        late = now - due >= LATE_AFTER
        async with self._heavy, _responsive():
            report = (await self._collect(period)).kept(now, late)
            rendered = {
                locale: await asyncio.to_thread(self._render, report, translations.for_locale(locale))
                for locale in {h.locale or self.settings.locale.default for h in heads}
            }
        # Kept on disk (files_dir/reports-YYYY-MM-locale): the centre's archive, and what the
        # outbox rows point at, so a retried delivery sends the very same files.
        store = self.files
        kept: dict[str, list[tuple[str, str, str, str]]] = {}
        for locale, files in rendered.items():
            folder = f"reports-{period.key}-{locale}"
            items = [
                ("workbook", files.workbook_name, files.workbook, ""),
                *(("chart", c.name, c.png, c.caption) for c in files.charts),
            ]
            kept[locale] = []
            for kind, name, data, caption in items:
                stored = await asyncio.to_thread(store.save, folder, name, data)
                kept[locale].append((kind, name, stored.path, caption))
        c = report.centre
        refunds = report.refund_totals
        summary = {
            "decreed": c.clients_decreed,
            "served": c.clients_served,
            "target": report.yearly_target,
            "expected": report.expected,
            "proposals": c.proposal_count,
            "ceiling": report.ceiling,
            "committed": report.committed,
            "funds_decreed": c.funds_decreed,
            "funds_transferred": c.funds_transferred,
            "funds_accounted": c.funds_accounted,
            "funds_filed": c.funds_filed,
            "progress": c.progress,
            "refunds_open": refunds.open,
            "refunds_outstanding": refunds.outstanding,
            "refunds_received_month": refunds.received_in_month,
            "late": late,
            "due": due.isoformat(),
        }
        async with self.storage.transaction() as uow:
            if not await uow.report_runs.claim(period.key, now, report=report.to_json(), late=late):
                return None
            for head in heads:
                locale = head.locale or self.settings.locale.default
                for index, (kind, name, path, caption) in enumerate(kept[locale]):
                    await uow.outbox.enqueue(
                        dedupe_key=f"monthly_report:{period.key}:{head.id}:{index}",
                        chat_id=head.telegram_user_id,
                        kind=NotificationKind.MONTHLY_REPORT if kind == "workbook" else NotificationKind.MONTHLY_CHART,
                        now=now,
                        person_id=head.id,
                        params={
                            "period": period.key,
                            "path": path,
                            "name": name,
                            "summary": summary,
                            "caption": caption,
                        },
                    )
            await uow.audit.record(
                self.event(
                    None,
                    "report",
                    period.key,
                    "monthly_report",
                    reason=f"{len(heads)} recipients" + (" late" if late else ""),
                )
            )
        return period

    async def typical_days(self) -> dict[str, float | None]:
        """Median days per stage over this year's proposals (last year's early in January), cached
        for an hour: the guidance says how long a step usually takes."""
        cached = self._typical
        if cached is not None and time.monotonic() - cached[0] < TYPICAL_DAYS_TTL:
            return cached[1]
        now = self.clock.now()
        found: dict[str, float | None] = {}
        for year in (now.year, now.year - 1):
            collector = DurationCollector()
            async with report_reader(self.storage.db) as reader:
                async for page in reader.stage_events(year, now):
                    collector.feed(page)
            merged: dict[str, list[float]] = {}
            for stages in collector.finish().values():
                for stage, values in stages.items():
                    merged.setdefault(stage, []).extend(values)
            found = {s.key: _median(merged.get(s.key, [])) for s in STAGES}
            if any(v is not None for v in found.values()):
                break
        self._typical = (time.monotonic(), found)
        return found

    # --- exports ------------------------------------------------------------------------------------------

    def export_range(self, code: str) -> Range:
        """A preset range: ``m0`` this month, ``m1`` last month, ``y0`` this year (to today)."""
        today = self._local_today()
        this_month = Period(today.year, today.month)
        if code == "m0":
            return dt.date(today.year, today.month, 1), today
        if code == "m1":
            last = this_month.previous()
            return dt.date(last.year, last.month, 1), dt.date(today.year, today.month, 1) - dt.timedelta(days=1)
        if code == "y0":
            return dt.date(today.year, 1, 1), today
        raise StaleButton()

    def parse_range(self, text: str) -> Range:
        """A typed range: two dates (``1-1-2026 31-3-2026``, ``2026-01-01 2026-03-31``)."""
        parts = text.replace("–", " ").replace(" - ", " ").replace(" s/d ", " ").split()
        if len(parts) != 2:
            raise ServiceError(
                "bad_range",
                N_("Type two dates, the first and the last day, e.g. {example}."),
                example="01-01-2026 31-03-2026",
            )
        today = self._local_today()
        # A range may run past today ("all of this month"): there is simply nothing there yet.
        start, end = (parse_date(part, today=today, field="range", allow_future=True) for part in parts)
        if end < start:
            raise ServiceError("bad_range", N_("The last day comes before the first."))
        return start, end

    def check_export(self, who: Identity, kind: str | None = None, *, unmasked: bool = False) -> None:
        """Refuse anyone but admins and auditors (and unknown kinds) before any question is asked.
        Full personal data is for admins only: an auditor's exports are masked."""
        _require(who, Role.ADMIN, Role.AUDITOR)
        if kind is not None and kind not in EXPORTS:
            raise StaleButton()
        if unmasked and not who.is_admin:
            raise ServiceError("admin_only", N_("Only an admin can export full personal data; choose Masked."))

    def may_export_full(self, who: Identity) -> bool:
        """Whether the full (unmasked) choice is offered at all: admins only."""
        return who.is_admin

    async def start_custom_export(self, who: Identity, kind: str, unmasked: bool) -> None:
        """The admin will type the date range of this export."""
        self.check_export(who, kind, unmasked=unmasked)
        async with self.storage.transaction() as uow:
            await uow.conversations.start(
                who.person.id,
                ConversationKind.ADMIN_EXPORT,
                None,
                self.clock.now(),
                {"kind": kind, "unmasked": unmasked},
            )

    async def custom_export(self, who: Identity) -> tuple[str, bool]:
        """The export waiting for its typed range: (kind, unmasked)."""
        self.check_export(who)
        async with self.storage.reading() as uow:
            conversation = await uow.conversations.of(who.person.id)
        if conversation is None or conversation.kind != ConversationKind.ADMIN_EXPORT:
            raise ServiceError("no_conversation", N_("Nothing is waiting for this answer. Start again with /ekspor."))
        return str(conversation.state.get("kind")), bool(conversation.state.get("unmasked"))

    async def export(
        self, who: Identity, kind: str, span: Range, t: Translator, *, unmasked: bool = False
    ) -> ExportFile:
        """``/ekspor``: one kind of record over a date range as XLSX (admins only).

        A masked client export holds no direct identifier: a client code and initials instead of
        name and NIK, the birth year, the regency at most (:func:`masked_client`); the full one is
        given only when the admin asks for it (the choice is audited). Payment exports mask NIK,
        account and holder (initials) unless the admin asks for them in full, for reconciling with
        the bank statement. Instants are written in the centre's zone, which the headers name.
        """
        self.check_export(who, kind, unmasked=unmasked)
        zone = ZoneInfo(self.timezone)
        start = dt.datetime.combine(span[0], dt.time(), zone)
        end = dt.datetime.combine(span[1] + dt.timedelta(days=1), dt.time(), zone)
        query = EXPORTS[kind]
        mask = _masker(kind, query.columns, unmasked)
        columns = MASKED_CLIENT_COLUMNS if kind == "clients" and not unmasked else query.columns
        title = t.gettext(EXPORT_TITLES[kind])
        async with self._heavy, _responsive():
            book = await asyncio.to_thread(report_files.ExportBook, t, title, columns, self.timezone)
            async with report_reader(self.storage.db) as reader:
                async for page in reader.export_rows(kind, start, end):
                    await asyncio.to_thread(book.append, [mask(row) for row in page])
                for sheet, detail in EXPORT_DETAILS.get(kind, ()):
                    await asyncio.to_thread(book.sheet, t.gettext(report_files.DETAIL_SHEETS[sheet]), detail.columns)
                    detail_mask = _masker(kind, detail.columns, unmasked)
                    async for page in reader.export_rows(kind, start, end, detail):
                        await asyncio.to_thread(book.append, [detail_mask(row) for row in page], count=False)
            content = await asyncio.to_thread(book.finish)
        if len(content) > UPLOAD_LIMIT:
            raise ServiceError(
                "too_big",
                N_("The export is {size} MB, more than Telegram takes. Choose a shorter range."),
                size=len(content) // (1024 * 1024),
            )
        async with self.storage.transaction() as uow:
            conversation = await uow.conversations.of(who.person.id)
            if conversation is not None and conversation.kind == ConversationKind.ADMIN_EXPORT:
                await uow.conversations.end(who.person.id)
            await uow.audit.record(
                self.event(
                    who,
                    "export",
                    kind,
                    "export",
                    reason=f"{span[0]}..{span[1]} {book.rows} rows" + (" unmasked" if unmasked else ""),
                )
            )
        name = f"{kind}-{span[0]:%Y%m%d}-{span[1]:%Y%m%d}.xlsx"
        return ExportFile(name, content, book.rows)


EXPORT_TITLES = {
    "proposals": N_("Proposals"),
    "clients": N_("Clients"),
    "payments": N_("Payments"),
    "lpj": N_("LPJ"),
    "audit": N_("Audit log"),
}
# The masked client export: no name, NIK, phone, address or health text — being on a
# rehabilitation list under one's name is itself health data. What stays identifies a record for
# the centre (the client code leads back to the full export) but not a person to a reader.
MASKED_CLIENT_COLUMNS = (
    "code",
    "ipwl_code",
    "status",
    "client_code",
    "initials",
    "sex",
    "birth_year",
    "province_code",
    "regency",
    "approach",
    "components",
    "budget",
    "erased_at",
)


def initials(full_name: str | None) -> str:
    """ "Siti Rahmawati" → "S.R."; an anonymized record ("-") has none."""
    letters = [word[0].upper() for word in (full_name or "").split() if word[0].isalpha()]
    return ".".join(letters) + "." if letters else "-"


def masked_client(row: dict[str, Any]) -> tuple[Any, ...]:
    """One row of the full client export (column → value) as the masked export shows it."""
    derived = {
        "client_code": f"{row['code']}/{row['position']}",
        "initials": initials(row["full_name"]),
        "birth_year": str(row["birth_date"])[:4] if row["birth_date"] else None,
    }
    return tuple(derived[c] if c in derived else row[c] for c in MASKED_CLIENT_COLUMNS)


# Exports whose personal data the admin may ask for in full (the choice is audited).
FULL_OPTIONAL = frozenset({"clients", "payments"})


def _initials(name: object) -> str:
    return " ".join(part[0] + "." for part in str(name).split() if part)


def _masker(kind: str, columns: Sequence[str], unmasked: bool) -> Callable[[Sequence[Any]], tuple[Any, ...]]:
    if kind == "clients":
        if unmasked:
            return tuple
        return lambda row: masked_client(dict(zip(columns, row, strict=True)))
    if kind in FULL_OPTIONAL and unmasked:
        return tuple
    rules: dict[int, Callable[[Any], Any]] = {}
    for index, column in enumerate(columns):
        if column == "nik":
            rules[index] = lambda v: mask_nik(v) if v and not str(v).startswith("ANON-") else v
        elif column == "account_number":
            rules[index] = lambda v: mask_account(v) if v else v
        elif column == "holder_name":
            rules[index] = lambda v: _initials(v) if v else v

    def mask(row: Sequence[Any]) -> tuple[Any, ...]:
        return tuple(rules[i](v) if i in rules else v for i, v in enumerate(row))

    return mask


@asynccontextmanager
async def _responsive() -> AsyncIterator[None]:
    """While a worker thread renders, hand the GIL back to the event loop every millisecond.

    openpyxl and matplotlib are pure-Python hot loops: with CPython's default 5 ms switch interval
    every hop of a button press (event loop ↔ aiosqlite's thread) can wait 5 ms behind them, and a
    press took up to 0.9 s during a national report. At 1 ms the slowest press stays near 0.1 s and
    rendering is no slower measurably. One heavy job runs at a time (``_heavy``), so saving and
    restoring the process-wide setting does not interleave.
    """
    previous = sys.getswitchinterval()
    sys.setswitchinterval(min(previous, 0.001))
    try:
        yield
    finally:
        sys.setswitchinterval(previous)


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


__all__ = ["EXPORT_KINDS", "ExportFile", "Range", "ReportFiles", "ReportService"]
