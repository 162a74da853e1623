"""Proposal intake for IPWL operators: drafts, the guided conversation, submit, revise, withdraw."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from bot.clock import today_in
from bot.domain import proposal_intake as intake
from bot.domain import workflow
from bot.domain.consent import NOTICE_VERSION, Guardian, is_minor
from bot.domain.kinds import ConversationKind, NotificationKind
from bot.domain.models import Action, Attachment, Client, Consent, Ipwl, Proposal, ProposalStatus, ReturnReason
from bot.domain.proposal_intake import Cursor, IntakeContext, Reply, Step
from bot.domain.regions import RegionsCatalog, ipwl_zone
from bot.domain.validation import NikInfo, Problem, ValidationError, parse_nik
from bot.i18n import DEFAULT_TIMEZONE, N_, FileSize
from bot.services.base import FileUpload, Identity, ServiceError, StaleButton
from bot.services.reviews import StaffService
from storage.unit import UnitOfWork

if TYPE_CHECKING:
    from bot.files.client_sheet import ClientInput

EDITABLE = (ProposalStatus.DRAFT, ProposalStatus.RETURNED)
PKS_WARNING_DAYS = 30


@dataclass(frozen=True)
class RowWarning:
    """A doubt about one row of a client list (the NIK's birth date or sex, the NIK elsewhere): which
    row and client it is about, for the operator's private chat."""

    row: int
    name: str
    problem: Problem
    position: int | None = None  # the client's number in the proposal (as the summary calls them)


@dataclass(frozen=True)
class DraftState:
    """Everything a view needs to show a draft and ask its next question."""

    proposal: Proposal
    ipwl: Ipwl
    cursor: Cursor
    clients: list[Client]
    attachments: list[Attachment] = field(default_factory=list)
    editing: Client | None = None
    previous: Client | None = None
    reasons: list[ReturnReason] = field(default_factory=list)
    warnings: tuple[Problem, ...] = ()
    # A client list's doubts, each with the row and the client it is about (a sheet has many clients).
    row_warnings: tuple[RowWarning, ...] = ()
    consents: dict[int, Consent] = field(default_factory=dict)  # by client id (withdrawn ones too)
    zone: str = DEFAULT_TIMEZONE  # the IPWL's (WIB, WITA or WIT): the day a consent was signed there
    # After the SK: clients off the list by an SK perubahan, each with that SK perubahan's number.
    left: dict[int, str] = field(default_factory=dict)
    # Clients held for double assistance (issue 16.1): out of the SK annex and the money until cleared.
    held: frozenset[int] = frozenset()
    # Of those, the ones decided the same person as a client elsewhere: held for good (to be removed).
    confirmed: frozenset[int] = frozenset()
    # A NIK just typed over a saved client's, as it decodes: the card masks the NIK, so this is how
    # the operator checks the digits she typed (as the first NIK was read back at its question).
    edited_nik: NikInfo | None = None

    @property
    def total(self) -> int:
        return sum(c.total for c in self.clients)

    @property
    def documents(self) -> list[Attachment]:
        """The proposal's own files (a cover letter, …): the attachments shown and counted as such,
        without the clients' signed consent forms, which are listed with each client."""
        return [a for a in self.attachments if a.purpose == "proposal"]

    @property
    def amended_total(self) -> int:
        """The total of the clients still on the list (the SK's total once no one has left)."""
        return sum(c.total for c in self.clients if c.id not in self.left)

    @property
    def decreed_total(self) -> int:
        """What the SK annex carries: the clients not held for double assistance (a client decided
        the same person stays out of it, and out of this total, also after leaving the list)."""
        return sum(c.total for c in self.clients if c.id not in self.held)

    @property
    def without_consent(self) -> list[Client]:
        """The clients whose consent is not recorded (or was withdrawn), or was recorded without a
        guardian for a client who was under 18 then (a birth date corrected since): the proposal
        waits for them."""
        return [c for c in self.clients if not self._consent_holds(c)]

    def _consent_holds(self, client: Client) -> bool:
        consent = self.consents.get(client.id)
        if consent is None or not consent.in_force:
            return False
        signed = consent.recorded_at.astimezone(ZoneInfo(self.zone)).date()  # the IPWL's day, not UTC's
        return bool(consent.guardian_name) or not is_minor(client.nik, signed, client.birth_date)


CONSENT_FORM_TYPES = frozenset({"image/jpeg", "image/png", "application/pdf"})


MIN_FORM_PHOTO_BYTES = 10_000


def _named(client: Client) -> dict[str, object]:
    """How a refusal names the client it is about: their number on the list and their name, cut to
    40 characters (the same in every message of the intake)."""
    return {"number": client.position, "name": client.full_name[:40]}


def _check_consent_form(state: DraftState, upload: FileUpload, sha256: str) -> None:
    """A signed form is a photo or a PDF of the page (a workbook or a text document carries no
    signature), and one client's form is not another's."""
    client = state.editing
    assert client is not None
    if (upload.mime_type or "").lower() not in CONSENT_FORM_TYPES:
        raise ValidationError(
            Problem(
                N_(
                    "The signed consent form of client {number} ({name}) is sent as a photo (JPG/PNG) or a "
                    "PDF of the signed page; this file is neither. Nothing was recorded."
                ),
                _named(client),
            )
        )
    if (upload.mime_type or "").lower().startswith("image/") and upload.size < MIN_FORM_PHOTO_BYTES:
        # A phone's photo of a signed page is tens of kilobytes at least; a few hundred bytes is an
        # icon or a blank square, and nobody could read a signature on it later.
        raise ValidationError(
            Problem(
                N_(
                    "This photo is too small to show a signed page (only {size}). Photograph the whole "
                    "consent form of client {number} ({name}) in good light, and send that photo."
                ),
                {"size": FileSize(upload.size), **_named(client)},
            )
        )
    other = next(
        (a for a in state.attachments if a.purpose == "consent" and a.sha256 == sha256 and a.client_id != client.id),
        None,
    )
    if other is not None:
        owner = next((c for c in state.clients if c.id == other.client_id), None)
        raise ValidationError(
            Problem(
                N_(
                    "This is the same file as the consent form of client {other}: each client signs their own "
                    "form. Send the form of client {number} ({name})."
                ),
                {"other": owner.position if owner else "?", **_named(client)},
            )
        )


class ProposalService(StaffService):
    """What an operator does with proposals."""

    def __init__(self, *args: Any, regions: RegionsCatalog | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.regions = regions or RegionsCatalog.empty()

    # --- starting and resuming ---------------------------------------------------------------------

    async def operated_ipwls(self, who: Identity) -> list[Ipwl]:
        """The IPWL this operator can propose for (more than one: ``/ajukan`` asks which)."""
        ids = self._operated(who)
        async with self.storage.reading() as uow:
            return [ipwl for ipwl in [await uow.ipwl.by_id(i) for i in ids] if ipwl is not None]

    async def start(self, who: Identity, ipwl_id: int | None = None) -> DraftState:
        """``/ajukan``: a new draft for the operator's IPWL (one draft at a time per IPWL).

        An operator of several IPWL names the one (``ipwl_id``), re-checked here like any button."""
        ipwl_id = self._chosen_ipwl(who, ipwl_id)
        now = self.clock.now()
        async with self.storage.transaction() as uow:
            ipwl = await uow.ipwl.by_id(ipwl_id)
            assert ipwl is not None
            self._check_pks(ipwl, today_in(self.clock, self._zone(ipwl)))
            existing = await uow.proposals.draft_of(ipwl_id)
            if existing is not None:
                raise ServiceError(
                    "draft_exists",
                    N_("Your IPWL already has a draft, {code}. Continue it or discard it first."),
                    code=existing.code,
                )
            proposal = await uow.proposals.create_draft(ipwl_id, who.person.id, now)
            await uow.proposals.set_cursor(proposal.id, json.dumps(Cursor().to_json()), now)
            await uow.conversations.start(who.person.id, ConversationKind.PROPOSAL, proposal.id, now)
            await uow.audit.record(self.event(who, "proposal", proposal.code, "create_draft", to="draft"))
            return await self._state(uow, proposal.id)

    async def resume(self, who: Identity, code: str | None = None, *, proposal_id: int | None = None) -> DraftState:
        """``/lanjut``: back to the IPWL's draft (or a returned proposal being revised).

        Without a code, an operator of several IPWL gets the draft touched last (then the returned
        proposal); ``/lanjut CODE`` picks another."""
        ipwl_ids = self._operated(who)
        now = self.clock.now()
        async with self.storage.transaction() as uow:
            if proposal_id is not None:
                proposal = await uow.proposals.by_id(proposal_id)
            elif code:
                proposal = await uow.proposals.by_code(code)
            else:
                proposal = _latest([await uow.proposals.draft_of(i) for i in ipwl_ids]) or _latest(
                    [await self._returned_of(uow, i) for i in ipwl_ids]
                )
            if proposal is None or not who.actor.operates(proposal.ipwl_id):
                raise ServiceError("no_draft", N_("There is no draft to continue. Start one with /ajukan."))
            if proposal.status not in EDITABLE:
                raise ServiceError("not_editable", N_("Proposal {code} can no longer be changed."), code=proposal.code)
            raw = await uow.proposals.cursor_of(proposal.id)
            cursor = Cursor.from_json(json.loads(raw)) if raw else None
            if cursor is None or (
                cursor.step == Step.NAME and not cursor.client and await uow.clients.of_proposal(proposal.id)
            ):
                # A blank "next client" nobody started is dropped: back to the summary, which
                # offers to add one, rather than a question that traps.
                await uow.proposals.set_cursor(proposal.id, json.dumps(Cursor(step=Step.REVIEW).to_json()), now)
            await uow.conversations.start(who.person.id, ConversationKind.PROPOSAL, proposal.id, now)
            return await self._state(uow, proposal.id)

    async def current(self, who: Identity) -> DraftState | None:
        """The draft this person is working on, if their conversation is a proposal."""
        async with self.storage.reading() as uow:
            proposal_id = await uow.conversations.about(who.person.id, ConversationKind.PROPOSAL)
            if proposal_id is None:
                return None
            proposal = await uow.proposals.by_id(proposal_id)
            if proposal is None or proposal.status not in EDITABLE or not who.actor.operates(proposal.ipwl_id):
                return None
            return await self._state(uow, proposal.id)

    # --- the conversation ------------------------------------------------------------------------

    async def answer(self, who: Identity, reply: Reply) -> DraftState:
        """Validate one answer, write it and move the cursor — or change nothing and raise."""
        now = self.clock.now()
        async with self.storage.transaction() as uow:
            state = await self._editable(uow, who)
            ctx = self._context(state, today_in(self.clock, self._zone(state.ipwl)))
            outcome = intake.answer(state.cursor, reply, ctx)
            cursor = outcome.cursor
            warnings = list(outcome.warnings)
            for effect in outcome.effects:
                cursor, more = await self._apply(uow, who, state, effect, cursor, now)
                warnings.extend(more)
            await uow.proposals.set_cursor(state.proposal.id, json.dumps(cursor.to_json()), now)
            fresh = await self._state(uow, state.proposal.id)
        new_nik = next(
            (e.fields["nik"] for e in outcome.effects if isinstance(e, intake.UpdateClient) and "nik" in e.fields), None
        )
        if new_nik is not None:
            fresh = replace(fresh, edited_nik=parse_nik(new_nik, today=ctx.today))
        return _with_warnings(fresh, warnings)

    async def _apply(
        self, uow: UnitOfWork, who: Identity, state: DraftState, effect: intake.Effect, cursor: Cursor, now: dt.datetime
    ) -> tuple[Cursor, list[Problem]]:
        proposal = state.proposal
        if isinstance(effect, intake.SetPeriod):
            await uow.proposals.set_period(proposal.id, effect.year, effect.month, now)
        elif isinstance(effect, intake.CheckNik):
            return cursor, await self._check_nik(uow, state, effect.nik, now)
        elif isinstance(effect, intake.SaveClient):
            if len(state.clients) >= self.settings.intake.max_clients:
                raise ValidationError(
                    Problem(N_("A proposal holds at most {max} clients."), {"max": self.settings.intake.max_clients})
                )
            fields = dict(effect.fields)
            if fields["nik"] in {c.nik for c in state.clients}:
                # Added meanwhile (a client list uploaded while this client was being typed): the
                # NIK check at its question passed then; saving it twice would break the draft.
                raise ValidationError(
                    Problem(N_("This NIK is already in this proposal. Each client appears once."), field="nik")
                )
            flags = (("dup_nik",) if await self._nik_elsewhere(uow, state, fields["nik"], now) else ()) + tuple(
                effect.flags
            )
            client_id = await uow.clients.add(
                proposal.id, fields.pop("full_name"), fields.pop("nik"), flags=flags, **fields
            )
            return replace(cursor, client_id=client_id), []
        elif isinstance(effect, intake.AddBudgetLine):
            await uow.clients.add_budget_line(
                effect.client_id, effect.component, effect.description, effect.quantity, effect.unit_cost
            )
        elif isinstance(effect, intake.CopyBudget):
            source = await uow.clients.by_id(effect.from_client_id)
            target = await uow.clients.by_id(effect.to_client_id)
            assert source is not None and target is not None
            for line in source.budget:
                if line.component in target.components:
                    await uow.clients.add_budget_line(
                        target.id, line.component, line.description, line.quantity, line.unit_cost
                    )
        elif isinstance(effect, intake.UpdateClient):
            client = await self._own_client(uow, state, effect.client_id)
            fields = dict(effect.fields)
            warnings: list[Problem] = []
            if fields.keys() & {"nik", "sex", "birth_date"}:
                new_flags = [f for f in client.flags if f not in ("dup_nik", intake.NIK_MISMATCH)]
                nik = fields.get("nik", client.nik)
                if (
                    "dup_nik" in client.flags
                    and "nik" not in fields
                    or "nik" in fields
                    and await self._nik_elsewhere(uow, state, nik, now)
                ):
                    new_flags.append("dup_nik")
                # A birth date or sex that contradicts the NIK is kept, but flagged and said.
                warnings = intake.mismatch_of(
                    nik,
                    fields.get("sex", client.sex),
                    fields.get("birth_date", client.birth_date),
                    today=today_in(self.clock, self._zone(state.ipwl)),
                )
                if warnings:
                    new_flags.append(intake.NIK_MISMATCH)
                fields["flags"] = tuple(new_flags)
            await uow.clients.update(effect.client_id, **fields)
            return cursor, warnings
        return cursor, []

    async def _nik_elsewhere(
        self, uow: UnitOfWork, state: DraftState, nik: str, now: dt.datetime
    ) -> list[tuple[str, str]]:
        year = state.proposal.period_year or now.year
        await uow.clients.lock_nik(nik, year)
        return await uow.clients.nik_in_other_ipwl(nik, year, state.proposal.ipwl_id)

    async def _check_nik(self, uow: UnitOfWork, state: DraftState, nik: str, now: dt.datetime) -> list[Problem]:
        """Double assistance: the same NIK in another IPWL's proposal this year warns and flags."""
        elsewhere = await self._nik_elsewhere(uow, state, nik, now)
        if not elsewhere:
            return []
        # Privacy: the other IPWL's proposal code is its data — the operator learns only that there is one.
        return [
            Problem(
                N_(
                    "This NIK is also in a proposal of another IPWL this year. "
                    "You may go on; the PIC team will check it."
                ),
                {},
                "warn",
                "nik",
            )
        ]

    async def edit(self, who: Identity, client_id: int, field_name: str) -> DraftState:
        """Open one field of a saved client for correction (from the review)."""
        return await self._move_cursor(who, client_id, lambda c: intake.start_edit(c, field_name))

    async def add_budget(self, who: Identity, client_id: int) -> DraftState:
        return await self._move_cursor(who, client_id, intake.start_budget)

    async def go_to(self, who: Identity, step: Step) -> DraftState:
        """Jump to the review, or start another client."""
        if step not in (Step.REVIEW, Step.NAME):
            raise ValueError(step)
        now = self.clock.now()
        async with self.storage.transaction() as uow:
            state = await self._editable(uow, who)
            await uow.proposals.set_cursor(state.proposal.id, json.dumps(Cursor(step=step).to_json()), now)
            return await self._state(uow, state.proposal.id)

    async def remove_client(self, who: Identity, client_id: int) -> DraftState:
        now = self.clock.now()
        async with self.storage.transaction() as uow:
            state = await self._editable(uow, who)
            client = await self._own_client(uow, state, client_id)
            await uow.clients.remove(client.id)
            await uow.proposals.set_cursor(state.proposal.id, json.dumps(Cursor(step=Step.REVIEW).to_json()), now)
            return await self._state(uow, state.proposal.id)

    async def remove_budget_line(self, who: Identity, client_id: int, line_id: int) -> DraftState:
        async with self.storage.transaction() as uow:
            state = await self._editable(uow, who)
            client = await self._own_client(uow, state, client_id)
            if line_id not in {line.id for line in client.budget}:
                raise StaleButton()
            await uow.clients.remove_budget_line(line_id)
            return await self._state(uow, state.proposal.id)

    async def add_clients(
        self, who: Identity, inputs: Sequence[ClientInput], *, update_existing: bool = False
    ) -> DraftState:
        """A filled client list (XLSX/CSV): all rows are written, or none.

        A row whose NIK is already in the draft is refused with ``ServiceError("clients_listed")``
        (its params say how many are listed already and how many are new) unless
        ``update_existing``: then that client takes the row's data, and the row's budget lines
        replace theirs (a client with no line in the file keeps their lines)."""
        now = self.clock.now()
        async with self.storage.transaction() as uow:
            state = await self._editable(uow, who)
            present = {c.nik: c for c in state.clients}
            listed = [i for i in inputs if i.nik in present]
            if listed and not update_existing:
                raise ServiceError(
                    "clients_listed",
                    N_("{listed} client(s) in the file are already in this proposal."),
                    listed=len(listed),
                    new=len(inputs) - len(listed),
                )
            added = [i for i in inputs if i.nik not in present]
            if len(state.clients) + len(added) > self.settings.intake.max_clients:
                raise ValidationError(
                    Problem(N_("A proposal holds at most {max} clients."), {"max": self.settings.intake.max_clients})
                )
            warnings: list[tuple[str, RowWarning]] = []  # (the row's NIK: its client's number at the end)
            year = state.proposal.period_year or now.year
            for nik in sorted({i.nik for i in inputs}):  # in one order everywhere: two uploads never deadlock
                await uow.clients.lock_nik(nik, year)
            for item in inputs:
                found = await self._check_nik(uow, state, item.nik, now)
                warnings.extend((item.nik, RowWarning(item.row, item.full_name, p)) for p in (*found, *item.warnings))
                fields: dict[str, object] = dict(
                    sex=item.sex.value,
                    birth_date=item.birth_date,
                    province_code=item.province_code,
                    regency=item.regency,
                    address=item.address,
                    phone=item.phone,
                    approach=item.approach.value,
                    components=[c.value for c in item.components],
                    assessment=item.assessment,
                    intervention_plan=item.intervention_plan,
                )
                existing = present.get(item.nik)
                if existing is None:
                    client_id = await uow.clients.add(
                        state.proposal.id, item.full_name, item.nik, flags=("dup_nik",) if found else (), **fields
                    )
                else:
                    client_id = existing.id
                    flags = tuple(dict.fromkeys((*existing.flags, *(("dup_nik",) if found else ()))))
                    await uow.clients.update(client_id, full_name=item.full_name, flags=flags, **fields)
                    if item.budget:
                        for old in existing.budget:
                            await uow.clients.remove_budget_line(old.id)
                for line in item.budget:
                    await uow.clients.add_budget_line(
                        client_id, line.component, line.description, line.quantity, line.unit_cost
                    )
            if state.proposal.period_year is None:
                await uow.proposals.set_period(state.proposal.id, now.year, now.month, now)
            await uow.proposals.set_cursor(state.proposal.id, json.dumps(Cursor(step=Step.REVIEW).to_json()), now)
            await self._hold_sheet(uow, who, state, None, now)
            await uow.audit.record(
                self.event(
                    who,
                    "proposal",
                    state.proposal.code,
                    "bulk_clients",
                    reason=f"{len(added)} clients" + (f", {len(listed)} updated" if listed else ""),
                )
            )
            fresh = await self._state(uow, state.proposal.id)
        numbers = {c.nik: c.position for c in fresh.clients}
        return replace(fresh, row_warnings=tuple(replace(w, position=numbers.get(nik)) for nik, w in warnings))

    async def hold_sheet(self, who: Identity, upload: FileUpload) -> DraftState:
        """Keep (in the draft's conversation) the client list that named clients already entered,
        so "update them" can read it again without the operator sending it twice."""
        async with self.storage.transaction() as uow:
            state = await self._editable(uow, who)
            await self._hold_sheet(uow, who, state, upload, self.clock.now())
            return state

    async def held_sheet(self, who: Identity) -> FileUpload:
        """The client list kept by :meth:`hold_sheet`; refused when there is none (any more)."""
        async with self.storage.reading() as uow:
            state = await self._editable(uow, who)
            conversation = await uow.conversations.of(who.person.id)
        held = (conversation.state if conversation else {}).get("held_sheet")
        if not held or held.get("proposal_id") != state.proposal.id:
            raise ServiceError("stale", N_("This client list is no longer waiting. Send the file again."))
        return FileUpload(
            held["file_id"], held.get("unique_id"), held.get("name"), held.get("mime"), int(held.get("size", 0))
        )

    async def _hold_sheet(
        self, uow: UnitOfWork, who: Identity, state: DraftState, upload: FileUpload | None, now: dt.datetime
    ) -> None:
        conversation = await uow.conversations.of(who.person.id)
        kept = dict(conversation.state) if conversation else {}
        if upload is None and "held_sheet" not in kept:
            return
        kept.pop("held_sheet", None)
        if upload is not None:
            kept["held_sheet"] = {
                "proposal_id": state.proposal.id,
                "file_id": upload.telegram_file_id,
                "unique_id": upload.file_unique_id,
                "name": upload.file_name,
                "mime": upload.mime_type,
                "size": upload.size,
            }
        await uow.conversations.start(who.person.id, ConversationKind.PROPOSAL, state.proposal.id, now, kept)

    async def attach(self, who: Identity, upload: FileUpload, *, sha256: str, stored_path: str | None) -> DraftState:
        """Link an uploaded document or photo to the draft (and to the client being typed)."""
        now = self.clock.now()
        async with self.storage.transaction() as uow:
            state = await self._editable(uow, who)
            if state.cursor.step == Step.CONSENT_GUARDIAN and state.editing is not None:
                # The form of a minor came before the guardian's name: not kept as a loose attachment.
                raise ValidationError(
                    Problem(
                        N_(
                            "Client {number} ({name}) is under 18 by the NIK: first type who "
                            "signed for them (name, relation)."
                        ),
                        _named(state.editing),
                    )
                )
            consent = state.cursor.step == Step.CONSENT_FORM and state.editing is not None
            if consent:
                _check_consent_form(state, upload, sha256)
            client_id = (
                state.cursor.client_id
                if state.cursor.step in (Step.BUDGET, Step.BUDGET_LINE, Step.EDIT, Step.CONSENT_FORM)
                else None
            )
            attachment_id = await self.record_attachment(
                uow,
                state.proposal.id,
                upload,
                purpose="consent" if consent else "proposal",
                client_id=client_id,
                uploaded_by=who.person.id,
                now=now,
                sha256=sha256,
                stored_path=stored_path,
            )
            if consent:
                await self._record_consent(uow, who, state, attachment_id, now)
            return await self._state(uow, state.proposal.id)

    async def record_consent(
        self,
        who: Identity,
        client_id: int,
        upload: FileUpload,
        *,
        sha256: str,
        stored_path: str | None,
        guardian: Guardian | None = None,
    ) -> DraftState:
        """Record one client's consent with its signed form outside the conversation (a client list's
        clients, the sandbox's demo): as the chat's consent step does, guardian included."""
        now = self.clock.now()
        async with self.storage.transaction() as uow:
            state = await self._editable(uow, who)
            await self._own_client(uow, state, client_id)
            attachment_id = await self.record_attachment(
                uow,
                state.proposal.id,
                upload,
                purpose="consent",
                client_id=client_id,
                uploaded_by=who.person.id,
                now=now,
                sha256=sha256,
                stored_path=stored_path,
            )
            cursor = Cursor(
                step=Step.CONSENT_FORM,
                client_id=client_id,
                client={}
                if guardian is None
                else {"guardian_name": guardian.name, "guardian_relation": guardian.relation},
            )
            at = replace(state, cursor=cursor, editing=next(c for c in state.clients if c.id == client_id))
            await self._record_consent(uow, who, at, attachment_id, now, move_cursor=False)
            return await self._state(uow, state.proposal.id)

    async def _record_consent(
        self,
        uow: UnitOfWork,
        who: Identity,
        state: DraftState,
        attachment_id: int,
        now: dt.datetime,
        *,
        move_cursor: bool = True,
    ) -> None:
        """The signed form of the client at the cursor arrived: record the consent (with the notice
        version shown and the guardian typed before, for a minor), then ask for the next client's,
        or go back to the review when every client has one."""
        client = state.editing
        assert client is not None
        today = self.today_for(state)
        guardian_name = state.cursor.client.get("guardian_name")
        if is_minor(client.nik, today, client.birth_date) and not guardian_name:
            raise ValidationError(
                Problem(
                    N_(
                        "Client {number} ({name}) is under 18 by the NIK: first type who "
                        "signed for them (name, relation)."
                    ),
                    _named(client),
                )
            )
        await uow.consents.record(
            client.id,
            state.proposal.id,
            notice_version=NOTICE_VERSION,
            recorded_by=who.person.id,
            now=now,
            guardian_name=guardian_name,
            guardian_relation=state.cursor.client.get("guardian_relation"),
            form_attachment_id=attachment_id,
        )
        await uow.audit.record(
            self.event(
                who,
                "client",
                client.id,
                "record_consent",
                reason=f"{state.proposal.code} notice {NOTICE_VERSION}" + (" guardian" if guardian_name else ""),
            )
        )
        if not move_cursor:
            return
        waiting = [c for c in state.without_consent if c.id != client.id]
        cursor = intake.start_consent(waiting[0], today) if waiting else Cursor(step=Step.REVIEW)
        await uow.proposals.set_cursor(state.proposal.id, json.dumps(cursor.to_json()), now)

    async def keep_file(self, who: Identity, upload: FileUpload, content: bytes) -> DraftState:
        """An uploaded document or photo for the draft: refused while the draft cannot take it or
        when it is empty or broken (nothing written then); kept on disk and linked otherwise."""
        async with self.storage.reading() as uow:
            state = await self._editable(uow, who)  # before anything is written to disk
        with self.upload_kept(state.proposal.code, upload.file_name, content, upload.mime_type) as stored:
            return await self.attach(who, upload, sha256=stored.sha256, stored_path=stored.path)

    async def remove_attachment(self, who: Identity, attachment_id: int) -> DraftState:
        """Take back an attachment sent by mistake, while the proposal can still be changed; its
        stored file is deleted after the commit unless another record still uses it. A second
        tap, or an old list, is refused as stale."""
        state, discarded = await self._remove_attachment(who, attachment_id)
        self.discard_files([discarded])
        return state

    async def _remove_attachment(self, who: Identity, attachment_id: int) -> tuple[DraftState, str | None]:
        async with self.storage.transaction() as uow:
            state = await self._editable(uow, who)
            attachment = next((a for a in state.documents if a.id == attachment_id), None)
            if attachment is None:
                raise ServiceError("stale", N_("That file is no longer attached to this proposal."))
            discarded = await uow.attachments.remove(attachment.id, state.proposal.id, "proposal")
            await uow.audit.record(
                self.event(
                    who,
                    "proposal",
                    state.proposal.code,
                    "remove_attachment",
                    reason=f"attachment {attachment.id} sha256 {attachment.sha256[:12]}",
                )
            )
            return await self._state(uow, state.proposal.id), discarded

    def _zone(self, ipwl: Ipwl) -> str:
        """The IPWL's zone: its "today" is the day there (WIB, WITA or WIT), not in Bogor or UTC."""
        return ipwl_zone(ipwl.province_code, self.settings.locale.timezone)

    def today_for(self, state: DraftState) -> dt.date:
        """Today where the draft's IPWL is (the periods and dates a question offers start from it)."""
        return today_in(self.clock, self._zone(state.ipwl))

    def check_upload(self, upload: FileUpload) -> None:
        """Refuse files the Bot API cannot hand over or that are not a document type we keep."""
        self.check_document_upload(upload)

    # --- submit, withdraw ------------------------------------------------------------------------

    async def submit(self, who: Identity, proposal_id: int) -> DraftState:
        """Send the draft (or the revised proposal) to the PIC team. A double tap submits once."""
        now = self.clock.now()
        async with self.storage.transaction() as uow:
            proposal = await self.proposal(uow, proposal_id)
            action = Action.RESUBMIT if proposal.status == ProposalStatus.RETURNED else Action.SUBMIT
            transition = workflow.authorize(action, proposal, who.actor)
            await uow.proposals.lock(proposal.id)  # first the row, then the NIKs: the order every path takes
            state = await self._state(uow, proposal.id)
            self._check_complete(state)
            if state.without_consent:
                # Not sent yet: the consent of each client comes first, one after the other (the
                # operator answers and presses Send again when the last one is recorded).
                cursor = intake.start_consent(state.without_consent[0], self.today_for(state))
                await uow.proposals.set_cursor(proposal.id, json.dumps(cursor.to_json()), now)
                return await self._state(uow, proposal.id)
            # A duplicate-NIK check of another IPWL in flight finishes first, or sees this one.
            for nik in sorted({c.nik for c in state.clients}):
                await uow.clients.lock_nik(nik, proposal.period_year or now.year)
            version = proposal.version + 1 if action == Action.RESUBMIT else proposal.version
            moved = await uow.proposals.move(
                proposal.id,
                frm=proposal.status,
                to=transition.target,
                now=now,
                version=version,
                submitted_at=now,
                draft_cursor=None,
                claimed_by=None,
                verified_by=None,
            )
            if not moved:
                raise ServiceError(
                    "already_done", N_("Proposal {code} has already been submitted."), code=proposal.code
                )
            # Double assistance re-checked on both sides now (issue 16.1): the other IPWL's card warns
            # at once, not only once one of the two teams has decided. (This card is drawn anew.)
            await self.recheck_nik(uow, who, proposal, "submit", now, moved=True)
            await uow.proposals.save_version(proposal.id, version, _snapshot(state), who.person.id, now)
            await uow.conversations.end_for_entity(ConversationKind.PROPOSAL, proposal.id)
            await uow.audit.record(self.transition_event(who, proposal, transition, reason=f"v{version}"))
            await self._notify_team(uow, state.ipwl, proposal, version, now)
            return await self._state(uow, proposal.id)

    async def withdraw(self, who: Identity, proposal_id: int) -> Proposal:
        now = self.clock.now()
        async with self.storage.transaction() as uow:
            proposal = await self.proposal(uow, proposal_id)
            transition = workflow.authorize(Action.WITHDRAW, proposal, who.actor)
            if not await uow.proposals.move(
                proposal.id, frm=proposal.status, to=transition.target, now=now, draft_cursor=None
            ):
                raise ServiceError(
                    "already_done",
                    N_("Proposal {code} has already changed; look again with /status."),
                    code=proposal.code,
                )
            await uow.conversations.end_for_entity(ConversationKind.PROPOSAL, proposal.id)
            await uow.audit.record(self.transition_event(who, proposal, transition))
            updated = await uow.proposals.by_id(proposal.id)
            assert updated is not None
            return updated

    async def operator_view(
        self, who: Identity, code: str | None = None, *, proposal_id: int | None = None
    ) -> DraftState:
        """``/status KODE``: one proposal of the operator's own IPWL — never another IPWL's."""
        code = (code or "").strip()
        async with self.storage.reading() as uow:
            proposal = await uow.proposals.by_id(proposal_id) if proposal_id else await uow.proposals.by_code(code)
            if proposal is None or not who.actor.operates(proposal.ipwl_id):
                # The same answer whether it exists elsewhere or not: no probing other IPWL's codes.
                raise ServiceError(
                    "unknown_proposal", N_("You have no proposal with code {code}."), code=code[:30] or "-"
                )
            return await self._state(uow, proposal.id)

    async def ask_stop(self, who: Identity) -> str | None:
        """``/batal`` in a draft: remember that the question was asked; the token goes on its buttons
        (a button of an earlier question — before /lanjut, an answer or another /batal — is stale)."""
        async with self.storage.transaction() as uow:
            conversation = await uow.conversations.of(who.person.id)
            if conversation is None or conversation.kind != ConversationKind.PROPOSAL:
                return None
            token = f"{self.clock.now().timestamp():.0f}"
            await uow.conversations.start(
                who.person.id,
                ConversationKind.PROPOSAL,
                conversation.entity_id,
                self.clock.now(),
                {**conversation.state, "stop_asked": token},
            )
            return token

    async def stop_conversation(self, who: Identity, proposal_id: int | None = None, token: str | None = None) -> None:
        """``/batal`` after confirming: leave the draft as it is (kept), end the conversation —
        only from the question just asked (``token``), never from an older one."""
        async with self.storage.transaction() as uow:
            conversation = await uow.conversations.of(who.person.id)
            if (
                conversation is None
                or conversation.kind != ConversationKind.PROPOSAL
                or conversation.entity_id != proposal_id
                or token is None
                or conversation.state.get("stop_asked") != token
            ):
                raise StaleButton()
            await uow.conversations.end(who.person.id)

    async def draft_code(self, who: Identity) -> str | None:
        """The code of the draft (or returned proposal) ``/lanjut`` would open; None if there is none."""
        ipwl_ids = who.actor.operated_ipwl_ids
        if not ipwl_ids:
            return None
        async with self.storage.reading() as uow:
            proposal = _latest([await uow.proposals.draft_of(i) for i in ipwl_ids]) or _latest(
                [await self._returned_of(uow, i) for i in ipwl_ids]
            )
            return proposal.code if proposal else None

    # --- internals -------------------------------------------------------------------------------

    def _operated(self, who: Identity) -> list[int]:
        ipwl_ids = who.actor.operated_ipwl_ids
        if not ipwl_ids:
            raise ServiceError(
                "not_operator",
                N_("Only IPWL operators can prepare proposals. Ask the centre's admin for an invitation link."),
            )
        return ipwl_ids

    def _chosen_ipwl(self, who: Identity, chosen: int | None) -> int:
        ipwl_ids = self._operated(who)
        if chosen is None and len(ipwl_ids) == 1:
            return ipwl_ids[0]
        if chosen is None:
            raise ServiceError(
                "choose_ipwl", N_("You operate more than one IPWL: choose which one the proposal is for.")
            )
        if chosen not in ipwl_ids:
            raise ServiceError("not_your_ipwl", N_("You are not an operator of that IPWL."))
        return chosen

    def _check_pks(self, ipwl: Ipwl, today: dt.date) -> None:
        if ipwl.pks_valid_until is not None and ipwl.pks_valid_until < today:
            raise ServiceError(
                "pks_lapsed",
                N_(
                    "The cooperation agreement (PKS) of {ipwl} ended on {date}. "
                    "New proposals can be made once it is renewed; contact your PIC team."
                ),
                ipwl=ipwl.name,
                date=ipwl.pks_valid_until,
            )

    async def _returned_of(self, uow: UnitOfWork, ipwl_id: int) -> Proposal | None:
        for summary in await uow.proposals.summaries_for_ipwl(ipwl_id):
            if summary.status == ProposalStatus.RETURNED:
                return await uow.proposals.by_id(summary.id)
        return None

    async def _editable(self, uow: UnitOfWork, who: Identity) -> DraftState:
        proposal_id = await uow.conversations.about(who.person.id, ConversationKind.PROPOSAL)
        if proposal_id is None:
            raise ServiceError(
                "no_draft", N_("There is no draft open. Start one with /ajukan or continue with /lanjut.")
            )
        await uow.proposals.lock(proposal_id)  # one answer at a time moves the cursor
        proposal = await self.proposal(uow, proposal_id)
        if not who.actor.operates(proposal.ipwl_id):
            raise ServiceError("out_of_scope", N_("You are not an operator of this IPWL."))
        if proposal.status not in EDITABLE:
            raise ServiceError("not_editable", N_("Proposal {code} can no longer be changed."), code=proposal.code)
        return await self._state(uow, proposal.id)

    async def _own_client(self, uow: UnitOfWork, state: DraftState, client_id: int) -> Client:
        client = next((c for c in state.clients if c.id == client_id), None)
        if client is None:
            raise StaleButton()
        return client

    async def _move_cursor(self, who: Identity, client_id: int, make: Callable[[Client], Cursor]) -> DraftState:
        now = self.clock.now()
        async with self.storage.transaction() as uow:
            state = await self._editable(uow, who)
            client = await self._own_client(uow, state, client_id)
            await uow.proposals.set_cursor(state.proposal.id, json.dumps(make(client).to_json()), now)
            return await self._state(uow, state.proposal.id)

    async def _state(self, uow: UnitOfWork, proposal_id: int) -> DraftState:
        proposal = await uow.proposals.by_id(proposal_id)
        assert proposal is not None
        ipwl = await uow.ipwl.by_id(proposal.ipwl_id)
        assert ipwl is not None
        raw = await uow.proposals.cursor_of(proposal.id)
        cursor = Cursor.from_json(json.loads(raw)) if raw else Cursor(step=Step.REVIEW)
        clients = await uow.clients.of_proposal(proposal.id)
        editing = next((c for c in clients if c.id == cursor.client_id), None)
        if editing is not None:
            index = clients.index(editing)
            previous = clients[index - 1] if index > 0 else None
        else:
            previous = clients[-1] if clients else None
        reasons = []
        if proposal.status == ProposalStatus.RETURNED:
            reasons = await uow.proposals.return_reasons(proposal.id, proposal.version)
        return DraftState(
            proposal,
            ipwl,
            cursor,
            clients,
            await uow.attachments.of_proposal(proposal.id),
            editing,
            previous,
            reasons,
            consents=await uow.consents.of_proposal(proposal.id),
            zone=self._zone(ipwl),
            left=await uow.client_changes.exits_of(proposal.id),
            held=frozenset(await uow.nik_conflicts.held(c.id for c in clients)),
            confirmed=frozenset(await uow.nik_conflicts.confirmed(c.id for c in clients)),
        )

    def _context(self, state: DraftState, today: dt.date) -> IntakeContext:
        niks = frozenset(c.nik for c in state.clients)
        return IntakeContext(
            today=today,
            unit_cost_ceilings=self.settings.intake.unit_cost_ceilings,
            regions=self.regions,
            niks_in_proposal=niks,
            previous=state.previous,
            editing=state.editing,
            home_province=state.ipwl.province_code,
        )

    def _check_complete(self, state: DraftState) -> None:
        problems = []
        if state.proposal.period_year is None:
            problems.append(Problem(N_("Choose the period of the proposal first.")))
        if not state.clients:
            problems.append(Problem(N_("Add at least one client before submitting.")))
        for client in state.clients:
            if not client.budget:
                problems.append(
                    Problem(
                        N_("Client {number} ({name}) has no budget line yet."),
                        _named(client),
                    )
                )
        if problems:
            raise ValidationError(problems)

    async def _notify_team(
        self, uow: UnitOfWork, ipwl: Ipwl, proposal: Proposal, version: int, now: dt.datetime
    ) -> None:
        group_chat = await self.team_group_chat(uow, ipwl.team_id)
        if group_chat is None:
            return
        await uow.outbox.enqueue(
            dedupe_key=f"proposal:{proposal.id}:v{version}:card",
            chat_id=group_chat,
            kind=NotificationKind.PROPOSAL_CARD,
            params={"proposal_id": proposal.id},
            now=now,
        )


def _with_warnings(state: DraftState, warnings: Sequence[Problem]) -> DraftState:
    return replace(state, warnings=tuple(warnings))


def _snapshot(state: DraftState) -> str:
    """The submitted version as data, so a reviewer can see what changed in the next one."""
    return json.dumps(
        {
            "period": [state.proposal.period_year, state.proposal.period_month],
            "clients": [
                {
                    "nik": c.nik,
                    "full_name": c.full_name,
                    "sex": c.sex,
                    "birth_date": str(c.birth_date),
                    "province_code": c.province_code,
                    "regency": c.regency,
                    "address": c.address,
                    "phone": c.phone,
                    "approach": c.approach,
                    "components": list(c.components),
                    "assessment": c.assessment,
                    "intervention_plan": c.intervention_plan,
                    "budget": [[b.component, b.description, b.quantity, b.unit_cost] for b in c.budget],
                }
                for c in state.clients
            ],
        },
        ensure_ascii=False,
        sort_keys=True,
    )


def _latest(proposals: Sequence[Proposal | None]) -> Proposal | None:
    """The proposal touched last, of those found."""
    found = [p for p in proposals if p is not None]
    return max(found, key=lambda p: (p.updated_at or dt.datetime.min.replace(tzinfo=dt.UTC), p.id)) if found else None
