"""The SP4N-LAPOR! reference a complaint officer records is checked (issue 16.5 follow-up).

Dewi (complaint officer) forwards Ibu Sari's complaint to SP4N-LAPOR! and records its tracking
number. What is not one — words, a number too short, an ID with spaces in the middle — is refused
with what a tracking number looks like, and nothing is recorded; "#1916449" as LAPOR! shows it is
kept as 1916449.
"""

from __future__ import annotations

import pytest

from bot.domain.complaints import parse_sp4n_reference
from bot.domain.models import Role
from bot.domain.validation import ValidationError
from handlers import buttons
from tests.scenarios.complaint_cast import data_of, file_complaint
from tests.scenarios.conftest import World


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("1916449", "1916449"),
        (" #1916449 ", "1916449"),
        ("LAPOR-2026-7788990", "LAPOR-2026-7788990"),
        ("123456", "123456"),
    ],
)
def test_tracking_numbers_as_lapor_shows_them_are_accepted(typed: str, kept: str) -> None:
    assert parse_sp4n_reference(typed) == kept


@pytest.mark.parametrize(
    "typed",
    ["saya lupa nomornya", "sudahlapor", "12345", "1916 449", "LAPOR-ABC", "1916449/2026", "<b>1916449</b>", "1" * 21],
)
def test_what_is_not_a_tracking_number_is_refused(typed: str) -> None:
    with pytest.raises(ValidationError):
        parse_sp4n_reference(typed)


async def test_the_officer_is_told_what_a_tracking_number_looks_like_and_nothing_is_recorded(world: World) -> None:
    dewi = world.emu.add_user("Dewi", last_name="Pengaduan")
    await world.enrol(dewi, Role.COMPLAINT_OFFICER)
    sari = world.emu.add_user("Sari", last_name="Ibu")
    await world.say(sari, "/start")
    await file_complaint(world, sari)
    [(cid,)] = await world.rows("SELECT id FROM complaints")
    note = world.last(dewi)
    await world.press(dewi, note, data_of(note, buttons.COMPLAINT_OPEN))
    card = world.last(dewi)
    await world.press(dewi, card, data_of(card, buttons.COMPLAINT_ACTION, cid, "sp4n"))

    for wrong in ("saya lupa nomornya", "12345", "1916 449"):
        refused = (await world.say(dewi, wrong))[-1]
        assert f"“{wrong}” bukan nomor pelacakan SP4N-LAPOR!" in refused.text, refused.text
        assert "1916449" in refused.text and "tanpa spasi" in refused.text
    assert await world.rows("SELECT sp4n_reference, status FROM complaints") == [(None, "open")]
    assert await world.rows("SELECT count(*) FROM complaint_actions") == [(0,)]

    card = (await world.say(dewi, "#1916449"))[-1]
    assert "SP4N-LAPOR!: 1916449" in card.text
    assert await world.rows("SELECT sp4n_reference FROM complaints") == [("1916449",)]
    assert await world.rows("SELECT kind, count(*) FROM complaint_actions GROUP BY kind") == [("sp4n", 1)]
