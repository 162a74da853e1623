"""The reminder engine and the work queues: "what is due now?" and "what waits for me?".

``run(now)`` is what the repeating job calls. It pages through the items that may need a reminder
(storage/reminders.py, one page in memory at a time), lets the pure rules of ``bot.domain.reminder_rules``
decide what is due for each, and for every reminder — in ONE transaction per page — inserts its
key into the reminder log and, only if that insert won, the outbox rows for its recipients. So:

- a crash in the middle of a run rolls back the page it was on; the pages before it are logged
  and sent, the rest is found again by the next run — nothing is skipped, nothing repeated;
- two runs at once (an overlapping job, a second bot instance) race on the log's primary key:
  exactly one insert wins, only the winner writes outbox rows;
- a reminder nobody can receive yet (no operator has started the bot, the group is not bound) is
  not logged, so it goes out once someone can receive it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace

from bot.domain import reminder_rules as rules
from bot.domain.double_assistance import HeldClient
from bot.domain.kinds import NotificationKind
from bot.domain.models import LapsingGrant, ProposalStatus, Role
from bot.domain.records import NewNotification, QueueItem
from bot.domain.reminder_rules import Audience, Item, Kind, Policy, Reminder
from bot.i18n import N_
from bot.services.base import Identity, Service, ServiceError
from storage.reminders import as_digest_items
from storage.unit import UnitOfWork

# The outbox kind of the admins' reminder that a grant is about to lapse.

# Lines of a digest or a queue section: enough to act on, far below Telegram's 4096 characters.
LIST_LIMIT = 25

Fetch = Callable[[UnitOfWork, int], Awaitable[Sequence[Item]]]
Decide = Callable[[Item], Iterable[Reminder | None]]


@dataclass
class RunReport:
    """What one run did (logged as counts; tests and the benchmark read it)."""

    pages: int = 0
    candidates: int = 0  # items looked at
    due: int = 0  # reminders the rules found due now
    recorded: int = 0  # reminders this run logged (the others were logged before, or by a rival run)
    messages: int = 0  # outbox rows written
    waiting: int = 0  # due but nobody can receive them yet


@dataclass(frozen=True)
class QueueSection:
    """What waits for one of the person's roles: counts per status and the oldest items."""

    role: Role
    scope: str  # the team code, the IPWL codes, or "" (centre-wide)
    counts: dict[ProposalStatus, int] = field(default_factory=dict)
    items: list[QueueItem] = field(default_factory=list)
    # The admins' own queue (issue 17): roles ending within the warning days, and client records
    # the retention job has announced for anonymization.
    lapsing_roles: int = 0
    retention_announced: int = 0
    # Complaints waiting while no complaint officer is appointed (the admins appoint one).
    complaints_without_officer: int = 0
    # The complaint officers' queue (issue 16.5): complaints not closed, and of them those left
    # unanswered past their response deadline.
    complaints_open: int = 0
    complaints_overdue: int = 0
    # A PIC team's post-payment checks still to phone (issue 16.4).
    payment_checks: int = 0
    # Finance (issue 16.3), among its items with accounts verified: SPM saved but no SP2D recorded
    # yet, and SP2D recorded but transfer results still missing (details, not more items).
    without_sp2d: int = 0
    awaiting_results: int = 0
    # Clients held for double assistance, waiting for a PIC of the team or the head (issue 16.1).
    held: list[HeldClient] = field(default_factory=list)

    @property
    def total(self) -> int:
        return (
            sum(self.counts.values())
            + self.lapsing_roles
            + self.retention_announced
            + self.complaints_without_officer
            + self.complaints_open
            + self.payment_checks
            + len(self.held)
        )

    @property
    def more(self) -> int:
        """Proposals waiting beyond those listed (the other queues are counted on lines of their own)."""
        return max(0, sum(self.counts.values()) - len(self.items))


class ReminderService(Service):
    """The reminder job and the /tugas queues."""

    def policy(self) -> Policy:
        cfg = self.settings.reminders
        return Policy(
            calendar=rules.Calendar(cfg.work_start, cfg.work_end, frozenset(cfg.holidays)),
            centre_zone=self.settings.locale.timezone,
            lpj_due_days_before=tuple(cfg.lpj_due_days_before),
            lpj_overdue_every_days=cfg.lpj_overdue_every_days,
            returned_after_days=cfg.returned_after_days,
            accounts_missing_after_days=cfg.accounts_missing_after_days,
            transfer_results_after_working_days=cfg.transfer_results_after_working_days,
            draft_idle_hours=cfg.draft_idle_hours,
            escalate_team_after_days=cfg.escalate_to_team_after_days,
            escalate_head_after_days=cfg.escalate_to_head_after_days,
            digest_at=cfg.digest_at,
        )

    # --- the job ----------------------------------------------------------------------------------

    async def run(self, now: dt.datetime | None = None) -> RunReport:
        """Find everything due at ``now`` (default: the clock) and queue it, each reminder once."""
        now = now or self.clock.now()
        policy = self.policy()
        report = RunReport()
        if not any(policy.calendar.is_open(now, zone) for zone in rules.zones_in_use(policy)):
            return report  # night, weekend or holiday everywhere: nothing can be due
        for fetch, decide in self._sources(now, policy):
            await self._pages(fetch, decide, now, report)
        await self._digests(now, policy, report)
        await self._lapsing_grants(now, report)
        return report

    async def _lapsing_grants(self, now: dt.datetime, report: RunReport) -> None:
        """Tell every admin, once, of each grant that lapses within ``grant_expiry_warning_days``
        (issue 17.8). The grant is marked reminded (compare-and-set) in the transaction that queues
        the messages; with no admin to write to yet, it is left for a later run."""
        before = now + dt.timedelta(days=self.settings.audit.grant_expiry_warning_days)
        async with self.storage.transaction() as uow:
            lapsing = await uow.people.grants_lapsing(now, before)
            chats = await uow.people.admin_chat_ids() if lapsing else []
            if not chats:
                report.waiting += len(lapsing)
                return
            for grant in lapsing:
                if not await uow.people.mark_expiry_reminded(grant.grant_id, now):
                    continue
                report.recorded += 1
                report.messages += await uow.outbox.enqueue_many(
                    [
                        NewNotification(
                            f"grant-expiry:{grant.grant_id}:{chat}",
                            chat,
                            NotificationKind.GRANT_EXPIRY,
                            {"grant_id": grant.grant_id},
                        )
                        for chat in chats
                    ],
                    now=now,
                )

    async def lapsing_grant(self, grant_id: int) -> LapsingGrant | None:
        """The grant a queued expiry reminder is about (None: revoked since: the reminder is dropped)."""
        async with self.storage.reading() as uow:
            return await uow.people.lapsing_grant(grant_id)

    def _sources(self, now: dt.datetime, policy: Policy) -> list[tuple[Fetch, Decide]]:
        """Every kind of item the job pages through (filtered in SQL as far as SQL can), and the
        rule that decides what is due for each."""
        size = self.settings.reminders.page_size
        # LPJ due within the first reminder's reach in any zone (a day ahead covers WIT's "today").
        horizon = (now + dt.timedelta(days=1)).date() + dt.timedelta(days=max(policy.lpj_due_days_before, default=0))
        returned_before = now - dt.timedelta(days=policy.returned_after_days)
        decreed_before = now - dt.timedelta(days=policy.accounts_missing_after_days)
        idle_before = now - dt.timedelta(hours=policy.draft_idle_hours)
        sp2d_days = dt.timedelta(days=policy.transfer_results_after_working_days - 1)
        S = ProposalStatus

        def owing(status: ProposalStatus) -> Fetch:
            return lambda uow, after: uow.reminders.lpj_outstanding(status, after=after, limit=size, due_until=horizon)

        def waiting(status: ProposalStatus, before: dt.datetime) -> Fetch:
            return lambda uow, after: uow.reminders.waiting_since(status, after=after, limit=size, before=before)

        return [
            (owing(S.PAID), lambda i: [rules.lpj_due(i, now, policy), *rules.escalations(i, now, policy)]),
            (owing(S.LPJ_RETURNED), lambda i: rules.escalations(i, now, policy)),
            (waiting(S.RETURNED, returned_before), lambda i: [rules.returned(i, now, policy)]),
            (waiting(S.LPJ_RETURNED, returned_before), lambda i: [rules.returned(i, now, policy)]),
            (waiting(S.DECREED, decreed_before), lambda i: [rules.accounts_missing(i, now, policy)]),
            (
                # SP2D dated at least N calendar days ago (N working days are at least N days).
                lambda uow, after: uow.reminders.awaiting_transfer_results(
                    after=after, limit=size, sp2d_before=(now + dt.timedelta(days=1)).date() - sp2d_days
                ),
                lambda i: [rules.transfer_results_missing(i, now, policy)],
            ),
            (
                lambda uow, after: uow.reminders.idle_drafts(after=after, limit=size, before=idle_before),
                lambda i: [rules.idle_draft(i, now, policy)],
            ),
            (
                lambda uow, after: uow.reminders.idle_lpj_drafts(after=after, limit=size, before=idle_before),
                lambda i: [rules.idle_lpj_draft(i, now, policy)],
            ),
        ]

    async def _pages(self, fetch: Fetch, decide: Decide, now: dt.datetime, report: RunReport) -> None:
        """Keyset-page through ``fetch``; decide and record each page in its own transaction."""
        size = self.settings.reminders.page_size
        after = 0
        while True:
            async with self.storage.transaction() as uow:
                page = await fetch(uow, after)
                report.pages += 1
                report.candidates += len(page)
                due = [r for item in page for r in decide(item) if r is not None]
                await self._record(uow, due, now, report)
            if len(page) < size:
                return
            after = page[-1].id

    async def _record(self, uow: UnitOfWork, due: Sequence[Reminder], now: dt.datetime, report: RunReport) -> None:
        """Log each reminder and queue its messages, in the caller's transaction."""
        if not due:
            return
        report.due += len(due)
        logged = await uow.reminders.logged([r.key for r in due])
        fresh = [r for r in due if r.key not in logged]
        if not fresh:
            return
        recipients = await self._recipients(uow, fresh)
        deliverable = [(r, recipients(r)) for r in fresh]
        report.waiting += sum(1 for r, chats in deliverable if not chats and not r.empty)
        deliverable = [(r, chats) for r, chats in deliverable if chats or r.empty]
        won = await uow.reminders.claim([r.key for r, _ in deliverable], now)
        notes = []
        for reminder, chats in deliverable:
            if reminder.key not in won:
                continue  # a rival run got there first: it sends, we do not
            report.recorded += 1
            if reminder.empty:
                continue  # an empty digest: decided for the day, nothing to say
            params = {"rkind": reminder.kind.value, **reminder.params}
            notes += [
                NewNotification(
                    f"reminder:{reminder.key}:{chat_id}", chat_id, NotificationKind.REMINDER, params, person_id
                )
                for person_id, chat_id in chats
            ]
        # One statement for the whole page (a first national run queues tens of thousands of rows);
        # any failure still rolls back the page with its claims.
        report.messages += await uow.outbox.enqueue_many(notes, now=now)

    async def _recipients(
        self, uow: UnitOfWork, due: Sequence[Reminder]
    ) -> Callable[[Reminder], list[tuple[int | None, int]]]:
        """Resolve every audience of a page in a few queries: (person id, chat id) per reminder."""
        operators = await uow.audiences.operator_chats(
            r.item.ipwl_id for r in due if r.audience == Audience.OPERATORS and r.item is not None
        )
        teams = await uow.audiences.team_chats(r.team_id for r in due if r.audience == Audience.TEAM and r.team_id)
        staff: dict[Audience, list[tuple[int, int]]] = {}
        for audience, role in ((Audience.HEAD, Role.HEAD), (Audience.FINANCE, Role.FINANCE)):
            if any(r.audience == audience for r in due):
                staff[audience] = await uow.audiences.role_chats(role)

        def resolve(r: Reminder) -> list[tuple[int | None, int]]:
            if r.audience == Audience.OPERATORS and r.item is not None:
                return list(operators.get(r.item.ipwl_id, []))
            if r.audience == Audience.TEAM:
                chat = teams.get(r.team_id or 0)
                return [(None, chat)] if chat is not None else []
            people = staff.get(r.audience, [])
            if r.recipient_id is not None:  # a personal digest
                return [(p, c) for p, c in people if p == r.recipient_id]
            return list(people)

        return resolve

    async def _digests(self, now: dt.datetime, policy: Policy, report: RunReport) -> None:
        """The morning digests: one message per PIC group, and one per finance and head person."""
        day = rules.digest_day(now, policy)
        if day is None:
            return
        size = self.settings.reminders.page_size
        pic = rules.QUEUE_STATUSES[Role.PIC]
        after = 0
        while True:
            async with self.storage.reading() as uow:
                teams = await uow.reminders.teams_with_group(after=after, limit=size)
                logged = await uow.reminders.logged([f"{Kind.DIGEST_TEAM}:{t}:{day.isoformat()}" for t, _, _ in teams])
            for team_id, code, _chat in teams:
                if f"{Kind.DIGEST_TEAM}:{team_id}:{day.isoformat()}" in logged:
                    continue
                # One short transaction per team: a digest reads three queries, and the bot's own
                # button presses wait for nothing longer than that.
                async with self.storage.transaction() as uow:
                    counts = await uow.reminders.queue_counts(pic, team_id=team_id)
                    oldest = await uow.reminders.queue_oldest(pic, limit=LIST_LIMIT, team_id=team_id)
                    overdue = await uow.reminders.overdue_lpj_count(day, team_id=team_id)
                    await self._record(
                        uow,
                        [
                            rules.digest(
                                Kind.DIGEST_TEAM,
                                team_id,
                                day,
                                now,
                                counts,
                                as_digest_items(oldest),
                                overdue=overdue,
                                label=code,
                            )
                        ],
                        now,
                        report,
                    )
            if len(teams) < size:
                break
            after = teams[-1][0]
        async with self.storage.transaction() as uow:
            for role, kind in ((Role.FINANCE, Kind.DIGEST_FINANCE), (Role.HEAD, Kind.DIGEST_HEAD)):
                people = await uow.audiences.role_chats(role)
                keys = {p: f"{kind}:{p}:{day.isoformat()}" for p, _ in people}
                logged = await uow.reminders.logged(list(keys.values()))
                waiting = [p for p, key in keys.items() if key not in logged]
                if not waiting:
                    continue
                statuses = rules.QUEUE_STATUSES[role]
                counts = await uow.reminders.queue_counts(statuses)
                items = as_digest_items(await uow.reminders.queue_oldest(statuses, limit=LIST_LIMIT))
                overdue = await uow.reminders.overdue_lpj_count(day) if role == Role.HEAD else 0
                await self._record(
                    uow, [rules.digest(kind, p, day, now, counts, items, overdue=overdue) for p in waiting], now, report
                )

    # --- reading ----------------------------------------------------------------------------------

    async def still_current(self, proposal_id: int, status: str) -> bool:
        """Is the proposal still where the reminder found it? (If not, the reminder is dropped.)"""
        async with self.storage.reading() as uow:
            proposal = await uow.proposals.by_id(proposal_id)
        return proposal is not None and proposal.status.value == status

    async def queue(self, who: Identity) -> list[QueueSection]:
        """``/tugas``: what waits for this person, per role, oldest first."""
        sections: list[QueueSection] = []
        async with self.storage.reading() as uow:
            ipwl_ids = who.actor.operated_ipwl_ids
            if ipwl_ids:
                sections.append(
                    await self._section(
                        uow,
                        Role.OPERATOR,
                        ", ".join([i.code for i in [await uow.ipwl.by_id(x) for x in ipwl_ids] if i]),
                        ipwl_ids=ipwl_ids,
                    )
                )
            for team_id in sorted({g.team_id for g in who.actor.grants if g.role == Role.PIC and g.team_id}):
                team = await uow.teams.by_id(team_id)
                section = await self._section(uow, Role.PIC, team.code if team else "", team_id=team_id)
                checks = await uow.payment_checks.pending_of_team(team_id)
                sections.append(dataclasses.replace(section, payment_checks=checks) if checks else section)
            for role in (Role.FINANCE, Role.HEAD):
                if who.actor.has_role(role):
                    section = await self._section(uow, role, "")
                    if role == Role.FINANCE:
                        without_sp2d, awaiting = await uow.reminders.payment_orders_open()
                        section = replace(section, without_sp2d=without_sp2d, awaiting_results=awaiting)
                    sections.append(section)
            if who.is_admin:
                now = self.clock.now()
                lapsing = await uow.people.count_lapsing(
                    now, now + dt.timedelta(days=self.settings.audit.grant_expiry_warning_days)
                )
                announced = await uow.retention.announced_count()
                unread = 0 if await uow.staff.holding(Role.COMPLAINT_OFFICER) else (await uow.complaints.counts(now))[0]
                if lapsing or announced or unread:
                    sections.append(
                        QueueSection(
                            Role.ADMIN,
                            "",
                            lapsing_roles=lapsing,
                            retention_announced=announced,
                            complaints_without_officer=unread,
                        )
                    )
            if who.actor.has_role(Role.COMPLAINT_OFFICER):
                complaints, overdue = await uow.complaints.counts(self.clock.now())
                sections.append(
                    QueueSection(Role.COMPLAINT_OFFICER, "", complaints_open=complaints, complaints_overdue=overdue)
                )
        if not sections and not who.known:
            raise ServiceError(
                "not_registered", N_("You are not registered yet. Ask the centre's admin for an invitation link.")
            )
        return sections

    async def _section(
        self,
        uow: UnitOfWork,
        role: Role,
        scope: str,
        *,
        team_id: int | None = None,
        ipwl_ids: Sequence[int] | None = None,
    ) -> QueueSection:
        statuses = rules.QUEUE_STATUSES[role]
        counts = await uow.reminders.queue_counts(statuses, team_id=team_id, ipwl_ids=ipwl_ids)
        items = await uow.reminders.queue_oldest(statuses, limit=LIST_LIMIT, team_id=team_id, ipwl_ids=ipwl_ids)
        held: list[HeldClient] = []
        if role == Role.PIC and team_id is not None:
            held = await uow.nik_conflicts.waiting(team_id=team_id)
        elif role == Role.HEAD:  # (from the SK annex's buttons: the proposals in an SK)
            held = [h for h in await uow.nik_conflicts.waiting() if h.decreed]
        return QueueSection(role, scope, counts, items, held=held[:LIST_LIMIT])
