"""Step c: the head of centre issues a decree (SK) that fixes the beneficiaries.

``/sk`` lists the validated proposals; the head ticks some, types the SK number and date (or takes
the next number from the register), and confirms. A typed number must have the register's form and
be followed by its date (``bot.domain.official_numbers``); the draft shows number and date apart
before anything is recorded. Only one SK card is live: a new one (after a typed number, or a new
``/sk``) names the card it replaces, which the adapter closes. In one transaction the proposals move to
``decreed``, every client gets a bank-account row to fill in, the operators are asked for the
accounts and the SK annex (XLSX) is queued for the head's private chat.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any
from zoneinfo import ZoneInfo

from bot.clock import today_in
from bot.domain.budget import YearBudget
from bot.domain.kinds import ConversationKind, NotificationKind
from bot.domain.models import Action, Decree, ProposalStatus, Role
from bot.domain.records import StaffSummary
from bot.files.finance_sheets import AnnexLine
from bot.i18n import N_
from bot.services.base import Identity, ServiceError
from bot.services.budget import check_ceiling, year_budgets
from bot.services.nik_recheck import lock_niks, proposal_niks
from bot.services.reviews import StaffService
from bot.services.sk_numbers import claim_sk_number, draft_number, typed_sk_entry
from storage.unit import UnitOfWork

_HEAD_ONLY = N_("Only the head of centre can issue an SK.")


@dataclass(frozen=True)
class SkDraft:
    """An SK being prepared: the validated proposals, those ticked, the number and date."""

    candidates: list[StaffSummary]
    picked: frozenset[int]
    number: str | None  # None: the next number from the register
    date: dt.date
    register_number: str
    asked_number: bool
    example: str = ""  # a number of the register's form with a date, as the head should type it
    replaces: int | None = None  # the message id of the older SK card this draft's card replaces
    # Each budget year the ticked proposals charge (their periods' years; the SK's year before any
    # tick): the year's ceiling (0: none set), what its SKs committed so far, and the ceilings this
    # selection would exceed — shown before "Issue" so the head is not refused only after the tap
    # (issue 16.2).
    budgets: list[YearBudget] = field(default_factory=list)
    # Clients held for double assistance per proposal (issue 16.1): they stay out of the annex.
    held: dict[int, int] = field(default_factory=dict)
    # The typed number is below the year's last issued one: that SK (a note; the number is accepted).
    below: Decree | None = None
    # Clients only warned per proposal: the same NIK in another IPWL's proposal still under review,
    # not decided by a PIC. Issuing is allowed (the later one is held), but the head is told first.
    warned: dict[int, int] = field(default_factory=dict)

    @property
    def chosen(self) -> list[StaffSummary]:
        return [c for c in self.candidates if c.id in self.picked]

    @property
    def final_number(self) -> str:
        return self.number or self.register_number


@dataclass(frozen=True)
class Annex:
    decree: Decree
    rows: list[AnnexLine]
    # Clients kept out for double assistance until adjudicated (issue 16.1): (proposal code, number,
    # client id: the head's button to decide).
    held: list[tuple[str, int, int]] = field(default_factory=list)
    # Kept out for good: decided the same person as a client elsewhere (double assistance confirmed).
    confirmed: list[tuple[str, int, int]] = field(default_factory=list)


def _all_held(code: str) -> ServiceError:
    """An SK would decree a proposal whose every client is held for double assistance: nobody."""
    return ServiceError(
        "sk_all_held",
        N_(
            "No SK was issued: every client of {code} is held for double assistance (the same NIK is already "
            "in an SK or paid at another IPWL), so the SK would decree nobody for it. Untick {code} until a "
            "PIC or the head decides, then issue the SK."
        ),
        code=code,
    )


class DecreeService(StaffService):
    """What the head of centre does: the SK."""

    async def start(self, who: Identity) -> SkDraft:
        """``/sk``: the validated proposals waiting for a decree."""
        await self._head(who)
        async with self.storage.transaction() as uow:
            older = await uow.conversations.of(who.person.id)
            replaces = older.state.get("card") if older is not None and older.kind == ConversationKind.SK else None
            state: dict[str, Any] = {"picked": [], "number": None, "date": None, "asked": False}
            await uow.conversations.start(who.person.id, ConversationKind.SK, None, self.clock.now(), state)
            return replace(await self._draft(uow, state), replaces=replaces)

    async def card_sent(self, who: Identity, message_id: int) -> None:
        """The SK card now live in the head's chat (a later one replaces it)."""
        async with self.storage.transaction() as uow:
            state = await self._state(uow, who)
            state["card"] = message_id
            await uow.conversations.start(who.person.id, ConversationKind.SK, None, self.clock.now(), state)

    async def toggle(self, who: Identity, proposal_id: int) -> SkDraft:
        async with self.storage.transaction() as uow:
            state = await self._state(uow, who)
            picked = [p for p in state["picked"] if p != proposal_id]
            if len(picked) == len(state["picked"]):
                picked.append(proposal_id)
            state["picked"] = picked
            return await self._save(uow, who, state)

    async def ask_number(self, who: Identity) -> SkDraft:
        """The proposals are chosen: ask for the SK number and date."""
        async with self.storage.transaction() as uow:
            state = await self._state(uow, who)
            draft = await self._draft(uow, state)
            if not draft.chosen:
                raise ServiceError("sk_nothing_picked", N_("Tick at least one proposal first."))
            state["asked"] = True
            return await self._save(uow, who, state)

    async def number_text(self, who: Identity, text: str) -> SkDraft:
        """The SK number typed, then its date (``SK-012/BRSKPN-GP/XI/2026 28-11-2026``): the number in
        the register's form, the date a real day, not in the future nor before the proposals."""
        async with self.storage.transaction() as uow:
            state = await self._state(uow, who)
            draft = await self._draft(uow, state)
            earliest = None
            for summary in draft.chosen:  # an SK cannot predate the proposals it decrees
                proposal = await self.proposal(uow, summary.id)
                if proposal.created_at is not None:
                    made = proposal.created_at.astimezone(ZoneInfo(self.settings.locale.timezone)).date()
                    earliest = made if earliest is None else max(earliest, made)
            entry = await typed_sk_entry(
                uow,
                self.settings.payments.sk_number_format,
                text,
                today=self._today(),
                earliest=earliest,
                too_early=N_(
                    "An SK cannot be dated {date}, before the proposals it covers "
                    "were made: date it {earliest} or later."
                ),
            )
            replaces = state.get("card")
            state.update(number=entry.number, date=entry.date.isoformat(), asked=True)
            return replace(await self._save(uow, who, state), replaces=replaces)

    async def use_register(self, who: Identity) -> SkDraft:
        """Take the next number from the register, dated today."""
        async with self.storage.transaction() as uow:
            state = await self._state(uow, who)
            state.update(number=None, date=self._today().isoformat(), asked=True)
            return await self._save(uow, who, state)

    async def issue(self, who: Identity) -> tuple[Decree, int]:
        """Confirm: decree every ticked proposal under one SK, all or none; (the SK, how many proposals)."""
        now = self.clock.now()
        async with self.unit(who) as uow:
            state = await self._state(uow, who)
            draft = await self._draft(uow, state)
            if not draft.chosen:
                raise ServiceError("sk_nothing_picked", N_("Tick at least one proposal first."))
            for summary in draft.chosen:  # (before a register number is taken: a refused SK uses none)
                if summary.clients and not summary.payable_clients:
                    raise _all_held(summary.code)
            # The year's ceiling (pagu), before a register number is taken: a refused SK uses none.
            await check_ceiling(uow, draft.date, [s.id for s in draft.chosen])
            number = await claim_sk_number(uow, self.settings.payments.sk_number_format, draft.number, draft.date)
            data = {"sk_number": number, "sk_date": draft.date}
            decree = await uow.decrees.create(number, draft.date, who.person.id, now)
            # First the proposals' rows, then every NIK of every proposal in this SK, each in one
            # global order (ids; year and NIK), as every path takes them: the re-check below takes
            # the NIKs proposal by proposal, which alone could cross another SK's (or a submission's)
            # on PostgreSQL — two SKs sharing two NIKs in opposite orders, each waiting for the other.
            niks: list[tuple[int, str]] = []
            for proposal_id in sorted(s.id for s in draft.chosen):
                await uow.proposals.lock(proposal_id)
                niks.extend(await proposal_niks(uow, await self.proposal(uow, proposal_id), now))
            await lock_niks(uow, niks)
            for summary in draft.chosen:
                proposal = await self.proposal(uow, summary.id)
                transition = await self.authorize(uow, who, Action.ISSUE_SK, proposal, data)
                decreed = await self.move(uow, who, proposal, transition, now, reason=number, decree_id=decree.id)
                # Double assistance re-checked now, proposal by proposal: of two proposals with the
                # same person in this SK, the second is held (the first is in the SK by then).
                await self.recheck_nik(uow, who, decreed, "sk", now, moved=True)
                await uow.bank_accounts.ensure([c.id for c in await uow.clients.of_proposal(proposal.id)], now)
                await self.notify(
                    uow,
                    await self.operators(uow, proposal),
                    NotificationKind.SK_ISSUED,
                    f"proposal:{proposal.id}:sk",
                    {"proposal_id": proposal.id},
                    now,
                )
            await uow.audit.record(
                self.event(
                    who, "decree", decree.id, "issue_sk", to=number, reason=",".join(s.code for s in draft.chosen)
                )
            )
            await uow.outbox.enqueue(
                dedupe_key=f"decree:{decree.id}:annex",
                chat_id=who.person.telegram_user_id,
                kind=NotificationKind.SK_ANNEX,
                params={"decree_id": decree.id},
                now=now,
                person_id=who.person.id,
            )
            await uow.conversations.end(who.person.id)
            return decree, len(draft.chosen)

    async def current(self, who: Identity) -> SkDraft:
        async with self.storage.reading() as uow:
            return await self._draft(uow, await self._state(uow, who))

    async def proposal_decree(self, proposal_id: int) -> tuple[StaffSummary, Decree] | None:
        """A decreed proposal and its SK (for the operators' notification)."""
        async with self.storage.reading() as uow:
            decree = await uow.decrees.of_proposal(proposal_id)
            summaries = await uow.staff.summaries(ProposalStatus, proposal_ids=[proposal_id])
        return (summaries[0], decree) if decree and summaries else None

    async def cancel(self, who: Identity) -> None:
        async with self.storage.transaction() as uow:
            await self._state(uow, who)
            await uow.conversations.end(who.person.id)

    async def annex(self, decree_id: int) -> Annex | None:
        """The beneficiaries an SK fixes, by IPWL (for the annex workbook)."""
        async with self.storage.reading() as uow:
            decree = await uow.decrees.by_id(decree_id)
            if decree is None:
                return None
            rows: list[AnnexLine] = []
            held: list[tuple[str, int, int]] = []
            confirmed: list[tuple[str, int, int]] = []
            for proposal_id in await uow.decrees.proposal_ids(decree_id):
                proposal = await self.proposal(uow, proposal_id)
                ipwl = await uow.ipwl.by_id(proposal.ipwl_id)
                assert ipwl is not None
                clients = await uow.clients.of_proposal(proposal_id)
                out = await uow.nik_conflicts.held(c.id for c in clients)
                same = await uow.nik_conflicts.confirmed(c.id for c in clients)
                rows.extend(
                    AnnexLine(ipwl.code, ipwl.name, proposal.code, c.full_name, c.nik, c.total)
                    for c in clients
                    if c.id not in out
                )
                held.extend((proposal.code, c.position, c.id) for c in clients if c.id in out - same)
                confirmed.extend((proposal.code, c.position, c.id) for c in clients if c.id in same)
        rows.sort(key=lambda r: (r.ipwl_code, r.proposal_code))
        return Annex(decree, rows, sorted(held), sorted(confirmed))

    # --- internals --------------------------------------------------------------------------------

    async def _head(self, who: Identity) -> None:
        if not who.actor.has_role(Role.HEAD):
            async with self.unit(who):
                raise self.denied(ServiceError("head_only", _HEAD_ONLY), "command", "sk", "sk: role_required")

    def _today(self) -> dt.date:
        return today_in(self.clock, self.settings.locale.timezone)

    async def _state(self, uow: UnitOfWork, who: Identity) -> dict[str, Any]:
        if not who.actor.has_role(Role.HEAD):
            raise ServiceError("head_only", _HEAD_ONLY)
        conversation = await uow.conversations.of(who.person.id)
        if conversation is None or conversation.kind != ConversationKind.SK:
            raise ServiceError("sk_not_open", N_("No SK is being prepared. Start again with /sk."))
        return dict(conversation.state)

    async def _save(self, uow: UnitOfWork, who: Identity, state: dict[str, Any]) -> SkDraft:
        await uow.conversations.start(who.person.id, ConversationKind.SK, None, self.clock.now(), state)
        return await self._draft(uow, state)

    async def _draft(self, uow: UnitOfWork, state: dict[str, Any]) -> SkDraft:
        candidates = await uow.staff.summaries([ProposalStatus.VALIDATED])
        known = {c.id for c in candidates}
        picked = frozenset(p for p in state["picked"] if p in known)
        n = await draft_number(uow, self.settings.payments.sk_number_format, state, self._today())
        budgets = await year_budgets(uow, n.date, sorted(picked))
        held = await uow.nik_conflicts.held_per_proposal([c.id for c in candidates])
        warned = await uow.nik_conflicts.warned_per_proposal([c.id for c in candidates])
        return SkDraft(
            candidates,
            picked,
            n.number,
            n.date,
            n.register_number,
            bool(state.get("asked")),
            n.example,
            budgets=budgets,
            held=held,
            below=n.below,
            warned=warned,
        )
