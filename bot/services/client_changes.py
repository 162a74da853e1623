"""Changes after the SK (issue 16.6): drop-out, death, move to another IPWL, name or NIK correction.

The IPWL's operator asks (``/perubahan KODE``: the client, the kind, the corrected value or the
receiving IPWL, the reason, then an evidence photo or PDF); a PIC of the IPWL's team verifies it
from the group card (which names only the proposal, the client's number and the kind) after opening
the details privately; the head approves the verified changes together under an SK perubahan
(``/skperubahan``: typed number and date, or the next from the SK register) whose annex lists each
change. Either check may return the request (to be asked again, corrected) or reject it, with a
reason. Every step is audited and told through the outbox.

After approval a client who left (drop-out, death, move) is off the proposal's list: transfers not
yet sent leave them out and the LPJ expects only the amended list; money already sent to them opens
a refund case for finance (``/bayar``, ``/tugas``) — it is never silently dropped. A corrected name
or NIK is written to the client (the NIK re-checked against the other proposals of the year, by its
blind index, as at intake).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from bot.clock import today_in
from bot.domain import workflow
from bot.domain.client_changes import (
    CHANGEABLE,
    CORRECTIONS,
    ChangeKind,
    ChangeRefused,
    ChangeRequest,
    ChangeStatus,
    ChangeStep,
    RefundCase,
    RefundStatus,
    nik_birth_disagreement,
    offered_kinds,
    step,
)
from bot.domain.kinds import ConversationKind, NotificationKind
from bot.domain.models import (
    Action,
    Attachment,
    AuditEvent,
    BankAccountStatus,
    Client,
    Decree,
    Person,
    Proposal,
    ProposalStatus,
    Role,
    TransferStatus,
)
from bot.domain.proposal_intake import NIK_MISMATCH
from bot.domain.records import ProposalSummary
from bot.domain.regions import ipwl_zone
from bot.domain.validation import (
    Problem,
    ValidationError,
    parse_date,
    parse_free_text,
    parse_money,
    parse_name,
    parse_nik,
    split_amount_and_date,
)
from bot.files.amendment_annex import AmendmentLine
from bot.i18n import N_, format_money
from bot.services.base import Identity, ServiceError, StaleButton
from bot.services.nik_recheck import lock_niks, proposal_niks
from bot.services.proposals import FileUpload
from bot.services.reviews import StaffService
from bot.services.sk_numbers import claim_sk_number, draft_number, typed_sk_entry
from storage.unit import UnitOfWork

# How many proposals ``/perubahan`` alone lists as buttons (the newest; older ones by their code).
CHANGEABLE_LISTED = 20
_EVIDENCE_TYPES = frozenset({"image/jpeg", "image/png", "application/pdf"})
_NOT_YOURS = N_("Only the operators of this proposal's IPWL can ask for a change of its clients.")
_HEAD_ONLY = N_("Only the head of centre can approve changes under an SK perubahan.")
# Said to the one who pressed second (a double tap, a colleague faster): where the change is now.
_WHERE_NOW = {
    ChangeStatus.REQUESTED: N_("This change is still waiting for the PIC team's check."),
    ChangeStatus.VERIFIED: N_("This change was already verified; it waits for the head's SK perubahan."),
    ChangeStatus.APPROVED: N_("This change was already approved under an SK perubahan."),
    ChangeStatus.RETURNED: N_("This change was already returned to the operator."),
    ChangeStatus.REJECTED: N_("This change was already rejected."),
}


@dataclass(frozen=True)
class PickedClient:
    """A client picked for a change, and the kinds the operator may ask for them."""

    client: Client
    kinds: tuple[ChangeKind, ...]


@dataclass(frozen=True)
class ChangeSheet:
    """``/perubahan KODE``: the proposal's clients (those still on the list first) and its changes."""

    proposal: Proposal
    clients: list[Client]
    left: frozenset[int]
    changes: list[ChangeRequest]

    def open_change(self, client_id: int) -> ChangeRequest | None:
        return next((c for c in self.changes if c.client_id == client_id and c.open), None)


@dataclass(frozen=True)
class ChangeDraft:
    """A change being asked for: what is known so far and what is asked next."""

    proposal_code: str
    client: Client
    kind: ChangeKind
    step: str  # "value" (the corrected name/NIK), "target" (the receiving IPWL), "reason", "evidence"
    new_value: str | None = None
    target_code: str | None = None
    reason: str | None = None
    duplicates: tuple[str, ...] = ()
    nik_birth: dt.date | None = None  # the corrected NIK's birth date, when not the recorded one
    target_name: str | None = None  # a move: the receiving IPWL's name


@dataclass(frozen=True)
class ChangeDetail:
    """One request in full, for a PIC of the team or the head, in a private chat."""

    change: ChangeRequest
    client: Client
    evidence: Attachment | None
    requested_by: str
    verified_by: str | None
    may_verify: bool
    may_approve: bool
    nik_birth: dt.date | None = None  # the corrected NIK's birth date, when not the recorded one
    # A client leaving the list who was already paid (a transfer sent): the amount, which
    # approving the change makes a refund case for finance (None: nothing was sent).
    paid: int | None = None


@dataclass(frozen=True)
class BirthCheck:
    """A NIK correction whose NIK carries another birth date than the record's: for the head (a
    private chat: the client is named), who approves it and with it the NIK's birth date."""

    name: str
    carried: dt.date
    recorded: dt.date | None


@dataclass(frozen=True)
class AmendmentDraft:
    """The SK perubahan being prepared: the verified changes, the number and the date."""

    changes: list[ChangeRequest]
    number: str | None
    date: dt.date
    register_number: str
    example: str
    # Per change id: the amount already sent to a client it takes off the list — a refund to come.
    paid: dict[int, int] = field(default_factory=dict)
    birth_checks: dict[int, BirthCheck] = field(default_factory=dict)  # by change id
    # The typed number is below the year's last issued one: that SK (a note; the number is accepted).
    below: Decree | None = None

    @property
    def final_number(self) -> str:
        return self.number or self.register_number


@dataclass(frozen=True)
class Decided:
    """A change at its latest step, for the operators: the SK perubahan and the refund, if any."""

    change: ChangeRequest
    amendment: Decree | None
    refund: RefundCase | None


@dataclass(frozen=True)
class RefundEntry:
    """Finance recording a refund received: the case, the step ("amount", "proof", "confirm") and
    what was typed so far (nothing is recorded before ✅)."""

    case: RefundCase
    step: str
    amount: int | None = None
    received_on: dt.date | None = None
    reference: str | None = None  # the proof: a reference number typed …
    proof_name: str | None = None  # … or a file or photo sent
    example: str = ""  # how to type the amount and date (what is still open, today)

    @property
    def remaining_after(self) -> int:
        return max(0, self.case.remaining - (self.amount or 0))


@dataclass(frozen=True)
class AmendmentAnnex:
    decree: Decree
    lines: list[AmendmentLine]


def _require_step(state: dict[str, Any], step: str, code: str) -> None:
    """The conversation waits for a file at ``step``: one sent before the question above is
    answered is refused (checked before the download and again in the transaction that keeps it)."""
    if state.get("step") != step:
        raise ServiceError(code, N_("Answer the question above first."))


def _refuse_unless_changeable(proposal: Proposal) -> None:
    """Refuse a change of clients outside its window: after the SK and until the LPJ is closed."""
    if proposal.status not in CHANGEABLE:
        raise ServiceError(
            "change_not_now",
            N_(
                "Changes of clients are asked for after the SK and until the LPJ is closed; "
                "proposal {code} is at the step “{status}”."
            ),
            code=proposal.code,
            status=proposal.status,
        )


class ClientChangeService(StaffService):
    """What operators, PIC, the head and finance do with changes after the SK."""

    # --- the operator ---------------------------------------------------------------------------

    async def sheet(self, who: Identity, code: str) -> ChangeSheet:
        """``/perubahan KODE``: the decreed proposal's clients and the changes asked so far."""
        async with self.unit(who) as uow:
            proposal = await uow.proposals.by_code(code.strip().upper())
            if proposal is None:
                raise ServiceError("unknown_proposal", N_("There is no proposal {code}."), code=code.strip())
            self._operator(who, proposal, "command", "perubahan")
            _refuse_unless_changeable(proposal)
            return await self._sheet(uow, proposal)

    async def changeable(self, who: Identity) -> list[ProposalSummary]:
        """``/perubahan`` alone: the proposals of the operator's IPWL whose clients may be changed now
        (under an SK, not yet closed), newest first; empty for one who operates no IPWL."""
        async with self.unit(who) as uow:
            found = [
                p
                for ipwl_id in who.actor.operated_ipwl_ids
                for p in await uow.proposals.summaries_for_ipwl(ipwl_id, limit=CHANGEABLE_LISTED)
                if p.status in CHANGEABLE
            ]
        return sorted(found, key=lambda p: p.id, reverse=True)[:CHANGEABLE_LISTED]

    async def sheet_of(self, who: Identity, proposal_id: int) -> ChangeSheet:
        """A proposal pressed in the ``/perubahan`` list: its sheet, as ``/perubahan KODE`` shows it."""
        async with self.unit(who) as uow:
            proposal = await self.proposal(uow, proposal_id)
            self._operator(who, proposal, "proposal", proposal.id)
            _refuse_unless_changeable(proposal)
            return await self._sheet(uow, proposal)

    async def pick_number(self, who: Identity, code: str, number: str) -> PickedClient:
        """``/perubahan KODE N``: client number N of the proposal (for a long list, without buttons)."""
        sheet = await self.sheet(who, code)
        client = next((c for c in sheet.clients if str(c.position) == number.strip()), None)
        if client is None:
            raise ServiceError(
                "change_no_client",
                N_("Proposal {code} has no client number {number}: clients are numbered 1 to {last}."),
                code=sheet.proposal.code,
                number=number.strip()[:10],
                last=len(sheet.clients),
            )
        return await self.pick(who, client.id)

    async def pick(self, who: Identity, client_id: int) -> PickedClient:
        """A client tapped on the sheet: theirs to change now, and the kinds offered next ("double
        assistance" only for a client decided the same person as another IPWL's)."""
        async with self.unit(who) as uow:
            client, _ = await self._changeable_client(uow, who, client_id)
            same = client.id in await uow.nik_conflicts.confirmed([client.id])
            return PickedClient(client, offered_kinds(same_person=same))

    async def start(self, who: Identity, client_id: int, kind: ChangeKind) -> ChangeDraft:
        """A client and a kind picked: ask for the corrected value, the receiving IPWL or the reason."""
        async with self.unit(who) as uow:
            client, proposal = await self._changeable_client(uow, who, client_id)
            if kind == ChangeKind.DOUBLE_ASSISTANCE and client.id not in await uow.nik_conflicts.confirmed([client.id]):
                raise ServiceError(
                    "change_not_double_assistance",
                    N_(
                        "Client no. {position} was not decided the same person as a client of another IPWL, so "
                        "“double assistance” cannot be the reason; pick another kind."
                    ),
                    position=client.position,
                )
            first = "value" if kind in CORRECTIONS else "target" if kind == ChangeKind.MOVE else "reason"
            state: dict[str, Any] = {"client_id": client.id, "kind": kind.value, "step": first}
            await uow.conversations.start(
                who.person.id, ConversationKind.CLIENT_CHANGE, client.id, self.clock.now(), state
            )
            return self._draft(proposal, client, state)

    async def current(self, who: Identity) -> ChangeDraft | None:
        async with self.storage.reading() as uow:
            conversation = await uow.conversations.of(who.person.id)
            if conversation is None or conversation.kind != ConversationKind.CLIENT_CHANGE:
                return None
            client = await uow.clients.by_id(int(conversation.state["client_id"]))
            if client is None:
                return None
            return self._draft(await self.proposal(uow, client.proposal_id), client, dict(conversation.state))

    async def answer(self, who: Identity, text: str) -> ChangeDraft:
        """The corrected name or NIK, the receiving IPWL's code, or the reason (then the evidence)."""
        async with self.unit(who) as uow:
            state = await self._state(uow, who)
            client, proposal = await self._changeable_client(uow, who, int(state["client_id"]))
            kind = ChangeKind(state["kind"])
            current = state["step"]
            if current == "value" and kind == ChangeKind.NAME:
                name = parse_name(text, field="full_name")
                if name == client.full_name:
                    raise ValidationError(Problem(N_("This is the name already on the SK. Type the correct name.")))
                state.update(new_value=name, step="reason")
            elif current == "value" and kind == ChangeKind.NIK:
                ipwl = await uow.ipwl.by_id(proposal.ipwl_id)  # the NIK's birth date is checked on the IPWL's day
                zone = ipwl_zone(ipwl.province_code if ipwl else None, self.settings.locale.timezone)
                nik = parse_nik(text, today=today_in(self.clock, zone)).nik
                if nik == client.nik:
                    raise ValidationError(Problem(N_("This is the NIK already on the SK. Type the correct NIK.")))
                duplicates = await self._nik_check(uow, proposal, client, nik)
                state.update(new_value=nik, duplicates=duplicates, step="reason")
            elif current == "target":
                target = await uow.ipwl.by_code(text.strip().upper())
                if target is None or not target.active:
                    raise ValidationError(
                        Problem(
                            N_("There is no active IPWL with the code {code}. Type the receiving IPWL's code."),
                            {"code": text.strip()[:20]},
                        )
                    )
                if target.id == proposal.ipwl_id:
                    raise ValidationError(
                        Problem(N_("The client is already with this IPWL. Type the receiving IPWL's code."))
                    )
                state.update(target=target.code, target_name=target.name, step="reason")
            elif current == "reason":
                state.update(
                    reason=parse_free_text(text, field="reason", min_length=5, max_length=500), step="evidence"
                )
            else:
                raise ServiceError(
                    "change_send_evidence",
                    N_("Send the evidence as a photo or a PDF (a letter, a death certificate, the KTP or KK)."),
                )
            await uow.conversations.start(
                who.person.id, ConversationKind.CLIENT_CHANGE, client.id, self.clock.now(), state
            )
            return self._draft(proposal, client, state)

    def check_evidence(self, upload: FileUpload) -> None:
        """Before anything is downloaded: a photo or a PDF the bot can receive."""
        limit = self.settings.intake.max_file_mb
        if upload.size > limit * 1024 * 1024:
            raise ValidationError(
                Problem(N_("The file is too big: the most the bot can receive is {max} MB."), {"max": limit})
            )
        if (upload.mime_type or "") not in _EVIDENCE_TYPES:
            raise ValidationError(
                Problem(N_("The evidence must be a photo (JPG/PNG) or a PDF. Nothing was saved; send it again."))
            )

    async def evidence(self, who: Identity, upload: FileUpload, content: bytes) -> ChangeRequest:
        """The evidence file: checked, kept, and the request filed (to the PIC team)."""
        self.check_evidence(upload)
        async with self.storage.reading() as uow:
            state = await self._state(uow, who)
            _require_step(state, "evidence", "change_not_ready")
        with self.upload_kept("perubahan", upload.file_name, content, upload.mime_type) as stored:
            return await self._file(who, upload, stored.sha256, stored.path)

    async def _file(self, who: Identity, upload: FileUpload, sha256: str, stored_path: str) -> ChangeRequest:
        now = self.clock.now()
        async with self.unit(who) as uow:
            state = await self._state(uow, who)
            _require_step(state, "evidence", "change_not_ready")
            client, proposal = await self._changeable_client(uow, who, int(state["client_id"]))
            kind = ChangeKind(state["kind"])
            duplicates: list[str] = list(state.get("duplicates") or [])
            if kind == ChangeKind.NIK:  # again: another proposal may have taken the NIK meanwhile
                duplicates = await self._nik_check(uow, proposal, client, str(state["new_value"]))
            target = await uow.ipwl.by_code(state["target"]) if state.get("target") else None
            evidence_id = await self.record_attachment(
                uow,
                proposal.id,
                upload,
                purpose="change_evidence",
                client_id=client.id,
                uploaded_by=who.person.id,
                now=now,
                sha256=sha256,
                stored_path=stored_path,
            )
            old_value = client.full_name if kind == ChangeKind.NAME else client.nik if kind == ChangeKind.NIK else None
            change_id = await uow.client_changes.create(
                proposal_id=proposal.id,
                client_id=client.id,
                kind=kind,
                reason=str(state["reason"]),
                old_value=old_value,
                new_value=state.get("new_value"),
                target_ipwl_id=target.id if target else None,
                duplicates=duplicates,
                evidence_id=evidence_id,
                by=who.person.id,
                now=now,
            )
            if change_id is None:
                raise ServiceError(
                    "change_open",
                    N_("Client no. {position} already has a change waiting; wait for its decision first."),
                    position=client.position,
                )
            change = await self._change(uow, change_id)
            await uow.audit.record(
                self.event(
                    who,
                    "client_change",
                    change.id,
                    "request_change",
                    to=ChangeStatus.REQUESTED.value,
                    reason=f"{proposal.code} #{client.position} {kind.value}",
                )
            )
            await uow.conversations.end(who.person.id)
            await self._tell_team(uow, proposal, change, now)
            return change

    # --- PIC and head ---------------------------------------------------------------------------

    async def detail(self, who: Identity, change_id: int) -> ChangeDetail:
        """The request in full (name, NIK, values, reason, the evidence): the team's PIC, the head."""
        async with self.unit(who) as uow:
            change = await self._change(uow, change_id)
            proposal = await self.proposal(uow, change.proposal_id)
            pic = who.actor.in_team(proposal.team_id)
            head = who.actor.has_role(Role.HEAD)
            if not (pic or head):
                raise self.denied(
                    ServiceError(
                        "not_your_team",
                        N_("Only the PIC team of this IPWL and the head of centre can see this change."),
                    ),
                    "client_change",
                    change.id,
                    "detail: out_of_scope",
                )
            client = await uow.clients.by_id(change.client_id)
            assert client is not None
            evidence = next(
                (a for a in await uow.attachments.of_proposal(proposal.id) if a.id == change.evidence_id), None
            )
            requester = await uow.people.by_id(change.requested_by)
            verifier = await uow.people.by_id(change.verified_by) if change.verified_by else None
            paid = (await self._paid_out(uow, [change])).get(change.id)
            return ChangeDetail(
                change,
                client,
                evidence,
                requester.full_name if requester else "?",
                verifier.full_name if verifier else None,
                may_verify=pic and change.status == ChangeStatus.REQUESTED,
                may_approve=head and change.status == ChangeStatus.VERIFIED,
                nik_birth=nik_birth_disagreement(
                    change.new_value if change.kind == ChangeKind.NIK else None, client.birth_date, self._today()
                ),
                paid=paid,
            )

    async def _paid_out(self, uow: UnitOfWork, changes: Sequence[ChangeRequest]) -> dict[int, int]:
        """Per change taking a client off the list: the amount already sent to that client (a
        refund case once approved — :meth:`_apply` opens it from the same transfer)."""
        paid: dict[int, int] = {}
        for change in changes:
            if not change.is_exit:
                continue
            transfer = (await uow.transfers.of_proposal(change.proposal_id)).get(change.client_id)
            if transfer is not None and transfer.status == TransferStatus.SENT:
                paid[change.id] = transfer.amount
        return paid

    async def card_sent(self, uow: UnitOfWork, change_id: int, chat_id: int, message_id: int) -> None:
        """The group card is out (in the transaction that marks it sent): remember it to edit it later."""
        change = await uow.client_changes.by_id(change_id)
        proposal = await uow.proposals.by_id(change.proposal_id) if change else None
        group_chat = await self.team_group_chat(uow, proposal.team_id) if proposal else None
        if change is not None and group_chat == chat_id:
            await uow.client_changes.remember_card(change_id, chat_id, message_id)

    def stored_copy(self, attachment: Attachment) -> bytes | None:
        return self.files.read(attachment.stored_path or "")

    async def verify(self, who: Identity, change_id: int) -> ChangeRequest:
        """A PIC of the team checked the request and its evidence: on to the head."""
        now = self.clock.now()
        async with self.unit(who) as uow:
            change, proposal = await self._may_take(uow, who, change_id, ChangeStep.VERIFY)
            if not await uow.client_changes.verify(change.id, who.person.id, now):
                raise await self._taken(uow, change.id)
            await uow.audit.record(self._step_event(who, change, proposal, "verify_change", ChangeStatus.VERIFIED))
            change = await self._change(uow, change.id)
            await self.notify(
                uow,
                await uow.staff.holding(Role.HEAD),
                NotificationKind.CHANGE_TO_APPROVE,
                f"client_change:{change.id}:verified",
                {"change_id": change.id},
                now,
            )
            await self._tell_operators(uow, proposal, change, now)
            return change

    async def start_decision(self, who: Identity, change_id: int, action: ChangeStep) -> ChangeRequest:
        """Return or reject: the reason is asked for in the presser's private chat."""
        if action not in (ChangeStep.RETURN, ChangeStep.REJECT):
            raise StaleButton()
        async with self.unit(who) as uow:
            change, _ = await self._may_take(uow, who, change_id, action)
            state = {"change_id": change.id, "action": action.value, "status": change.status.value}
            await uow.conversations.start(
                who.person.id, ConversationKind.CHANGE_REASON, change.id, self.clock.now(), state
            )
            return change

    async def decision_text(self, who: Identity, text: str) -> ChangeRequest:
        """The reason typed: the request goes back to the operator (returned) or is refused (rejected)."""
        now = self.clock.now()
        async with self.unit(who) as uow:
            conversation = await uow.conversations.of(who.person.id)
            if conversation is None or conversation.kind != ConversationKind.CHANGE_REASON:
                raise StaleButton()
            action = ChangeStep(conversation.state["action"])
            change, proposal = await self._may_take(uow, who, int(conversation.state["change_id"]), action)
            reason = parse_free_text(text, field="reason", min_length=5, max_length=500)
            _, target = step(action, change.status)
            if not await uow.client_changes.decide(
                change.id, frm=change.status, to=target, by=who.person.id, now=now, reason=reason
            ):
                raise await self._taken(uow, change.id)
            await uow.audit.record(self._step_event(who, change, proposal, f"{action.value}_change", target))
            await uow.conversations.end(who.person.id)
            change = await self._change(uow, change.id)
            await self._tell_operators(uow, proposal, change, now)
            return change

    # --- the head: the SK perubahan -------------------------------------------------------------

    async def amendment(self, who: Identity) -> AmendmentDraft:
        """``/skperubahan``: the verified changes waiting, with the next number from the SK register."""
        await self._head(who)
        async with self.storage.transaction() as uow:
            changes = await uow.client_changes.in_status(ChangeStatus.VERIFIED)
            state: dict[str, Any] = {"changes": [c.id for c in changes], "number": None, "date": None}
            await uow.conversations.start(who.person.id, ConversationKind.CHANGE_SK, None, self.clock.now(), state)
            return await self._amendment(uow, state)

    async def amendment_number(self, who: Identity, text: str) -> AmendmentDraft:
        """The SK perubahan's number and date typed, as for an SK (the register's form, a real day)."""
        async with self.storage.transaction() as uow:
            state = await self._amendment_state(uow, who)
            draft = await self._amendment(uow, state)
            earliest = max((c.requested_at for c in draft.changes), default=None)  # after the last request
            entry = await typed_sk_entry(
                uow,
                self.settings.payments.sk_number_format,
                text,
                today=self._today(),
                earliest=earliest.astimezone(self._zone()).date() if earliest else None,
                too_early=N_(
                    "An SK perubahan cannot be dated {date}, before the changes it approves: "
                    "date it {earliest} or later."
                ),
            )
            state.update(number=entry.number, date=entry.date.isoformat())
            await uow.conversations.start(who.person.id, ConversationKind.CHANGE_SK, None, self.clock.now(), state)
            return await self._amendment(uow, state)

    async def amendment_register(self, who: Identity) -> AmendmentDraft:
        """Take the next number from the SK register, dated today."""
        async with self.storage.transaction() as uow:
            state = await self._amendment_state(uow, who)
            state.update(number=None, date=self._today().isoformat())
            await uow.conversations.start(who.person.id, ConversationKind.CHANGE_SK, None, self.clock.now(), state)
            return await self._amendment(uow, state)

    async def cancel_amendment(self, who: Identity) -> None:
        async with self.storage.transaction() as uow:
            await self._amendment_state(uow, who)
            await uow.conversations.end(who.person.id)

    async def issue_amendment(self, who: Identity) -> tuple[Decree, list[ChangeRequest]]:
        """Issue the SK perubahan: every change shown is approved under it and takes effect, all or none."""
        now = self.clock.now()
        async with self.unit(who) as uow:
            state = await self._amendment_state(uow, who)
            draft = await self._amendment(uow, state)
            if not draft.changes:
                raise ServiceError("amendment_empty", N_("No verified change is waiting for an SK perubahan."))
            number = await claim_sk_number(uow, self.settings.payments.sk_number_format, draft.number, draft.date)
            decree = await uow.decrees.create(number, draft.date, who.person.id, now)
            await self._lock_all(uow, draft.changes, now)
            approved: list[ChangeRequest] = []
            for change in draft.changes:
                if not await uow.client_changes.decide(
                    change.id,
                    frm=ChangeStatus.VERIFIED,
                    to=ChangeStatus.APPROVED,
                    by=who.person.id,
                    now=now,
                    amendment_id=decree.id,
                ):
                    raise await self._taken(uow, change.id)
                await self._apply(uow, who, change, decree, now)
                approved.append(await self._change(uow, change.id))
            await uow.audit.record(
                self.event(
                    who,
                    "decree",
                    decree.id,
                    "issue_sk_amendment",
                    to=number,
                    reason=",".join(f"{c.proposal_code}#{c.position}:{c.kind.value}" for c in approved),
                )
            )
            await uow.outbox.enqueue(
                dedupe_key=f"decree:{decree.id}:amendment_annex",
                chat_id=who.person.telegram_user_id,
                kind=NotificationKind.SK_AMENDMENT_ANNEX,
                params={"decree_id": decree.id},
                now=now,
                person_id=who.person.id,
            )
            await uow.conversations.end(who.person.id)
            return decree, approved

    async def _lock_all(self, uow: UnitOfWork, changes: list[ChangeRequest], now: dt.datetime) -> None:
        """Before any change takes effect: the proposals' rows (by id), then every NIK the SK
        perubahan touches — a corrected NIK, and the NIKs of a proposal a client leaves or whose NIK
        is corrected (its double-assistance re-check) — in the one global order (year, NIK; see
        :func:`bot.services.nik_recheck.lock_niks`): taken change by change, two SKs sharing two
        NIKs in opposite orders could each hold one and wait for the other (PostgreSQL)."""
        niks: list[tuple[int, str]] = []
        for proposal_id in sorted({c.proposal_id for c in changes}):
            await uow.proposals.lock(proposal_id)
            proposal = await self.proposal(uow, proposal_id)
            mine = [c for c in changes if c.proposal_id == proposal_id]
            if any(c.kind not in CORRECTIONS or c.kind == ChangeKind.NIK for c in mine):  # (re-checked)
                niks.extend(await proposal_niks(uow, proposal, now))
            niks.extend(
                (proposal.period_year or self._today().year, c.new_value)
                for c in mine
                if c.kind == ChangeKind.NIK and c.new_value
            )
        await lock_niks(uow, niks)

    async def amendment_annex(self, decree_id: int) -> AmendmentAnnex | None:
        """The SK perubahan's annex: each change with its client's number, before and after."""
        async with self.storage.reading() as uow:
            decree = await uow.decrees.by_id(decree_id)
            changes = await uow.client_changes.of_amendment(decree_id)
            if decree is None or not changes:
                return None
            lines: list[AmendmentLine] = []
            for change in changes:
                client = await uow.clients.by_id(change.client_id)
                ipwl = await uow.ipwl.by_id(change.ipwl_id)
                assert client is not None and ipwl is not None
                refund = next(
                    (r.amount for r in await uow.refunds.of_proposal(change.proposal_id) if r.change_id == change.id),
                    None,
                )
                before, after = _before_after(change)
                sk = await uow.decrees.of_proposal(change.proposal_id)
                lines.append(
                    AmendmentLine(
                        ipwl.code,
                        change.proposal_code,
                        change.position,
                        client.full_name,
                        client.nik,
                        change.kind,
                        before,
                        after,
                        change.reason,
                        refund,
                        f"{sk.number} ({sk.issued_on:%d-%m-%Y})" if sk else "",  # (dd-mm-yyyy, not ISO)
                    )
                )
        return AmendmentAnnex(decree, lines)

    # --- finance: refunds -----------------------------------------------------------------------

    async def refunds(self, who: Identity) -> list[RefundCase]:
        """Money sent to clients who then left the list, still to come back."""
        if not who.actor.has_role(Role.FINANCE):
            return []
        async with self.storage.reading() as uow:
            return await uow.refunds.in_status(RefundStatus.OPEN)

    async def start_refund(self, who: Identity, refund_id: int) -> RefundEntry:
        """ "Returned" pressed: finance is asked the amount received and its date, then the proof;
        nothing is recorded before the read-back is confirmed. One already recorded says by whom."""
        async with self.unit(who) as uow:
            case = await self._refund_for_finance(uow, who, refund_id)
            self._refund_open(case)
            state: dict[str, Any] = {"refund_id": case.id, "step": "amount"}
            await uow.conversations.start(who.person.id, ConversationKind.REFUND, case.id, self.clock.now(), state)
            return self._refund_entry(case, state)

    async def refund_text(self, who: Identity, text: str) -> RefundEntry:
        """The amount and the date (``2.000.000 30-11-2026``), then the proof's reference number."""
        async with self.storage.transaction() as uow:
            state = await self._refund_state(uow, who)
            case = await self._refund_for_finance(uow, who, int(state["refund_id"]))
            self._refund_open(case)
            if state["step"] == "amount":
                amount, on = self._refund_amount_and_date(case, text)
                state.update(step="proof", amount=amount, on=on.isoformat())
            elif state["step"] == "proof":
                reference = parse_free_text(text, field="reference", min_length=4, max_length=100)
                state.update(step="confirm", reference=reference, proof_id=None, proof_name=None)
            else:
                raise ServiceError("refund_confirm_first", N_("Press ✅ or ✖️ under the summary above."))
            await uow.conversations.start(who.person.id, ConversationKind.REFUND, case.id, self.clock.now(), state)
            return self._refund_entry(case, state)

    async def refund_proof(self, who: Identity, upload: FileUpload, content: bytes) -> RefundEntry:
        """The proof as a file or a photo (a deposit slip): kept with the proposal's records."""
        self.check_evidence(upload)
        async with self.storage.reading() as uow:
            state = await self._refund_state(uow, who)
            _require_step(state, "proof", "refund_not_ready")
        with self.upload_kept("pengembalian", upload.file_name, content, upload.mime_type) as stored:
            async with self.unit(who) as uow:
                state = await self._refund_state(uow, who)
                case = await self._refund_for_finance(uow, who, int(state["refund_id"]))
                self._refund_open(case)
                _require_step(state, "proof", "refund_not_ready")
                proof_id = await self.record_attachment(
                    uow,
                    case.proposal_id,
                    upload,
                    purpose="refund_proof",
                    client_id=case.client_id,
                    uploaded_by=who.person.id,
                    now=self.clock.now(),
                    sha256=stored.sha256,
                    stored_path=stored.path,
                )
                state.update(step="confirm", reference=None, proof_id=proof_id, proof_name=upload.file_name or "foto")
                await uow.conversations.start(who.person.id, ConversationKind.REFUND, case.id, self.clock.now(), state)
                return self._refund_entry(case, state)

    async def cancel_refund(self, who: Identity) -> None:
        """✖️ Not yet: nothing recorded, the case stays open."""
        async with self.storage.transaction() as uow:
            conversation = await uow.conversations.of(who.person.id)
            if conversation is not None and conversation.kind == ConversationKind.REFUND:
                await uow.conversations.end(who.person.id)

    async def settle_refund(self, who: Identity, refund_id: int) -> RefundCase:
        """✅ under the read-back: the amount received recorded once, with its date, proof, who and
        when (audited); the case is settled once all of it is back, else the rest stays open. The
        IPWL's operators are told. A second press changes nothing."""
        now = self.clock.now()
        async with self.unit(who) as uow:
            case = await self._refund_for_finance(uow, who, refund_id)
            await uow.proposals.lock(case.proposal_id)  # a double tap: the second waits, then finds it done
            case = await self._refund_for_finance(uow, who, refund_id)
            self._refund_open(case)
            conversation = await uow.conversations.of(who.person.id)
            state = dict(conversation.state) if conversation and conversation.kind == ConversationKind.REFUND else {}
            if state.get("refund_id") != case.id or state.get("step") != "confirm":
                raise ServiceError(
                    "already_done",
                    N_("This summary was already recorded or replaced. Nothing was changed; see /bayar."),
                )
            amount = min(int(state["amount"]), case.remaining)
            on = dt.date.fromisoformat(state["on"])
            await uow.refunds.add_receipt(
                case.id,
                amount=amount,
                received_on=on,
                proof_id=state.get("proof_id"),
                reference=state.get("reference"),
                by=who.person.id,
                now=now,
            )
            complete = case.received + amount >= case.amount
            if complete and not await uow.refunds.settle(case.id, who.person.id, now):
                fresh = await uow.refunds.by_id(case.id)
                assert fresh is not None
                self._refund_open(fresh)
            await uow.audit.record(
                self.event(
                    who,
                    "refund",
                    case.id,
                    "settle_refund" if complete else "record_refund_part",
                    frm="open",
                    to="settled" if complete else "open",
                    reason=f"{case.proposal_code} #{case.position} {amount} of {case.amount} on {on.isoformat()}",
                )
            )
            proposal = await self.proposal(uow, case.proposal_id)
            await self.notify(
                uow,
                await self.operators(uow, proposal),
                NotificationKind.REFUND_RECORDED,
                f"refund:{case.id}:received:{case.received + amount}",
                {"refund_id": case.id, "amount": amount, "on": on.isoformat()},
                now,
            )
            await uow.conversations.end(who.person.id)
            settled = await uow.refunds.by_id(case.id)
            assert settled is not None
            return settled

    async def _refund_state(self, uow: UnitOfWork, who: Identity) -> dict[str, Any]:
        conversation = await uow.conversations.of(who.person.id)
        if conversation is None or conversation.kind != ConversationKind.REFUND:
            raise StaleButton()
        return dict(conversation.state)

    def _refund_entry(self, case: RefundCase, state: dict[str, Any]) -> RefundEntry:
        return RefundEntry(
            case,
            str(state["step"]),
            amount=state.get("amount"),
            received_on=dt.date.fromisoformat(state["on"]) if state.get("on") else None,
            reference=state.get("reference"),
            proof_name=state.get("proof_name"),
            example=f"{format_money(case.remaining)} {self._today():%d-%m-%Y}",
        )

    def _refund_amount_and_date(self, case: RefundCase, text: str) -> tuple[int, dt.date]:
        """``2.000.000 30-11-2026``: at most what is still to come back; a day not in the future
        nor before the case was opened."""
        amount_text, date_text = split_amount_and_date(text)
        if not date_text:
            raise ValidationError(
                Problem(
                    N_("Type the amount received and its date, e.g. {example}."),
                    {"example": self._refund_entry(case, {"step": "amount"}).example},
                )
            )
        amount = parse_money(amount_text, field="amount")
        if amount > case.remaining:
            raise ValidationError(
                Problem(
                    N_("At most {remaining} is still to come back for this client; you typed {amount}."),
                    {"remaining": format_money(case.remaining), "amount": format_money(amount)},
                )
            )
        opened = case.created_at.astimezone(ZoneInfo(self.settings.locale.timezone)).date()
        on = parse_date(date_text, today=self._today(), field="date", earliest=opened)
        return amount, on

    async def _refund_for_finance(self, uow: UnitOfWork, who: Identity, refund_id: int) -> RefundCase:
        if not who.actor.has_role(Role.FINANCE):
            raise self.denied(
                ServiceError("finance_only", N_("Only finance can record a refund.")),
                "refund",
                refund_id,
                "settle_refund: role_required",
            )
        case = await uow.refunds.by_id(refund_id)
        if case is None:
            raise StaleButton()
        return case

    def _refund_open(self, case: RefundCase) -> None:
        if case.status != RefundStatus.OPEN:
            raise ServiceError(
                "already_done",
                N_(
                    "The refund of {code}, client {number} ({amount}) was already recorded as returned by {name} "
                    "on {at}. Nothing was changed."
                ),
                code=case.proposal_code,
                number=case.position,
                amount=format_money(case.amount),
                name=case.settled_by_name or "-",
                at=case.settled_at or "-",
            )

    # --- for the renderers and /tugas -----------------------------------------------------------

    async def change(self, change_id: int) -> ChangeRequest | None:
        async with self.storage.reading() as uow:
            return await uow.client_changes.by_id(change_id)

    async def to_approve(self, change_id: int) -> tuple[ChangeRequest, BirthCheck | None] | None:
        """A verified change, for the head's notice: with the NIK's other birth date, if any."""
        async with self.storage.reading() as uow:
            change = await uow.client_changes.by_id(change_id)
            if change is None:
                return None
            return change, await self._birth_check(uow, change)

    async def _birth_check(self, uow: UnitOfWork, change: ChangeRequest) -> BirthCheck | None:
        if change.kind != ChangeKind.NIK:
            return None
        client = await uow.clients.by_id(change.client_id)
        carried = nik_birth_disagreement(change.new_value, client.birth_date if client else None, self._today())
        if client is None or carried is None:
            return None
        return BirthCheck(client.full_name, carried, client.birth_date)

    async def moved_in(self, change_id: int) -> tuple[ChangeRequest, Client, str] | None:
        """An approved move, for the receiving IPWL's notice: the change, the client, the IPWL left."""
        async with self.storage.reading() as uow:
            change = await uow.client_changes.by_id(change_id)
            client = await uow.clients.by_id(change.client_id) if change else None
            ipwl = await uow.ipwl.by_id(change.ipwl_id) if change else None
            if change is None or client is None or ipwl is None or change.status != ChangeStatus.APPROVED:
                return None
            return change, client, ipwl.code

    async def decided(self, change_id: int) -> Decided | None:
        """A change as its operators are told of a step: with the SK perubahan that approved it and
        the refund it opened (the renderer's read)."""
        async with self.storage.reading() as uow:
            change = await uow.client_changes.by_id(change_id)
            if change is None:
                return None
            amendment = await uow.decrees.by_id(change.amendment_id) if change.amendment_id else None
            refund = next(
                (r for r in await uow.refunds.of_proposal(change.proposal_id) if r.change_id == change.id), None
            )
            return Decided(change, amendment, refund)

    async def refund(self, refund_id: int) -> RefundCase | None:
        async with self.storage.reading() as uow:
            return await uow.refunds.by_id(refund_id)

    async def waiting(self, who: Identity) -> dict[str, int]:
        """What waits for this person: requests to verify (PIC), to approve (head), refunds (finance)."""
        counts: dict[str, int] = {}
        async with self.storage.reading() as uow:
            teams = sorted({g.team_id for g in who.actor.grants if g.role == Role.PIC and g.team_id})
            to_verify = sum([await uow.client_changes.count_open(ChangeStatus.REQUESTED, team_id=t) for t in teams])
            if to_verify:
                counts["verify"] = to_verify
            if who.actor.has_role(Role.HEAD):
                to_approve = await uow.client_changes.count_open(ChangeStatus.VERIFIED)
                if to_approve:
                    counts["approve"] = to_approve
            if who.actor.has_role(Role.FINANCE):
                refunds = await uow.refunds.count_open()
                if refunds:
                    counts["refund"] = refunds
        return counts

    # --- internals ------------------------------------------------------------------------------

    def _today(self) -> dt.date:
        return today_in(self.clock, self.settings.locale.timezone)

    def _zone(self) -> dt.tzinfo:
        from zoneinfo import ZoneInfo

        return ZoneInfo(self.settings.locale.timezone)

    async def _head(self, who: Identity) -> None:
        if not who.actor.has_role(Role.HEAD):
            async with self.unit(who):
                raise self.denied(
                    ServiceError("head_only", _HEAD_ONLY), "command", "skperubahan", "skperubahan: role_required"
                )

    def _operator(self, who: Identity, proposal: Proposal, entity: str, entity_id: object) -> None:
        if not who.actor.operates(proposal.ipwl_id):
            raise self.denied(
                ServiceError("not_operator", _NOT_YOURS), entity, entity_id, "client_change: out_of_scope"
            )

    async def _sheet(self, uow: UnitOfWork, proposal: Proposal) -> ChangeSheet:
        left = await uow.client_changes.left_clients(proposal.id)
        clients = await uow.clients.of_proposal(proposal.id)
        return ChangeSheet(proposal, clients, frozenset(left), await uow.client_changes.of_proposal(proposal.id))

    async def _changeable_client(self, uow: UnitOfWork, who: Identity, client_id: int) -> tuple[Client, Proposal]:
        client = await uow.clients.by_id(client_id)
        if client is None:
            raise StaleButton()
        proposal = await self.proposal(uow, client.proposal_id)
        self._operator(who, proposal, "client", client.id)
        _refuse_unless_changeable(proposal)
        if await uow.client_changes.has_left(client.id):
            raise ServiceError(
                "change_client_left",
                N_("Client no. {position} is already off the list by an SK perubahan."),
                position=client.position,
            )
        if await uow.client_changes.open_of_client(client.id) is not None:
            raise ServiceError(
                "change_open",
                N_("Client no. {position} already has a change waiting; wait for its decision first."),
                position=client.position,
            )
        return client, proposal

    async def _state(self, uow: UnitOfWork, who: Identity) -> dict[str, Any]:
        conversation = await uow.conversations.of(who.person.id)
        if conversation is None or conversation.kind != ConversationKind.CLIENT_CHANGE:
            raise ServiceError("change_not_open", N_("No change is being asked for. Start again with /perubahan."))
        return dict(conversation.state)

    def _draft(self, proposal: Proposal, client: Client, state: dict[str, Any]) -> ChangeDraft:
        return ChangeDraft(
            proposal.code,
            client,
            ChangeKind(state["kind"]),
            state["step"],
            state.get("new_value"),
            state.get("target"),
            state.get("reason"),
            tuple(state.get("duplicates") or ()),
            nik_birth_disagreement(
                state.get("new_value") if state["kind"] == ChangeKind.NIK.value else None,
                client.birth_date,
                self._today(),
            ),
            state.get("target_name"),
        )

    async def _nik_check(self, uow: UnitOfWork, proposal: Proposal, client: Client, nik: str) -> list[str]:
        """A corrected NIK, as intake checks one: never another client's of the same proposal;
        another proposal of the year holding it is named (double assistance) for the PIC and head."""
        year = proposal.period_year or self._today().year
        await uow.clients.lock_nik(nik, year)
        holders = await uow.client_changes.nik_holders(self.storage.keys.blind("nik", nik) or "", year, client.id)
        if proposal.code in holders:
            raise ValidationError(
                Problem(N_("Another client of this proposal already has this NIK. Check the NIK and type it again."))
            )
        return holders

    async def _change(self, uow: UnitOfWork, change_id: int) -> ChangeRequest:
        change = await uow.client_changes.by_id(change_id)
        if change is None:
            raise StaleButton()
        return change

    async def _may_take(
        self, uow: UnitOfWork, who: Identity, change_id: int, action: ChangeStep
    ) -> tuple[ChangeRequest, Proposal]:
        """The step may be taken now, and by this person (a PIC of the IPWL's team; the head)."""
        change = await self._change(uow, change_id)
        proposal = await self.proposal(uow, change.proposal_id)
        try:
            role, _ = step(action, change.status)
        except ChangeRefused:
            raise await self._taken(uow, change.id) from None
        allowed = who.actor.in_team(proposal.team_id) if role == Role.PIC else who.actor.has_role(Role.HEAD)
        if not allowed:
            message = (
                N_("Only a PIC of this IPWL's team can check this change.")
                if role == Role.PIC
                else N_("Only the head of centre can decide on a verified change.")
            )
            code = "not_your_team" if role == Role.PIC else "head_only"
            raise self.denied(ServiceError(code, message), "client_change", change.id, f"{action.value}: {code}")
        return change, proposal

    def _step_event(
        self, who: Identity, change: ChangeRequest, proposal: Proposal, action: str, target: ChangeStatus
    ) -> AuditEvent:
        """The audit row of a PIC's or the head's step on ``change`` (verify, return, reject): the
        status it leaves and the one it enters, with the proposal's code. A typed reason stays in the
        (sealed) request: it may name the client or a cause of death."""
        return self.event(
            who, "client_change", change.id, action, frm=change.status.value, to=target.value, reason=proposal.code
        )

    async def _taken(self, uow: UnitOfWork, change_id: int) -> ServiceError:
        """Someone else decided first (a double tap, or a colleague): say where the change is now."""
        change = await self._change(uow, change_id)
        return ServiceError("change_not_now", _WHERE_NOW[change.status])

    async def _amendment_state(self, uow: UnitOfWork, who: Identity) -> dict[str, Any]:
        if not who.actor.has_role(Role.HEAD):
            raise ServiceError("head_only", _HEAD_ONLY)
        conversation = await uow.conversations.of(who.person.id)
        if conversation is None or conversation.kind != ConversationKind.CHANGE_SK:
            raise ServiceError(
                "amendment_not_open", N_("No SK perubahan is being prepared. Start again with /skperubahan.")
            )
        return dict(conversation.state)

    async def _amendment(self, uow: UnitOfWork, state: dict[str, Any]) -> AmendmentDraft:
        # Only the changes shown when /skperubahan was opened, still verified: one verified since
        # waits for the next SK perubahan, one returned meanwhile drops out of this one.
        changes = [
            c
            for c in [await uow.client_changes.by_id(i) for i in state["changes"]]
            if c and c.status == ChangeStatus.VERIFIED
        ]
        n = await draft_number(uow, self.settings.payments.sk_number_format, state, self._today())
        checks = {c.id: check for c in changes if (check := await self._birth_check(uow, c)) is not None}
        return AmendmentDraft(
            changes,
            n.number,
            n.date,
            n.register_number,
            n.example,
            birth_checks=checks,
            paid=await self._paid_out(uow, changes),
            below=n.below,
        )

    async def _apply(
        self, uow: UnitOfWork, who: Identity, change: ChangeRequest, decree: Decree, now: dt.datetime
    ) -> None:
        """What an approved change does: a correction is written to the client; a client who left
        is off the list, and money already sent to them becomes a refund case for finance."""
        proposal = await self.proposal(uow, change.proposal_id)
        await uow.audit.record(
            self.event(
                who,
                "client_change",
                change.id,
                "approve_change",
                frm=ChangeStatus.VERIFIED.value,
                to=ChangeStatus.APPROVED.value,
                reason=decree.number,
            )
        )
        if change.kind == ChangeKind.NAME:
            await uow.clients.update(change.client_id, full_name=change.new_value)
            await uow.audit.record(self.event(who, "client", change.client_id, "correct_name", reason=decree.number))
        elif change.kind == ChangeKind.NIK:
            client = await uow.clients.by_id(change.client_id)
            assert client is not None and change.new_value is not None
            try:  # at approval, again: a client of the same proposal may hold it by now
                duplicates = await self._nik_check(uow, proposal, client, change.new_value)
            except ValidationError:
                raise ServiceError(
                    "amendment_nik_taken",
                    N_(
                        "Nothing was issued: the corrected NIK of {code}, client {number} is now another client's "
                        "of the same proposal. Return that change first, then issue the SK perubahan."
                    ),
                    code=change.proposal_code,
                    number=change.position,
                ) from None
            await uow.client_changes.set_duplicates(change.id, duplicates)
            await uow.clients.update(change.client_id, nik=change.new_value)
            await uow.audit.record(self.event(who, "client", change.client_id, "correct_nik", reason=decree.number))
            # The NIK checked against the KTP carries the birth date and sex: the record follows it
            # (everyone was shown the disagreement before approving), so it is not left inconsistent.
            carried = parse_nik(change.new_value, today=self._today())
            fixed: dict[str, object] = {}
            if client.birth_date is not None and client.birth_date != carried.birth_date:
                fixed["birth_date"] = carried.birth_date
            if client.sex is not None and client.sex != carried.sex:
                fixed["sex"] = carried.sex.value
            if fixed:
                if NIK_MISMATCH in client.flags:  # (the intake's flag for this very disagreement)
                    fixed["flags"] = tuple(f for f in client.flags if f != NIK_MISMATCH)
                await uow.clients.update(change.client_id, **fixed)
                await uow.audit.record(
                    self.event(
                        who, "client", change.client_id, "correct_birth_date", reason=f"{decree.number}: from NIK"
                    )
                )
            # The corrected NIK is re-checked now, both sides: a client held at another IPWL because
            # of the old NIK is freed (and told), one matching the new NIK is found.
            await self.recheck_nik(uow, who, proposal, "change", now)
        else:
            if change.kind == ChangeKind.MOVE and change.target_ipwl_code:
                # The receiving IPWL is told privately, to include the client in its own next proposal.
                target = await uow.ipwl.by_code(change.target_ipwl_code)
                if target is not None:
                    await self.notify(
                        uow,
                        await uow.people.operators_of(target.id),
                        NotificationKind.CHANGE_MOVED_IN,
                        f"client_change:{change.id}:moved_in",
                        {"change_id": change.id},
                        now,
                    )
            transfer = (await uow.transfers.of_proposal(proposal.id)).get(change.client_id)
            if transfer is not None and transfer.status == TransferStatus.SENT:
                refund_id = await uow.refunds.open_case(change.id, proposal.id, change.client_id, transfer.amount, now)
                if refund_id is not None:
                    await uow.audit.record(
                        self.event(
                            who,
                            "refund",
                            refund_id,
                            "open_refund",
                            to="open",
                            reason=f"{proposal.code} #{change.position} {transfer.amount}",
                        )
                    )
                    await self.notify(
                        uow,
                        await uow.staff.holding(Role.FINANCE),
                        NotificationKind.REFUND_OPENED,
                        f"refund:{refund_id}",
                        {"refund_id": refund_id},
                        now,
                    )
            # The client is off this list: a same-NIK client held (or warned) at another IPWL
            # because of them is re-checked now — freed, unless this one was paid (paid is paid).
            await self.recheck_nik(uow, who, proposal, "change", now)
            await self._list_shrank(uow, who, proposal, decree, now)
            # The team's group card shows the amended list (its edit is rendered after the commit).
            await self.card_changed(uow, await self.proposal(uow, proposal.id), now, why=f":sk{decree.id}")
        await self._tell_operators(uow, proposal, await self._change(uow, change.id), now)

    async def _list_shrank(
        self, uow: UnitOfWork, who: Identity, proposal: Proposal, decree: Decree, now: dt.datetime
    ) -> None:
        """A client off the list may have been the last one the step waited for: every other account
        is in (on to the verifiers) or every other transfer is sent (paid, the LPJ falls due). Nobody
        would press anything then, so the SK perubahan moves the proposal on (a proposal left with no
        client at all stays where it is, for the centre to close)."""
        proposal = await self.proposal(uow, proposal.id)
        left = await uow.client_changes.left_clients(proposal.id)
        remaining = [c.id for c in await uow.clients.of_proposal(proposal.id) if c.id not in left]
        if not remaining:
            return
        reason = f"SK perubahan {decree.number}"
        if proposal.status == ProposalStatus.DECREED:
            accounts = await uow.bank_accounts.of_proposal(proposal.id)
            filled = {BankAccountStatus.SUBMITTED, BankAccountStatus.VERIFIED}
            if all(c in accounts and accounts[c].status in filled for c in remaining):
                transition = workflow.transition_for(Action.SUBMIT_ACCOUNTS, proposal.status)
                await self.move(uow, who, proposal, transition, now, reason=reason)
                revision = await uow.group_cards.revision(proposal.code)
                await self.accounts_to_verifiers(
                    uow, proposal, f"proposal:{proposal.id}:accounts@{revision}", now, again=False
                )
        elif proposal.status == ProposalStatus.ACCOUNTS_VERIFIED and await uow.payments.of_proposal(proposal.id):
            transfers = await uow.transfers.of_proposal(proposal.id)
            if all(c in transfers and transfers[c].status == TransferStatus.SENT for c in remaining):
                due = self.lpj_due_date(self._today())
                transition = workflow.transition_for(Action.RECORD_PAYMENT, proposal.status)
                await self.move(uow, who, proposal, transition, now, reason=f"{reason}; LPJ due {due}", lpj_due_on=due)
                await self.tell_paid(uow, proposal, due, now)

    async def _tell_team(self, uow: UnitOfWork, proposal: Proposal, change: ChangeRequest, now: dt.datetime) -> None:
        """The card in the team's group (no personal data), or each PIC privately without a group."""
        group_chat = await self.team_group_chat(uow, proposal.team_id)
        params = {"change_id": change.id}
        if group_chat is not None:
            await uow.outbox.enqueue(
                dedupe_key=f"client_change:{change.id}:card",
                chat_id=group_chat,
                kind=NotificationKind.CHANGE_REQUESTED,
                params=params,
                now=now,
            )
            return
        pics: list[Person] = await uow.staff.holding(Role.PIC, team_id=proposal.team_id) if proposal.team_id else []
        await self.notify(uow, pics, NotificationKind.CHANGE_REQUESTED, f"client_change:{change.id}:card", params, now)

    async def _card_changed(self, uow: UnitOfWork, change: ChangeRequest, now: dt.datetime) -> None:
        """The group card says where the change is now (and loses its button once checked)."""
        if change.card_chat_id is None or change.card_message_id is None:
            return
        await uow.outbox.enqueue(
            dedupe_key=f"client_change:{change.id}:card@{change.status.value}",
            chat_id=change.card_chat_id,
            kind=NotificationKind.CHANGE_CARD_UPDATE,
            params={"change_id": change.id, "message_id": change.card_message_id},
            now=now,
        )

    async def _tell_operators(
        self, uow: UnitOfWork, proposal: Proposal, change: ChangeRequest, now: dt.datetime
    ) -> None:
        """Each step, to the IPWL's operators (and on the group card)."""
        await self._card_changed(uow, change, now)
        await self.notify(
            uow,
            await self.operators(uow, proposal),
            NotificationKind.CHANGE_DECIDED,
            f"client_change:{change.id}:{change.status.value}",
            {"change_id": change.id},
            now,
        )


def _before_after(change: ChangeRequest) -> tuple[str, str]:
    """What the annex says was on the SK and what the SK perubahan makes of it (codes, values)."""
    if change.kind in CORRECTIONS:
        return change.old_value or "", change.new_value or ""
    if change.kind == ChangeKind.MOVE:
        return "on_list", f"moved:{change.target_ipwl_code or ''}"
    return "on_list", "off_list"
