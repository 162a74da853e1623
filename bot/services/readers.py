"""Who reads a message, and on which clock: the zone a person's times are shown in.

An operator reads their IPWL's zone (a Papuan operator's 16.05 WIT is Bogor's 14.05 WIB); the
centre's staff, the public and every group chat read the centre's zone. Computed here, in the
core, for a reply (``OnboardingService.identify``) and for a notification from the outbox alike.
"""

from __future__ import annotations

from bot.domain.models import Actor
from bot.domain.regions import reader_zone
from storage.unit import UnitOfWork


async def zone_of_reader(uow: UnitOfWork, actor: Actor, centre_zone: str) -> str:
    """The zone ``actor`` reads times in (their first IPWL's for an operator, else the centre's)."""
    provinces: list[str | None] = []
    if actor.operated_ipwl_ids:  # only operators cost a look-up
        ipwl = await uow.ipwl.by_id(actor.operated_ipwl_ids[0])
        provinces.append(ipwl.province_code if ipwl else None)
    return reader_zone(provinces, centre_zone)
