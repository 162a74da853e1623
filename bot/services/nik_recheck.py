"""The double-assistance re-check (issue 16.1), run inside the transaction of a step that matters:
the submission, verification, validation, the SK and the payment.

Every client of the proposal is compared, by the NIK's blind index, with every other IPWL's client
holding the same NIK; :func:`bot.domain.double_assistance.classify` says what each pair means
from each side, and the pairs are recorded (``nik_conflicts``) on both sides. A pair already
adjudicated is left as decided. What changed is returned, so the caller audits it and redraws the
cards of both proposals (both PIC teams see it, each with the other side's codes only).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from bot.domain.double_assistance import ConflictKind, Counterpart, budget_year_of, classify
from bot.domain.models import Client, Proposal
from storage.unit import UnitOfWork


@dataclass(frozen=True)
class Found:
    """A pair recorded or changed now, from ``client``'s side."""

    client_id: int
    proposal_code: str
    other: Counterpart
    kind: ConflictKind


@dataclass
class Recheck:
    found: list[Found] = field(default_factory=list)
    proposals: set[int] = field(default_factory=set)  # every proposal whose own clients' pairs changed
    # Clients held before this re-check and free after it without anyone deciding (a NIK corrected
    # here or at the other IPWL, the other withdrawn or off its list): told like an adjudication.
    released: set[int] = field(default_factory=set)


def budget_year(proposal: Proposal, now: dt.datetime) -> int:
    """The budget year a proposal's clients are assisted in: its period's (calendar) year."""
    if proposal.period_year:
        return proposal.period_year
    return proposal.created_at.year if proposal.created_at else now.year


async def lock_niks(uow: UnitOfWork, niks: Iterable[tuple[int, str]]) -> None:
    """Take the per-NIK locks (budget year, NIK) of a whole step at once, in the one global order
    every path uses — by year, then NIK, as the intake and the submission sort theirs. A step that
    takes several proposals' NIKs (an SK, an SK perubahan) must take them all here, up front: taken
    proposal by proposal, two SKs sharing two NIKs in opposite orders (PostgreSQL advisory locks)
    would each hold one and wait for the other — a deadlock. A lock held already is taken again at
    no cost (the same transaction), so the per-proposal re-checks that follow change nothing."""
    for year, nik in sorted(set(niks)):
        await uow.clients.lock_nik(nik, year)


async def proposal_niks(uow: UnitOfWork, proposal: Proposal, now: dt.datetime) -> list[tuple[int, str]]:
    """(budget year, NIK) of every client of the proposal: what its re-check locks."""
    year = budget_year(proposal, now)
    return [(year, c.nik) for c in await uow.clients.of_proposal(proposal.id)]


async def recheck(uow: UnitOfWork, proposal: Proposal, stage: str, now: dt.datetime) -> Recheck:
    """Re-classify every same-NIK pair of the proposal's clients, both sides, and record it."""
    year = budget_year(proposal, now)
    result = Recheck()
    clients = [c for c in await uow.clients.of_proposal(proposal.id)]
    # One lock per NIK and year, in one order everywhere (as the intake's check): two re-checks of
    # the same person at two IPWL (PostgreSQL) see each other's result instead of crossing.
    await lock_niks(uow, [(year, c.nik) for c in clients])
    involved = await _involved(uow, [c.id for c in clients])
    held_before = await uow.nik_conflicts.held(involved)
    for client in clients:
        await _one(uow, proposal, client, year, stage, now, result)
    result.released = held_before - await uow.nik_conflicts.held(involved)
    return result


async def _involved(uow: UnitOfWork, client_ids: list[int]) -> set[int]:
    """The clients whose hold this re-check may change: the proposal's and every one recorded
    against them (the pairs are kept on both sides)."""
    recorded = await uow.nik_conflicts.of_clients(client_ids)
    return {*client_ids, *(c.other_client_id for c in recorded)}


async def _one(
    uow: UnitOfWork, proposal: Proposal, client: Client, year: int, stage: str, now: dt.datetime, result: Recheck
) -> None:
    recorded = {c.other_client_id: c for c in await uow.nik_conflicts.of_clients([client.id])}
    others = await uow.nik_conflicts.counterparts(client.id)
    current = {o.client_id for o in others}
    # A client of ours who left the list by an SK perubahan is out of the annex and the transfers
    # already: nothing of theirs is held (or warned) any more. How the *other* side sees them is
    # classify's (paid this year: still hard there — paid is paid).
    gone_from_list = await uow.client_changes.has_left(client.id)
    # Our side first: whether this client is held now decides how the other side sees it.
    for other in others:
        kind = None if gone_from_list else classify(other, year)
        if kind is None:
            if await uow.nik_conflicts.drop(client.id, other.client_id):
                result.proposals.add(proposal.id)
            continue
        if await uow.nik_conflicts.put(client.id, other.client_id, kind, stage, now):
            result.found.append(Found(client.id, proposal.code, other, kind))
            result.proposals.add(proposal.id)
    for other_id, gone in recorded.items():  # no longer the same NIK (corrected, erased): both sides
        if other_id in current:
            continue
        if await uow.nik_conflicts.drop(client.id, other_id):
            result.proposals.add(proposal.id)
        if await uow.nik_conflicts.drop(other_id, client.id):
            result.proposals.add(gone.other_proposal_id)
    # The other side's view of this client.
    for other in others:
        theirs = await uow.nik_conflicts.counterparts(other.client_id)
        mine = next((x for x in theirs if x.client_id == client.id), None)
        if mine is None:
            continue
        # (the other client left their own list: nothing of theirs is held or warned, as above)
        kind = None if other.left else classify(mine, budget_year_of(other) or year)
        if kind is None:
            if await uow.nik_conflicts.drop(other.client_id, client.id):
                result.proposals.add(other.proposal_id)
        elif await uow.nik_conflicts.put(other.client_id, client.id, kind, stage, now):
            result.proposals.add(other.proposal_id)
