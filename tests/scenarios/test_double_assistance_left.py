"""Double assistance and clients who left by an SK perubahan (issue 16.1 with 16.6).

Rudi (SS01, Tim PIC 2) had Sity — the same NIK as Siti's client Siti Rahayu at JB01 — decreed this
year; then Sity dropped out, and Hana approved it under an SK perubahan. Sity is no longer assisted
at SS01: when Siti proposes Siti Rahayu at JB01, nobody is warned at intake, and Andi's verification
holds nobody. But paid is paid: had SS01 already paid Sity before the drop-out, the person counts as
assisted this year and Siti Rahayu is held at JB01 until a PIC decides.
"""

from __future__ import annotations

from bot.domain.models import ProposalStatus as S
from bot.domain.models import TransferStatus
from handlers import buttons
from tests.scenarios.change_cast import ask_change
from tests.scenarios.change_cast import press as press_in
from tests.scenarios.double_assistance_cast import NIK, decreed_at_ss01
from tests.scenarios.review_cast import card, submitted, tap, team, validated_by_the_team, verified_by_andi
from tests.seeds import seed_proposal

ALSO_ELSEWHERE = "juga tercantum di proposal IPWL lain"


async def test_a_client_who_dropped_out_elsewhere_is_no_double_assistance(world) -> None:
    t = world.team = await team(world)
    ss01, group2 = await decreed_at_ss01(world, t)
    sity = (await world.rows("SELECT id FROM clients WHERE proposal_id = ?", ss01))[0][0]
    ss01_code = (await world.rows("SELECT code FROM proposals WHERE id = ?", ss01))[0][0]
    rudi, dian = (next(u for u in world.emu.state.users.values() if u.first_name == n) for n in ("Rudi", "Dian"))

    # Rudi asks for the drop-out; Dian (Tim PIC 2) verifies it; Hana approves it under an SK perubahan.
    await ask_change(world, rudi, ss01_code, sity, "drop_out", "Klien memilih berhenti dari layanan rehabilitasi")
    change_card = next(m for m in reversed(world.emu.chat_messages(group2)) if "Perubahan setelah SK" in (m.text or ""))
    await tap(world, dian, change_card, buttons.CHANGE_DETAIL.data(1))
    await press_in(world, dian, dian, buttons.CHANGE_DECISION.data(1, "verify"))
    await world.say(t.head, "/skperubahan")
    await press_in(world, t.head, t.head, buttons.CHANGE_SK.data("y"))
    await world.drain()
    assert await world.rows("SELECT status FROM client_changes WHERE client_id = ?", sity) == [("approved",)]

    # Siti proposes Siti Rahayu (the same NIK) at JB01: the intake does not flag her, the card warns of nothing.
    pid = await submitted(world, t)
    siti_client = (await world.rows("SELECT id FROM clients WHERE proposal_id = ? AND position = 1", pid))[0][0]
    assert (await world.rows("SELECT nik_index FROM clients WHERE id = ?", siti_client)) == (
        await world.rows("SELECT nik_index FROM clients WHERE id = ?", sity)
    )
    assert await world.rows("SELECT flag FROM client_flags WHERE client_id = ?", siti_client) == []
    assert ALSO_ELSEWHERE not in card(world, t, pid).text

    # Andi verifies, Budi validates: the re-checks hold nobody; Hana's SK has Siti Rahayu in it.
    await validated_by_the_team(world, t, pid)
    await world.drain()
    shown = card(world, t, pid).text
    assert "🛑" not in shown and ss01_code not in shown, shown
    assert await world.rows("SELECT count(*) FROM nik_conflicts") == [(0,)]
    draft = (await world.say(t.head, "/sk"))[-1]
    assert "ditahan" not in draft.text, draft.text


async def test_a_client_paid_before_dropping_out_still_counts_as_assisted_this_year(world) -> None:
    t = world.team = await team(world)
    ss01 = await seed_proposal(world.services, ipwl="SS01", status=S.PAID, clients=1)
    sity = (await world.rows("SELECT id FROM clients WHERE proposal_id = ?", ss01))[0][0]
    ss01_code = (await world.rows("SELECT code FROM proposals WHERE id = ?", ss01))[0][0]
    assert await world.rows("SELECT status FROM transfers WHERE client_id = ?", sity) == [(TransferStatus.SENT.value,)]
    now = world.clock.now().isoformat()
    async with world.storage.db.transaction() as conn:
        # The background: Sity carries Siti Rahayu's NIK, was paid, then left by an approved drop-out.
        await conn.execute(
            "UPDATE clients SET nik = ?, nik_index = ? WHERE id = ?",
            (world.storage.keys.seal(NIK, "clients", "nik"), world.storage.keys.blind("nik", NIK), sity),
        )
        await conn.execute(
            "INSERT INTO client_changes (proposal_id, client_id, kind, status, reason, evidence_id, requested_by,"
            " requested_at, decided_at) SELECT ?, ?, 'drop_out', 'approved', ?, NULL, id, ?, ? FROM people"
            " ORDER BY id LIMIT 1",
            (ss01, sity, world.storage.keys.seal("Berhenti", "client_changes", "reason"), now, now),
        )

    pid = await submitted(world, t)
    siti_client = (await world.rows("SELECT id FROM clients WHERE proposal_id = ? AND position = 1", pid))[0][0]
    assert ALSO_ELSEWHERE in card(world, t, pid).text  # warned at intake: the person was paid there
    assert await world.rows("SELECT flag FROM client_flags WHERE client_id = ?", siti_client) == [("dup_nik",)]
    await verified_by_andi(world, t, pid)
    await world.drain()
    shown = card(world, t, pid).text
    assert "🛑" in shown and ss01_code in shown, shown
    assert await world.rows("SELECT kind FROM nik_conflicts WHERE client_id = ?", siti_client) == [("hard",)]
