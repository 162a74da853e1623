"""Siti, a first-time operator of Yayasan Harapan Bogor (JB01), prepares a proposal on her phone.

Issues 11.5, 11.6, 12.2, 12.5 and 12.7: every choice she makes is hers and stays readable, no
question traps her, a NIK that contradicts what she typed is never kept silently, and the whole
first-time path — three clients, every field, one attachment — takes at most 40 messages and taps.
"""

from __future__ import annotations

import json

from handlers import buttons
from tests.helpers import pdf
from tests.scenarios.conftest import consent_in_chat
from tests.scenarios.intake_cast import (
    ASSESSMENT,
    CLIENTS,
    PLAN,
    Operator,
    first_client_up_to_the_plan,
    operator,
    shown,
    start,
)
from tests.scenarios.payment_cast import labels
from tests.scenarios.review_cast import card, tap, team

PDF = pdf("surat pengantar")


# A client's flags (rows of client_flags since migration 0009), as one column: '' for none.
FLAGS = "coalesce((SELECT min(f.flag) FROM client_flags f WHERE f.client_id = clients.id), '') AS flags"


async def test_the_first_time_path_takes_at_most_40_actions_with_every_field(world) -> None:
    op = await operator(world)
    await start(op)
    # Client 1: lives where her NIK was issued; family approach, components 1 and 3, two lines.
    (name, nik), (name2, nik2), (name3, nik3) = CLIENTS
    await op.type(name)
    await op.type(nik)
    await op.tap(buttons.INTAKE_ANSWER.data("here"))
    await op.type("Jl. Melati 3 RT 01/02, Desa Cibinong, 0812-3456-7890")
    approach = world.last(op.user)
    picker = await op.tap(buttons.INTAKE_ANSWER.data("keluarga"))
    # The approach she chose stays readable above the next question, which is a new message.
    approach = shown(world, op, approach.message_id)
    assert approach.text.endswith("→ Keluarga ✓") and not approach.buttons, approach.text
    assert picker.message_id != approach.message_id
    await op.tap(buttons.INTAKE_ANSWER.data(1))
    await op.tap(buttons.INTAKE_ANSWER.data(3))
    await op.tap(buttons.INTAKE_ANSWER.data("done"))
    await op.type(ASSESSMENT)
    await op.type(PLAN)
    await op.type("Paket sembako, 3 x 500.000")  # component 1, asked at once
    await op.type("Pertemuan konseling keluarga, 4 x 200.000")  # then component 3
    await op.tap(buttons.INTAKE_ANSWER.data("next"))
    # Client 2: lives in Kota Bogor, another approach, component 4 typed.
    await op.type(name2)
    await op.type(nik2)
    await op.tap(buttons.INTAKE_ANSWER.data("elsewhere"))
    await op.tap(buttons.INTAKE_ANSWER.data(32))  # Jawa Barat, the IPWL's province, one tap
    regencies = world.last(op.user)
    assert "Kota Bogor" in labels(regencies) and "Kabupaten Sukabumi" in labels(regencies)
    await op.tap(buttons.INTAKE_ANSWER.data("32.71"))  # Kota Bogor
    await op.type("Jl. Pajajaran 10 RT 02/03, Kelurahan Baranangsiang, +62 813 1111 2222")
    picker = await op.tap(buttons.INTAKE_ANSWER.data("komunitas"))
    await op.type("4")
    # Typed over, the picker keeps no buttons a later tap could answer another question with.
    assert not shown(world, op, picker.message_id).buttons
    await op.type(ASSESSMENT)
    await op.type(PLAN)
    await op.type("Sesi konseling psikososial, 6 x 250.000")
    await op.tap(buttons.INTAKE_ANSWER.data("next"))
    # Client 3: same as client 2 in one tap, budget copied in one tap.
    await op.type(name3)
    await op.type(nik3)
    await op.tap(buttons.INTAKE_ANSWER.data("prev"))  # lives in Kota Bogor, as the previous client
    await op.type("Jl. Kenanga 9 RT 05/06, Kelurahan Tegallega")
    await op.tap(buttons.INTAKE_ANSWER.data("same"))
    await op.type(ASSESSMENT)
    await op.type(PLAN)
    await op.tap(buttons.INTAKE_ANSWER.data("copy"))
    summary = await op.tap(buttons.INTAKE_ANSWER.data("review"))
    op.actions += 1
    await world.emu.send_document(op.user, file_name="surat-pengantar.pdf", content=PDF, mime_type="application/pdf")
    await world.emu.settle()
    assert "📎" in world.last(op.user).text
    await op.tap(buttons.PROPOSAL_SUBMIT.data(1), summary)  # (the summary just above the file's receipt)
    actions_before_consent = op.actions
    op.actions += 3  # a photo of each client's signed consent form (issue 17.6), then Send again
    await op.tap(buttons.PROPOSAL_SUBMIT.data(1), await consent_in_chat(world, op.user))
    consent_actions = op.actions - actions_before_consent

    print(
        f"\nfirst-time path, 3 clients with every field and one attachment: {op.actions} operator actions"
        f" ({consent_actions} of them for the consent forms)"
    )
    # The intake's own bar stays 40; the consent adds one photo per client and the second Send.
    assert consent_actions == 4 and op.actions - consent_actions <= 40, op.actions
    assert await world.rows("SELECT status FROM proposals") == [("submitted",)]
    clients = await world.rows(
        f"SELECT full_name, regency, address, phone, approach, components, {FLAGS} FROM clients ORDER BY position"
    )
    assert clients == [
        (name, "Kabupaten Bogor", "Jl. Melati 3 RT 01/02, Desa Cibinong", "+6281234567890", "keluarga", "1,3", ""),
        (
            name2,
            "Kota Bogor",
            "Jl. Pajajaran 10 RT 02/03, Kelurahan Baranangsiang",
            "+6281311112222",
            "komunitas",
            "4",
            "",
        ),
        (name3, "Kota Bogor", "Jl. Kenanga 9 RT 05/06, Kelurahan Tegallega", None, "komunitas", "4", ""),
    ]
    assert await world.rows(
        "SELECT c.position, b.component, b.quantity, b.unit_cost FROM budget_lines b"
        " JOIN clients c ON c.id = b.client_id ORDER BY c.position, b.component"
    ) == [(1, "1", 3, 500_000), (1, "3", 4, 200_000), (2, "4", 6, 250_000), (3, "4", 6, 250_000)]
    assert await world.rows("SELECT purpose, count(*) FROM attachments GROUP BY purpose ORDER BY purpose") == [
        ("consent", 3),
        ("proposal", 1),
    ]


async def test_a_new_clients_picker_starts_empty_and_the_summary_says_each_clients_components(world) -> None:
    op = await operator(world)
    await start(op)
    await first_client_up_to_the_plan(op, "1, 4")
    (name, _), (name2, nik2) = CLIENTS[:2]
    await op.type("Paket sembako, 3 x 500.000")
    await op.type("Sesi konseling psikososial, 2 x 250.000")
    await op.tap(buttons.INTAKE_ANSWER.data("next"))
    await op.type(name2)
    await op.type(nik2)
    await op.tap(buttons.INTAKE_ANSWER.data("here"))
    await op.type("Jl. Mawar 7 RT 03/04, Desa Pakansari")
    picker = await op.tap(buttons.INTAKE_ANSWER.data("komunitas"))  # a different approach, not "same as previous"
    assert not any(label.startswith("✅") for label in labels(picker))  # nothing ticked she did not tick
    assert "✅" not in picker.text
    await op.tap(buttons.INTAKE_ANSWER.data(3))
    await op.tap(buttons.INTAKE_ANSWER.data("done"))
    assert await world.rows("SELECT count(*) FROM clients") == [(1,)]
    await op.type(ASSESSMENT)
    await op.type(PLAN)
    await op.type("Pertemuan konseling keluarga, 4 x 200.000")
    summary = await op.tap(buttons.INTAKE_ANSWER.data("review"))

    assert await world.rows("SELECT components FROM clients ORDER BY position") == [("1,4",), ("3",)]
    assert f"1. {name} · Keluarga · komponen 1, 4" in summary.text
    assert f"2. {name2} · Komunitas · komponen 3" in summary.text
    assert "Dukungan keluarga" in summary.text  # the components by name, not only their numbers


async def test_a_nik_contradicted_by_the_clients_data_is_corrected_or_kept_visibly(world) -> None:
    t = await team(world)
    op = Operator(world, t.op)
    await start(op)
    (name, nik), (name2, nik2) = CLIENTS[:2]
    await op.type(name)
    await op.type(nik2)  # Budi's NIK by mistake: a man born 12 March 1985
    wrong = world.last(op.user)
    assert "12 Maret 1985" in wrong.text and "laki-laki" in wrong.text
    retyped = await op.type("٣٢٠١٠١٤٥٠٨٩٠٠٠٠٤")  # she types the right one, on an Arabic keyboard
    assert "⚠️" not in retyped.text and "5 Agustus 1990" in retyped.text and "perempuan" in retyped.text
    refused = await op.type("benar")
    assert refused.text.startswith("⚠️") and "NIK yang benar" in refused.text
    # The family says she was born on the 6th: the NIK says the 5th. She is asked which holds.
    await op.tap(buttons.INTAKE_ANSWER.data("change"))
    await op.tap(buttons.INTAKE_ANSWER.data("P"))
    asked = await op.type("06-08-1990")
    assert "5 Agustus 1990" in asked.text and "6 Agustus 1990" in asked.text and "tim PIC" in asked.text
    assert {buttons.INTAKE_ANSWER.data("keep"), buttons.INTAKE_ANSWER.data("nik")} <= {
        b.callback_data for row in asked.buttons for b in row
    }
    await op.tap(buttons.INTAKE_ANSWER.data("keep"))
    await op.tap(buttons.INTAKE_ANSWER.data("nik"))  # (the region question: where the NIK was issued)
    await op.type("Jl. Melati 3 RT 01/02, Desa Cibinong")
    await op.tap(buttons.INTAKE_ANSWER.data("keluarga"))
    await op.type("1")
    await op.type(ASSESSMENT)
    await op.type(PLAN)
    await op.type("Paket sembako, 3 x 500.000")
    summary = await op.tap(buttons.INTAKE_ANSWER.data("review"))

    assert await world.rows(f"SELECT nik, birth_date, {FLAGS} FROM clients") == [(nik, "1990-08-06", "nik_mismatch")]
    assert "berbeda dengan NIK" in summary.text
    client_id = (await world.rows("SELECT id FROM clients"))[0][0]
    client_card = await op.tap(buttons.DRAFT_CLIENT.data(client_id), summary)
    assert "berbeda dengan NIK" in client_card.text
    await op.tap(buttons.PROPOSAL_SUBMIT.data(1), summary)
    await op.tap(buttons.PROPOSAL_SUBMIT.data(1), await consent_in_chat(world, op.user))
    await world.drain()
    answer = await tap(world, t.budi, card(world, t, 1), buttons.CARD_DETAIL.data(1))
    assert not answer.show_alert
    detail = next(m for m in world.emu.chat_messages(t.budi) if "USL-2026-0001" in m.text)
    assert "berbeda dengan NIK" in detail.text


async def test_no_question_traps_the_operator(world) -> None:
    op = await operator(world)
    await start(op)
    name, nik = CLIENTS[0]
    await op.type(name)
    question = await op.type(nik)
    assert "📋 Kembali ke ringkasan (klien ini tidak disimpan)" in labels(question)
    await op.tap(buttons.INTAKE_ANSWER.data("here"))
    await op.type("Jl. Melati 3 RT 01/02, Desa Cibinong")
    await op.tap(buttons.INTAKE_ANSWER.data("keluarga"))
    await op.tap(buttons.INTAKE_ANSWER.data(1))
    await op.tap(buttons.INTAKE_ANSWER.data("done"))
    await op.type(ASSESSMENT)
    await op.type(PLAN)
    await op.type("Paket sembako, 3 x 500.000")
    blank = await op.tap(buttons.INTAKE_ANSWER.data("next"))  # "➕ Klien berikutnya" on her client's budget
    assert "Klien 2" in blank.text and "📋 Kembali ke ringkasan" in labels(blank)  # the way back is offered

    for way_back in ("/lanjut", "/batal", "/status"):
        if way_back == "/batal":
            ask = await op.type("/batal")
            await world.press(
                op.user,
                ask,
                next(
                    b.callback_data
                    for row in ask.buttons
                    for b in row
                    if (stop := buttons.DRAFT_STOP.parse(b.callback_data)) and stop.args[0] == "1"
                ),
            )
            back = await op.type("/lanjut")
        elif way_back == "/status":
            listing = await op.type("/status USL-2026-0001")
            back = await op.tap(buttons.PROPOSAL_OPEN.data(1), listing)
        else:
            back = await op.type(way_back)
        # Not the blank client's question: the summary, which offers to add one.
        assert "Proposal USL-2026-0001" in back.text and "Tambah klien" in " ".join(labels(back)), (way_back, back.text)
        await op.tap(buttons.DRAFT_ADD_CLIENT.data(), back)

    done = await op.type("selesai")  # meaning "no more clients", not a client named "selesai"
    assert "Proposal USL-2026-0001" in done.text
    assert await world.rows("SELECT full_name FROM clients") == [(name,)]
    summary = await op.tap(buttons.DRAFT_ADD_CLIENT.data(), done)
    back = await op.tap(buttons.DRAFT_SUMMARY.data(), summary)
    assert "Proposal USL-2026-0001" in back.text
    assert await world.rows("SELECT full_name FROM clients") == [(name,)]

    unknown = await op.type("/foo")
    assert "/foo" in unknown.text and "/bantuan" in unknown.text


async def test_a_choice_made_with_a_button_stays_readable(world) -> None:
    op = await operator(world)
    await op.type("/ajukan")
    period = world.last(op.user)
    await op.tap(buttons.INTAKE_ANSWER.data("next"), period)
    kept = next(m for m in world.emu.chat_messages(op.user) if m.message_id == period.message_id)
    assert "→ Desember 2026 ✓" in kept.text and not kept.buttons  # the question, with her answer
    assert world.last(op.user).message_id != period.message_id  # the next question is a new message
    name, nik = CLIENTS[0]
    await op.type(name)
    await op.type(nik)
    confirm = world.last(op.user)
    await op.tap(buttons.INTAKE_ANSWER.data("here"), confirm)
    kept = next(m for m in world.emu.chat_messages(op.user) if m.message_id == confirm.message_id)
    assert "Benar, tinggal di Kabupaten Bogor ✓" in kept.text
    await op.type("Jl. Melati 3 RT 01/02, Desa Cibinong")
    approach = world.last(op.user)
    assert "tanpa nomor telepon" in approach.text  # how her one message was read
    await op.tap(buttons.INTAKE_ANSWER.data("keluarga"), approach)
    picker = world.last(op.user)
    await op.tap(buttons.INTAKE_ANSWER.data(1), picker)
    await op.tap(buttons.INTAKE_ANSWER.data(3), picker)
    await op.tap(buttons.INTAKE_ANSWER.data("done"), picker)
    kept = next(m for m in world.emu.chat_messages(op.user) if m.message_id == picker.message_id)
    assert "Komponen: 1 Pemenuhan kebutuhan hidup layak, 3 Dukungan keluarga ✓" in kept.text
    cursor = (await world.rows("SELECT draft_cursor FROM proposals"))[0][0]  # JSON text, or jsonb
    assert '"components": ["1", "3"]' in json.dumps(json.loads(cursor))


async def test_corrections_from_the_client_card_are_checked_as_the_first_answers_were(world) -> None:
    op = await operator(world)
    await start(op)
    await first_client_up_to_the_plan(op, "1")
    await op.type("Paket sembako, 3 x 500.000")
    summary = await op.tap(buttons.INTAKE_ANSWER.data("review"))
    client_id = (await world.rows("SELECT id FROM clients"))[0][0]

    # Another NIK: only the NIK changes; its contradiction with the birth date is said and flagged.
    await op.tap(buttons.DRAFT_CLIENT.data(client_id), summary)
    await op.tap(buttons.DRAFT_EDIT_FIELD.data(client_id, "nik"))
    after = await op.type(CLIENTS[1][1])  # a man's NIK, born 1985
    assert "Menurut NIK" in after.text and "berbeda dengan NIK" in after.text
    # The card masks the NIK: what she typed is read back as it decodes, so a wrong middle digit shows.
    assert (
        "✅ NIK klien 1 (Siti Rahayu) sekarang 3201••••••••0002: menurut NIK lahir 12 Maret 1985, laki-laki,"
        " terdaftar di Kabupaten Bogor, Jawa Barat" in after.text
    ), after.text
    assert await world.rows(f"SELECT nik, sex, birth_date, {FLAGS} FROM clients") == [
        (CLIENTS[1][1], "P", "1990-08-05", "nik_mismatch")
    ]

    # The regency: buttons from the regions file, another province one tap away.
    await op.tap(buttons.DRAFT_CLIENT.data(client_id), after)
    asked = await op.tap(buttons.DRAFT_EDIT_FIELD.data(client_id, "regency"))
    assert "Kota Bogor" in labels(asked) and "🗺 Provinsi lain" in labels(asked)
    refused = await op.type("Gotham")
    assert refused.text.startswith("⚠️")
    await op.tap(buttons.INTAKE_ANSWER.data("32.71"))
    assert await world.rows("SELECT province_code, regency FROM clients") == [("32", "Kota Bogor")]
    await op.tap(buttons.DRAFT_CLIENT.data(client_id))
    await op.tap(buttons.DRAFT_EDIT_FIELD.data(client_id, "regency"))
    await op.tap(buttons.INTAKE_ANSWER.data("province"))
    await op.type("Sulawesi Selatan")
    await op.type("Makassar")
    assert await world.rows("SELECT province_code, regency FROM clients") == [("73", "Kota Makassar")]

    # The birth date: the question says the format again and what is there now; a wrong one
    # changes nothing.
    await op.tap(buttons.DRAFT_CLIENT.data(client_id))
    asked = await op.tap(buttons.DRAFT_EDIT_FIELD.data(client_id, "birth_date"))
    assert "sekarang 5 Agustus 1990" in asked.text and "tanggal-bulan-tahun, misalnya 17-08-1990" in asked.text, (
        asked.text
    )
    refused = await op.type("1990/31/12")
    assert refused.text.startswith("⚠️")
    assert "17-08-1990" in refused.text and "17-08-2025" not in refused.text  # the example the question gave
    assert await world.rows("SELECT birth_date FROM clients") == [("1990-08-05",)]
