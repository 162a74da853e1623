"""Post-payment verification (issue 16.4): did the money reach the client, in full?

When a proposal's transfers are all sent (``PaymentService`` calls :meth:`draw_for` in the
transaction that marks it paid), a sample of its clients is drawn from a fresh seed, recorded with
the draw, and one check per sampled client is queued to each PIC of the IPWL's team — privately,
never in the group: the card names the client and their phone so the PIC can call. The answer is
recorded with one press (received less: the amount is typed). A mismatch (less, or nothing) opens
a complaint for the complaint officers (``ComplaintService.open_case``), tells the head of centre
(codes and amounts, no name), and counts against the IPWL in ``/laporan``.

Every PIC's copy of the card is remembered when delivered (:meth:`card_sent`); once the check is
answered every copy is edited through the outbox to say who recorded what, without buttons, so no
colleague phones the client again. A call that does not get through keeps the check open: the
attempt is counted and audited, the copies say so, and a new card comes to each PIC the next working
day; the check is recorded as not reachable only after ``[payment_checks] unreachable_attempts``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain import payment_checks as rules
from bot.domain.complaints import ComplaintCategory, add_working_days
from bot.domain.kinds import ConversationKind, NotificationKind
from bot.domain.models import Person, Proposal, Role, TransferStatus
from bot.domain.payment_checks import CheckAnswer
from bot.domain.validation import Problem, ValidationError, parse_money
from bot.i18n import N_, format_money
from bot.services.base import Identity, Service, ServiceError, StaleButton
from bot.services.complaints import ComplaintService
from storage.payment_checks import CheckRow, DrawRow, IpwlCoverage
from storage.unit import UnitOfWork

__all__ = ["AmountPrompt", "Attempted", "CheckRow", "DrawRow", "IpwlCoverage", "PaymentCheckService", "Recorded"]


@dataclass(frozen=True)
class AmountPrompt:
    """ "Received less": the PIC types how much (the check stays open until then)."""

    check: CheckRow


@dataclass(frozen=True)
class Recorded:
    check: CheckRow
    mismatch: bool


@dataclass(frozen=True)
class Attempted:
    """A call that did not get through, the check still open: it comes back on ``again_at``."""

    check: CheckRow
    allowed: int  # calls before the check is recorded as not reachable
    again_at: dt.datetime


class PaymentCheckService(Service):
    """The post-payment checks: the draw, the PIC's answers, the mismatches, the coverage."""

    def __init__(self, *args: object, complaints: ComplaintService, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.complaints = complaints

    async def draw_for(self, uow: UnitOfWork, proposal: Proposal, now: dt.datetime) -> int:
        """In the transaction that marks ``proposal`` paid: draw and queue its checks (once).
        Returns how many clients were drawn."""
        cfg = self.settings.payment_checks
        if not cfg.enabled:
            return 0
        transfers = await uow.transfers.of_proposal(proposal.id)
        # A client an SK perubahan took off the list is not asked: their money is a refund case,
        # and an honest "I gave it back" would read as "not received" and open a false complaint.
        left = await uow.client_changes.left_clients(proposal.id)
        sent = {c: t for c, t in transfers.items() if t.status == TransferStatus.SENT and c not in left}
        seed = rules.new_seed()
        if not sent or not await uow.payment_checks.record_draw(
            proposal.id, seed=seed, share=cfg.share, minimum=cfg.minimum, population=len(sent), now=now
        ):
            return 0
        chosen = rules.draw(seed, list(sent), cfg.share, cfg.minimum)
        ipwl = await uow.ipwl.by_id(proposal.ipwl_id)
        pics = await uow.staff.holding(Role.PIC, team_id=ipwl.team_id) if ipwl and ipwl.team_id else []
        for client_id in chosen:
            check_id = await uow.payment_checks.add(proposal.id, client_id, sent[client_id].amount)
            await self._card_to_pics(uow, check_id, pics, now)
        await uow.audit.record(
            self.event(
                None,
                "proposal",
                proposal.id,
                "draw_payment_checks",
                reason=f"{proposal.code}: {len(chosen)} of {len(sent)} clients, seed {seed}",
            )
        )
        return len(chosen)

    async def _card_to_pics(
        self,
        uow: UnitOfWork,
        check_id: int,
        pics: Sequence[Person],
        now: dt.datetime,
        *,
        again: str = "",
        not_before: dt.datetime | None = None,
    ) -> None:
        """The check's card to each PIC of the team privately (the first answer counts). ``again``
        tags a card that comes back after a call that did not get through (a key of its own)."""
        for pic in pics:
            await uow.outbox.enqueue(
                dedupe_key=f"payment_check:{check_id}:{pic.id}{again}",
                chat_id=pic.telegram_user_id,
                kind=NotificationKind.PAYMENT_CHECK,
                now=now,
                person_id=pic.id,
                params={"check_id": check_id, "pic_id": pic.id},
                not_before=not_before,
            )

    async def _scoped(self, uow: UnitOfWork, who: Identity, check_id: int) -> CheckRow:
        check = await uow.payment_checks.by_id(check_id)
        if check is None:
            raise StaleButton()
        if not who.actor.in_team(check.team_id):
            raise ServiceError("not_your_team", N_("Only the IPWL's own PIC team records this check."))
        return check

    async def card(self, check_id: int) -> CheckRow | None:
        """A check as its card shows it (the renderer's read)."""
        async with self.storage.reading() as uow:
            return await uow.payment_checks.by_id(check_id)

    @property
    def unreachable_attempts(self) -> int:
        return self.settings.payment_checks.unreachable_attempts

    async def card_sent(
        self, uow: UnitOfWork, params: dict[str, Any], chat_id: int, message_id: int, now: dt.datetime
    ) -> None:
        """A PIC's copy is out (in the transaction that marks it sent): remember it, to edit it once
        the check is answered. Answered meanwhile (between its rendering and now): edited at once."""
        check_id = int(params["check_id"])
        pic_id = params.get("pic_id")
        await uow.payment_checks.remember_card(check_id, chat_id, message_id, int(pic_id) if pic_id else None)
        check = await uow.payment_checks.by_id(check_id)
        if check is not None and check.status != rules.PENDING:
            await self._update_copies(uow, check, now, tag=check.status)

    async def _update_copies(
        self, uow: UnitOfWork, check: CheckRow, now: dt.datetime, *, tag: str, pressed: tuple[int, int] | None = None
    ) -> None:
        """Every PIC's copy edited to where the check is now (who recorded what), without buttons;
        but ``pressed`` (chat, message): the card the answer came from, redrawn by its handler."""
        for card in await uow.payment_checks.cards_of(check.id):
            if pressed == (card.chat_id, card.message_id):
                continue
            await uow.outbox.enqueue(
                dedupe_key=f"payment_check:{check.id}:copy:{card.chat_id}:{card.message_id}@{tag}",
                chat_id=card.chat_id,
                kind=NotificationKind.PAYMENT_CHECK_UPDATE,
                now=now,
                person_id=card.person_id,
                params={"check_id": check.id, "message_id": card.message_id},
            )

    def _next_working_morning(self, now: dt.datetime) -> dt.datetime:
        zone = ZoneInfo(self.settings.locale.timezone)
        day = add_working_days(now.astimezone(zone).date(), 1, frozenset(self.settings.reminders.holidays))
        return dt.datetime.combine(day, self.settings.reminders.work_start, zone).astimezone(dt.UTC)

    async def _attempt(
        self, uow: UnitOfWork, who: Identity, check: CheckRow, now: dt.datetime, pressed: tuple[int, int] | None
    ) -> Attempted:
        """Not reachable, with calls left: counted (once, even at a double tap), audited, the copies
        closed, and a new card to each PIC of the team the next working day."""
        if not await uow.payment_checks.record_attempt(check.id, check.attempts, who.person.id, now):
            fresh = await uow.payment_checks.by_id(check.id)
            if fresh is not None and fresh.status != rules.PENDING:
                self._still_open(fresh)
            raise ServiceError(
                "already_done",
                N_("{name} has just recorded this call as not reachable."),
                name=(fresh.last_attempt_by_name if fresh else None) or "-",
            )
        attempts = check.attempts + 1
        await uow.audit.record(
            self.event(
                who,
                "client",
                check.client_id,
                "payment_check_attempt",
                reason=f"{check.proposal_code}: call {attempts} of {self.unreachable_attempts} not reachable",
            )
        )
        fresh = await uow.payment_checks.by_id(check.id)
        assert fresh is not None
        await self._update_copies(uow, fresh, now, tag=f"try{attempts}", pressed=pressed)
        again_at = self._next_working_morning(now)
        pics = await uow.staff.holding(Role.PIC, team_id=check.team_id) if check.team_id else []
        await self._card_to_pics(uow, check.id, pics, now, again=f":try{attempts + 1}", not_before=again_at)
        return Attempted(fresh, self.unreachable_attempts, again_at)

    async def answer(
        self, who: Identity, check_id: int, answer: str, *, pressed_message_id: int | None = None
    ) -> Recorded | AmountPrompt | Attempted:
        """The PIC's press on the card: recorded at once, or (received less) the amount is asked, or
        (not reachable, calls left) the call is counted and the check comes back the next working day."""
        try:
            choice = CheckAnswer(answer)
        except ValueError:
            raise StaleButton() from None
        now = self.clock.now()
        pressed = (who.person.telegram_user_id, pressed_message_id) if pressed_message_id is not None else None
        async with self.storage.transaction() as uow:
            check = await self._scoped(uow, who, check_id)
            self._still_open(check)
            if choice == CheckAnswer.LESS:
                await uow.conversations.start(who.person.id, ConversationKind.PAYMENT_CHECK_AMOUNT, check_id, now, {})
                return AmountPrompt(check)
            if choice == CheckAnswer.UNREACHABLE and check.attempts + 1 < self.unreachable_attempts:
                return await self._attempt(uow, who, check, now, pressed)
            return await self._record(uow, who, check, choice, None, now, pressed)

    async def amount_text(self, who: Identity, text: str) -> Recorded:
        """The amount the client says they received (less than the transfer, more than nothing)."""
        now = self.clock.now()
        async with self.storage.transaction() as uow:
            conversation = await uow.conversations.of(who.person.id)
            if conversation is None or conversation.kind != ConversationKind.PAYMENT_CHECK_AMOUNT:
                raise ServiceError("no_conversation", N_("Nothing is waiting for this answer."))
            check = await self._scoped(uow, who, int(conversation.entity_id or 0))
            self._still_open(check)
            amount = parse_money(text, field="received_amount", minimum=0)
            if amount >= check.expected_amount:
                raise ValidationError(
                    Problem(
                        N_(
                            "{amount} is the full transfer ({expected}) or more: press Received in full on the "
                            "card instead, or type the smaller amount the client received."
                        ),
                        {"amount": format_money(amount), "expected": format_money(check.expected_amount)},
                    )
                )
            if amount == 0:
                raise ValidationError(
                    Problem(N_("Nothing received: press Not received on the card instead, or type the amount."))
                )
            await uow.conversations.end(who.person.id)
            return await self._record(uow, who, check, CheckAnswer.LESS, amount, now)

    async def cancel_amount(self, who: Identity) -> None:
        async with self.storage.transaction() as uow:
            conversation = await uow.conversations.of(who.person.id)
            if conversation is not None and conversation.kind == ConversationKind.PAYMENT_CHECK_AMOUNT:
                await uow.conversations.end(who.person.id)

    def _still_open(self, check: CheckRow) -> None:
        if check.status != rules.PENDING:
            raise ServiceError(
                "already_done",
                N_("This check was already recorded by {name}."),
                name=check.checked_by_name or "-",
            )

    async def _record(
        self,
        uow: UnitOfWork,
        who: Identity,
        check: CheckRow,
        choice: CheckAnswer,
        amount: int | None,
        now: dt.datetime,
        pressed: tuple[int, int] | None = None,
    ) -> Recorded:
        if choice == CheckAnswer.UNREACHABLE:  # the last call allowed: counted with the others
            await uow.payment_checks.record_attempt(check.id, check.attempts, who.person.id, now)
        if not await uow.payment_checks.answer(check.id, choice.value, amount, who.person.id, now):
            fresh = await uow.payment_checks.by_id(check.id)
            raise ServiceError(
                "already_done",
                N_("This check was already recorded by {name}."),
                name=(fresh.checked_by_name if fresh else None) or "-",
            )
        await uow.audit.record(
            self.event(who, "client", check.client_id, "payment_check", to=choice.value, reason=check.proposal_code)
        )
        mismatch = rules.is_mismatch(choice)
        if mismatch:
            ticket = await self.complaints.open_case(
                uow,
                # Not an accusation: a failed transfer looks the same to the client as money kept back.
                category=ComplaintCategory.NOT_RECEIVED,
                description=rules.description_of(check.id),
                proposal_id=check.proposal_id,
                ipwl_id=check.ipwl_id,
                source="payment_check",
            )
            await uow.payment_checks.set_ticket(check.id, ticket)
            for head in await uow.staff.holding(Role.HEAD):
                await uow.outbox.enqueue(
                    dedupe_key=f"payment_mismatch:{check.id}:{head.id}",
                    chat_id=head.telegram_user_id,
                    kind=NotificationKind.PAYMENT_MISMATCH,
                    now=now,
                    person_id=head.id,
                    params={"check_id": check.id},
                )
        recorded = await uow.payment_checks.by_id(check.id)
        assert recorded is not None
        await self._update_copies(uow, recorded, now, tag=recorded.status, pressed=pressed)
        return Recorded(recorded, mismatch)

    async def coverage(self, who: Identity) -> list[IpwlCoverage]:
        """``/laporan``: per IPWL, how many paid clients were checked and how many did not match."""
        if not any(who.actor.has_role(r) for r in (Role.ADMIN, Role.HEAD, Role.AUDITOR)):
            raise ServiceError("role_required", N_("Only the centre's admins, its head and auditors can see this."))
        async with self.storage.reading() as uow:
            return await uow.payment_checks.coverage()

    async def pending_for_team(self, uow: UnitOfWork, team_id: int) -> int:
        return await uow.payment_checks.pending_of_team(team_id)

    async def draw_record(self, proposal_id: int) -> DrawRow | None:
        async with self.storage.reading() as uow:
            return await uow.payment_checks.draw_of(proposal_id)
