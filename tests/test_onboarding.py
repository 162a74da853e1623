"""Invites, group binding and the IPWL registry import, at the service level (no Telegram)."""

from __future__ import annotations

import pytest

from bot.domain.models import Grant, Role
from bot.files.ipwl_csv import parse_ipwl_csv
from bot.files.problems import ImportRejected
from bot.services import ServiceError, Services
from tests.audit_events import audit_actions
from tests.helpers import IPWL_CSV, days, enrol, person


async def test_an_operator_invite_binds_the_person_to_the_ipwl(services: Services) -> None:
    invite = await services.onboarding.create_invite(Role.OPERATOR, ipwl_code="JB01")
    siti = await person(services, 1001, "Siti Rahayu")
    assert not siti.known

    redemption = await services.onboarding.redeem_invite(siti, invite.token)

    assert redemption.role == Role.OPERATOR and redemption.ipwl.code == "JB01"
    siti = await person(services, 1001, "Siti Rahayu")
    assert siti.actor.grants == frozenset({Grant(Role.OPERATOR, ipwl_id=redemption.ipwl.id)})
    assert "redeem_invite" in await audit_actions(services)


async def test_an_invite_is_single_use(services: Services) -> None:
    invite = await services.onboarding.create_invite(Role.PIC, team_code="TIM1")
    await services.onboarding.redeem_invite(await person(services, 2001, "Andi"), invite.token)
    with pytest.raises(ServiceError) as caught:
        await services.onboarding.redeem_invite(await person(services, 2002, "Budi"), invite.token)
    assert caught.value.code == "invite_used"
    budi = await person(services, 2002, "Budi")
    assert not budi.known


async def test_the_same_person_reusing_their_invite_is_told_it_is_active(services: Services) -> None:
    invite = await services.onboarding.create_invite(Role.HEAD)
    andi = await person(services, 2001, "Andi")
    await services.onboarding.redeem_invite(andi, invite.token)
    with pytest.raises(ServiceError) as caught:
        await services.onboarding.redeem_invite(andi, invite.token)
    assert caught.value.code == "invite_already_yours"


async def test_an_expired_invite_is_refused(services: Services, clock) -> None:
    invite = await services.onboarding.create_invite(Role.FINANCE)
    clock.advance(days(4))
    with pytest.raises(ServiceError) as caught:
        await services.onboarding.redeem_invite(await person(services, 3001, "Dewi"), invite.token)
    assert caught.value.code == "invite_expired"


async def test_an_unknown_invite_is_refused(services: Services) -> None:
    with pytest.raises(ServiceError) as caught:
        await services.onboarding.redeem_invite(await person(services, 3001, "Dewi"), "no-such-token")
    assert caught.value.code == "invite_unknown"


async def test_invites_need_a_known_ipwl_or_team(services: Services) -> None:
    with pytest.raises(ServiceError, match="unknown_ipwl"):
        await services.onboarding.create_invite(Role.OPERATOR, ipwl_code="XX99")
    with pytest.raises(ServiceError, match="unknown_team"):
        await services.onboarding.create_invite(Role.PIC, team_code="TIM9")


async def test_only_an_admin_binds_a_group(services: Services) -> None:
    pic = await enrol(services, 2001, "Andi", Role.PIC, team="TIM1")
    with pytest.raises(ServiceError, match="admin_only"):
        await services.onboarding.bind_group(pic, -100123, "TIM1")
    admin = await enrol(services, 9001, "Admin Balai", Role.ADMIN)
    team = await services.onboarding.bind_group(admin, -100123, "tim1")
    assert team.code == "TIM1" and team.group_chat_id == -100123
    # A group serves one team: binding it to another moves it.
    await services.onboarding.bind_group(admin, -100123, "TIM2")
    teams = {t.code: t for t, _ in await services.onboarding.teams()}
    assert teams["TIM1"].group_chat_id is None and teams["TIM2"].group_chat_id == -100123


async def test_bootstrap_admins_come_from_the_config(storage, clock, settings) -> None:
    settings = settings.model_copy(update={"access": settings.access.model_copy(update={"admin_user_ids": [777]})})
    services = Services(storage, clock, settings)
    assert (await person(services, 777, "Kepala TU")).is_admin
    assert not (await person(services, 778, "Orang Lain")).is_admin


async def test_the_registry_import_is_all_or_nothing(services: Services, clock) -> None:
    bad = (
        IPWL_CSV.replace("JB01", "JB09").replace("TIM2", "TIM7")
        + "JB01,Duplikat,32,Kota Bogor,Jl. 5,PKS-9,2026-01-01,2025-01-01,TIM1\n"
        + "XX01,Salah Provinsi,99,?,?,PKS-10,31-02-2026,,TIM1\n"
    )
    with pytest.raises(ImportRejected) as caught:
        rows = parse_ipwl_csv(bad.encode(), today=clock.now().date())
        await services.onboarding.import_ipwl(rows)
    rows_with_problems = sorted({p.row for p in caught.value.problems})
    assert rows_with_problems == [6, 7]  # PKS ends before it starts; unknown province and bad date
    async with services.storage.reading() as uow:
        assert len(await uow.ipwl.all()) == 4


async def test_the_registry_import_reports_duplicates_and_unknown_teams(services: Services, clock) -> None:
    rows = parse_ipwl_csv(IPWL_CSV.replace("TIM2", "TIM7").encode(), today=clock.now().date())
    with pytest.raises(ImportRejected) as caught:
        await services.onboarding.import_ipwl(rows)
    messages = [(p.row, p.message) for p in caught.value.problems]
    assert (2, "IPWL code {code} already exists") in messages
    assert (4, "unknown PIC team {code}") in messages


def test_a_csv_without_the_expected_columns_names_them(clock) -> None:
    with pytest.raises(ImportRejected) as caught:
        parse_ipwl_csv(b"code,name\nA,B\n", today=clock.now().date())
    assert caught.value.problems[0].row == 1
    assert "province_code" in caught.value.problems[0].params["columns"]


def test_a_file_that_is_not_utf8_is_refused(clock) -> None:
    with pytest.raises(ImportRejected):
        parse_ipwl_csv("code,name\n\xff".encode("latin-1"), today=clock.now().date())
