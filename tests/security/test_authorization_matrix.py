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

import asyncio
import os
from collections.abc import Callable

import handlers
from handlers.callback_data import encode
from tests.security.matrix import PERSONAS, Cast, Outcome, Recorder, cast, changes, fingerprint, plant_button

Args = Callable[[dict[str, int]], tuple[object, ...]]

# case → (arguments for a real target, "group" if it lives on a group card else "private"). A case
# is a button kind, or ``kind:variant`` for one more target of the same kind (e.g. each decision of
# the PIC card: claim, verify, validate, release, return, reject).
BUTTON_TARGETS: dict[str, tuple[Args, str]] = {
    "lang": (lambda t: ("en",), "private"),
    "in": (lambda t: ("review",), "private"),
    "cl": (lambda t: (t["draft_client"],), "private"),
    "ed": (lambda t: (t["draft_client"], "address"), "private"),
    "bl": (lambda t: (t["draft_client"],), "private"),
    "rl": (lambda t: (t["draft_client"], t["draft_line"]), "private"),
    "rv": (lambda t: (), "private"),
    "pg": (lambda t: (0,), "private"),
    "add": (lambda t: (), "private"),
    "tpl": (lambda t: (), "private"),
    "att": (lambda t: (), "private"),
    "rma": (lambda t: (t["draft_attachment"],), "private"),
    "cup": (lambda t: (), "private"),
    "cont": (lambda t: (), "private"),
    "pni": (lambda t: (t["ipwl_a"],), "private"),
    "open": (lambda t: (t["draft"],), "private"),
    "keep": (lambda t: (t["draft"],), "private"),
    "rm": (lambda t: (t["draft_client"],), "private"),
    "sub": (lambda t: (t["draft"],), "private"),
    "stop": (lambda t: (t["draft"],), "private"),
    "wd": (lambda t: (t["withdrawable"],), "private"),
    "wdy": (lambda t: (t["withdrawable"],), "private"),
    "pic": (lambda t: (t["submitted"], "claim"), "group"),
    "pic:verify": (lambda t: (t["in_review_verify"], "verify"), "group"),
    "pic:validate": (lambda t: (t["verified"], "validate"), "group"),
    "pic:validate_own": (lambda t: (t["verified_own"], "validate"), "group"),
    "pic:release": (lambda t: (t["in_review_release"], "release"), "group"),
    "pdt": (lambda t: (t["in_review"],), "group"),
    "nik": (lambda t: (t["in_review_client"],), "private"),
    "pdc": (lambda t: (t["in_review"], "return"), "group"),
    "pdc:reject": (lambda t: (t["submitted"], "reject"), "group"),
    "rsn": (lambda t: (t["in_review"], "x"), "private"),
    "sk": (lambda t: ("p", t["validated"]), "private"),
    "nka": (lambda t: (t["decreed_client"],), "private"),
    "nks": (lambda t: (t["decreed_client"],), "private"),
    "acc": (lambda t: (t["decreed_client"],), "private"),
    "bnk": (lambda t: ("002",), "private"),
    "pbs": (lambda t: (), "private"),
    "bnp": (lambda t: ("bpd",), "private"),
    "acn": (lambda t: (), "private"),
    "acr": (lambda t: (), "private"),
    "acx": (lambda t: (t["decreed"],), "private"),
    "avr": (lambda t: (t["accounts_submitted"],), "private"),
    "av": (lambda t: (t["accounts_submitted_client"],), "private"),
    "ava": (lambda t: (t["accounts_submitted_2"],), "private"),
    "ar": (lambda t: (t["accounts_submitted_3_client"],), "private"),
    "apb": (lambda t: (t["accounts_submitted_3_client"],), "private"),
    "pay": (lambda t: (t["accounts_verified"],), "private"),
    "pok": (lambda t: (t["accounts_verified"], "y"), "private"),
    "ps": (lambda t: (t["accounts_verified_client"],), "private"),
    "psa": (lambda t: (t["accounts_verified"],), "private"),
    "pf": (lambda t: (t["accounts_verified_client"], "failed"), "private"),
    "ptx": (lambda t: (t["accounts_verified"],), "private"),
    "psd": (lambda t: (t["accounts_verified"],), "private"),
    "ljo": (lambda t: (t["paid"],), "private"),
    "lji": (lambda t: ("all",), "private"),
    "ljg": (lambda t: ("services",), "private"),
    "ljt": (lambda t: (), "private"),
    "ljs": (lambda t: (t["paid"],), "private"),
    "ljv": (lambda t: (t["lpj_submitted"],), "group"),
    "ljx": (lambda t: (t["lpj_submitted_2"],), "group"),
    "ljc": (lambda t: (), "private"),
    "ljk": (lambda t: (t["lpj_verified"],), "group"),
    "ljd": (lambda t: (t["lpj_submitted"],), "group"),
    "ip.l": (lambda t: (0,), "private"),
    "ip.w": (lambda t: (), "private"),
    "ip.s": (lambda t: (t["other_ipwl"],), "private"),
    "ip.e": (lambda t: (t["other_ipwl"], "address"), "private"),
    "ip.t": (lambda t: (t["other_ipwl"],), "private"),
    "ip.m": (lambda t: (t["other_ipwl"], t["team2"]), "private"),
    "ip.a": (lambda t: (), "private"),
    "ip.ap": (lambda t: ("32",), "private"),
    "ip.at": (lambda t: (t["team2"],), "private"),
    "tm.l": (lambda t: (), "private"),
    "tm.s": (lambda t: (t["team2"],), "private"),
    "tm.a": (lambda t: (), "private"),
    "tm.i": (lambda t: (t["team2"],), "private"),
    "pp.l": (lambda t: (0,), "private"),
    "pp.s": (lambda t: (t["dummy_person"],), "private"),
    "pp.rg": (lambda t: (t["dummy_grant"],), "private"),
    "pp.rgy": (lambda t: (t["dummy_grant"],), "private"),
    "pp.rp": (lambda t: (t["dummy_person"],), "private"),
    "pp.rpy": (lambda t: (t["dummy_person"],), "private"),
    "pp.re": (lambda t: (t["dummy_person"],), "private"),
    "iv.r": (lambda t: ("finance",), "private"),
    "iv.t": (lambda t: (t["team2"],), "private"),
    "iv.i": (lambda t: (t["other_ipwl"],), "private"),
    "bc.a": (lambda t: ("all",), "private"),
    "bc.p": (lambda t: ("32",), "private"),
    "bc.t": (lambda t: (t["team2"],), "private"),
    "bc.y": (lambda t: (1,), "private"),
    "bg.y": (lambda t: ("y", 2026, "all", 123_000_000, "-"), "private"),
    "bc.n": (lambda t: (1,), "private"),
    "pd.x": (lambda t: (t["paid_client"],), "private"),
    "pd.e": (lambda t: (t["paid_client"],), "private"),
    "pd.ey": (lambda t: (t["paid_client"],), "private"),
    "cs.p": (lambda t: (t["paid"], 0), "private"),
    "cs.c": (lambda t: (t["paid_client"],), "private"),
    "cs.f": (lambda t: (t["paid_client"],), "private"),
    "cs.g": (lambda t: (t["paid_client"],), "private"),
    "cs.w": (lambda t: (t["paid_client"],), "private"),
    "cs.wy": (lambda t: (t["paid_client"],), "private"),
    "cg.p": (lambda t: (t["decreed"],), "private"),
    "cg.c": (lambda t: (t["decreed_client_2"],), "private"),
    "cg.k": (lambda t: (t["decreed_client_2"], "drop_out"), "private"),
    "cg.v": (lambda t: (t["change"],), "group"),
    "cg.d": (lambda t: (t["change"], "verify"), "private"),
    "cg.d:return": (lambda t: (t["change_verified"], "return"), "private"),
    "cg.sk": (lambda t: ("y",), "private"),
    "rf.s": (lambda t: (t["refund"],), "private"),
    "rf.y": (lambda t: (t["refund"],), "private"),
    "rf.n": (lambda t: (t["refund"],), "private"),
    "au.p": (lambda t: (t["in_review"], 0), "private"),
    "ad.x": (lambda t: (), "private"),
    "ex.k": (lambda t: ("proposals",), "private"),
    "ex.c": (lambda t: ("clients", 1), "private"),
    "ex.r": (lambda t: ("clients", "m0", 1), "private"),
    "ex.o": (lambda t: ("clients", 1), "private"),
    "gd.m": (lambda t: (), "private"),
    "gd.s": (lambda t: ("sop", 0), "private"),
    # complaints (issue 16.5): the form acts on the presser's own form only; the desk is the officers'
    "cp.a": (lambda t: ("levy",), "private"),
    "cp.y": (lambda t: (), "private"),
    "cp.n": (lambda t: (), "private"),
    "cp.new": (lambda t: (), "private"),
    "co.l": (lambda t: (), "private"),
    "co.o": (lambda t: (t["complaint"],), "private"),
    "co.i": (lambda t: (t["complaint"],), "private"),
    "co.f": (lambda t: (t["complaint"],), "private"),
    "co.a": (lambda t: (t["complaint"], "note"), "private"),
    "co.y": (lambda t: (t["complaint"],), "private"),
    "co.n": (lambda t: (t["complaint"],), "private"),
    # post-payment checks (issue 16.4): the IPWL's own PIC team, privately
    "pk.a": (lambda t: (t["payment_check"], "full"), "private"),
    "pk.n": (lambda t: (t["payment_check"],), "private"),
}

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


def _print_table(title: str, observed: dict[str, dict[str, Outcome]]) -> None:
    print(f"\n{title}")
    for kind, row in observed.items():
        allowed = sorted(p for p, o in row.items() if not o.refused)
        print(f"    {kind!r}: {allowed},  # " + ", ".join(f"{p}={o.brief()}" for p, o in row.items() if o.refused))


async def _press_all(world, c: Cast, recorder: Recorder, kind: str, personas: tuple[str, ...]) -> dict[str, Outcome]:
    """Each persona presses the button on a message of their own (at the same time), then the bot settles."""
    args, where = BUTTON_TARGETS[kind]
    data = encode(kind.split(":")[0], *args(c.t))
    messages, before = {}, {}
    for persona in personas:
        user = c[persona]
        messages[persona] = plant_button(world, c.group.id if where == "group" else user.id, data)
        before[persona] = len(world.emu.chat_messages(user))
        recorder.take(user)
    answers = await asyncio.gather(*(world.emu.press(c[p], messages[p], data, timeout=5) for p in personas))
    await world.drain()
    return {
        p: Outcome(
            p,
            answer,
            recorder.take(c[p]),
            [m.text or m.caption or "" for m in world.emu.chat_messages(c[p])[before[p] :]],
        )
        for p, answer in zip(personas, answers, strict=True)
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
        outcomes = await _press_all(world, c, recorder, kind, refused_personas)
        changed = changes(before, await fingerprint(world))
        outcomes |= await _press_all(world, c, recorder, kind, tuple(p for p in PERSONAS if p in allowed))
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
        _print_table("BUTTONS", observed)
    assert problems == [], "\n".join(problems)


# --- commands ---------------------------------------------------------------------------------------------------

# command → (the text typed, "group" to type it in team 1's group else the private chat)
COMMAND_TEXT: dict[str, tuple[Callable[[dict[str, str]], str], str]] = {
    "start": (lambda c: "/start", "private"),
    "bantuan": (lambda c: "/bantuan", "private"),
    "help": (lambda c: "/help", "private"),
    "bahasa": (lambda c: "/bahasa", "private"),
    "batal": (lambda c: "/batal", "private"),
    "status": (lambda c: "/status", "private"),
    "hubungkan": (lambda c: "/hubungkan TIM1", "group"),
    "ajukan": (lambda c: "/ajukan", "private"),
    "lanjut": (lambda c: "/lanjut", "private"),
    "templat": (lambda c: "/templat", "private"),
    "sk": (lambda c: "/sk", "private"),
    "rekening": (lambda c: f"/rekening {c['decreed']}", "private"),
    "bayar": (lambda c: "/bayar", "private"),
    "lpj": (lambda c: f"/lpj {c['paid']}", "private"),
    "tugas": (lambda c: "/tugas", "private"),
    "ipwl": (lambda c: "/ipwl", "private"),
    "tim": (lambda c: "/tim", "private"),
    "pengguna": (lambda c: "/pengguna", "private"),
    "undang": (lambda c: "/undang finance", "private"),
    "siaran": (lambda c: "/siaran", "private"),
    "datapribadi": (lambda c: "/datapribadi 3201014508900004", "private"),
    "audit": (lambda c: f"/audit {c['in_review']}", "private"),
    "cadangan": (lambda c: "/cadangan", "private"),
    "pagu": (lambda c: "/pagu 2026 Rp 5.000.000.000", "private"),
    "laporan": (lambda c: "/laporan", "private"),
    "ekspor": (lambda c: "/ekspor", "private"),
    "panduan": (lambda c: "/panduan", "private"),
    "persetujuan": (lambda c: f"/persetujuan {c['paid']}", "private"),
    "pengaduan": (lambda c: "/pengaduan", "private"),
    "perubahan": (lambda c: f"/perubahan {c['decreed']}", "private"),
    "skperubahan": (lambda c: "/skperubahan", "private"),
}


async def _type_all(
    world, c: Cast, recorder: Recorder, command: str, codes: dict[str, str], personas: tuple[str, ...]
) -> dict[str, Outcome]:
    text_of, where = COMMAND_TEXT[command]
    text = text_of(codes)
    chats = {p: (c.group if where == "group" else c[p]) for p in personas}
    before = {p: len(world.emu.chat_messages(chats[p])) for p in personas}
    for p in personas:
        recorder.take(c[p])
    for p in personas:
        await world.emu.send_text(c[p], text, chat=c.group if where == "group" else None)
    # Each gets an answer (a report is drawn in a thread: the wire can be quiet meanwhile).
    await world.emu.wait_for(
        lambda: all(len(world.emu.chat_messages(chats[p])) > before[p] for p in personas), timeout=20
    )
    await world.drain()
    return {
        p: Outcome(
            p,
            None,
            recorder.take(c[p]),
            [m.text or m.caption or "" for m in world.emu.chat_messages(chats[p])[before[p] :]],
        )
        for p in personas
    }


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
                outcomes |= await _type_all(world, c, recorder, command, codes, personas)
        changed = changes(before, await fingerprint(world))
        for personas in groups if COMMAND_TEXT[command][1] == "group" else [tuple(p for p in PERSONAS if p in allowed)]:
            if personas and personas[0] in allowed:
                outcomes |= await _type_all(world, c, recorder, command, codes, personas)
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
        _print_table("COMMANDS", observed)
    assert problems == [], "\n".join(problems)
