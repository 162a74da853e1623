"""The cast and the machinery of the authorization matrix (tests/security/test_authorization_matrix.py).

Nine personas: the operator of the IPWL whose items are the targets (JB01), an operator of another
IPWL (SS01, another team), a PIC of JB01's team, a PIC of the other team, finance, the head of
centre, an admin, a stranger who only pressed Start, and a former operator of JB01 whose access was
revoked. Everyone is a member of team 1's group (anyone in a group can press any button there).

Targets: JB01's proposals in every status a button acts on (seeded through the repositories), an
open draft of the JB01 operator with three clients (his conversation), a draft of the SS01
operator (so her refusals come from ownership checks, not from "no draft"), and stand-ins for the
admin's buttons (a person, an IPWL and a team that nothing else depends on).

Refusals are recorded as they are rendered: ``handlers.views.refusal`` (every ServiceError,
WorkflowError, ValidationError a handler turns into a message or an alert) and
``handlers.views.stale_button`` (a button nobody claims), each with the Telegram user it answered.

Each button kind has its real target (``BUTTON_TARGETS``) and each command the text typed (``COMMAND_TEXT``);
``press_all`` and ``type_all`` have the personas press or type it and return what each got, ``print_table``
prints what was observed as the test's tables.
"""

from __future__ import annotations

import asyncio
import contextvars
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain.client_changes import ChangeKind
from bot.domain.models import ProposalStatus as S
from bot.domain.models import Role
from bot.emulator import BotMessage, CallbackAnswer, EmuChat, EmuUser
from bot.services import FileUpload
from handlers import views
from handlers.callback_data import encode
from handlers.context import BotContext
from storage.db import to_db_time
from tests.helpers import opened
from tests.scenarios.review_cast import client_inputs
from tests.seeds import seed_proposal

PERSONAS = (
    "op_a",
    "op_b",
    "pic_a",
    "pic_b",
    "finance",
    "head",
    "admin",
    "auditor",
    "officer",
    "stranger",
    "revoked",
)

# Refusals that mean "not yours": a role or scope check said no.
AUTHORIZATION_CODES = frozenset(
    {
        "admin_only",
        "head_only",
        "finance_only",
        "staff_only",
        "not_operator",
        "out_of_scope",
        "role_required",
        "not_your_team",
        "revoked",
        "not_registered",
        "four_eyes",
    }
)

_answering: contextvars.ContextVar[int | None] = contextvars.ContextVar("answering", default=None)


@dataclass
class Recorder:
    """Refusal codes per Telegram user id, in order."""

    codes: dict[int, list[str]] = field(default_factory=dict)

    def install(self, monkeypatch: Any) -> None:
        original_identify = BotContext.identify
        original_refusal = views.refusal
        original_stale = views.stale_button

        async def identify(ctx: BotContext, update: Any) -> Any:
            if update.effective_user is not None:
                _answering.set(update.effective_user.id)
            return await original_identify(ctx, update)

        def refusal(t: Any, error: object) -> str:
            self._add(getattr(error, "code", None) or type(error).__name__)
            return original_refusal(t, error)

        def stale_button(t: Any) -> str:
            self._add("stale_button")
            return original_stale(t)

        monkeypatch.setattr(BotContext, "identify", identify)
        monkeypatch.setattr(views, "refusal", refusal)
        monkeypatch.setattr(views, "stale_button", stale_button)

    def _add(self, code: str) -> None:
        user = _answering.get()
        if user is not None:
            self.codes.setdefault(user, []).append(code)

    def take(self, user: EmuUser) -> list[str]:
        return self.codes.pop(user.id, [])


@dataclass
class Cast:
    users: dict[str, EmuUser]
    group: EmuChat
    t: dict[str, int]  # target ids by name

    def __getitem__(self, persona: str) -> EmuUser:
        return self.users[persona]


async def _sql(world: Any, sql: str, *params: object) -> None:
    async with world.storage.db.transaction() as conn:
        await conn.execute(sql, params)


async def cast(world: Any) -> Cast:
    emu = world.emu
    users = {p: emu.add_user(p.replace("_", " ").title().replace(" ", ""), language_code="en") for p in PERSONAS}
    for persona, role, scope in (
        ("op_a", Role.OPERATOR, {"ipwl": "JB01"}),
        ("op_b", Role.OPERATOR, {"ipwl": "SS01"}),
        ("pic_a", Role.PIC, {"team": "TIM1"}),
        ("pic_b", Role.PIC, {"team": "TIM2"}),
        ("finance", Role.FINANCE, {}),
        ("head", Role.HEAD, {}),
        ("admin", Role.ADMIN, {}),
        ("auditor", Role.AUDITOR, {}),
        ("officer", Role.COMPLAINT_OFFICER, {}),
        ("revoked", Role.OPERATOR, {"ipwl": "JB01"}),
    ):
        await world.enrol(users[persona], role, **scope)
    await world.say(users["stranger"], "/start")
    group = emu.add_group("Tim PIC 1", members=list(users.values()))
    services = world.services
    boss = await services.onboarding.identify(9001, "Admin", private_chat=True, language="en")
    await services.onboarding.bind_group(boss, group.id, "TIM1")

    async def who(persona: str):
        user = users[persona]
        return await services.onboarding.identify(user.id, user.full_name, private_chat=True, language="en")

    t: dict[str, int] = {}
    # JB01 in every status a button acts on (one proposal each), and the statuses' clients.
    for name, status in (
        ("submitted", S.SUBMITTED),
        ("withdrawable", S.SUBMITTED),
        ("in_review", S.IN_REVIEW),
        ("in_review_verify", S.IN_REVIEW),
        ("in_review_release", S.IN_REVIEW),
        ("verified", S.VERIFIED),
        ("verified_own", S.VERIFIED),
        ("validated", S.VALIDATED),
        ("decreed", S.DECREED),
        ("accounts_submitted", S.ACCOUNTS_SUBMITTED),
        ("accounts_submitted_2", S.ACCOUNTS_SUBMITTED),
        ("accounts_submitted_3", S.ACCOUNTS_SUBMITTED),
        ("accounts_verified", S.ACCOUNTS_VERIFIED),
        ("paid", S.PAID),
        ("lpj_submitted", S.LPJ_SUBMITTED),
        ("lpj_submitted_2", S.LPJ_SUBMITTED),
        ("lpj_verified", S.LPJ_VERIFIED),
    ):
        t[name] = await seed_proposal(services, ipwl="JB01", status=status, clients=2)
        rows = await world.rows("SELECT id FROM clients WHERE proposal_id = ? ORDER BY position", t[name])
        t[f"{name}_client"] = rows[0][0]
    pic_a = (await world.rows("SELECT id FROM people WHERE telegram_user_id = ?", users["pic_a"].id))[0][0]
    for name in ("in_review", "in_review_verify", "in_review_release"):
        await _sql(world, "UPDATE proposals SET claimed_by = ? WHERE id = ?", pic_a, t[name])
    # Four eyes (issue 11.3): "verified" was verified by a colleague of pic_a, "verified_own" by pic_a.
    colleague = (await world.rows("SELECT id FROM people WHERE full_name LIKE 'Seeder %' LIMIT 1"))[0][0]
    await _sql(world, "UPDATE proposals SET verified_by = ? WHERE id = ?", colleague, t["verified"])
    await _sql(world, "UPDATE proposals SET verified_by = ? WHERE id = ?", pic_a, t["verified_own"])
    stamp = to_db_time(world.clock.now())
    for client in await world.rows(
        "SELECT id FROM clients WHERE proposal_id IN (?, ?, ?)",
        t["accounts_submitted"],
        t["accounts_submitted_2"],
        t["accounts_submitted_3"],
    ):
        await _sql(
            world,
            "INSERT INTO bank_accounts (client_id, bank_code, account_number, holder_name, status,"
            " updated_at) VALUES (?, '002', '123456789012345', 'Siti Rahayu', 'submitted', ?)",
            client[0],
            stamp,
        )
    # The JB01 operator's open draft (his conversation) with three clients; the SS01 operator's own.
    state = await services.proposals.start(await who("op_a"))
    state = await services.proposals.add_clients(await who("op_a"), client_inputs())
    t["draft"] = state.proposal.id
    t["draft_client"] = state.clients[0].id
    t["draft_line"] = state.clients[0].budget[0].id
    state = await services.proposals.attach(
        await who("op_a"),
        FileUpload("matrix-file", "matrix-file", "surat.pdf", "application/pdf", 193),
        sha256="0" * 64,
        stored_path=None,
    )
    t["draft_attachment"] = state.attachments[0].id
    other = await services.proposals.start(await who("op_b"))
    await services.proposals.add_clients(await who("op_b"), client_inputs()[:1])
    t["other_draft"] = other.proposal.id
    # Double assistance (issue 16.1): the decreed proposal's first client held by SS01's same NIK.
    ss01_client = (await world.rows("SELECT id FROM clients WHERE proposal_id = ?", t["other_draft"]))[0][0]
    for client, other_client, kind in (
        (t["decreed_client"], ss01_client, "hard"),
        (ss01_client, t["decreed_client"], "soft"),
    ):
        await _sql(
            world,
            "INSERT INTO nik_conflicts (client_id, other_client_id, kind, stage, found_at) VALUES (?, ?, ?, 'sk', ?)",
            client,
            other_client,
            kind,
            stamp,
        )
    # Revoke the second JB01 operator (all access), as an admin does from /pengguna.
    revoked = (await world.rows("SELECT id FROM people WHERE telegram_user_id = ?", users["revoked"].id))[0][0]
    await services.access.revoke_person(boss, revoked)
    # Stand-ins for the admin's buttons: a person with a grant, PA01 and team 2, a closed proposal's client.
    dummy = emu.add_user("Dummy", language_code="en")
    await world.enrol(dummy, Role.PIC, team="TIM2")
    t["dummy_person"] = (await world.rows("SELECT id FROM people WHERE telegram_user_id = ?", dummy.id))[0][0]
    t["dummy_grant"] = (await world.rows("SELECT id FROM grants WHERE person_id = ?", t["dummy_person"]))[0][0]
    t["other_ipwl"] = (await world.rows("SELECT id FROM ipwl WHERE code = 'PA01'"))[0][0]
    t["ipwl_a"] = (await world.rows("SELECT id FROM ipwl WHERE code = 'JB01'"))[0][0]
    t["team2"] = (await world.rows("SELECT id FROM pic_teams WHERE code = 'TIM2'"))[0][0]
    # A named complaint about JB01 (issue 16.5), filed by the stranger.
    t["complaint"] = await file_complaint(services, await who("stranger"))
    # A post-payment check of the paid proposal's client (issue 16.4), for team 1 to answer.
    await _sql(
        world,
        "INSERT INTO payment_checks (proposal_id, client_id, expected_amount) VALUES (?, ?, 1500000)",
        t["paid"],
        t["paid_client"],
    )
    t["payment_check"] = (await world.rows("SELECT id FROM payment_checks"))[0][0]
    # Changes after the SK (issue 16.6): one waiting for the PIC, one verified (for the head), a
    # refund case (for finance), and a decreed client with none (to ask for one).
    op_a = (await world.rows("SELECT id FROM people WHERE telegram_user_id = ?", users["op_a"].id))[0][0]
    second = await world.rows("SELECT id FROM clients WHERE proposal_id = ? ORDER BY position", t["lpj_verified"])
    t["decreed_client_2"] = (
        await world.rows("SELECT id FROM clients WHERE proposal_id = ? ORDER BY position", t["decreed"])
    )[1][0]
    # The evidence is a file the emulator knows (the details send it again by its file id).
    evidence_file = emu.state.files.add(
        b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
        kind="document",
        file_name="surat.pdf",
        mime_type="application/pdf",
        size=None,
    ).document_dict()["file_id"]
    async with services.storage.transaction() as uow:
        for name, client_id in (("change", second[1][0]), ("change_verified", second[0][0])):
            evidence = await uow.attachments.add(
                t["lpj_verified"],
                client_id=client_id,
                purpose="change_evidence",
                telegram_file_id=evidence_file,
                file_unique_id=None,
                file_name="surat.pdf",
                mime_type="application/pdf",
                size=193,
                sha256="0" * 64,
                stored_path=None,
                uploaded_by=op_a,
                now=world.clock.now(),
            )
            t[name] = await uow.client_changes.create(
                proposal_id=t["lpj_verified"],
                client_id=client_id,
                kind=ChangeKind.DROP_OUT,
                reason="Kembali ke keluarga",
                old_value=None,
                new_value=None,
                target_ipwl_id=None,
                duplicates=(),
                evidence_id=evidence,
                by=op_a,
                now=world.clock.now(),
            )
        await uow.client_changes.verify(t["change_verified"], pic_a, world.clock.now())
        t["refund"] = await uow.refunds.open_case(
            t["change_verified"], t["lpj_verified"], second[0][0], 2_000_000, world.clock.now()
        )
    await world.emu.settle()
    await world.drain()
    return Cast(users, group, t)


# --- the database, as far as a refused press must leave it ---------------------------------------------------


async def fingerprint(world: Any) -> dict[str, list[tuple]]:
    """Every table as rows, but for what merely knowing someone writes: the updates seen, the
    people's display names and "started" flags, and the audit of refused presses ("denied")."""
    result: dict[str, list[tuple]] = {}
    async with world.storage.db.reading() as conn:
        tables = [
            r[0]
            for r in await conn.execute_fetchall(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
                if conn.dialect == "sqlite"
                else "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
            )
        ]
        for table in sorted(set(tables) - {"processed_updates", "schema_migrations"}):
            if table == "people":
                sql = "SELECT id, telegram_user_id, locale, revoked_at FROM people"
            elif table == "audit_events":
                sql = "SELECT * FROM audit_events WHERE action != 'denied'"
            else:
                sql = f"SELECT * FROM {table}"
            # In a stable order on both engines (not every table has an id). Sealed values are
            # compared opened: sealing the same value twice gives other bytes (a fresh nonce).
            result[table] = sorted(
                (tuple(opened(world.storage.keys, v) for v in r) for r in await conn.execute_fetchall(sql)), key=repr
            )
    return result


def changes(before: dict[str, list[tuple]], after: dict[str, list[tuple]]) -> dict[str, tuple[int, int]]:
    return {t: (len(before.get(t, [])), len(after.get(t, []))) for t in after if before.get(t) != after.get(t)}


# --- pressing and typing ---------------------------------------------------------------------------------------


async def message_with_button(world: Any, chat_id: int, data: str) -> BotMessage:
    """A message from the bot carrying one button with ``data`` (as an old or forged card would)."""
    sent = await world.app.bot.send_message(
        chat_id, "·", reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("·", callback_data=data)]])
    )
    message = next(m for m in world.emu.chat_messages(chat_id) if m.message_id == sent.message_id)
    return message


def plant_button(world: Any, chat_id: int, data: str) -> BotMessage:
    """The same as :func:`message_with_button`, put straight into the emulator's record of what the
    bot sent (no HTTP round trip: the matrix needs ~900 of them)."""
    state = world.emu.state
    chat = state.users[chat_id].chat_dict() if chat_id in state.users else state.groups[chat_id].to_dict()
    return state.new_bot_message(
        chat, text="·", html="·", reply_markup={"inline_keyboard": [[{"text": "·", "callback_data": data}]]}
    )


@dataclass
class Outcome:
    persona: str
    answer: CallbackAnswer | None
    codes: list[str]
    replies: list[str]

    @property
    def refused(self) -> bool:
        return bool(self.codes)

    @property
    def unauthorized(self) -> bool:
        return any(c in AUTHORIZATION_CODES for c in self.codes)

    def brief(self) -> str:
        if self.codes:
            return "refused:" + "+".join(self.codes)
        if self.answer is None:
            return "no-answer"
        return "alert" if self.answer.show_alert else "ok"


async def file_complaint(services: Any, complainant: Any, *, anonymous: bool = False) -> int:
    """A complaint filed through the form's service calls (levy, about nothing in particular)."""
    from bot.domain.conversation import Reply

    complaints = services.complaints
    await complaints.start(complainant)
    await complaints.answer(complainant, Reply(choice="levy"))
    await complaints.answer(complainant, Reply(choice="anon" if anonymous else "named"))
    await complaints.answer(complainant, Reply(choice="skip"))
    await complaints.answer(complainant, Reply(text="Bantuan dipotong Rp300.000 oleh pengurus yayasan."))
    await complaints.answer(complainant, Reply(choice="done"))
    filed = await complaints.submit(complainant)
    async with services.storage.reading() as uow:
        row = await uow.complaints.by_ticket(filed.ticket)
    assert row is not None
    return int(row.id)


def now(world: Any) -> dt.datetime:
    return world.clock.now()


# --- every button kind and command, for every persona at once --------------------------------------------------

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


def print_table(title: str, observed: dict[str, dict[str, Outcome]]) -> None:
    print(f"\n{title}")
    for kind, row in observed.items():
        allowed = sorted(p for p, o in row.items() if not o.refused)
        print(f"    {kind!r}: {allowed},  # " + ", ".join(f"{p}={o.brief()}" for p, o in row.items() if o.refused))


async def press_all(world, c: Cast, recorder: Recorder, kind: str, personas: tuple[str, ...]) -> dict[str, Outcome]:
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


async def type_all(
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
