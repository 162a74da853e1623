"""Test data builders shared by service and scenario tests."""

from __future__ import annotations

import datetime as dt

from bot.files.ipwl_csv import parse_ipwl_csv
from bot.services import Identity, Services

# A small registry: two PIC teams, IPWL in Jawa Barat (WIB), Sulawesi Selatan (WITA), Papua (WIT).
IPWL_CSV = (
    "code,name,province_code,regency,address,pks_number,pks_valid_from,pks_valid_until,team\n"
    "JB01,Yayasan Harapan Bogor,32,Kabupaten Bogor,Jl. Raya Cibinong 1,PKS-001/2026,2026-01-01,2027-12-31,TIM1\n"
    "JB02,Rumah Pulih Bandung,32,Kota Bandung,Jl. Asia Afrika 2,PKS-002/2026,2026-01-01,2027-12-31,TIM1\n"
    "SS01,Lembaga Sehati Makassar,73,Kota Makassar,Jl. Somba Opu 3,PKS-003/2026,2026-01-01,2027-12-31,TIM2\n"
    "PA01,Yayasan Fajar Jayapura,91,Kota Jayapura,Jl. Ahmad Yani 4,PKS-004/2026,2026-01-01,2027-12-31,TIM2\n"
)


async def seed_registry(services: Services) -> None:
    await services.onboarding.create_team("TIM1", "Tim PIC 1")
    await services.onboarding.create_team("TIM2", "Tim PIC 2")
    rows = parse_ipwl_csv(IPWL_CSV.encode(), today=services.clock.now().date())
    await services.onboarding.import_ipwl(rows)


async def person(services: Services, telegram_user_id: int, name: str) -> Identity:
    return await services.onboarding.identify(telegram_user_id, name, private_chat=True, language="id")


async def enrol(services: Services, telegram_user_id: int, name: str, role, **scope: str) -> Identity:
    """Invite and redeem in one go: the person ends up holding the role."""
    invite = await services.onboarding.create_invite(role, ipwl_code=scope.get("ipwl"), team_code=scope.get("team"))
    who = await person(services, telegram_user_id, name)
    await services.onboarding.redeem_invite(who, invite.token)
    return await person(services, telegram_user_id, name)


def days(n: float) -> dt.timedelta:
    return dt.timedelta(days=n)
