"""Everyone reads a time on their own clock, and every rule takes "today" where it applies (issue 13).

Yohana runs Yayasan Fajar Jayapura (PA01, Papua: WIT, UTC+9), Rahmat runs Lembaga Sehati Makassar
(SS01, South Sulawesi: WITA, UTC+8), Andi is in the centre's PIC team 1 (Bogor: WIB, UTC+7), Dewi
is the centre's complaint officer. At the same minute each of the three sends a complaint: the same
response deadline, set by the centre's working days, reads 18.00 WIT to Yohana, 17.00 WITA to Rahmat
and 16.00 WIB to Andi and Dewi. A notification from the outbox reads in its recipient's zone too,
and the team's group (the centre's staff read it) in the centre's.

Siti runs Yayasan Harapan Bogor (JB01, WIB). Between midnight and 07.00 WIB the UTC date is still
yesterday's: the proposal intake's "today" is the IPWL's date, not the UTC one.
"""

from __future__ import annotations

import datetime as dt

from bot.domain.kinds import NotificationKind
from bot.domain.models import Role
from bot.i18n import format_datetime
from tests.scenarios.conftest import World
from tests.scenarios.zone_cast import complain, months, zones_in

MONDAY_MORNING = dt.datetime(2026, 11, 30, 2, 0, tzinfo=dt.UTC)  # Mon 30 Nov 2026 09.00 WIB, 11.00 WIT
ZONES = {"yohana": "Asia/Jayapura", "rahmat": "Asia/Makassar", "andi": "Asia/Jakarta"}
LABELS = {"yohana": "WIT", "rahmat": "WITA", "andi": "WIB"}


async def test_the_same_deadline_reads_in_wit_wita_and_wib_in_replies_and_in_notifications(world: World) -> None:
    world.clock.set(MONDAY_MORNING)
    yohana = world.emu.add_user("Yohana", last_name="Fajar")
    rahmat = world.emu.add_user("Rahmat", last_name="Sehati")
    andi = world.emu.add_user("Andi", last_name="PIC")
    dewi = world.emu.add_user("Dewi", last_name="Pengaduan")
    await world.enrol(yohana, Role.OPERATOR, ipwl="PA01")
    await world.enrol(rahmat, Role.OPERATOR, ipwl="SS01")
    await world.enrol(andi, Role.PIC, team="TIM1")
    await world.enrol(dewi, Role.COMPLAINT_OFFICER)
    group = world.emu.add_group("Tim PIC 1", members=[andi])
    admin = await world.services.onboarding.identify(9001, "Admin", private_chat=True, language="id")
    await world.services.onboarding.bind_group(admin, group.id, "TIM1")
    people = {"yohana": yohana, "rahmat": rahmat, "andi": andi}

    # The same minute, the same category: one deadline, set by the centre's working days.
    receipts = {
        key: await complain(
            world, user, f"Keluhan {user.first_name}: pengurus menolak memberi salinan PKS kepada kami."
        )
        for key, user in people.items()
    }
    dues = {row[0] for row in await world.rows("SELECT due_at FROM complaints")}
    assert len(dues) == 1, dues
    [stored] = dues
    due = dt.datetime.fromisoformat(stored.replace("Z", "+00:00")) if isinstance(stored, str) else stored
    assert due.astimezone(dt.UTC).hour == 9  # 16.00 WIB, the centre's end of the working day

    # In the direct reply, each reads it on their own clock: 18.00 WIT, 17.00 WITA, 16.00 WIB (five
    # working days on: Monday 7 December).
    wanted = {key: format_datetime(due, ZONES[key], "id") for key in people}
    assert wanted == {
        "yohana": "7 Des 2026 18.00 WIT",
        "rahmat": "7 Des 2026 17.00 WITA",
        "andi": "7 Des 2026 16.00 WIB",
    }, wanted
    for key, receipt in receipts.items():
        assert f"Petugas pengaduan menanggapi paling lambat {wanted[key]}." in receipt.text, (key, receipt.text)
        assert zones_in(receipt.text) == [LABELS[key]], (key, receipt.text)

    # Reading the ticket back: sent at 09.00 WIB — 11.00 WIT, 10.00 WITA.
    sent = {"yohana": "11.00 WIT", "rahmat": "10.00 WITA", "andi": "09.00 WIB"}
    for key, user in people.items():
        ticket = receipts[key].text.split("Nomor tiket: ")[1].split()[0]
        status = (await world.say(user, f"/pengaduan {ticket}"))[-1].text
        assert f"Dikirim: 30 Nov 2026 {sent[key]}" in status, (key, status)
        assert f"paling lambat {wanted[key]}" in status, (key, status)
        assert zones_in(status) == [LABELS[key]] * 2, (key, status)

    # The officer's notifications from the outbox: the centre's staff read WIB.
    told = [m.text for m in world.emu.chat_messages(dewi) if "Pengaduan baru" in m.text]
    assert len(told) == 3 and all(f"Batas tanggapan: {wanted['andi']}" in text for text in told), told

    # A notification about the same complaint to each of the three (and one to the team's group),
    # rendered by the outbox for its recipient: their own zone; the group, the centre's.
    [(complaint_id,)] = await world.rows("SELECT min(id) FROM complaints")
    ids = {
        key: (await world.rows("SELECT id FROM people WHERE telegram_user_id = ?", user.id))[0][0]
        for key, user in people.items()
    }
    before = {key: len(world.emu.chat_messages(user)) for key, user in people.items()}
    group_before = len(world.emu.chat_messages(group))
    async with world.storage.transaction() as uow:
        for key, user in people.items():
            await uow.outbox.enqueue(
                dedupe_key=f"zone-test:{key}",
                chat_id=user.id,
                kind=NotificationKind.COMPLAINT_DUE,
                params={"complaint_id": complaint_id},
                now=world.clock.now(),
                person_id=ids[key],
            )
        await uow.outbox.enqueue(  # Yohana's name on a row to the group: the group still reads WIB
            dedupe_key="zone-test:group",
            chat_id=group.id,
            kind=NotificationKind.COMPLAINT_DUE,
            params={"complaint_id": complaint_id},
            now=world.clock.now(),
            person_id=ids["yohana"],
        )
    await world.drain()
    for key, user in people.items():
        [note] = [m.text for m in world.emu.chat_messages(user)[before[key] :]]
        assert wanted[key] in note and zones_in(note) == [LABELS[key]], (key, note)
    [in_group] = [m.text for m in world.emu.chat_messages(group)[group_before:]]
    assert wanted["andi"] in in_group and zones_in(in_group) == ["WIB"], in_group
    assert await world.rows(
        "SELECT count(*) FROM outbox WHERE dedupe_key LIKE 'zone-test:%' AND sent_at IS NOT NULL"
    ) == [(4,)]


async def test_the_intake_takes_today_on_the_ipwl_s_date_not_the_utc_one(world: World) -> None:
    """At 00.30 WIB on 1 December the UTC date is still 30 November: Dedi (JB02, WIB) may no longer
    propose for November. Earlier, at 23.00 WIB (30 November in Bogor) but 01.00 WIT (1 December in
    Jayapura), Yohana's November is already past while Siti's is not."""
    siti = world.emu.add_user("Siti", last_name="Operator")
    yohana = world.emu.add_user("Yohana", last_name="Fajar")
    await world.enrol(siti, Role.OPERATOR, ipwl="JB01")
    await world.enrol(yohana, Role.OPERATOR, ipwl="PA01")

    world.clock.set(dt.datetime(2026, 11, 30, 16, 0, tzinfo=dt.UTC))  # 23.00 WIB 30 Nov, 01.00 WIT 1 Dec
    asked = (await world.say(yohana, "/ajukan"))[-1]
    assert months(asked) == ["Desember 2026", "Januari 2027"], asked.buttons
    past = (await world.say(yohana, "11-2026"))[-1]
    assert past.text.startswith("⚠️") and "sudah lewat" in past.text, past.text
    asked = (await world.say(siti, "/ajukan"))[-1]
    assert months(asked) == ["November 2026", "Desember 2026"], asked.buttons
    await world.say(siti, "11-2026")  # still November in Bogor: taken
    assert await world.rows(
        "SELECT i.code, p.period_year, p.period_month FROM proposals p JOIN ipwl i ON i.id = p.ipwl_id"
        " WHERE p.period_month IS NOT NULL"
    ) == [("JB01", 2026, 11)]

    # Half past midnight in Bogor: UTC still says 30 November, Bogor says 1 December.
    world.clock.set(dt.datetime(2026, 11, 30, 17, 30, tzinfo=dt.UTC))  # 00.30 WIB 1 Dec
    dedi = world.emu.add_user("Dedi", last_name="Bandung")
    await world.enrol(dedi, Role.OPERATOR, ipwl="JB02")
    asked = (await world.say(dedi, "/ajukan"))[-1]
    assert months(asked) == ["Desember 2026", "Januari 2027"], asked.buttons
    past = (await world.say(dedi, "11-2026"))[-1]
    assert "sudah lewat" in past.text and "12-2026" in past.text, past.text
