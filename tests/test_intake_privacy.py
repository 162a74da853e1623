"""Intake privacy (issue 16.1): Andi, operator of SS01, types a client whose NIK Siti (JB01) already
proposed. He is warned that the client is in another IPWL's proposal — never told its code."""

from __future__ import annotations

from bot.domain.models import Role
from bot.services import Services
from bot.services.proposals import FileUpload
from tests.helpers import consent_all, enrol, seed_registry
from tests.scenarios.review_cast import client_inputs


async def test_an_operator_is_not_told_the_other_ipwls_proposal_code(storage, clock, settings) -> None:
    services = Services(storage, clock, settings)
    await seed_registry(services)
    siti = await enrol(services, 501, "Siti", Role.OPERATOR, ipwl="JB01")
    state = await services.proposals.start(siti)
    await services.proposals.add_clients(siti, client_inputs())
    upload = FileUpload("file-1", "u-1", "surat-pengantar.pdf", "application/pdf", 2048)
    await services.proposals.attach(siti, upload, sha256="ab" * 32, stored_path=None)
    await consent_all(services, siti)
    sent = await services.proposals.submit(siti, state.proposal.id)
    sitis_code = sent.proposal.code

    andi = await enrol(services, 701, "Andi", Role.OPERATOR, ipwl="SS01")
    await services.proposals.start(andi)
    out = await services.proposals.add_clients(andi, client_inputs()[:1])

    assert [c.flags for c in out.clients] == [("dup_nik",)]  # the PIC team still sees the flag
    said = [w.problem.message.format(**w.problem.params) for w in out.row_warnings]  # (a list's doubts: by row)
    assert any("another IPWL" in m for m in said)
    assert not any(sitis_code in m for m in said), said
