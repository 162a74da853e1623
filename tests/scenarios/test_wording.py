"""Wording that holds up (issue 12.8): what first-time users read, in Indonesian, says each thing once
and says it right — team names not doubled, roles not mis-capitalized, no button promised that is not
there, examples that fit the question and that the bot itself would accept, Rupiah written as Rupiah."""

from __future__ import annotations

import datetime as dt

from bot.domain.lpj_intake import parse_served, served_example
from bot.domain.models import ProposalStatus, Role
from bot.domain.workflow import Action, WorkflowError, transition_for
from handlers import buttons, views
from tests.scenarios.conftest import consent_in_chat
from tests.scenarios.intake_cast import first_client_up_to_the_plan, operator, start


async def test_what_a_first_time_operator_and_pic_read(world) -> None:
    andi = world.emu.add_user("Andi", last_name="PIC")
    token = await world.invite(Role.PIC, team="TIM1")
    joined = (await world.say(andi, f"/start {token}"))[-1].text
    assert "terdaftar sebagai anggota Tim PIC 1." in joined and "tim PIC tim" not in joined

    op = await operator(world)
    queue = await op.type("/tugas")
    assert "Operator IPWL" in queue.text and "Operator ipwl" not in queue.text
    await start(op)
    line_1 = await first_client_up_to_the_plan(op, "1, 3")
    assert "Paket sembako" in line_1.text
    too_dear = await op.type("Paket sembako, 1 x 3.500.000")
    assert "Rp3.500.000" in too_dear.text and "Rp3.000.000" in too_dear.text and "3000000" not in too_dear.text
    line_3 = await op.type("Paket sembako, 3 x 500.000")
    assert "Komponen 3" in line_3.text and "Pertemuan konseling keluarga, 4 x 200.000" in line_3.text  # its own example
    budget = await op.type("Pertemuan konseling keluarga, 4 x 200.000")
    labels = [b.text for row in budget.buttons for b in row]
    assert "Selesai" not in budget.text and not any("Selesai" in label for label in labels)
    summary = await op.tap(buttons.INTAKE_ANSWER.data("review"))
    await op.tap(buttons.PROPOSAL_SUBMIT.data(1), summary)
    sent = await op.tap(buttons.PROPOSAL_SUBMIT.data(1), await consent_in_chat(world, op.user))
    assert "Tim PIC 1 akan memeriksanya" in sent.text and "Tim PIC Tim PIC 1" not in sent.text


async def test_a_refusal_names_the_step_and_who_acts_next(world) -> None:
    t = world.deps.translations.for_locale("id")
    try:
        transition_for(Action.VALIDATE, ProposalStatus.SUBMITTED)
    except WorkflowError as error:
        text = views.refusal(t, error)
    assert "“Terkirim, menunggu tim PIC”" in text  # the step, as people call it (not "submitted")
    assert "submitted" not in text and t.gettext(views.next_step(ProposalStatus.SUBMITTED)) in text


def test_the_lpj_example_range_would_be_accepted() -> None:
    today, earliest = dt.date(2026, 12, 1), dt.date(2026, 11, 1)
    example = served_example(earliest, today)
    assert example == "01-11-2026 s/d 01-12-2026"
    assert parse_served(example, today=today, earliest=earliest) == (earliest, today)
