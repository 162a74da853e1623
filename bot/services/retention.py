"""The retention job (issue 17.7): personal data is not kept longer than the rules need.

Each run (a repeating job; safe when two bot instances run it at once):

1. **Dry run.** Every client record the erasure rule (:func:`bot.services.admin.erasure_rule`)
   now lets go — a proposal closed longer than ``[admin] retention_years``, a client whose consent
   was withdrawn once the rule allows — is announced once (``retention_notices``, one row per
   client: two runs announce it once), audited, and the admins are told which proposals and how
   many records, with the day of the erasure: ``retention_notice_days`` later. Codes and counts
   only, never a name.
2. **Erasure.** Announced records whose day has come are anonymized one by one through the same
   path as ``/datapribadi`` (row locks and a compare-and-set on ``erased_at``: a record erased by
   the other instance meanwhile is skipped), each in the erasure ledger and audited, and the
   admins get the count. The amounts, province and approach stay: the monthly figures do not
   change.

Complaints (issue 16.5) follow the same two steps: a complaint closed longer than
``[admin] complaint_retention_years`` is announced (tickets and counts only), then, after the notice
period, its complainant's identity, text, outcome, the officers' notes and the files are erased
(compare-and-set on ``erased_at``); the ticket, category, dates and status stay for the figures.
Post-payment checks hold no personal data of their own (a client's id, amounts, the answer): they go
with the client's record — anonymized with it by the rule above — and a complaint a check opened
is a complaint like any other.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from bot.domain.kinds import NotificationKind
from bot.domain.models import AuditEvent
from bot.domain.validation import add_years
from bot.services.base import ServiceError
from bot.services.privacy import ErasureDone, PrivacyService, erasure_rule
from storage.unit import UnitOfWork

PAGE = 200


@dataclass
class RetentionReport:
    announced: int = 0
    erased: int = 0
    codes: list[str] = field(default_factory=list)  # proposals announced in this run
    erase_on: dt.datetime | None = None
    complaints_announced: int = 0
    complaints_erased: int = 0


class RetentionService(PrivacyService):
    """The retention job: a privacy use case the clock runs (the erasure is the privacy service's)."""

    async def run(self, now: dt.datetime | None = None) -> RetentionReport:
        """One run: announce what became due, then erase what was announced long enough ago."""
        now = now or self.clock.now()
        report = RetentionReport()
        await self._announce(now, report)
        await self._erase_due(now, report)
        await self._complaints(now, report)
        return report

    async def _complaints(self, now: dt.datetime, report: RetentionReport) -> None:
        """Closed complaints past their retention: announced, then erased after the notice period."""
        cfg = self.settings.admin
        closed_before = dt.datetime.combine(add_years(now.date(), -cfg.complaint_retention_years), now.timetz())
        erase_on = now + dt.timedelta(days=cfg.retention_notice_days)
        async with self.storage.transaction() as uow:
            tickets = await uow.complaints.announce_retention(closed_before, erase_on)
            if tickets:
                report.complaints_announced = len(tickets)
                await uow.audit.record(
                    self.event(
                        None,
                        "retention",
                        now.date().isoformat(),
                        "retention_notice",
                        reason=f"{len(tickets)} complaint(s): {', '.join(tickets[:40])}",
                    )
                )
                await self._tell_admins(
                    uow,
                    now,
                    {
                        "stage": "complaints_notice",
                        "count": len(tickets),
                        "codes": tickets[:40],
                        "more": max(0, len(tickets) - 40),
                        "erase_on": erase_on.isoformat(),
                    },
                    f"complaints_notice:{now.isoformat()}",
                )
        while True:
            async with self.storage.reading() as uow:
                due = await uow.complaints.due_for_erasure(now, PAGE)
            for complaint_id in due:
                async with self.storage.transaction() as uow:
                    await uow.complaints.lock(complaint_id)
                    unused = await uow.complaints.erase(complaint_id, now)
                    if unused is None:
                        continue  # (erased by the other instance meanwhile)
                    await uow.audit.record(self.event(None, "complaint", complaint_id, "retention_erase", to="erased"))
                    report.complaints_erased += 1
                for path in unused:  # after the commit: the record no longer names the file
                    self.files.discard(path, overwrite=True)
            if len(due) < PAGE:
                break
        if report.complaints_erased:
            async with self.storage.transaction() as uow:
                await self._tell_admins(
                    uow,
                    now,
                    {"stage": "complaints_done", "count": report.complaints_erased},
                    f"complaints_done:{now.isoformat()}",
                )

    async def _announce(self, now: dt.datetime, report: RetentionReport) -> None:
        cfg = self.settings.admin
        # Closed before this instant: the rule's own date arithmetic (years) decides per record;
        # the cutoff only narrows the search (a year of 366 days covers every leap).
        cutoff = now - dt.timedelta(days=365 * cfg.retention_years - 1) if cfg.retention_years else now
        erase_on = now + dt.timedelta(days=cfg.retention_notice_days)
        codes: dict[str, int] = {}
        after = 0
        while True:
            async with self.storage.transaction() as uow:
                page = await uow.retention.candidates(cutoff, after, PAGE)
                for client_id, proposal_id in page:
                    found = await uow.privacy.by_client(client_id, proposal_id)
                    if found is None:
                        continue
                    record, _ = found
                    local_now = now.astimezone(ZoneInfo(self.settings.locale.timezone))  # the centre's days
                    if erasure_rule(record, local_now, cfg.retention_years).action != "anonymize":
                        continue
                    if await uow.retention.announce(client_id, proposal_id, now, erase_on):
                        codes[record.proposal_code] = codes.get(record.proposal_code, 0) + 1
            if len(page) < PAGE:
                break
            after = page[-1][0]
        if not codes:
            return
        report.announced = sum(codes.values())
        report.codes = sorted(codes)
        report.erase_on = erase_on
        async with self.storage.transaction() as uow:
            await uow.audit.record(
                self._run_event(now, "retention_notice", f"{report.announced} record(s) in {len(codes)} proposal(s)")
            )
            await self._tell_admins(
                uow,
                now,
                {
                    "stage": "notice",
                    "count": report.announced,
                    "codes": report.codes[:40],
                    "more": max(0, len(codes) - 40),
                    "erase_on": erase_on.isoformat(),
                },
                f"notice:{now.isoformat()}",
            )

    async def _erase_due(self, now: dt.datetime, report: RetentionReport) -> None:
        while True:
            async with self.storage.reading() as uow:
                due = await uow.retention.due(now, PAGE)
            erased_here = 0
            for client_id in due:
                try:
                    done = await self._erase(None, client_id)  # locks, re-reads, CAS
                except ServiceError:
                    # Erased meanwhile (by the other instance, which marks its notice, or by an
                    # admin): nothing is due, and the notice is not this run's to withdraw.
                    continue
                async with self.storage.transaction() as uow:
                    if isinstance(done, ErasureDone):
                        await uow.retention.mark_erased(client_id, now)
                        erased_here += 1
                    else:  # the rule keeps it after all (the proposal reopened)
                        await uow.retention.forget(client_id)
            report.erased += erased_here
            if len(due) < PAGE:
                break
        if report.erased:
            async with self.storage.transaction() as uow:
                await uow.audit.record(self._run_event(now, "retention_erase", f"{report.erased} record(s)"))
                await self._tell_admins(uow, now, {"stage": "done", "count": report.erased}, f"done:{now.isoformat()}")

    def _run_event(self, now: dt.datetime, action: str, reason: str) -> AuditEvent:
        """The audit event of one stage of the retention run over clients' records (the notice or
        the erasure), its entity id the centre's day it ran."""
        day = now.astimezone(ZoneInfo(self.settings.locale.timezone)).date()
        return self.event(None, "retention", day.isoformat(), action, reason=reason)

    async def _tell_admins(self, uow: UnitOfWork, now: dt.datetime, params: dict[str, object], key: str) -> None:
        """The run's stage told to every admin, once per ``key`` within the retention notices."""
        await self.tell_admins(uow, NotificationKind.RETENTION, f"retention:{key}", params, now)
