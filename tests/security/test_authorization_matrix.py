"""Who may do what: every persona × every command in handlers.COMMANDS and every button kind in
handlers.BUTTONS, table-driven.

For a button, the callback data is made with ``handlers.callback_data.encode`` for a real target
(JB01's items in the right status; see tests/security/matrix.py), put on a message from the bot in the
persona's private chat (or in team 1's group, for the buttons that live on group cards) and pressed
there. For each (persona, command/button):

* ``Y`` — allowed: the press or command gets past the role and scope checks (no refusal with an
  authorization code). What happens next depends on the item's state and the person's
  conversation; that is the business of the feature's own tests.
* ``-`` — refused: the person gets a polite refusal (an alert on the button, a "⚠️" message for a
  command) and the database is exactly as before (bar the audit of the refused attempt).

``PRINT_MATRIX=1`` prints what was observed, as a table to paste into ``BUTTONS_ALLOWED``.
"""

from __future__ import annotations

import os

import handlers
from tests.security.matrix import (
    BUTTON_TARGETS,
    COMMAND_TEXT,
    PERSONAS,
    Outcome,
    Recorder,
    cast,
    changes,
    fingerprint,
    press_all,
    print_table,
    type_all,
)

ALL = frozenset(PERSONAS)
EVERYONE_KNOWN = ALL - {"stranger", "revoked"}
OP = frozenset({"op_a"})
OFFICER = frozenset({"officer"})
ADMIN = frozenset({"admin"})
# The read-only auditor (issue 18.7): reports, masked exports and /audit for the whole centre, and
# refused every decision — every other button and command below leaves them out.
READERS = frozenset({"admin", "auditor"})

OWN = frozenset({"op_a", "op_b"})  # buttons without an item id act on the presser's own draft only
# Decisions are the IPWL's own PIC team's (issue 11.3): an admin in the group may look (Detail, NIK)
# and release a claim, never claim, verify, validate, return or reject — nor check accounts or LPJs.
PIC_A = frozenset({"pic_a"})
PIC_OR_ADMIN = frozenset({"pic_a", "admin"})
PIC_FIN = frozenset({"pic_a", "finance"})
FIN = frozenset({"finance"})
NOBODY = frozenset()
HARMLESS = ALL  # own language, the blank template, guidance, closing or cancelling one's own screen

# kind → the personas who get past its role and scope checks (everyone else is refused).
BUTTONS_ALLOWED: dict[str, frozenset[str]] = {
    "lang": HARMLESS,
    "tpl": HARMLESS,
    "keep": HARMLESS,
    "stop": HARMLESS,
    "ljc": HARMLESS,
    "ad.x": HARMLESS,
    "gd.m": HARMLESS,
    "gd.s": HARMLESS,
    # the operator's draft: his conversation; ids of his clients and lines
    "in": OWN,
    "rv": OWN,
    "pg": OWN,
    "add": OWN,
    "cont": OWN,
    "att": OWN,
    "cup": OWN,
    "cl": OP,
    "rma": OP,
    "ed": OP,
    "bl": OP,
    "rl": OP,
    "rm": OP,
    "open": OP,
    "sub": OP,
    "wd": OP,
    "wdy": OP,
    "pni": OP,
    # PIC review: the card, detail, NIK, return/reject with reasons (the reasons: the PIC's conversation)
    "pic": PIC_A,
    "pic:verify": PIC_A,
    "pic:validate": PIC_A,
    "pdc": PIC_A,
    "pdc:reject": PIC_A,
    "pic:validate_own": NOBODY,  # pic_a verified it: another PIC of the team validates (four eyes)
    "pic:release": PIC_OR_ADMIN,
    "pdt": PIC_OR_ADMIN,
    "nik": PIC_OR_ADMIN,
    "rsn": PIC_A,
    "sk": frozenset({"head"}),
    # double assistance (issue 16.1): a PIC of the IPWL's team or the head decides "not the same person"
    "nka": frozenset({"pic_a", "head"}),
    "nks": frozenset({"pic_a", "head"}),  # … or "the same person" (a held client)
    # bank accounts: the operator supplies, PIC/finance verify or return
    "acc": OP,
    "bnk": OP,
    "pbs": OP,
    "bnp": OP,
    "acn": OP,
    "acr": OP,
    "acx": OP,
    "avr": PIC_FIN,
    "av": PIC_FIN,
    "ava": PIC_FIN,
    "ar": PIC_FIN,
    "apb": PIC_FIN,
    "pay": FIN,
    "pok": FIN,
    "ps": FIN,
    "psa": FIN,
    "pf": FIN,
    "ptx": FIN,
    "psd": FIN,
    # LPJ: the operator fills and submits, the PIC verifies, finance validates
    "ljo": OP,
    "lji": OP,
    "ljg": OP,
    "ljt": OP,
    "ljs": OP,
    "ljv": PIC_A,
    "ljx": PIC_FIN,
    "ljk": FIN,
    "ljd": frozenset({"op_a", "pic_a", "finance", "head", "admin"}),
    "au.p": frozenset({"pic_a", "head", "admin", "auditor"}),
    "ex.k": READERS,  # the export's kind; the full (unmasked) client list is for admins only
    # a client's consent withdrawal (issue 17.6): recorded by their IPWL's operator or an admin
    "cs.w": frozenset({"op_a", "admin"}),
    "cs.wy": frozenset({"op_a", "admin"}),
    # one client's consent, its signed form, its guardian: the IPWL's operator or an admin; the
    # pages of the list also to the PIC team, who read it (issue 17.6)
    "cs.c": frozenset({"op_a", "admin"}),
    "cs.f": frozenset({"op_a", "admin"}),
    "cs.g": frozenset({"op_a", "admin"}),
    "cs.p": frozenset({"op_a", "pic_a", "admin"}),
    # complaints (issue 16.5): anyone fills their own form; only the complaint officers read and act
    # (never the admin, the head, the IPWL or its PIC team)
    "cp.a": HARMLESS,
    "cp.y": HARMLESS,
    "cp.n": HARMLESS,
    "pk.a": PIC_A,  # never the admin, the head, finance or another team
    "pk.n": HARMLESS,  # stops one's own typing of an amount
    **{kind: OFFICER for kind in ("cp.new", "co.l", "co.o", "co.i", "co.f", "co.a", "co.y", "co.n")},
    # changes after the SK (issue 16.6): the IPWL's operator asks, its PIC team verifies (the head may
    # look too), the head decides a verified one and issues the SK perubahan, finance records refunds
    "cg.p": OP,
    "cg.c": OP,
    "cg.k": OP,
    "cg.v": frozenset({"pic_a", "head"}),
    "cg.d": PIC_A,
    "cg.d:return": frozenset({"head"}),
    "cg.sk": frozenset({"head"}),
    "rf.s": FIN,
    "rf.y": FIN,
    "rf.n": HARMLESS,  # records nothing
    **{
        kind: ADMIN
        for kind in (
            "ip.l",
            "ip.w",
            "ip.s",
            "ip.e",
            "ip.t",
            "ip.m",
            "ip.a",
            "ip.ap",
            "ip.at",
            "tm.l",
            "tm.s",
            "tm.a",
            "tm.i",
            "pp.l",
            "pp.s",
            "bg.y",
            "pp.rg",
            "pp.rgy",
            "pp.rp",
            "pp.rpy",
            "pp.re",
            "iv.r",
            "iv.t",
            "iv.i",
            "bc.a",
            "bc.p",
            "bc.t",
            "bc.y",
            "bc.n",
            "pd.x",
            "pd.e",
            "pd.ey",
            "ex.c",
            "ex.r",
            "ex.o",
        )
    },
}

# command → the personas who get past its role and scope checks (everyone else is refused).
COMMANDS_ALLOWED: dict[str, frozenset[str]] = {
    **{command: HARMLESS for command in ("start", "bantuan", "help", "bahasa", "batal", "templat", "panduan")},
    # /rekening shows the presser's own IPWL (whatever code follows); /lpj CODE of another IPWL is refused
    "status": OWN,
    "ajukan": OWN,
    "lanjut": OWN,
    "rekening": OWN,
    "lpj": OP,
    "sk": frozenset({"head"}),
    "bayar": FIN,
    "tugas": EVERYONE_KNOWN,
    "persetujuan": frozenset({"op_a", "pic_a", "admin"}),  # the PIC team reads (pic_b: another team)
    "pengaduan": ALL,  # anyone who started the bot may complain (the officers see the list)
    "perubahan": OP,
    "skperubahan": frozenset({"head"}),
    "audit": frozenset({"pic_a", "head", "admin", "auditor"}),
    "laporan": frozenset({"head", "admin", "auditor"}),
    "ekspor": READERS,
    **{
        command: ADMIN
        for command in ("hubungkan", "ipwl", "tim", "pengguna", "undang", "siaran", "datapribadi", "cadangan", "pagu")
    },
}


async def test_every_button_kind_is_checked_for_role_and_scope(world, monkeypatch) -> None:
    recorder = Recorder()
    recorder.install(monkeypatch)
    c = await cast(world)
    kinds = {case.split(":")[0] for case in BUTTON_TARGETS}
    assert kinds == {b.code for b in handlers.BUTTONS}, {b.code for b in handlers.BUTTONS} ^ kinds
    observed: dict[str, dict[str, Outcome]] = {}
    problems: list[str] = []
    for kind in BUTTON_TARGETS:
        allowed = BUTTONS_ALLOWED.get(kind, frozenset())
        refused_personas = tuple(p for p in PERSONAS if p not in allowed)
        before = await fingerprint(world)
        outcomes = await press_all(world, c, recorder, kind, refused_personas)
        changed = changes(before, await fingerprint(world))
        outcomes |= await press_all(world, c, recorder, kind, tuple(p for p in PERSONAS if p in allowed))
        observed[kind] = {p: outcomes[p] for p in PERSONAS}
        for persona, outcome in outcomes.items():
            if outcome.answer is None:
                problems.append(f"{kind}/{persona}: the press was never answered")
            elif persona in allowed and outcome.unauthorized:
                problems.append(f"{kind}/{persona}: refused {outcome.codes}")
            elif persona not in allowed and not outcome.refused:
                problems.append(f"{kind}/{persona}: not refused ({outcome.brief()}, {outcome.replies[:1]})")
        if changed:
            problems.append(f"{kind}: a refused press changed {changed}")
    if os.environ.get("PRINT_MATRIX"):
        print_table("BUTTONS", observed)
    assert problems == [], "\n".join(problems)


# --- commands ---------------------------------------------------------------------------------------------------


async def test_every_command_is_checked_for_role_and_scope(world, monkeypatch) -> None:
    recorder = Recorder()
    recorder.install(monkeypatch)
    c = await cast(world)
    assert set(COMMAND_TEXT) == set(handlers.COMMANDS), set(handlers.COMMANDS) ^ set(COMMAND_TEXT)
    codes = {
        name: (await world.rows("SELECT code FROM proposals WHERE id = ?", pid))[0][0]
        for name, pid in c.t.items()
        if name in ("decreed", "paid", "in_review")
    }
    observed: dict[str, dict[str, Outcome]] = {}
    problems: list[str] = []
    for command in COMMAND_TEXT:
        allowed = COMMANDS_ALLOWED.get(command, frozenset())
        before = await fingerprint(world)
        outcomes: dict[str, Outcome] = {}
        # One at a time in a group (the replies of several would interleave in the one chat).
        groups = (
            [(p,) for p in PERSONAS]
            if COMMAND_TEXT[command][1] == "group"
            else [tuple(p for p in PERSONAS if p not in allowed)]
        )
        for personas in groups:
            if personas and personas[0] not in allowed:
                outcomes |= await type_all(world, c, recorder, command, codes, personas)
        changed = changes(before, await fingerprint(world))
        for personas in groups if COMMAND_TEXT[command][1] == "group" else [tuple(p for p in PERSONAS if p in allowed)]:
            if personas and personas[0] in allowed:
                outcomes |= await type_all(world, c, recorder, command, codes, personas)
        observed[command] = {p: outcomes[p] for p in PERSONAS}
        for persona, outcome in outcomes.items():
            if not outcome.replies:
                problems.append(f"/{command}/{persona}: no answer")
            elif persona in allowed and outcome.unauthorized:
                problems.append(f"/{command}/{persona}: refused {outcome.codes}")
            elif persona not in allowed and not outcome.refused:
                problems.append(f"/{command}/{persona}: not refused ({outcome.replies[:1]})")
            elif persona not in allowed and not all(r.startswith("⚠️") for r in outcome.replies):
                problems.append(f"/{command}/{persona}: refused without the ⚠️ ({outcome.replies[:1]})")
        if changed:
            problems.append(f"/{command}: a refused command changed {changed}")
    if os.environ.get("PRINT_MATRIX"):
        print_table("COMMANDS", observed)
    assert problems == [], "\n".join(problems)
