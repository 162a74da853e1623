"""Step b on the centre's side: the PIC team reviews a submitted proposal.

The team's group sees a card per proposal version (codes, counts, totals, flags — never personal
data) with buttons; every press is authorized again here (``workflow.authorize``) and applied with
a compare-and-set, so of two PIC pressing at once one wins and the other is told who did it and
when. Returning and rejecting ask for reasons in the presser's private chat; Detail shows the
clients there, with NIK masked.

:class:`StaffService` holds what the staff services (reviews, decrees, payments) share: the guard
that audits refused presses as "denied", the who-did-it answers and the notification helpers.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import AsyncIterator, Iterable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from bot.domain import workflow
from bot.domain.double_assistance import DECREED_STATUSES, NikConflict
from bot.domain.kinds import ConversationKind, NotificationKind
from bot.domain.models import (
    CLIENT_DETAILS,
    Action,
    Actor,
    Attachment,
    AuditEvent,
    BankAccountStatus,
    Client,
    Grant,
    Ipwl,
    Person,
    Proposal,
    ProposalStatus,
    ReturnReason,
    Role,
)
from bot.domain.records import StaffSummary
from bot.domain.validation import parse_free_text
from bot.domain.workflow import Transition, WorkflowError
from bot.i18n import N_
from bot.services.base import Identity, Service, ServiceError, StaleButton
from bot.services.nik_recheck import recheck
from storage.unit import UnitOfWork

# To the IPWL's operators at each step of the review ("you will be notified when anything changes").
_TOLD_OPERATORS = frozenset({Action.VERIFY, Action.VALIDATE})

# What a PIC does from the group card; return and reject need reasons first.
CARD_ACTIONS = (Action.CLAIM, Action.RELEASE, Action.VERIFY, Action.VALIDATE, Action.RETURN, Action.REJECT)
DIRECT_ACTIONS = frozenset({Action.CLAIM, Action.RELEASE, Action.VERIFY, Action.VALIDATE})
DECISIONS = frozenset({Action.RETURN, Action.REJECT})
# Fields a reason can point at, besides whole clients (keys of the operator's field labels).
REASON_FIELDS = ("nik", "address", "budget", "assessment")
_LIFECYCLE = frozenset(a.value for a in Action)
# Refusals that mean "not yours to do": audited as "denied". Others are races or wrong timing.
_DENIED = frozenset({workflow.ROLE_REQUIRED, workflow.OUT_OF_SCOPE, workflow.FOUR_EYES, workflow.OWN_IPWL})
# What a resubmission compares of each client (found by NIK, so the NIK itself is not compared).
_SNAPSHOT_FIELDS = (*(f for f in CLIENT_DETAILS if f != "nik"), "budget")

# "Someone else was faster": what the latest change was, said to the one who came second.
_DONE_BY: Mapping[str, str] = {
    Action.CLAIM.value: N_("{name} took this proposal for checking on {when}."),
    Action.RELEASE.value: N_("{name} released this proposal on {when}; take it first."),
    Action.VERIFY.value: N_("{name} already verified this proposal on {when}."),
    Action.VALIDATE.value: N_("{name} already validated this proposal on {when}."),
    Action.RETURN.value: N_("{name} already returned this proposal on {when}."),
    Action.REJECT.value: N_("{name} already rejected this proposal on {when}."),
    Action.ISSUE_SK.value: N_("{name} already issued the SK for this proposal on {when}."),
    Action.RESUBMIT.value: N_("The operator sent a new version on {when}; look at the new card."),
    Action.WITHDRAW.value: N_("The operator withdrew this proposal on {when}."),
    Action.RETURN_ON_WITHDRAWAL.value: N_(
        "A client of this proposal withdrew their consent on {when}: the client was removed and the "
        "proposal went back to the IPWL."
    ),
}


# ------------------------------------------------------------------------------- shared records


@dataclass(frozen=True)
class Stamp:
    """The latest change of a proposal: what, by whom, when."""

    action: str
    name: str | None
    at: dt.datetime


@dataclass(frozen=True)
class Card:
    """What the team's group card shows: codes, counts, totals and flags — no personal data."""

    proposal: Proposal
    summary: StaffSummary
    attachments: int
    stamp: Stamp | None
    actions: tuple[Action, ...]
    # Double assistance found by the re-checks (issue 16.1): the other side's codes only.
    conflicts: tuple[NikConflict, ...] = ()
    # After the SK: clients taken off the list by an SK perubahan, their budget, and its number(s).
    left: int = 0
    left_total: int = 0
    amendments: tuple[str, ...] = ()


@dataclass(frozen=True)
class ClientChange:
    name: str
    fields: tuple[str, ...]


@dataclass(frozen=True)
class VersionChanges:
    """What changed from the previous submitted version (clients matched by NIK)."""

    previous: int
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    changed: tuple[ClientChange, ...] = ()
    period: bool = False
    erased: int = 0  # removed clients whose data was erased (a withdrawal of consent): no name left

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed or self.period or self.erased)


@dataclass(frozen=True)
class Detail:
    """A proposal in full, for an authorized staff member's private chat."""

    proposal: Proposal
    ipwl: Ipwl
    clients: list[Client]
    attachments: list[Attachment]
    changes: VersionChanges | None
    earlier_reasons: list[ReturnReason] = field(default_factory=list)
    conflicts: list[NikConflict] = field(default_factory=list)  # double assistance (issue 16.1)
    may_decide: bool = False  # the viewer may record "not the same person" (a PIC of the team, the head)

    @property
    def total(self) -> int:
        return sum(c.total for c in self.clients)

    def conflicts_of(self, client_id: int) -> list[NikConflict]:
        return [c for c in self.conflicts if c.client_id == client_id]


@dataclass(frozen=True)
class ReasonDraft:
    """Return or reject in progress: the clients and fields ticked, and the words typed."""

    proposal: Proposal
    action: Action
    clients: list[Client]
    picked_clients: frozenset[int]
    picked_fields: frozenset[str]
    text: str

    @property
    def ready(self) -> bool:
        return bool(self.text.strip())


# ------------------------------------------------------------------------------------ the guard


class _Denied(Exception):
    """Carries a refusal out of the transaction so it can be audited after the rollback."""

    def __init__(self, error: Exception, entity: str, entity_id: str, reason: str) -> None:
        super().__init__(reason)
        self.error, self.entity, self.entity_id, self.reason = error, entity, entity_id, reason


class StaffService(Service):
    """Base of the staff services: authorization with audit of refusals, notifications, cards."""

    @asynccontextmanager
    async def unit(self, who: Identity) -> AsyncIterator[UnitOfWork]:
        """One transaction; a press that was not the person's to make is audited as "denied"
        (in its own transaction, after the rollback) and then refused."""
        try:
            async with self.storage.transaction() as uow:
                yield uow
        except _Denied as denied:
            async with self.storage.transaction() as uow:
                await uow.audit.record(self.event(who, denied.entity, denied.entity_id, "denied", reason=denied.reason))
            raise denied.error from None

    @staticmethod
    def denied(error: Exception, entity: str, entity_id: object, reason: str) -> Exception:
        return _Denied(error, entity, str(entity_id), reason)

    async def authorize(
        self,
        uow: UnitOfWork,
        who: Identity,
        action: Action,
        proposal: Proposal,
        data: Mapping[str, object] | None = None,
        *,
        check_data: bool = True,
    ) -> Transition:
        """``workflow.authorize`` with the settings' four-eyes rule; refusals explained for people."""
        try:
            return workflow.authorize(
                action, proposal, who.actor, four_eyes=self.settings.workflow.four_eyes, data=data
            )
        except WorkflowError as error:
            if error.code == workflow.MISSING_DATA and not check_data:
                return workflow.transition_for(action, proposal.status)
            if error.code in _DENIED:
                raise _Denied(error, "proposal", proposal.code, f"{action.value}: {error.code}") from None
            raise await self.conflict(uow, proposal, error) from None

    async def conflict(self, uow: UnitOfWork, proposal: Proposal, error: WorkflowError | None = None) -> Exception:
        """Someone else changed the proposal first: say who and when (or why it cannot be done now)."""
        if error is not None and error.code == workflow.MISSING_DATA:
            return error
        stamp = await self.stamp(uow, proposal)
        fresh = await uow.proposals.by_id(proposal.id) or proposal
        if fresh.status == ProposalStatus.IN_REVIEW and fresh.claimed_by is not None:
            claimer = await uow.people.by_id(fresh.claimed_by)
            return ServiceError(
                "claimed_by_other",
                N_("{name} is already checking this proposal (since {when})."),
                name=claimer.full_name if claimer else "?",
                when=stamp.at if stamp else fresh.updated_at,
            )
        if (
            stamp is not None
            and stamp.action in _DONE_BY
            and (error is None or error.code != workflow.NOT_ALLOWED_IN_STATUS or stamp.action != Action.SUBMIT.value)
        ):
            return ServiceError("already_done", _DONE_BY[stamp.action], name=stamp.name or "?", when=stamp.at)
        # Name the step the proposal is at (the view adds who acts next).
        return ServiceError(
            "not_now",
            N_("This cannot be done now: proposal {code} is at the step “{status}”."),
            code=fresh.code,
            status=fresh.status,
        )

    async def stamp(self, uow: UnitOfWork, proposal: Proposal) -> Stamp | None:
        """The latest lifecycle change of the proposal, from its audit trail."""
        events = [e for e in await uow.audit.for_entity("proposal", proposal.code) if e.action in _LIFECYCLE]
        if not events:
            return None
        last = events[-1]
        person = await uow.people.by_id(last.actor_id) if last.actor_id else None
        return Stamp(last.action, person.full_name if person else None, last.at)

    async def proposal(self, uow: UnitOfWork, proposal_id: int) -> Proposal:
        proposal = await uow.proposals.by_id(proposal_id)
        if proposal is None:
            raise StaleButton()
        return proposal

    async def move(
        self,
        uow: UnitOfWork,
        who: Identity,
        proposal: Proposal,
        transition: Transition,
        now: dt.datetime,
        *,
        reason: str | None = None,
        **fields: object,
    ) -> Proposal:
        """Compare-and-set the status, audit it and refresh the group card; the loser is told who won."""
        if not await uow.proposals.move(proposal.id, frm=proposal.status, to=transition.target, now=now, **fields):
            raise await self.conflict(uow, proposal)
        await uow.audit.record(self.transition_event(who, proposal, transition, reason=reason))
        await self.card_changed(uow, proposal, now)
        return await self.proposal(uow, proposal.id)

    def transition_event(
        self, who: Identity, proposal: Proposal, transition: Transition, *, reason: str | None = None
    ) -> AuditEvent:
        """The audit row of ``proposal`` taking ``transition``: its action, the status it leaves and
        the one it enters (the row the card's "X did this at T" and the history are read from)."""
        return self.event(
            who,
            "proposal",
            proposal.code,
            transition.action.value,
            frm=proposal.status.value,
            to=transition.target.value,
            reason=reason,
        )

    async def card_changed(self, uow: UnitOfWork, proposal: Proposal, now: dt.datetime, *, why: str = "") -> None:
        """Queue an in-place edit of the proposal's group card (rendered from the state at delivery);
        ``why`` names a change that is not in the proposal's own audit trail (a conflict found)."""
        group_chat = await self.team_group_chat(uow, proposal.team_id)
        if group_chat is None:
            return
        if why and proposal.id in uow.cards_queued:
            return  # (its edit, queued earlier in this transaction, will show this change too)
        uow.cards_queued.add(proposal.id)
        revision = await uow.group_cards.revision(proposal.code)
        await uow.outbox.enqueue(
            dedupe_key=f"proposal:{proposal.id}:card@{revision}{why}",
            chat_id=group_chat,
            kind=NotificationKind.PROPOSAL_CARD_UPDATE,
            params={"proposal_id": proposal.id, "chat_id": group_chat},
            now=now,
        )

    async def recheck_nik(
        self, uow: UnitOfWork, who: Identity, proposal: Proposal, stage: str, now: dt.datetime, *, moved: bool = False
    ) -> None:
        """Double assistance re-checked at this step (issue 16.1): every new or changed conflict is
        audited on the client, and the cards of both proposals are redrawn (both teams see it).
        ``moved``: this proposal's card is already queued by the move (rendered after commit)."""
        result = await recheck(uow, proposal, stage, now)
        if moved:
            result.proposals.discard(proposal.id)
        for found in result.found:
            await uow.audit.record(
                self.event(
                    who,
                    "client",
                    found.client_id,
                    "nik_conflict",
                    to=found.kind.value,
                    reason=f"{found.other.proposal_code} ({found.other.ipwl_code}) @ {stage}",
                )
            )
        for client_id in sorted(result.released):
            await uow.audit.record(
                self.event(
                    who,
                    "client",
                    client_id,
                    "nik_conflict_lifted",
                    frm="held",
                    to="lifted",
                    reason=f"{proposal.code} @ {stage}",
                )
            )
        for proposal_id in sorted(result.proposals):
            changed = await uow.proposals.by_id(proposal_id)
            if changed is not None:
                await self.card_changed(uow, changed, now, why=f":nik@{now.isoformat()}")
        # A hold lifted without a decision (the NIK corrected here or at the other IPWL): the same
        # consequences as an adjudication — the annex again, the operators told (their account).
        await self.holds_lifted(uow, result.released, now, decided=False)

    async def holds_lifted(self, uow: UnitOfWork, released: Iterable[int], now: dt.datetime, *, decided: bool) -> None:
        """Clients no longer held (``decided``: by an adjudication; else the conflict went away, a
        NIK corrected): a decreed proposal's annex goes again to the head who issued the SK, and the
        IPWL's operators are told — asked for the client's account when the bank-account step
        skipped them while held, else told they are back in the SK annex and the transfers."""
        asking = (ProposalStatus.DECREED, ProposalStatus.ACCOUNTS_SUBMITTED, ProposalStatus.ACCOUNTS_VERIFIED)
        for client_id in sorted(set(released)):
            client = await uow.clients.by_id(client_id)
            if client is None or await uow.client_changes.has_left(client_id):
                continue
            proposal = await self.proposal(uow, client.proposal_id)
            if proposal.status in DECREED_STATUSES:
                decree = await uow.decrees.of_proposal(proposal.id)
                issuer = await uow.people.by_id(decree.issued_by) if decree else None
                if decree is not None and issuer is not None:
                    await uow.outbox.enqueue(
                        dedupe_key=f"decree:{decree.id}:annex:adj{client_id}@{now.isoformat()}",
                        chat_id=issuer.telegram_user_id,
                        kind=NotificationKind.SK_ANNEX,
                        params={"decree_id": decree.id},
                        now=now,
                        person_id=issuer.id,
                    )
            account = await uow.bank_accounts.by_client(client_id)
            filled = account is not None and account.status in (BankAccountStatus.SUBMITTED, BankAccountStatus.VERIFIED)
            params = {"proposal_id": proposal.id, "client_id": client_id, "decided": decided}
            if proposal.status in asking and not filled:
                kind, key = NotificationKind.ACCOUNT_CLEARED, "account_cleared"
            elif decided:
                continue  # (the adjudicator's own answer and the cards say it; nothing to ask)
            else:
                kind, key = NotificationKind.HOLD_LIFTED, "hold_lifted"
            await self.notify(
                uow,
                await self.operators(uow, proposal),
                kind,
                f"client:{client_id}:{key}@{now.isoformat()}",
                params,
                now,
            )

    async def tell_progress(
        self,
        uow: UnitOfWork,
        proposal: Proposal,
        action: Action,
        key: str,
        now: dt.datetime,
        *,
        version: int | None = None,
    ) -> None:
        """Tell the proposal's operators privately of a step taken on it: ``action`` at ``version``
        (the proposal's, unless an LPJ's), which the progress message names; ``key`` makes it once
        per step."""
        params = {
            "proposal_id": proposal.id,
            "action": action.value,
            "version": proposal.version if version is None else version,
        }
        operators = await self.operators(uow, proposal)
        await self.notify(uow, operators, NotificationKind.PROPOSAL_PROGRESS, f"{key}:operator", params, now)

    async def tell_paid(self, uow: UnitOfWork, proposal: Proposal, due: dt.date, now: dt.datetime) -> None:
        """Tell the proposal's operators privately that it is paid and its LPJ falls due on ``due``
        (once per proposal)."""
        params = {"proposal_id": proposal.id, "lpj_due_on": due.isoformat()}
        operators = await self.operators(uow, proposal)
        await self.notify(uow, operators, NotificationKind.PROPOSAL_PAID, f"proposal:{proposal.id}:paid", params, now)

    async def verifiers(self, uow: UnitOfWork, proposal: Proposal) -> list[Person]:
        """Who checks accounts: the IPWL's PIC team and finance."""
        team = await uow.staff.holding(Role.PIC, team_id=proposal.team_id) if proposal.team_id else []
        finance = await uow.staff.holding(Role.FINANCE)
        return list({p.id: p for p in [*team, *finance]}.values())

    async def accounts_to_verifiers(
        self, uow: UnitOfWork, proposal: Proposal, key: str, now: dt.datetime, *, again: bool
    ) -> None:
        """The verifiers' card of the proposal's bank accounts, privately to each; ``again``: after
        an account was sent back or one more came in (its buttons come back)."""
        params = {"proposal_id": proposal.id, "again": again}
        verifiers = await self.verifiers(uow, proposal)
        await self.notify(uow, verifiers, NotificationKind.ACCOUNTS_SUBMITTED, key, params, now)

    async def operators(self, uow: UnitOfWork, proposal: Proposal) -> list[Person]:
        return await uow.people.operators_of(proposal.ipwl_id)

    def require(self, who: Identity, role: Role, message: str, code: str) -> None:
        """Centre-wide roles (head, finance) for commands that have no proposal yet."""
        if not who.actor.has_role(role):
            raise ServiceError(code, message)


# ---------------------------------------------------------------------------------- the service


class ReviewService(StaffService):
    """What the PIC team does with submitted proposals."""

    def stored_copy(self, attachment: Attachment) -> bytes | None:
        """The centre's own copy of an attachment (when Telegram no longer has its file id, as on a
        restored server), or None when the store does not hold it either."""
        return self.files.read(attachment.stored_path or "")

    # --- the group card ---------------------------------------------------------------------------

    async def card(self, proposal_id: int) -> Card | None:
        """The card of a proposal as it stands now (None if it no longer exists)."""
        async with self.storage.reading() as uow:
            proposal = await uow.proposals.by_id(proposal_id)
            if proposal is None:
                return None
            summary = (await uow.staff.summaries(ProposalStatus, proposal_ids=[proposal_id]))[0]
            attachments = len([a for a in await uow.attachments.of_proposal(proposal_id) if a.supporting])
            stamp = await self.stamp(uow, proposal)
            conflicts = tuple(await uow.nik_conflicts.of_proposal(proposal_id))
            exits = await uow.client_changes.exits_of(proposal_id)
            left_total = (
                sum(c.total for c in await uow.clients.of_proposal(proposal_id) if c.id in exits) if exits else 0
            )
        # The buttons any PIC of the team could use now (the claimer, while it is claimed); each
        # press is authorized again for the person who makes it.
        team_pic = Actor(proposal.claimed_by or 0, frozenset({Grant(Role.PIC, team_id=proposal.team_id)}))
        allowed = workflow.allowed_actions(proposal, team_pic, four_eyes=False) if proposal.team_id else []
        return Card(
            proposal,
            summary,
            attachments,
            stamp,
            tuple(a for a in CARD_ACTIONS if a in allowed),
            conflicts,
            len(exits),
            left_total,
            tuple(sorted(set(exits.values()))),
        )

    async def card_sent(
        self, uow: UnitOfWork, proposal_id: int, chat_id: int, message_id: int, now: dt.datetime
    ) -> None:
        """Remember a new card (in the transaction that marks it sent); an older version's card
        is queued for an edit saying it was superseded."""
        proposal = await uow.proposals.by_id(proposal_id)
        if proposal is None:
            return
        previous = await uow.group_cards.get(proposal_id, chat_id)
        if previous is not None and previous.message_id != message_id and previous.version < proposal.version:
            await uow.outbox.enqueue(
                dedupe_key=f"proposal:{proposal_id}:v{previous.version}:superseded:{chat_id}",
                chat_id=chat_id,
                kind=NotificationKind.PROPOSAL_CARD_SUPERSEDED,
                now=now,
                params={
                    "proposal_id": proposal_id,
                    "message_id": previous.message_id,
                    "version": previous.version,
                    "current": proposal.version,
                },
            )
        await uow.group_cards.remember(proposal_id, chat_id, message_id, proposal.version)

    async def card_message(self, proposal_id: int, chat_id: int) -> tuple[int, int] | None:
        """(message id, version) of the proposal's current card in ``chat_id``, if it was sent."""
        async with self.storage.reading() as uow:
            card = await uow.group_cards.get(proposal_id, chat_id)
        return (card.message_id, card.version) if card else None

    # --- claim, release, verify, validate -----------------------------------------------------------

    async def act(self, who: Identity, proposal_id: int, action: Action) -> Proposal:
        """A one-press decision from the card. Refused presses are audited; a lost race says who won."""
        if action not in DIRECT_ACTIONS:
            raise StaleButton()
        now = self.clock.now()
        me = who.person.id
        columns: dict[Action, dict[str, int | None]] = {
            Action.CLAIM: {"claimed_by": me},
            Action.RELEASE: {"claimed_by": None},
            Action.VERIFY: {"verified_by": me},
            Action.VALIDATE: {"validated_by": me},
        }
        fields = columns[action]
        async with self.unit(who) as uow:
            proposal = await self.proposal(uow, proposal_id)
            transition = await self.authorize(uow, who, action, proposal)
            moved = await self.move(uow, who, proposal, transition, now, reason=None, **fields)  # a press has none
            if action in (Action.VERIFY, Action.VALIDATE):
                await self.recheck_nik(uow, who, moved, action.value, now, moved=True)
            if action == Action.VALIDATE:
                await self.notify(
                    uow,
                    await uow.staff.holding(Role.HEAD),
                    NotificationKind.PROPOSAL_AWAITING_SK,
                    f"proposal:{proposal.id}:v{proposal.version}:validated",
                    {"proposal_id": proposal.id},
                    now,
                )
            if action in _TOLD_OPERATORS:
                # The operator was promised news of every change: each step of the review is told.
                await self.tell_progress(
                    uow, proposal, action, f"proposal:{proposal.id}:v{proposal.version}:{action.value}", now
                )
            return moved

    # --- return and reject, with reasons --------------------------------------------------------------

    async def start_decision(self, who: Identity, proposal_id: int, action: Action) -> ReasonDraft:
        """Return/reject pressed: check it may be done, then ask for reasons in the private chat."""
        if action not in DECISIONS:
            raise StaleButton()
        now = self.clock.now()
        async with self.unit(who) as uow:
            proposal = await self.proposal(uow, proposal_id)
            await self.authorize(uow, who, action, proposal, check_data=False)
            state: dict[str, Any] = {"action": action.value, "clients": [], "fields": [], "text": ""}
            await uow.conversations.start(who.person.id, ConversationKind.REVIEW_REASON, proposal.id, now, state)
            return await self._draft(uow, proposal, state)

    async def toggle_reason(self, who: Identity, proposal_id: int, item: str) -> ReasonDraft:
        """Tick or untick a client (``c<id>``) or a field (``f<name>``) in the reasons checklist."""
        async with self.storage.transaction() as uow:
            proposal, state = await self._open_draft(uow, who, proposal_id)
            key, value = ("clients", int(item[1:])) if item[:1] == "c" and item[1:].isdigit() else ("fields", item[1:])
            if key == "fields" and value not in REASON_FIELDS:
                raise StaleButton()
            if key == "clients" and value not in {c.id for c in await uow.clients.of_proposal(proposal.id)}:
                raise StaleButton()
            picked = list(state[key])
            if value in picked:
                picked.remove(value)
            else:
                picked.append(value)
            state[key] = picked
            await uow.conversations.start(
                who.person.id, ConversationKind.REVIEW_REASON, proposal.id, self.clock.now(), state
            )
            return await self._draft(uow, proposal, state)

    async def reason_text(self, who: Identity, text: str) -> ReasonDraft:
        """The reason typed in the private chat (replaces any earlier text)."""
        reason = parse_free_text(text, field="reason", min_length=3, max_length=1000)
        async with self.storage.transaction() as uow:
            proposal_id = await uow.conversations.about(who.person.id, ConversationKind.REVIEW_REASON)
            if proposal_id is None:
                raise StaleButton()
            proposal, state = await self._open_draft(uow, who, proposal_id)
            state["text"] = reason
            await uow.conversations.start(
                who.person.id, ConversationKind.REVIEW_REASON, proposal.id, self.clock.now(), state
            )
            return await self._draft(uow, proposal, state)

    async def decide(self, who: Identity, proposal_id: int) -> Proposal:
        """Confirm the return/rejection: move, store the reasons, tell the operators at once."""
        now = self.clock.now()
        async with self.unit(who) as uow:
            proposal, state = await self._open_draft(uow, who, proposal_id)
            action = Action(state["action"])
            text = state["text"].strip()
            if not text:
                raise ServiceError("reason_needed", N_("Type the reason first (as a message here), then confirm."))
            transition = await self.authorize(uow, who, action, proposal, {"reason": text})
            moved = await self.move(uow, who, proposal, transition, now, reason=text[:500])
            stage = "proposal" if action == Action.RETURN else "rejected"
            clients = [int(c) for c in state["clients"]]
            fields: list[str | None] = [str(f) for f in state["fields"]] or [None]
            for client_id in clients:
                for name in fields:
                    await uow.proposals.add_return_reason(
                        proposal.id,
                        proposal.version,
                        stage,
                        text,
                        by=who.person.id,
                        now=now,
                        client_id=client_id,
                        field=name,
                    )
            if not clients:
                for name in fields:
                    await uow.proposals.add_return_reason(
                        proposal.id, proposal.version, stage, text, by=who.person.id, now=now, field=name
                    )
            await uow.conversations.end(who.person.id)
            kind = NotificationKind.PROPOSAL_RETURNED if action == Action.RETURN else NotificationKind.PROPOSAL_REJECTED
            await self.notify(
                uow,
                await self.operators(uow, proposal),
                kind,
                f"proposal:{proposal.id}:v{proposal.version}:{action.value}",
                {"proposal_id": proposal.id, "version": proposal.version},
                now,
            )
            return moved

    async def cancel_decision(self, who: Identity, proposal_id: int) -> Proposal:
        async with self.storage.transaction() as uow:
            proposal, _ = await self._open_draft(uow, who, proposal_id)
            await uow.conversations.end(who.person.id)
            return proposal

    async def reasons(self, proposal_id: int, version: int) -> tuple[Proposal, list[Client], list[ReturnReason]] | None:
        """The reasons given for one version (for the operator's notification)."""
        async with self.storage.reading() as uow:
            proposal = await uow.proposals.by_id(proposal_id)
            if proposal is None:
                return None
            return (
                proposal,
                await uow.clients.of_proposal(proposal_id),
                await uow.proposals.return_reasons(proposal_id, version),
            )

    async def _open_draft(self, uow: UnitOfWork, who: Identity, proposal_id: int) -> tuple[Proposal, dict[str, Any]]:
        conversation = await uow.conversations.of(who.person.id)
        if (
            conversation is None
            or conversation.kind != ConversationKind.REVIEW_REASON
            or conversation.entity_id != proposal_id
        ):
            raise ServiceError("no_reason_open", N_("This is no longer open. Press the button on the card again."))
        return await self.proposal(uow, proposal_id), dict(conversation.state)

    async def _draft(self, uow: UnitOfWork, proposal: Proposal, state: Mapping[str, Any]) -> ReasonDraft:
        return ReasonDraft(
            proposal,
            Action(state["action"]),
            await uow.clients.of_proposal(proposal.id),
            frozenset(int(c) for c in state["clients"]),
            frozenset(state["fields"]),
            state["text"],
        )

    # --- detail ---------------------------------------------------------------------------------------

    async def detail(self, who: Identity, proposal_id: int) -> Detail:
        """The full proposal for a member of its PIC team (or an admin); others are refused and audited."""
        async with self.unit(who) as uow:
            proposal = await self.proposal(uow, proposal_id)
            self._may_see(who, proposal)
            ipwl = await uow.ipwl.by_id(proposal.ipwl_id)
            assert ipwl is not None
            changes = None
            earlier: list[ReturnReason] = []
            if proposal.version > 1:
                old = await uow.proposals.version_snapshot(proposal.id, proposal.version - 1)
                new = await uow.proposals.version_snapshot(proposal.id, proposal.version)
                if old and new:
                    changes = compare_versions(json.loads(old), json.loads(new), proposal.version - 1)
                earlier = await uow.proposals.return_reasons(proposal.id, proposal.version - 1)
            # The signed consent forms stay with the IPWL's record (the admins export them on a
            # data request): the PIC team needs to know consent is there, not to hold signatures.
            # A change's evidence goes with that change, not with the proposal's documents.
            shown = [a for a in await uow.attachments.of_proposal(proposal.id) if a.supporting]
            conflicts = await uow.nik_conflicts.of_proposal(proposal.id)
            may_decide = (who.actor.in_team(proposal.team_id) or who.actor.has_role(Role.HEAD)) and not (
                who.actor.operates(proposal.ipwl_id)
            )
            return Detail(
                proposal,
                ipwl,
                await uow.clients.of_proposal(proposal.id),
                shown,
                changes,
                earlier,
                conflicts,
                may_decide,
            )

    async def detail_shown(self, who: Identity, proposal_id: int) -> None:
        """Record that the personal data of a proposal reached this person (processing log)."""
        async with self.storage.transaction() as uow:
            proposal = await self.proposal(uow, proposal_id)
            await uow.audit.record(self.event(who, "proposal", proposal.code, "view_detail"))

    async def reveal_nik(self, who: Identity, client_id: int) -> Client:
        """One client's full NIK, for an authorized person; every reveal is audited."""
        async with self.unit(who) as uow:
            client = await uow.clients.by_id(client_id)
            if client is None:
                raise StaleButton()
            proposal = await self.proposal(uow, client.proposal_id)
            self._may_see(who, proposal)
            await uow.audit.record(self.event(who, "client", client.id, "reveal_nik", reason=proposal.code))
            return client

    def _may_see(self, who: Identity, proposal: Proposal) -> None:
        if not (who.actor.in_team(proposal.team_id) or who.is_admin):
            raise self.denied(
                ServiceError("not_your_team", N_("Only the PIC team of this IPWL can open its proposals.")),
                "proposal",
                proposal.code,
                "detail: out_of_scope",
            )


def compare_versions(old: Mapping[str, Any], new: Mapping[str, Any], previous: int) -> VersionChanges:
    """The differences between two submitted snapshots; clients are matched by NIK."""
    before = {c["nik"]: c for c in old.get("clients", [])}
    after = {c["nik"]: c for c in new.get("clients", [])}
    changed = []
    for nik, client in after.items():
        if nik in before:
            fields = tuple(f for f in _SNAPSHOT_FIELDS if before[nik].get(f) != client.get(f))
            if fields:
                changed.append(ClientChange(client["full_name"], fields))
    gone = [c for nik, c in before.items() if nik not in after]
    return VersionChanges(
        previous=previous,
        added=tuple(c["full_name"] for nik, c in after.items() if nik not in before),
        removed=tuple(c["full_name"] for c in gone if c.get("full_name")),
        changed=tuple(changed),
        period=old.get("period") != new.get("period"),
        erased=sum(1 for c in gone if not c.get("full_name")),
    )
