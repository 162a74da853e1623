"""Double assistance decided by a person (issue 16.1): "not the same person" or "the same person",
who, when, why.

A client held by a hard conflict (the same NIK already in an SK or paid this budget year at
another IPWL) stays out of the SK annex and the transfers until a PIC of its IPWL's team or the
head of centre records an adjudication: the button on the client in Detail (or under the SK
annex, for the head) asks for the reason, typed in the private chat; it is recorded on both sides
of every open pair of the client, audited, both teams' cards are redrawn, and a decreed
proposal's annex goes again to the head who issued the SK, with the client back in it. A soft
conflict (the other still under review) may be decided the same way, so it stops warning.

Or the check finds the *same person* (🟰 under the prompt, held or only warned, before or after
the SK): recorded the same way (who, when, why; both sides; audited), but one client stays held for
good — out of the SK annex, the transfers and the pagu committed: the one already held by the pair,
or, where neither was (both still under review), the client decided on — both teams' cards say so
with codes only, and the held client's operators are told privately what to do (before the SK the
client just stays out of its annex; after it, an SK perubahan, a button once decreed).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

from bot.domain.client_changes import CHANGEABLE
from bot.domain.double_assistance import NikConflict, names_a_nik
from bot.domain.kinds import ConversationKind, NotificationKind
from bot.domain.models import Client, Proposal, Role
from bot.domain.validation import Problem, ValidationError, parse_free_text
from bot.i18n import N_
from bot.services.base import Identity, ServiceError, StaleButton
from bot.services.reviews import StaffService
from storage.unit import UnitOfWork


@dataclass(frozen=True)
class Adjudication:
    """One client's double-assistance conflicts, as the person deciding sees them (private chat)."""

    client: Client
    proposal: Proposal
    conflicts: list[NikConflict]
    decided_now: list[NikConflict] = field(default_factory=list)  # filled once recorded (empty: decided before)
    same_person: bool = False  # the outcome being recorded: double assistance confirmed

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


@dataclass(frozen=True)
class SamePerson:
    """A client decided the same person as another IPWL's, for their own operators (private)."""

    client: Client
    proposal: Proposal
    decision: NikConflict
    changeable: bool  # the proposal is decreed: /perubahan can remove the client now


class DoubleAssistanceService(StaffService):
    """The adjudication of a double-assistance conflict by a PIC of the IPWL's team or the head."""

    async def start(self, who: Identity, client_id: int, *, same_person: bool = False) -> Adjudication:
        """The button on the client: check the presser may decide, then ask for the reason ("not the
        same person"; or, ``same_person``, how double assistance was confirmed). Both outcomes may be
        recorded on any open pair, held (hard) or warned (soft), before or after the SK."""
        async with self.unit(who) as uow:
            found = await self._load(uow, who, client_id)
            if not found.open:
                raise self._already(found)
            await uow.conversations.start(
                who.person.id,
                ConversationKind.NIK_ADJUDICATION,
                client_id,
                self.clock.now(),
                {"same_person": same_person},
            )
            return replace(found, same_person=same_person)

    async def decide(self, who: Identity, text: str) -> Adjudication:
        """The reason typed: record "not the same person" on every open pair of the client (both
        sides), audit it, redraw both cards and send the annex again where the client was held."""
        reason = parse_free_text(text, field="reason", min_length=10, max_length=500)
        if names_a_nik(reason):
            raise ValidationError(
                Problem(
                    N_(
                        "Nothing was recorded: the reason holds a 16-digit number (a NIK or KK number), and the "
                        "reason is kept in the audit trail, which must not carry a client's identity numbers. "
                        "Type it again without the number: say what you checked and what differs, e.g. "
                        "“different birth date and mother's name, checked with Dukcapil”."
                    ),
                    field="reason",
                )
            )
        now = self.clock.now()
        async with self.unit(who) as uow:
            conversation = await uow.conversations.of(who.person.id)  # (its state says which outcome)
            if conversation is None or conversation.kind != ConversationKind.NIK_ADJUDICATION:
                raise StaleButton()
            client_id = conversation.entity_id
            if client_id is None:
                raise StaleButton()
            await uow.nik_conflicts.lock_client(client_id)
            before = await self._load(uow, who, client_id)
            if not before.open:
                # Someone decided first (a colleague, a second tap): the conversation ends, nothing
                # more is recorded, and the answer says who decided and when.
                await uow.conversations.end(who.person.id)
                return before
            if conversation.state.get("same_person"):
                return await self._same_person(uow, who, before, reason, now)
            others = await uow.nik_conflicts.adjudicate(before.client.id, who.person.id, reason, now)
            freed = await self._held_before(uow, before, others)
            await self._record_outcome(uow, who, before, reason, now, outcome="cleared", freed=freed)
            released = {before.client.id} if before.held else set()
            released |= freed
            await self.holds_lifted(uow, released, now, decided=True)
            await uow.conversations.end(who.person.id)
            after = await uow.nik_conflicts.of_clients([before.client.id])
            decided = [c for c in after if c.other_client_id in set(others)]
            return Adjudication(before.client, before.proposal, after, decided)

    async def _same_person(
        self, uow: UnitOfWork, who: Identity, before: Adjudication, reason: str, now: dt.datetime
    ) -> Adjudication:
        """Double assistance confirmed: recorded on both sides, audited; the client stays held (out
        of the SK annex and the transfers) for good; both teams' cards say so (codes only); the
        client's operators are asked to remove them by an SK perubahan."""
        others = await uow.nik_conflicts.adjudicate(before.client.id, who.person.id, reason, now, same_person=True)
        await self._record_outcome(uow, who, before, reason, now, outcome="same_person")
        # Who is kept out: the client decided on, unless the other side was already held by the pair
        # (then that one stays held, and this one assisted). Their own operators are told.
        for held_id in sorted(await uow.nik_conflicts.confirmed([before.client.id, *others])):
            held_client = await uow.clients.by_id(held_id)
            if held_client is None:
                continue
            proposal = await self.proposal(uow, held_client.proposal_id)
            await self.notify(
                uow,
                await self.operators(uow, proposal),
                NotificationKind.NIK_SAME_PERSON,
                f"client:{held_id}:same_person",
                {"client_id": held_id},
                now,
            )
        await uow.conversations.end(who.person.id)
        after = await uow.nik_conflicts.of_clients([before.client.id])
        decided = [c for c in after if c.other_client_id in set(others)]
        return Adjudication(before.client, before.proposal, after, decided, same_person=True)

    async def same_person(self, client_id: int) -> SamePerson | None:
        """For the operators' notice: their client decided the same person, and whether /perubahan
        may be asked now (after the SK)."""
        async with self.storage.reading() as uow:
            client = await uow.clients.by_id(client_id)
            if client is None:
                return None
            proposal = await uow.proposals.by_id(client.proposal_id)
            decided = [c for c in await uow.nik_conflicts.of_clients([client_id]) if c.same_person]
            if proposal is None or not decided:
                return None
            return SamePerson(client, proposal, decided[0], proposal.status in CHANGEABLE)

    # --- internals --------------------------------------------------------------------------------

    async def _record_outcome(
        self,
        uow: UnitOfWork,
        who: Identity,
        before: Adjudication,
        reason: str,
        now: dt.datetime,
        *,
        outcome: str,
        freed: frozenset[int] | set[int] = frozenset(),
    ) -> None:
        """The decision audited on the client and on each other IPWL's client of the pairs (with
        codes only), and both teams' cards redrawn. ``freed``: the other clients the pair held
        (their audit says ``held``, the others' ``warned``)."""
        codes = ", ".join(f"{c.other_proposal_code} ({c.other_ipwl_code})" for c in before.open)
        await uow.audit.record(
            self.event(
                who,
                "client",
                before.client.id,
                "adjudicate_nik",
                frm="held" if before.held else "warned",
                to=outcome,
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
                    to=outcome,
                    reason=f"{conflict.other_proposal_code} vs {before.proposal.code}: {reason}",
                )
            )
        why = ":adj" if outcome == "cleared" else ":same"
        for proposal_id in sorted({before.proposal.id, *(c.other_proposal_id for c in before.open)}):
            proposal = await self.proposal(uow, proposal_id)
            await self.card_changed(uow, proposal, now, why=f"{why}{before.client.id}@{now.isoformat()}")

    async def _load(self, uow: UnitOfWork, who: Identity, client_id: int) -> Adjudication:
        client = await uow.clients.by_id(client_id)
        if client is None:
            raise StaleButton()
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
                N_("Already decided by {name} on {when}: the same person (double assistance confirmed).")
                if last.same_person
                else N_("Already decided by {name} on {when}: not the same person."),
                name=last.adjudicated_by_name or "?",
                when=last.adjudicated_at,
            )
        return ServiceError(
            "nothing_to_decide",
            N_(
                "Nothing to decide: this client is not held or warned (any more). The same NIK is no longer "
                "found at another IPWL (a NIK was corrected, or the other proposal left the year). Open 🔎 "
                "Detail again to see the client as they are now."
            ),
        )

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
