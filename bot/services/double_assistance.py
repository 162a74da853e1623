"""Double assistance decided by a person (issue 16.1): "not the same person", who, when, why.

A client held by a hard conflict (the same NIK already in an SK or paid this budget year at
another IPWL) stays out of the SK annex and the transfers until a PIC of its IPWL's team or the
head of centre records an adjudication: the button on the client in Detail (or under the SK
annex, for the head) asks for the reason, typed in the private chat; it is recorded on both sides
of every open pair of the client, audited, both teams' cards are redrawn, and a decreed
proposal's annex goes again to the head who issued the SK, with the client back in it. A soft
conflict (the other still under review) may be decided the same way, so it stops warning.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from bot.domain.double_assistance import DECREED_STATUSES, NikConflict
from bot.domain.kinds import ConversationKind, NotificationKind
from bot.domain.models import BankAccountStatus, Client, Proposal, ProposalStatus, Role
from bot.domain.validation import parse_free_text
from bot.i18n import N_
from bot.services.base import Identity, ServiceError
from bot.services.reviews import StaffService
from storage.unit import UnitOfWork

_STALE = N_("This button is no longer valid.")


@dataclass(frozen=True)
class Adjudication:
    """One client's double-assistance conflicts, as the person deciding sees them (private chat)."""

    client: Client
    proposal: Proposal
    conflicts: list[NikConflict]
    decided_now: list[NikConflict] = field(default_factory=list)  # filled once recorded (empty: decided before)

    @property
    def open(self) -> list[NikConflict]:
        return [c for c in self.conflicts if not c.adjudicated]

    @property
    def held(self) -> bool:
        return any(c.holds for c in self.conflicts)

    @property
    def earlier(self) -> NikConflict | None:
        """The latest decision taken before this one (when someone else was faster)."""
        decided = [c for c in self.conflicts if c.adjudicated_at is not None]
        return max(decided, key=lambda c: c.adjudicated_at or c.found_at) if decided else None


class DoubleAssistanceService(StaffService):
    """The adjudication of a double-assistance conflict by a PIC of the IPWL's team or the head."""

    async def start(self, who: Identity, client_id: int) -> Adjudication:
        """The button on the client: check the presser may decide, then ask for the reason."""
        async with self.unit(who) as uow:
            found = await self._load(uow, who, client_id)
            if not found.open:
                raise self._already(found)
            await uow.conversations.start(
                who.person.id, ConversationKind.NIK_ADJUDICATION, client_id, self.clock.now(), {}
            )
            return found

    async def decide(self, who: Identity, text: str) -> Adjudication:
        """The reason typed: record "not the same person" on every open pair of the client (both
        sides), audit it, redraw both cards and send the annex again where the client was held."""
        reason = parse_free_text(text, field="reason", min_length=10, max_length=500)
        now = self.clock.now()
        async with self.unit(who) as uow:
            client_id = await uow.conversations.about(who.person.id, ConversationKind.NIK_ADJUDICATION)
            if client_id is None:
                raise ServiceError("stale", _STALE)
            await uow.nik_conflicts.lock_client(client_id)
            before = await self._load(uow, who, client_id)
            if not before.open:
                # Someone decided first (a colleague, a second tap): the conversation ends, nothing
                # more is recorded, and the answer says who decided and when.
                await uow.conversations.end(who.person.id)
                return before
            others = await uow.nik_conflicts.adjudicate(before.client.id, who.person.id, reason, now)
            freed = await self._held_before(uow, before, others)
            codes = ", ".join(f"{c.other_proposal_code} ({c.other_ipwl_code})" for c in before.open)
            await uow.audit.record(
                self.event(
                    who,
                    "client",
                    before.client.id,
                    "adjudicate_nik",
                    frm="held" if before.held else "warned",
                    to="cleared",
                    reason=f"{before.proposal.code} vs {codes}: {reason}",
                )
            )
            for conflict in before.open:
                await uow.audit.record(
                    self.event(
                        who,
                        "client",
                        conflict.other_client_id,
                        "adjudicate_nik",
                        frm="held" if conflict.other_client_id in freed else "warned",
                        to="cleared",
                        reason=f"{conflict.other_proposal_code} vs {before.proposal.code}: {reason}",
                    )
                )
            touched = {before.proposal.id, *(c.other_proposal_id for c in before.open)}
            for proposal_id in sorted(touched):
                proposal = await self.proposal(uow, proposal_id)
                await self.card_changed(uow, proposal, now, why=f":adj{before.client.id}@{now.isoformat()}")
            released = {before.client.id} if before.held else set()
            released |= freed
            await self._annex_again(uow, released, now)
            await self._ask_accounts(uow, released, now)
            await uow.conversations.end(who.person.id)
            after = await uow.nik_conflicts.of_clients([before.client.id])
            decided = [c for c in after if c.other_client_id in set(others)]
            return Adjudication(before.client, before.proposal, after, decided)

    # --- internals --------------------------------------------------------------------------------

    async def _load(self, uow: UnitOfWork, who: Identity, client_id: int) -> Adjudication:
        client = await uow.clients.by_id(client_id)
        if client is None:
            raise ServiceError("stale", _STALE)
        proposal = await self.proposal(uow, client.proposal_id)
        self._may_decide(who, proposal)
        return Adjudication(client, proposal, await uow.nik_conflicts.of_clients([client.id]))

    def _may_decide(self, who: Identity, proposal: Proposal) -> None:
        """A PIC of the IPWL's own team, or the head; never someone who also operates the IPWL."""
        allowed = who.actor.in_team(proposal.team_id) or who.actor.has_role(Role.HEAD)
        if not allowed:
            raise self.denied(
                ServiceError(
                    "not_your_team",
                    N_("Only the PIC team of this IPWL or the head of centre can decide on double assistance."),
                ),
                "proposal",
                proposal.code,
                "adjudicate_nik: out_of_scope",
            )
        if who.actor.operates(proposal.ipwl_id):
            raise self.denied(
                ServiceError(
                    "own_ipwl",
                    N_("You are an operator of this proposal's IPWL, so a colleague must decide on it."),
                ),
                "proposal",
                proposal.code,
                "adjudicate_nik: own_ipwl",
            )

    @staticmethod
    def _already(found: Adjudication) -> ServiceError:
        decided = [c for c in found.conflicts if c.adjudicated]
        if decided:
            last = max(decided, key=lambda c: c.adjudicated_at or dt.datetime.min.replace(tzinfo=dt.UTC))
            return ServiceError(
                "already_decided",
                N_("Already decided by {name} on {when}: not the same person."),
                name=last.adjudicated_by_name or "?",
                when=last.adjudicated_at,
            )
        return ServiceError("nothing_to_decide", N_("This client has no double-assistance conflict to decide."))

    async def _held_before(self, uow: UnitOfWork, before: Adjudication, others: list[int]) -> set[int]:
        """Which of the other clients were held by a pair with this client only (and are free now)."""
        still = await uow.nik_conflicts.held(others)
        freed: set[int] = set()
        for conflict in before.open:
            # The other side's row was hard (it held that client) if that client is free now but
            # its own view of this pair said hard.
            theirs = [
                c
                for c in await uow.nik_conflicts.of_clients([conflict.other_client_id])
                if c.other_client_id == before.client.id
            ]
            if theirs and theirs[0].kind.value == "hard" and conflict.other_client_id not in still:
                freed.add(conflict.other_client_id)
        return freed

    async def _ask_accounts(self, uow: UnitOfWork, released: set[int], now: dt.datetime) -> None:
        """A client freed after the SK was skipped by the bank-account step while held: their IPWL's
        operators are now asked for that client's account (once per decision)."""
        asking = (ProposalStatus.DECREED, ProposalStatus.ACCOUNTS_SUBMITTED, ProposalStatus.ACCOUNTS_VERIFIED)
        for client_id in sorted(released):
            client = await uow.clients.by_id(client_id)
            if client is None or await uow.client_changes.has_left(client_id):
                continue
            proposal = await self.proposal(uow, client.proposal_id)
            account = await uow.bank_accounts.by_client(client_id)
            filled = account is not None and account.status in (BankAccountStatus.SUBMITTED, BankAccountStatus.VERIFIED)
            if proposal.status not in asking or filled:
                continue
            await self.notify(
                uow,
                await self.operators(uow, proposal),
                NotificationKind.ACCOUNT_CLEARED,
                f"client:{client_id}:account_cleared@{now.isoformat()}",
                {"proposal_id": proposal.id, "client_id": client_id},
                now,
            )

    async def _annex_again(self, uow: UnitOfWork, released: set[int], now: dt.datetime) -> None:
        """A client freed in a decreed proposal is back in its SK annex: the head who issued the SK
        gets the annex again (one per decision)."""
        for client_id in sorted(released):
            client = await uow.clients.by_id(client_id)
            if client is None:
                continue
            proposal = await self.proposal(uow, client.proposal_id)
            if proposal.status not in DECREED_STATUSES:
                continue
            decree = await uow.decrees.of_proposal(proposal.id)
            issuer = await uow.people.by_id(decree.issued_by) if decree else None
            if decree is None or issuer is None:
                continue
            await uow.outbox.enqueue(
                dedupe_key=f"decree:{decree.id}:annex:adj{client_id}@{now.isoformat()}",
                chat_id=issuer.telegram_user_id,
                kind=NotificationKind.SK_ANNEX,
                params={"decree_id": decree.id},
                now=now,
                person_id=issuer.id,
            )
