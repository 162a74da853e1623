"""The clients' consent before a proposal is sent (issue 17.6).

Siti, the operator of Yayasan Harapan Bogor, sends a proposal for two clients: Budi, an adult, and
Rina, 14, whose consent her mother signed. The IPWL has each client (for a child, a parent) sign
its consent form at admission; Siti photographs each signed form when the bot asks, client by
client, on her phone. Andi and Budi, the PIC team, see in their group only that a proposal came.
Later Budi withdraws his consent and the admin Rina (another Rina) records it: the erasure rule
says what can be erased now.

Personas: Siti (operator, JB01), the PIC team 1 group, Rina Admin (admin).
"""

from __future__ import annotations

import dataclasses

from bot.domain.consent import NOTICE_VERSION
from bot.domain.models import Role
from handlers import buttons
from tests.helpers import docx, jpeg, pdf
from tests.scenarios.conftest import World
from tests.scenarios.consent_cast import CHILD, consent_clients, send_button, withdraw_asked
from tests.scenarios.review_cast import card, datas, operator, tap, team

PDF = "application/pdf"


async def test_each_client_consents_before_the_proposal_is_sent_a_child_by_a_guardian(world: World) -> None:
    t = await team(world)
    siti = await operator(world, t.op)
    state = await world.services.proposals.start(siti)
    await world.services.proposals.add_clients(siti, consent_clients())
    review = (await world.say(t.op, "/lanjut"))[-1]
    assert "⚠️ Persetujuan: 0 dari 2 klien" in review.text

    # Send: not sent yet, the bot asks for the first client's consent.
    await world.press(t.op, review, send_button(review))
    asked = world.last(t.op)
    assert "Persetujuan klien 1, Budi Santoso" in asked.text and f"versi {NOTICE_VERSION}" in asked.text
    assert "Kirim foto (atau PDF) formulir persetujuan" in asked.text
    assert await world.rows("SELECT status FROM proposals") == [("draft",)]

    # Typed text is not a signature: a clear answer, nothing recorded.
    answer = (await world.say(t.op, "sudah tanda tangan"))[-1]
    assert "Teks yang diketik tidak dapat menggantikan tanda tangan" in answer.text
    assert await world.rows("SELECT count(*) FROM consents") == [(0,)]

    # A blank little square is not a signed page: said so, nothing recorded.
    await world.emu.send_photo(t.op, content=jpeg(b"kotak", size=600), width=20, height=20)
    await world.emu.settle()
    assert "terlalu kecil untuk memperlihatkan halaman yang ditandatangani (hanya 6" in world.last(t.op).text
    assert "bita" not in world.last(t.op).text  # the size as people read it, not a count of bytes
    assert await world.rows("SELECT count(*) FROM consents") == [(0,)]

    await world.emu.send_photo(t.op, content=jpeg(b"formulir Budi"))
    await world.emu.settle()
    said = [m.text for m in world.emu.chat_messages(t.op)[-2:]]
    assert "✅ Persetujuan klien 1 (Budi Santoso) tercatat" in said[0], said
    assert "Rina Putri berusia di bawah 18 tahun" in said[1], said  # by the NIK: a guardian signs
    assert "versi " + NOTICE_VERSION not in said[1]  # the notice's paragraph was said once, for the first

    # The form before the guardian's name: refused (not kept as a loose attachment), and said why.
    await world.emu.send_photo(t.op, content=jpeg(b"formulir Rina terlalu cepat"))
    await world.emu.settle()
    assert "ketik dahulu siapa yang menandatangani" in world.last(t.op).text
    assert await world.rows("SELECT count(*) FROM attachments") == [(1,)]
    # A guardian without the relation: said what is expected, nothing kept.
    answer = (await world.say(t.op, "Siti Aminah"))[-1]
    assert "dipisahkan koma" in answer.text and "Siti Aminah, ibu" in answer.text
    asked = (await world.say(t.op, "Siti Aminah, ibu"))[-1]
    assert "Wali: Siti Aminah (ibu)" in asked.text

    await world.emu.send_photo(t.op, content=jpeg(b"formulir Rina"))
    await world.emu.settle()
    review = world.last(t.op)
    assert "Persetujuan: 2 dari 2 klien" in review.text and "⚠️ Persetujuan" not in review.text
    assert any("Semua klien sudah memberikan persetujuan" in m.text for m in world.emu.chat_messages(t.op)[-3:])

    # A cover letter after the forms: counted as the proposal's one attachment, as its list shows
    # (the two signed forms are the clients', not counted with it).
    await world.emu.send_document(t.op, file_name="surat-pengantar.pdf", content=pdf("surat"), mime_type=PDF)
    await world.emu.settle()
    assert "Proposal ini memiliki 1 lampiran" in world.last(t.op).text, world.last(t.op).text
    assert await world.rows("SELECT purpose, count(*) FROM attachments GROUP BY purpose ORDER BY purpose") == [
        ("consent", 2),
        ("proposal", 1),
    ]

    await world.press(t.op, review, send_button(review))
    await world.drain()
    assert await world.rows("SELECT status FROM proposals") == [("submitted",)]
    consents = await world.rows(
        "SELECT c.full_name, s.notice_version, s.guardian_name, s.guardian_relation, a.purpose, a.client_id = c.id,"
        " p.full_name FROM consents s JOIN clients c ON c.id = s.client_id JOIN "
        "attachments a ON a.id = s.form_attachment_id"
        " JOIN people p ON p.id = s.recorded_by ORDER BY c.position"
    )
    assert [(r[0], r[1], r[2], r[3], r[4], bool(r[5]), r[6]) for r in consents] == [
        ("Budi Santoso", NOTICE_VERSION, None, None, "consent", True, "Siti Operator"),
        ("Rina Putri", NOTICE_VERSION, "Siti Aminah", "ibu", "consent", True, "Siti Operator"),
    ]
    assert await world.rows("SELECT count(*) FROM audit_events WHERE action = 'record_consent'") == [(2,)]
    # The group sees the proposal, never a client's or a guardian's name.
    group_text = "\n".join(m.text or "" for m in world.emu.chat_messages(t.group))
    assert state.proposal.code in group_text
    for name in ("Budi Santoso", "Rina Putri", "Siti Aminah"):
        assert name not in group_text


async def test_a_withdrawal_is_recorded_and_starts_the_erasure_rule(world: World) -> None:
    """Budi withdraws his consent while Siti's proposal is a draft: he is removed at once. Rina's
    mother withdraws hers while the PIC team checks the proposal: Rina leaves it, and it goes back
    to Siti; the team is told, without who she is."""
    t = await team(world)
    siti = await operator(world, t.op)
    state = await world.services.proposals.start(siti)
    await world.services.proposals.add_clients(siti, consent_clients())
    code = state.proposal.code

    # A stranger to the IPWL (an operator of another IPWL) may not even see the list.
    other = world.emu.add_user("Andi", last_name="Sehati")
    await world.enrol(other, Role.OPERATOR, ipwl="SS01")
    refused = (await world.say(other, f"/persetujuan {code}"))[-1]
    assert "operator IPWL, tim PIC-nya, dan admin balai" in refused.text and "Budi" not in refused.text
    # The PIC team sees nothing of a draft.
    refused = (await world.say(t.andi, f"/persetujuan {code}"))[-1]
    assert "tim PIC-nya" in refused.text and "Budi" not in refused.text

    sheet = (await world.say(t.op, f"/persetujuan {code}"))[-1]
    assert "1. Budi Santoso: ⚠️ belum ada persetujuan tercatat" in sheet.text
    confirm = await withdraw_asked(world, t.op, sheet, "Budi")
    assert f"klien 1 dari {code}" in confirm.text
    await world.press(
        t.op,
        confirm,
        next(
            b.callback_data for row in confirm.buttons for b in row if buttons.CONSENT_WITHDRAW.parse(b.callback_data)
        ),
    )
    done = world.last(t.op).text
    assert "Pencabutan persetujuan tercatat" in done and f"dikeluarkan dari {code} beserta data pribadinya" in done
    assert "db restore" not in done  # the database's bookkeeping is the admins' to read, not the operator's
    assert await world.rows("SELECT full_name FROM clients") == [("Rina Putri",)]
    assert await world.rows(
        "SELECT action FROM audit_events WHERE entity = 'client' AND action IN"
        " ('withdraw_consent', 'delete_personal_data') ORDER BY seq"
    ) == [("withdraw_consent",), ("delete_personal_data",)]

    # Rina's proposal is sent (her guardian consented), Andi takes it for checking; then her mother
    # withdraws the consent. Before the SK that ends it: Rina leaves the proposal, which goes back
    # to Siti, and the team is told in its group, without who the client is.
    await world.services.proposals.resume(siti, code)
    from tests.helpers import submit_with_consent

    await submit_with_consent(world.services, siti, state.proposal.id)
    await world.drain()
    # Andi, of the IPWL's PIC team, reads the consents before he checks it (and records nothing);
    # Citra, of another team, may not.
    read = (await world.say(t.andi, f"/persetujuan {code}"))[-1]
    assert "2. Rina Putri: ✅ diberikan" in read.text and "menyampaikannya kepada IPWL atau admin balai" in read.text
    assert not any(buttons.CONSENT_WITHDRAW_ASKED.parse(d) for d in datas(read))
    refused = (await world.say(t.citra, f"/persetujuan {code}"))[-1]
    assert "tim PIC-nya" in refused.text and "Rina" not in refused.text
    await tap(world, t.andi, card(world, t, state.proposal.id), buttons.CARD_ACTION.data(state.proposal.id, "claim"))
    sheet = (await world.say(t.op, f"/persetujuan {code}"))[-1]
    assert "2. Rina Putri: ✅ diberikan" in sheet.text  # (numbers stay as the operator knew them)
    confirm = await withdraw_asked(world, t.op, sheet, "Rina")
    assert "dikeluarkan dari proposal" in confirm.text
    await world.press(
        t.op,
        confirm,
        next(
            b.callback_data for row in confirm.buttons for b in row if buttons.CONSENT_WITHDRAW.parse(b.callback_data)
        ),
    )
    done = world.last(t.op).text
    assert "Pencabutan persetujuan tercatat" in done and f"{code} dikembalikan ke IPWL" in done, done
    await world.drain()
    told = [m.text for m in world.emu.chat_messages(t.group) if "menarik persetujuannya" in m.text]
    assert told and all("Rina" not in m and "3201" not in m for m in told), told
    # Andi, who was checking it, is told in private too: his work on it stopped.
    assert any(f"Proposal {code} dikembalikan ke IPWL" in m.text for m in world.emu.chat_messages(t.andi))
    assert await world.rows("SELECT status, claimed_by IS NULL FROM proposals WHERE code = ?", code) in (
        [("returned", False)],
        [("returned", 0)],
    )
    assert await world.rows("SELECT count(*) FROM clients") == [(0,)]
    assert await world.rows("SELECT count(*) FROM consents") == [(0,)]
    snapshots = [r[0] for r in await world.rows("SELECT snapshot FROM proposal_versions")]
    assert snapshots and all("Rina" not in s and CHILD[1] not in s for s in snapshots)
    assert [r[0] for r in await world.rows("SELECT action FROM audit_events WHERE entity = 'proposal' ORDER BY seq")][
        -1:
    ] == ["return_on_withdrawal"]
    # The card Andi was working from says why it stopped, and offers nothing to press but the detail.
    live = card(world, t, state.proposal.id)
    assert "Dikembalikan ke IPWL" in live.text and "menarik persetujuannya" in live.text, live.text
    assert datas(live) == {buttons.CARD_DETAIL.data(state.proposal.id)}
    # Siti reads where it stands: back with her, nobody in it, and what she can do.
    where = (await world.say(t.op, f"/status {code}"))[-1]
    assert "Dikembalikan untuk perbaikan" in where.text and "Klien: 0" in where.text, where.text
    assert datas(where) == {
        buttons.PROPOSAL_OPEN.data(state.proposal.id),
        buttons.PROPOSAL_WITHDRAW.data(state.proposal.id),
    }


async def test_a_consent_form_is_a_photo_or_pdf_and_each_client_has_their_own(world: World) -> None:
    """Siti sends a Word file as Budi's signed form, then the photo of Budi's form again for the
    child: both refused with the reason, nothing recorded for the client in question."""
    t = await team(world)
    siti = await operator(world, t.op)
    await world.services.proposals.start(siti)
    await world.services.proposals.add_clients(siti, consent_clients())
    review = (await world.say(t.op, "/lanjut"))[-1]
    await world.press(t.op, review, send_button(review))

    word = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    await world.emu.send_document(t.op, file_name="persetujuan.docx", content=docx(), mime_type=word)
    await world.emu.settle()
    said = " ".join(m.text or "" for m in world.emu.chat_messages(t.op)[-2:])
    assert "foto (JPG/PNG) atau PDF" in said, said
    assert await world.rows("SELECT count(*) FROM consents") == [(0,)]

    await world.emu.send_photo(t.op, content=jpeg(b"formulir Budi"))
    await world.emu.settle()
    assert await world.rows("SELECT count(*) FROM consents") == [(1,)]
    await world.say(t.op, "Siti Aminah, ibu")  # the child's guardian
    await world.emu.send_photo(t.op, content=jpeg(b"formulir Budi"))
    await world.emu.settle()
    refused = world.last(t.op).text
    assert "sama dengan formulir persetujuan klien 1" in refused, refused
    assert await world.rows("SELECT count(*) FROM consents") == [(1,)]
    assert world.deps.errors == []


async def test_the_operator_reads_back_a_signed_form_and_corrects_a_guardian_typed_wrong(world: World) -> None:
    """Siti typed Rina's mother as "Siti Aminh". She opens the consent, looks at the signed form
    to be sure, and corrects the name; a wrong answer changes nothing."""
    t = await team(world)
    siti = await operator(world, t.op)
    state = await world.services.proposals.start(siti)
    await world.services.proposals.add_clients(siti, consent_clients())
    code = state.proposal.code
    review = (await world.say(t.op, "/lanjut"))[-1]
    await world.press(t.op, review, send_button(review))
    await world.emu.send_photo(t.op, content=jpeg(b"formulir Budi"))
    await world.emu.settle()
    await world.say(t.op, "Siti Aminh, ibu")
    await world.emu.send_photo(t.op, content=jpeg(b"formulir Rina"))
    await world.emu.settle()

    sheet = (await world.say(t.op, f"/persetujuan {code}"))[-1]
    assert "oleh Siti Aminh (ibu)" in sheet.text
    await world.press(t.op, sheet, next(b.callback_data for row in sheet.buttons for b in row if "Rina" in b.text))
    opened = world.last(t.op)
    assert "Klien 2 dari" in opened.text and "📄 Formulir bertanda tangan" in opened.button_texts
    rina_id = (await world.rows("SELECT id FROM clients WHERE position = 2"))[0][0]

    # The form comes back into her chat (the opening is audited).
    before = len(world.emu.chat_messages(t.op))
    answer = await world.press(t.op, opened, buttons.CONSENT_FORM.data(rina_id))
    assert answer is not None and "dikirim di bawah" in (answer.text or "")
    sent = world.emu.chat_messages(t.op)[before:]
    assert any(m.photo or m.document for m in sent), sent

    # The guardian: what is there now, then wrong answers that change nothing, then the right one.
    await world.press(t.op, world.emu.chat_messages(t.op)[before - 1], buttons.CONSENT_GUARDIAN.data(rina_id))
    asked = world.last(t.op)
    assert "Saat ini: Siti Aminh (ibu)" in asked.text, asked.text
    assert "dipisahkan koma" in (await world.say(t.op, "Siti Aminah"))[-1].text
    assert (
        "tidak dapat menandatangani untuk dirinya sendiri"
        in (await world.say(t.op, "Rina Putri, diri sendiri"))[-1].text
    )
    assert await world.rows("SELECT guardian_name FROM consents WHERE client_id = ?", rina_id) == [("Siti Aminh",)]
    done = (await world.say(t.op, "Siti Aminah, ibu"))[-1]
    assert "Data wali sudah diperbaiki" in done.text and "oleh Siti Aminah (ibu)" in done.text
    assert await world.rows("SELECT guardian_name, guardian_relation FROM consents WHERE client_id = ?", rina_id) == [
        ("Siti Aminah", "ibu")
    ]
    assert await world.rows(
        "SELECT action, reason FROM audit_events WHERE action IN ('open_consent_form', 'correct_guardian') ORDER BY seq"
    ) == [("open_consent_form", code), ("correct_guardian", code)]
    # Nothing is waiting for a guardian any more: the next message is not taken as one.
    assert "Data wali" not in (await world.say(t.op, "Siti Aminah, bibi"))[-1].text


async def test_a_long_list_of_consents_turns_page_by_page(world: World) -> None:
    t = await team(world)
    siti = await operator(world, t.op)
    state = await world.services.proposals.start(siti)
    many = [
        dataclasses.replace(
            consent_clients()[0], row=i + 2, full_name=f"Klien Nomor {i + 1}", nik=f"32010112038500{i + 10:02d}"
        )
        for i in range(12)
    ]
    await world.services.proposals.add_clients(siti, many)
    sheet = (await world.say(t.op, f"/persetujuan {state.proposal.code}"))[-1]
    assert "Klien 1–10 dari 12" in sheet.text and "11. Klien Nomor 11" not in sheet.text
    assert len([b for row in sheet.buttons for b in row if "Klien Nomor" in b.text]) == 10
    await world.press(t.op, sheet, buttons.CONSENT_PAGE.data(state.proposal.id, 1))
    turned = world.last(t.op)
    assert turned.message_id == sheet.message_id and "Klien 11–12 dari 12" in turned.text
    assert "12. Klien Nomor 12" in turned.text and "‹" in turned.button_texts
