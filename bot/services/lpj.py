"""Step (f): the operator's accountability report (LPJ) and its review by the PIC team and finance.

The operator fills the LPJ of a ``paid`` (or ``lpj_returned``) proposal one answer at a time (the
states table in ``bot.domain.lpj_intake``) or with the XLSX sheet, adds evidence files, and submits it.
The PIC team verifies it from a card in its group, finance validates it privately, and either may
return it with reasons typed in their private chat. Every step is one transaction holding the
change, its audit event and its notifications; every transition goes through ``workflow.authorize``
and a compare-and-set, and whoever loses a race is told who won and when.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from zoneinfo import ZoneInfo

from bot.domain import lpj_intake, workflow
from bot.domain.kinds import ConversationKind, NotificationKind
from bot.domain.lpj_intake import (
    Cursor,
    Evidence,
    Lpj,
    LpjContent,
    LpjContext,
    LpjRules,
    NumberedLine,
    Realization,
    Reply,
    ServicePeriod,
    Step,
)
from bot.domain.models import Action, Attachment, Client, Ipwl, Proposal, ProposalStatus, ReturnReason, Role, Team
from bot.domain.records import LastChange, LpjTotals
from bot.domain.regions import ipwl_zone
from bot.domain.validation import Problem, ValidationError, parse_free_text
from bot.files.lpj_sheet import LpjSheet, parse_lpj_sheet
from bot.i18n import N_
from bot.services.base import Identity, ServiceError, StaleButton
from bot.services.proposals import FileUpload
from bot.services.reviews import StaffService
from storage.unit import UnitOfWork

# Refusals that mean "not yours to do" (audited as "denied"); others are timing or races.
_DENIED = frozenset({workflow.ROLE_REQUIRED, workflow.OUT_OF_SCOPE, workflow.FOUR_EYES, workflow.OWN_IPWL})
EDITABLE = (ProposalStatus.PAID, ProposalStatus.LPJ_RETURNED)
# The LPJ stages a staff member can see; the "already done" answer applies only to these.
_LPJ_ACTIONS = {Action.SUBMIT_LPJ.value, Action.VERIFY_LPJ.value, Action.RETURN_LPJ.value, Action.VALIDATE_LPJ.value}
_ALREADY = {
    Action.VERIFY_LPJ.value: N_("{name} already verified this LPJ on {at}."),
    Action.RETURN_LPJ.value: N_("{name} already returned this LPJ to the IPWL on {at}."),
    Action.VALIDATE_LPJ.value: N_("{name} already validated this LPJ on {at}; the proposal is closed."),
    Action.SUBMIT_LPJ.value: N_("This LPJ was sent again by {name} on {at}; look at the newest card."),
}


@dataclass(frozen=True)
class LpjState:
    """Everything a view needs to show an LPJ draft and ask its next question."""

    proposal: Proposal
    ipwl: Ipwl
    lpj: Lpj
    cursor: Cursor
    content: LpjContent
    due_on: dt.date | None
    zone: str  # the IPWL's IANA zone
    reasons: list[ReturnReason] = field(default_factory=list)
    problems: tuple[Problem, ...] = ()  # what still blocks submission
    warnings: tuple[Problem, ...] = ()
    # Stored files no record points to any more (evidence taken back): the adapter deletes them.
    discarded_files: tuple[str, ...] = ()

    @property
    def client(self) -> Client | None:
        return self.content.client(self.cursor.client_id)

    @property
    def line(self) -> NumberedLine | None:
        return self.content.line(self.cursor.line_id)

    @property
    def pending(self) -> Evidence | None:
        return next((e for e in self.content.evidence if e.id == self.cursor.evidence_id), None)


@dataclass(frozen=True)
class LpjReview:
    """An LPJ as staff see it in a group card: codes, counts, totals, flags — no personal data."""

    proposal: Proposal
    ipwl: Ipwl
    lpj: Lpj
    totals: LpjTotals
    due_on: dt.date | None
    team: Team | None
    last_change: LastChange | None = None


@dataclass(frozen=True)
class LpjDetail:
    """The whole LPJ for a private chat, with the evidence files to send along (by Telegram file id)."""

    state: LpjState
    files: tuple[tuple[Evidence, Attachment], ...] = ()


@dataclass(frozen=True)
class ReturnStarted:
    proposal: Proposal
    version: int


class LpjService(StaffService):
    """What operators, PIC and finance do with accountability reports."""

    @property
    def rules(self) -> LpjRules:
        cfg = self.settings.lpj
        return LpjRules(cfg.meterai_above, cfg.meterai_amount, cfg.receipts_cover_realization)

    # --- the operator: open, answer, files, sheet, submit ----------------------------------------

    async def choices(self, who: Identity) -> list[tuple[int, str, str]]:
        """Proposals of the operator's IPWL that owe an LPJ: (id, code, status), soonest due first."""
        ipwl_ids = self._operator_ipwls(who)
        async with self.storage.reading() as uow:
            return await uow.lpj.reportable(ipwl_ids)

    async def open(self, who: Identity, *, code: str | None = None, proposal_id: int | None = None) -> LpjState:
        """``/lpj [CODE]``: start or resume the LPJ of a paid (or returned) proposal."""
        self._operator_ipwls(who)
        now = self.clock.now()
        typed = (code or "").strip()[:30]
        async with self.storage.transaction() as uow:
            proposal = await (uow.proposals.by_id(proposal_id) if proposal_id else uow.proposals.by_code(typed))
            if proposal is None or not who.actor.operates(proposal.ipwl_id):
                # The same answer whether the code exists elsewhere or not: no probing other IPWL's codes.
                raise ServiceError("unknown_proposal", N_("You have no proposal with code {code}."), code=typed or "-")
            if proposal.status not in EDITABLE:
                raise ServiceError(
                    "no_lpj_due",
                    N_("Proposal {code} has no LPJ to fill in now; /status shows where it stands."),
                    code=proposal.code,
                )
            lpj = await uow.lpj.of_proposal(proposal.id) or await uow.lpj.create(proposal.id, now)
            if await uow.lpj.cursor_of(lpj.id) is None:
                # A returned LPJ opens on its review, with the reasons; a new one on what is missing first.
                returned = proposal.status == ProposalStatus.LPJ_RETURNED
                first = (
                    Cursor(step=Step.REVIEW) if returned else lpj_intake.start(await self._content(uow, proposal, lpj))
                )
                await uow.lpj.set_cursor(lpj.id, json.dumps(first.to_json()), now)
            await uow.conversations.start(who.person.id, ConversationKind.LPJ, proposal.id, now)
            return await self._state(uow, proposal)

    async def current(self, who: Identity) -> LpjState | None:
        """The LPJ this person is filling in, if their conversation is one."""
        async with self.storage.reading() as uow:
            proposal = await self._conversation_proposal(uow, who)
            if proposal is None or proposal.status not in EDITABLE or not who.actor.operates(proposal.ipwl_id):
                return None
            return await self._state(uow, proposal)

    async def answer(self, who: Identity, reply: Reply) -> LpjState:
        """Validate one answer, write it and move the cursor — or change nothing and raise. Evidence
        taken back goes from the disk too, after the commit (it may show a client)."""
        now = self.clock.now()
        async with self.storage.transaction() as uow:
            state = await self._editable(uow, who)
            outcome = lpj_intake.answer(state.cursor, reply, self._context(state, now))
            discarded = await self._apply_all(uow, state, outcome.effects, now)
            await uow.lpj.set_cursor(state.lpj.id, json.dumps(outcome.cursor.to_json()), now)
            fresh = await self._state(uow, state.proposal)
        self.discard_files(discarded)
        return replace(fresh, warnings=outcome.warnings, discarded_files=discarded)

    async def go_to(self, who: Identity, section: str) -> LpjState:
        """From the review (or a reminder) to services, realization, evidence or the review."""
        now = self.clock.now()
        async with self.storage.transaction() as uow:
            state = await self._editable(uow, who)
            cursor = lpj_intake.go_to(state.content, section)
            await uow.lpj.set_cursor(state.lpj.id, json.dumps(cursor.to_json()), now)
            return await self._state(uow, state.proposal)

    def check_upload(self, state: LpjState, upload: FileUpload, *, spreadsheet: bool = False) -> None:
        """Refuse what the Bot API cannot hand over, file types we do not keep, and files at the
        wrong moment (a receipt still waiting for its amount) — before anything is downloaded."""
        self.check_document_upload(upload, field="file")
        if not spreadsheet:
            lpj_intake.receive_file(state.cursor, is_image=(upload.mime_type or "").startswith("image/"))

    async def keep_file(self, who: Identity, upload: FileUpload, content: bytes) -> LpjState:
        """An evidence file (receipt, photo, BAST) for the open LPJ: refused when empty or broken
        (nothing written then); kept on disk and recorded otherwise."""
        async with self.storage.reading() as uow:
            state = await self._editable(uow, who)  # before anything is written to disk
        with self.upload_kept(f"{state.proposal.code}-lpj", upload.file_name, content, upload.mime_type) as stored:
            return await self.attach(who, upload, sha256=stored.sha256, stored_path=stored.path)

    async def attach(self, who: Identity, upload: FileUpload, *, sha256: str, stored_path: str | None) -> LpjState:
        """Record an evidence file (receipt, photo, BAST) of the open LPJ."""
        now = self.clock.now()
        async with self.storage.transaction() as uow:
            state = await self._editable(uow, who)
            outcome = lpj_intake.receive_file(state.cursor, is_image=(upload.mime_type or "").startswith("image/"))
            kind = next(e.kind for e in outcome.effects if isinstance(e, lpj_intake.AddEvidence))
            attachment_id = await self.record_attachment(
                uow,
                state.proposal.id,
                upload,
                purpose=f"lpj_{kind.value}",
                client_id=None,
                uploaded_by=who.person.id,
                now=now,
                sha256=sha256,
                stored_path=stored_path,
            )
            evidence_id = await uow.lpj.add_evidence(state.lpj.id, attachment_id, kind, now)
            cursor = outcome.cursor
            if cursor.step == Step.RECEIPT_AMOUNT:
                cursor = replace(cursor, evidence_id=evidence_id)
            elif state.cursor.step != Step.EVIDENCE:
                cursor = state.cursor  # a photo sent mid-question: keep the question where it was
            await uow.lpj.set_cursor(state.lpj.id, json.dumps(cursor.to_json()), now)
            return await self._state(uow, state.proposal)

    def parse_sheet(self, state: LpjState, data: bytes, now: dt.datetime) -> LpjSheet:
        """Read the filled workbook against this LPJ (ImportRejected lists every row to fix)."""
        ctx = self._context(state, now)
        return parse_lpj_sheet(data, state.content, today=ctx.today, earliest=ctx.earliest)

    async def import_sheet(
        self, who: Identity, realizations: Sequence[Realization], services: Sequence[ServicePeriod]
    ) -> LpjState:
        """The filled XLSX: every row is written, or none (the parser already refused bad rows)."""
        now = self.clock.now()
        async with self.storage.transaction() as uow:
            state = await self._editable(uow, who)
            lines = {n.line.id for n in state.content.lines}
            clients = {c.id for c in state.content.clients}
            if any(r.budget_line_id not in lines for r in realizations) or any(
                s.client_id not in clients for s in services
            ):
                raise ServiceError(
                    "stale_sheet",
                    N_(
                        "This sheet belongs to another version of the proposal. "
                        "Download the template again with the button below."
                    ),
                )
            await uow.lpj.set_realizations(state.lpj.id, realizations)
            by_client: dict[int, list[ServicePeriod]] = {}
            for period in services:
                by_client.setdefault(period.client_id, []).append(period)
            for client_id, periods in by_client.items():
                await uow.lpj.set_services(state.lpj.id, client_id, periods)
            await uow.lpj.set_cursor(state.lpj.id, json.dumps(Cursor(step=Step.REVIEW).to_json()), now)
            await uow.audit.record(
                self.event(
                    who,
                    "proposal",
                    state.proposal.code,
                    "lpj_sheet",
                    reason=f"{len(realizations)} lines, {len(by_client)} clients",
                )
            )
            return await self._state(uow, state.proposal)

    async def submit(self, who: Identity, proposal_id: int) -> LpjState:
        """Send the LPJ to the PIC team (late if after its due date). A double tap submits once."""
        now = self.clock.now()
        async with self.unit(who) as uow:
            proposal = await self.proposal(uow, proposal_id)
            if proposal.status == ProposalStatus.LPJ_SUBMITTED and who.actor.operates(proposal.ipwl_id):
                raise ServiceError("already_done", N_("The LPJ of {code} has already been sent."), code=proposal.code)
            transition = await self._authorize(uow, Action.SUBMIT_LPJ, proposal, who)
            state = await self._state(uow, proposal)
            problems = lpj_intake.check_complete(state.content, self.rules)
            if problems:
                raise ValidationError(problems)
            resubmit = proposal.status == ProposalStatus.LPJ_RETURNED
            version = state.lpj.version + 1 if resubmit else state.lpj.version
            late = state.due_on is not None and _local_day(now, state.zone) > state.due_on
            reason = f"lpj v{version}" + (" late" if late else "")
            await self._move(uow, who, proposal, transition, now, reason=reason, lpj_verified_by=None)
            await uow.lpj.submit(state.lpj.id, version, now, late=late)
            await uow.conversations.end_for_entity(ConversationKind.LPJ, proposal.id)
            await self._card(uow, state.ipwl, proposal, f"v{version}:submitted", now, new=True)
            return await self._state(uow, await self.proposal(uow, proposal.id))

    async def stop(self, who: Identity) -> None:
        """Leave the LPJ as it is (kept) and end the conversation."""
        async with self.storage.transaction() as uow:
            await uow.conversations.end(who.person.id)

    # --- PIC and finance ------------------------------------------------------------------------

    async def verify(self, who: Identity, proposal_id: int) -> LpjReview:
        """The PIC team checked the LPJ: on to finance."""
        now = self.clock.now()
        async with self.unit(who) as uow:
            proposal = await self.proposal(uow, proposal_id)
            transition = await self._authorize(uow, Action.VERIFY_LPJ, proposal, who)
            await self._move(uow, who, proposal, transition, now, lpj_verified_by=who.person.id)
            lpj = await self._lpj(uow, proposal)
            await uow.lpj.mark_verified(lpj.id, who.person.id, now)
            ipwl = await self._ipwl(uow, proposal)
            await self._card(uow, ipwl, proposal, f"v{lpj.version}:verified", now)
            await self.tell_progress(
                uow, proposal, Action.VERIFY_LPJ, f"lpj:{proposal.id}:v{lpj.version}:verified", now, version=lpj.version
            )
            for person_id, chat_id in await uow.audiences.role_chats(Role.FINANCE):
                await uow.outbox.enqueue(
                    dedupe_key=f"lpj:{proposal.id}:v{lpj.version}:validate:{chat_id}",
                    chat_id=chat_id,
                    person_id=person_id,
                    kind=NotificationKind.LPJ_TO_VALIDATE,
                    params={"proposal_id": proposal.id},
                    now=now,
                )
            return await self._review(uow, proposal.id)

    async def validate(self, who: Identity, proposal_id: int) -> LpjReview:
        """Finance validates the verified LPJ (four-eyes: not its verifier): the proposal is closed."""
        now = self.clock.now()
        async with self.unit(who) as uow:
            proposal = await self.proposal(uow, proposal_id)
            transition = await self._authorize(uow, Action.VALIDATE_LPJ, proposal, who)
            await self._move(uow, who, proposal, transition, now)
            lpj = await self._lpj(uow, proposal)
            await uow.lpj.mark_validated(lpj.id, who.person.id, now)
            ipwl = await self._ipwl(uow, proposal)
            await self._card(uow, ipwl, proposal, f"v{lpj.version}:closed", now)
            await self._tell_operators(uow, proposal, NotificationKind.LPJ_CLOSED, f"lpj:{proposal.id}:closed", now)
            return await self._review(uow, proposal.id)

    async def start_return(self, who: Identity, proposal_id: int) -> ReturnStarted:
        """Return pressed: check it may be done, then ask for the reasons in the presser's private chat."""
        now = self.clock.now()
        async with self.unit(who) as uow:
            proposal = await self.proposal(uow, proposal_id)
            # The reason comes next: check everything else now, under the centre's four-eyes rule
            # (a PIC who also operates the IPWL is refused here, not after typing the reasons).
            await self._authorize(uow, Action.RETURN_LPJ, proposal, who, data={"reason": "-"})
            lpj = await self._lpj(uow, proposal)
            await uow.conversations.start(
                who.person.id,
                ConversationKind.LPJ_RETURN,
                proposal.id,
                now,
                {"version": lpj.version, "status": proposal.status.value},
            )
            return ReturnStarted(proposal, lpj.version)

    async def return_lpj(self, who: Identity, text: str) -> LpjReview:
        """The reasons typed after pressing Return: the LPJ goes back to the operator with them."""
        now = self.clock.now()
        reason = parse_free_text(text, field="reason", min_length=10, max_length=1000)
        try:
            async with self.unit(who) as uow:
                proposal_id = await uow.conversations.about(who.person.id, ConversationKind.LPJ_RETURN)
                if proposal_id is None:
                    raise ServiceError("no_return", N_("There is no return in progress."))
                proposal = await self.proposal(uow, proposal_id)
                transition = await self._authorize(uow, Action.RETURN_LPJ, proposal, who, data={"reason": reason})
                await self._move(uow, who, proposal, transition, now, reason=reason, lpj_verified_by=None)
                lpj = await self._lpj(uow, proposal)
                await uow.lpj.mark_returned(lpj.id, now)
                await uow.proposals.add_return_reason(
                    proposal.id, lpj.version, "lpj", reason, by=who.person.id, now=now
                )
                await uow.conversations.end(who.person.id)
                ipwl = await self._ipwl(uow, proposal)
                await self._card(uow, ipwl, proposal, f"v{lpj.version}:returned", now)
                await self._tell_operators(
                    uow, proposal, NotificationKind.LPJ_RETURNED, f"lpj:{proposal.id}:v{lpj.version}:returned", now
                )
                return await self._review(uow, proposal.id)
        except (ServiceError, workflow.WorkflowError):
            # The LPJ moved on (or the person lost the role) while they typed: stop asking for reasons.
            async with self.storage.transaction() as uow:
                await uow.conversations.end(who.person.id)
            raise

    async def cancel_return(self, who: Identity) -> None:
        async with self.storage.transaction() as uow:
            conversation = await uow.conversations.of(who.person.id)
            if conversation is not None and conversation.kind == ConversationKind.LPJ_RETURN:
                await uow.conversations.end(who.person.id)

    # --- reading --------------------------------------------------------------------------------

    async def review(self, proposal_id: int) -> LpjReview | None:
        """The card's data (renderers and buttons); None once the proposal is gone."""
        async with self.storage.reading() as uow:
            proposal = await uow.proposals.by_id(proposal_id)
            if proposal is None or await uow.lpj.of_proposal(proposal.id) is None:
                return None
            return await self._review(uow, proposal_id)

    async def detail(self, who: Identity, proposal_id: int) -> LpjDetail:
        """The whole LPJ with names and its evidence files, for a private chat: its operators, the
        team's PIC, finance, head, admins. Reviewers see the receipts, photos and BAST they approve."""
        async with self.storage.reading() as uow:
            proposal = await self.proposal(uow, proposal_id)
            allowed = (
                who.actor.operates(proposal.ipwl_id)
                or who.actor.in_team(proposal.team_id)
                or any(who.actor.has_role(r) for r in (Role.FINANCE, Role.HEAD, Role.ADMIN))
            )
            if not allowed or await uow.lpj.of_proposal(proposal.id) is None:
                raise ServiceError("out_of_scope", N_("This LPJ belongs to an IPWL you are not assigned to."))
            state = await self._state(uow, proposal)
            attachments = {a.id: a for a in await uow.attachments.of_proposal(proposal.id)}
            files = tuple(
                (e, attachments[e.attachment_id]) for e in state.content.evidence if e.attachment_id in attachments
            )
            return LpjDetail(state, files)

    async def detail_shown(self, who: Identity, proposal_id: int) -> None:
        """Record that the LPJ's personal data and evidence reached this person (processing log)."""
        async with self.storage.transaction() as uow:
            proposal = await self.proposal(uow, proposal_id)
            await uow.audit.record(self.event(who, "proposal", proposal.code, "view_detail", reason="lpj"))

    async def returned_reasons(self, proposal_id: int) -> tuple[Proposal, int, list[ReturnReason]] | None:
        """The reasons of the latest return (for the operator's notification)."""
        async with self.storage.reading() as uow:
            proposal = await uow.proposals.by_id(proposal_id)
            lpj = await uow.lpj.of_proposal(proposal_id) if proposal else None
            if proposal is None or lpj is None:
                return None
            return proposal, lpj.version, await uow.proposals.return_reasons(proposal_id, lpj.version)

    async def card_sent(self, uow: UnitOfWork, proposal_id: int, chat_id: int, message_id: int) -> None:
        """Remember which group message shows the LPJ (in the sender's transaction)."""
        lpj = await uow.lpj.of_proposal(proposal_id)
        if lpj is not None:
            await uow.lpj.remember_card(lpj.id, chat_id, message_id)

    async def card_message(self, proposal_id: int, chat_id: int) -> int | None:
        async with self.storage.reading() as uow:
            lpj = await uow.lpj.of_proposal(proposal_id)
            return await uow.lpj.card(lpj.id, chat_id) if lpj else None

    # --- internals -------------------------------------------------------------------------------

    def _operator_ipwls(self, who: Identity) -> list[int]:
        ipwl_ids = who.actor.operated_ipwl_ids
        if not ipwl_ids:
            raise ServiceError("not_operator", N_("Only IPWL operators can fill in an LPJ."))
        return ipwl_ids

    async def _authorize(
        self, uow: UnitOfWork, action: Action, proposal: Proposal, who: Identity, data: dict[str, object] | None = None
    ) -> workflow.Transition:
        """``workflow.authorize``; a step someone else already took becomes "X did this at T"."""
        try:
            return workflow.authorize(
                action, proposal, who.actor, four_eyes=self.settings.workflow.four_eyes, data=data
            )
        except workflow.WorkflowError as error:
            if error.code in (workflow.ALREADY_DONE, workflow.NOT_ALLOWED_IN_STATUS):
                change = await uow.lpj.last_change(proposal.code)
                if change is not None and change.action in _LPJ_ACTIONS:
                    raise _already_error(change) from None
            if error.code in _DENIED:
                # Not theirs to do: refused and audited as "denied", as on the proposal card.
                raise self.denied(error, "proposal", proposal.code, f"{action.value}: {error.code}") from None
            raise

    async def _move(
        self,
        uow: UnitOfWork,
        who: Identity,
        proposal: Proposal,
        transition: workflow.Transition,
        now: dt.datetime,
        *,
        reason: str | None = None,
        **fields: object,
    ) -> None:
        """Compare-and-set the status and audit it (``StaffService.move`` without the proposal card:
        the LPJ has its own); the loser is told which LPJ step won."""
        if not await uow.proposals.move(proposal.id, frm=proposal.status, to=transition.target, now=now, **fields):
            raise await self._already(uow, proposal)
        await uow.audit.record(self.transition_event(who, proposal, transition, reason=reason))

    async def _already(self, uow: UnitOfWork, proposal: Proposal) -> ServiceError:
        """The compare-and-set lost (another instance won between our read and our write)."""
        change = await uow.lpj.last_change(proposal.code)
        if change is not None and change.action in _LPJ_ACTIONS:
            return _already_error(change)
        return ServiceError("already_done", N_("This has just changed; look at the newest message."))

    async def _ipwl(self, uow: UnitOfWork, proposal: Proposal) -> Ipwl:
        ipwl = await uow.ipwl.by_id(proposal.ipwl_id)
        assert ipwl is not None
        return ipwl

    async def _lpj(self, uow: UnitOfWork, proposal: Proposal) -> Lpj:
        lpj = await uow.lpj.of_proposal(proposal.id)
        if lpj is None:
            raise StaleButton()
        return lpj

    async def _conversation_proposal(self, uow: UnitOfWork, who: Identity) -> Proposal | None:
        proposal_id = await uow.conversations.about(who.person.id, ConversationKind.LPJ)
        if proposal_id is None:
            return None
        await uow.proposals.lock(proposal_id)  # one answer or tap at a time moves the LPJ
        return await uow.proposals.by_id(proposal_id)

    async def _editable(self, uow: UnitOfWork, who: Identity) -> LpjState:
        proposal = await self._conversation_proposal(uow, who)
        if proposal is None:
            raise ServiceError("no_lpj_open", N_("There is no LPJ open. Open one with /lpj."))
        if not who.actor.operates(proposal.ipwl_id):
            raise ServiceError("out_of_scope", N_("You are not an operator of this IPWL."))
        if proposal.status not in EDITABLE:
            raise ServiceError("not_editable", N_("The LPJ of {code} can no longer be changed."), code=proposal.code)
        return await self._state(uow, proposal)

    async def _content(self, uow: UnitOfWork, proposal: Proposal, lpj: Lpj) -> LpjContent:
        # The amended list (issue 16.6): a client an SK perubahan took off is not accounted for here.
        left = await uow.client_changes.left_clients(proposal.id)
        return LpjContent(
            clients=tuple(c for c in await uow.clients.of_proposal(proposal.id) if c.id not in left),
            services=await uow.lpj.services(lpj.id),
            realizations=await uow.lpj.realizations(lpj.id),
            evidence=await uow.lpj.evidence(lpj.id),
        )

    async def _state(self, uow: UnitOfWork, proposal: Proposal) -> LpjState:
        lpj = await self._lpj(uow, proposal)
        ipwl = await self._ipwl(uow, proposal)
        content = await self._content(uow, proposal, lpj)
        raw = await uow.lpj.cursor_of(lpj.id)
        cursor = Cursor.from_json(json.loads(raw)) if raw else Cursor(step=Step.REVIEW)
        reasons = []
        if proposal.status == ProposalStatus.LPJ_RETURNED:
            reasons = await uow.proposals.return_reasons(proposal.id, lpj.version)
        zone = ipwl_zone(ipwl.province_code, self.settings.locale.timezone)
        return LpjState(
            proposal,
            ipwl,
            lpj,
            cursor,
            content,
            await uow.lpj.due_on(proposal.id),
            zone,
            reasons,
            tuple(lpj_intake.check_complete(content, self.rules)),
        )

    async def _review(self, uow: UnitOfWork, proposal_id: int) -> LpjReview:
        proposal = await self.proposal(uow, proposal_id)
        lpj = await self._lpj(uow, proposal)
        ipwl = await self._ipwl(uow, proposal)
        team = await uow.teams.by_id(ipwl.team_id) if ipwl.team_id else None
        return LpjReview(
            proposal,
            ipwl,
            lpj,
            await uow.lpj.totals(lpj.id, proposal.id),
            await uow.lpj.due_on(proposal.id),
            team,
            await uow.lpj.last_change(proposal.code),
        )

    def _context(self, state: LpjState, now: dt.datetime) -> LpjContext:
        p = state.proposal
        if p.period_year and p.period_month:
            earliest = dt.date(p.period_year, p.period_month, 1)
        else:
            earliest = dt.date((p.created_at or now).year, 1, 1)
        return LpjContext(today=_local_day(now, state.zone), content=state.content, earliest=earliest, rules=self.rules)

    async def _apply_all(
        self, uow: UnitOfWork, state: LpjState, effects: Sequence[lpj_intake.Effect], now: dt.datetime
    ) -> tuple[str, ...]:
        """Write the effects; returns the stored files that no record uses any more."""
        lpj_id = state.lpj.id
        discarded: list[str] = []
        for effect in effects:
            if isinstance(effect, lpj_intake.SetServices):
                await uow.lpj.set_services(
                    lpj_id,
                    effect.client_id,
                    [
                        ServicePeriod(effect.client_id, c, effect.served_from, effect.served_to)
                        for c in effect.components
                    ],
                )
            elif isinstance(effect, lpj_intake.SetRealization):
                await uow.lpj.set_realizations(lpj_id, [Realization(effect.line_id, effect.amount, effect.note)])
            elif isinstance(effect, lpj_intake.FillAsBudgeted):
                await uow.lpj.fill_as_budgeted(lpj_id, state.proposal.id)
            elif isinstance(effect, lpj_intake.SetReceiptAmount):
                await uow.lpj.set_receipt_amount(lpj_id, effect.evidence_id, effect.amount)
            elif isinstance(effect, lpj_intake.SetStamped):
                await uow.lpj.set_stamped(lpj_id, effect.evidence_id)
            elif isinstance(effect, lpj_intake.DiscardEvidence):
                path = await uow.lpj.remove_evidence(lpj_id, effect.evidence_id)
                discarded += [path] if path else []
        return tuple(discarded)

    async def _card(
        self, uow: UnitOfWork, ipwl: Ipwl, proposal: Proposal, event: str, now: dt.datetime, *, new: bool = False
    ) -> None:
        """Show (or update) the LPJ's card in the PIC team's group."""
        group_chat = await self.team_group_chat(uow, ipwl.team_id)
        if group_chat is None:
            return
        await uow.outbox.enqueue(
            dedupe_key=f"lpj:{proposal.id}:{event}:card",
            chat_id=group_chat,
            kind=NotificationKind.LPJ_CARD,
            now=now,
            params={"proposal_id": proposal.id, "chat_id": group_chat, "new": new},
        )

    async def _tell_operators(self, uow: UnitOfWork, proposal: Proposal, kind: str, key: str, now: dt.datetime) -> None:
        chats = await uow.audiences.operator_chats([proposal.ipwl_id])
        for person_id, chat_id in chats.get(proposal.ipwl_id, []):
            await uow.outbox.enqueue(
                dedupe_key=f"{key}:{chat_id}",
                chat_id=chat_id,
                person_id=person_id,
                kind=kind,
                params={"proposal_id": proposal.id},
                now=now,
            )


def _local_day(now: dt.datetime, zone: str) -> dt.date:
    """The day ``now`` falls on in ``zone`` (the moment is the unit of work's own, so one answer
    never sees two different days)."""
    return now.astimezone(ZoneInfo(zone)).date()


def _already_error(change: LastChange) -> ServiceError:
    message = _ALREADY.get(change.action, N_("{name} already did this on {at}."))
    return ServiceError("already_done", message, name=change.actor_name or "-", at=change.at)
