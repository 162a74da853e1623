"""/perubahan alone: the operator is shown the proposals whose clients may be changed, as buttons.

Siti, JB01's operator, types /perubahan without a code. While none of JB01's proposals is under an
SK she is told so, and what /perubahan is for — with no button to press. Once one is decreed (and
another only submitted), /perubahan lists the decreed one alone; she presses it and sees its clients,
as /perubahan KODE shows them. Andi, a PIC, operates no IPWL: he is told how to use the command.

Personas: Siti (operator JB01), Andi (PIC team 1).
"""

from __future__ import annotations

from bot.domain.models import ProposalStatus
from handlers import buttons
from tests.scenarios.change_cast import press
from tests.scenarios.payment_cast import clients
from tests.scenarios.review_cast import team
from tests.seeds import seed_proposal


async def test_perubahan_alone_lists_the_operators_decreed_proposals_or_says_there_are_none(world) -> None:
    t = await team(world)
    await seed_proposal(world.services, ipwl="JB01", status=ProposalStatus.SUBMITTED, clients=1)

    # Nothing under an SK yet: said plainly, with what /perubahan is for, and no button.
    none = (await world.say(t.op, "/perubahan"))[-1]
    assert "Tidak ada usulan IPWL Anda yang sudah ber-SK" in none.text, none.text
    assert "mengundurkan diri, meninggal dunia, pindah ke IPWL lain" in none.text
    assert none.buttons == []
    assert await world.rows("SELECT count(*) FROM conversations") == [(0,)]

    decreed = await seed_proposal(world.services, ipwl="JB01", status=ProposalStatus.DECREED, clients=2)
    [(code,)] = await world.rows("SELECT code FROM proposals WHERE id = ?", decreed)
    [(submitted_code,)] = await world.rows("SELECT code FROM proposals WHERE status = 'submitted'")
    listed = (await world.say(t.op, "/perubahan"))[-1]
    assert f"{code} — SK terbit, rekening bank diperlukan" in listed.text, listed.text
    assert submitted_code not in listed.text
    labels = [b.text for row in listed.buttons for b in row]
    assert labels[0] == code and submitted_code not in labels

    await press(world, t.op, t.op, buttons.CHANGE_PROPOSAL.data(decreed))
    sheet = world.last(t.op)
    assert f"Perubahan data klien {code}" in sheet.text, sheet.text
    first, second = await clients(world, decreed)
    datas = [b.callback_data for row in sheet.buttons for b in row]
    assert buttons.CHANGE_CLIENT.data(first) in datas and buttons.CHANGE_CLIENT.data(second) in datas

    # A PIC operates no IPWL: how to use the command.
    usage = (await world.say(t.andi, "/perubahan"))[-1]
    assert "/perubahan USL-2026-0001" in usage.text and usage.buttons == []
