"""One SPP, one SPM and one SP2D pay one proposal (the SP2D must equal that proposal's SPM).

Fajar (finance) recorded SPP 00123/SPP/XI/2026, SPM 00456/SPM/XI/2026 and SP2D 261131302002345 for
Siti's proposal USL-2026-0001. Paying SS01's proposal, he types the same numbers (in another case,
another date): each is refused as he types it, saying which proposal holds it and its date, and
nothing is recorded; numbers of its own are. A number another officer saved meanwhile, between
typing and Save, is refused on Save too.
"""

from __future__ import annotations

from handlers import buttons
from tests.scenarios.payment_cast import SP2D, SPM, button, press, record_sp2d, spm_saved, verified_at_ss01


async def test_a_number_recorded_for_another_proposal_is_refused_as_it_is_typed(world) -> None:
    fajar, first = await spm_saved(world)
    await record_sp2d(world, fajar, first)
    other = await verified_at_ss01(world, world.team, fajar)
    await world.say(fajar, "/bayar")
    await press(world, fajar, buttons.PAYMENT_OPEN.data(other))

    refused = (await world.say(fajar, " 00123/spp/xi/2026  28-11-2026"))[-1].text
    assert (
        "SPP 00123/SPP/XI/2026 sudah tercatat untuk USL-2026-0001 (28-11-2026). Periksa nomornya dan ketik lagi."
        in refused
    ), refused
    await world.say(fajar, "00124/SPP/XI/2026 28-11-2026")
    refused = (await world.say(fajar, f"{SPM.lower()} 28-11-2026"))[-1].text
    assert f"SPM {SPM} sudah tercatat untuk USL-2026-0001 (28-11-2026)" in refused, refused
    await world.say(fajar, "00457/SPM/XI/2026 28-11-2026")
    # "Type again", and the same (free) numbers again: still accepted.
    await press(world, fajar, buttons.PAYMENT_ORDERS_CONFIRMED.data(other, "n"))
    await world.say(fajar, "00124/SPP/XI/2026 28-11-2026")
    await world.say(fajar, "00457/SPM/XI/2026 28-11-2026")
    await press(world, fajar, buttons.PAYMENT_ORDERS_CONFIRMED.data(other, "y"))
    assert await world.rows("SELECT proposal_id, spp_number, spm_number FROM payments ORDER BY proposal_id") == [
        (first, "00123/SPP/XI/2026", SPM),
        (other, "00124/SPP/XI/2026", "00457/SPM/XI/2026"),
    ]

    # The SP2D of the first proposal's SPM, typed for this one: refused, nothing recorded.
    (amount,) = (await world.rows("SELECT spm_amount FROM payments WHERE proposal_id = ?", other))[0]
    await press(world, fajar, buttons.PAYMENT_SP2D.data(other))
    refused = (await world.say(fajar, f"{SP2D} {amount}"))[-1].text
    assert "SP2D 261131302002345 sudah tercatat untuk USL-2026-0001 (28-11-2026)" in refused, refused
    assert await world.rows("SELECT sp2d_number FROM payments WHERE proposal_id = ?", other) == [(None,)]
    saved = (await world.say(fajar, f"261131302009999 28-11-2026 {amount}"))[-1].text
    assert "261131302009999" in saved and "⚠️" not in saved, saved
    assert await world.rows("SELECT sp2d_number FROM payments ORDER BY proposal_id") == [
        (SP2D.split()[0],),
        ("261131302009999",),
    ]
    assert await world.rows("SELECT count(*) FROM audit_events WHERE action = 'record_sp2d'") == [(2,)]


async def test_a_number_saved_for_another_proposal_between_typing_and_save_is_refused_on_save(world) -> None:
    fajar, first = await spm_saved(world)
    other = await verified_at_ss01(world, world.team, fajar)
    await world.say(fajar, "/bayar")
    await press(world, fajar, buttons.PAYMENT_OPEN.data(other))
    await world.say(fajar, "00124/SPP/XI/2026 28-11-2026")
    await world.say(fajar, "00457/SPM/XI/2026 28-11-2026")
    # Meanwhile another finance officer saved SPM 00457 for the first proposal.
    async with world.storage.db.transaction() as conn:
        await conn.execute("UPDATE payments SET spm_number = '00457/SPM/XI/2026' WHERE proposal_id = ?", (first,))
    refused = await world.press(fajar, *button(world, fajar, buttons.PAYMENT_ORDERS_CONFIRMED.data(other, "y")))
    shown = " ".join(filter(None, [refused.text if refused else "", world.last(fajar).text]))
    assert "SPM 00457/SPM/XI/2026 sudah tercatat untuk USL-2026-0001 (28-11-2026)" in shown, shown
    assert await world.rows("SELECT count(*) FROM payments WHERE proposal_id = ?", other) == [(0,)]
    # Asked for the SPP again: typed anew, saved.
    await world.say(fajar, "00124/SPP/XI/2026 28-11-2026")
    await world.say(fajar, "00458/SPM/XI/2026 28-11-2026")
    await press(world, fajar, buttons.PAYMENT_ORDERS_CONFIRMED.data(other, "y"))
    assert await world.rows("SELECT spp_number, spm_number FROM payments WHERE proposal_id = ?", other) == [
        ("00124/SPP/XI/2026", "00458/SPM/XI/2026")
    ]
