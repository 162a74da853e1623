"""Complaints (issue 16.5): ``/pengaduan`` for anyone who started the bot, and the complaint
officers' desk.

The form is one conversation (``ConversationKind.COMPLAINT``) whose sealed state holds every answer
until Send: nothing is written to ``complaints`` before, so a form left half-way leaves no record
(its files are deleted at /batal). On Send the complaint, its files, the officers' notifications
and its audit event commit together.

Who sees what: a complaint goes to the centre's complaint officers only — never to the IPWL it is
about, nor to its PIC team or group. An anonymous complaint stores no link to the Telegram user
(see ``bot.domain.complaints``): its audit event has no actor, its confirmation is the reply to
the Send press (not an outbox row, which would pair the chat with the ticket), and its status is
checked with the ticket and the secret shown once. A named complaint's identity is sealed and
shown to an officer only on request, audited as ``reveal_complainant``; its filing event has no
actor either, so the audit trail (read by admins and auditors) never says who complained.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain import complaints as rules
from bot.domain.complaints import ActionKind, ComplaintCategory, ComplaintStatus, Step
from bot.domain.conversation import Reply
from bot.domain.kinds import ConversationKind, NotificationKind
from bot.domain.models import Person, Role
from bot.domain.payment_checks import check_of
from bot.domain.reminder_rules import Calendar
from bot.domain.validation import Problem, ValidationError
from bot.i18n import N_
from bot.services.base import Identity, Service, ServiceError, StaleButton
from storage.complaints import Complainant, ComplaintActionRow, ComplaintFileRow, ComplaintRow
from storage.payment_checks import CheckRow
from storage.unit import UnitOfWork


@dataclass(frozen=True)
class ComplaintFile:
    telegram_file_id: str
    file_name: str | None
    mime_type: str | None
    is_photo: bool
    size: int


@dataclass(frozen=True)
class ComplaintDraft:
    """The form so far, as the person chose it (read back at every step)."""

    step: Step
    category: ComplaintCategory | None
    anonymous: bool | None
    proposal_code: str | None
    description: str | None
    files: int

    @property
    def can_add_files(self) -> bool:
        return self.files < rules.MAX_FILES


@dataclass(frozen=True)
class Filed:
    """What the complainant is told once, on Send."""

    ticket: str
    secret: str | None  # anonymous only: shown once, never kept
    category: ComplaintCategory
    due_at: dt.datetime
    anonymous: bool


@dataclass(frozen=True)
class PublicStatus:
    """What the complainant may read of their complaint."""

    ticket: str
    category: ComplaintCategory
    status: ComplaintStatus
    submitted_at: dt.datetime
    due_at: dt.datetime
    sp4n_reference: str | None
    outcome: str | None
    closed_at: dt.datetime | None


@dataclass(frozen=True)
class ComplaintCard:
    """An officer's view of one complaint (the identity is shown only on request)."""

    complaint: ComplaintRow
    actions: list[ComplaintActionRow]
    now: dt.datetime
    check: CheckRow | None = None  # the post-payment check that opened it (source "payment_check")

    @property
    def category(self) -> ComplaintCategory:
        return ComplaintCategory(self.complaint.category)

    @property
    def status(self) -> ComplaintStatus:
        return ComplaintStatus(self.complaint.status)

    @property
    def overdue(self) -> bool:
        return self.status == ComplaintStatus.OPEN and self.complaint.due_at <= self.now


@dataclass(frozen=True)
class ActionPrompt:
    complaint_id: int
    ticket: str
    kind: ActionKind


@dataclass(frozen=True)
class ClosePreview:
    complaint_id: int
    ticket: str
    outcome: str
    named: bool
    opened_by_bot: bool = False  # no complainant: the head and the PIC team are told the outcome


@dataclass(frozen=True)
class ComplaintQueue:
    open: list[ComplaintRow]
    closed: list[ComplaintRow]
    now: dt.datetime


@dataclass(frozen=True)
class DeadlineRun:
    reminded: int
    escalated: int


def require_officer(who: Identity) -> None:
    if not who.actor.has_role(Role.COMPLAINT_OFFICER):
        raise ServiceError("role_required", N_("Only the centre's complaint officers can do this."))


def _problem(message: str, **params: object) -> ValidationError:
    return ValidationError(Problem(message, params))


_NO_FORM = N_("No complaint form is open. Start one with /pengaduan.")


class ComplaintService(Service):
    """``/pengaduan``: filing a complaint, checking its status, and the complaint officers' work."""

    # --- the form ----------------------------------------------------------------------------------

    async def start_as_officer(self, who: Identity) -> ComplaintDraft:
        """The officers' list's "file a complaint myself" (an officer may complain too)."""
        require_officer(who)
        return await self.start(who)

    async def start(self, who: Identity) -> ComplaintDraft:
        """A new, empty complaint form (replacing whatever the person was in the middle of)."""
        now = self.clock.now()
        async with self.storage.transaction() as uow:
            paths = await self._discard_draft_files(uow, who)  # a form begun again: the old one's files go
            state = {"step": Step.CATEGORY.value, "ticket": rules.new_ticket(), "files": []}
            await uow.conversations.start(who.person.id, ConversationKind.COMPLAINT, None, now, state)
        self.discard_files(paths)
        return _draft(state)

    async def current(self, who: Identity) -> ComplaintDraft | None:
        async with self.storage.reading() as uow:
            conversation = await uow.conversations.of(who.person.id)
        if conversation is None or conversation.kind != ConversationKind.COMPLAINT:
            return None
        return _draft(conversation.state)

    async def answer(self, who: Identity, reply: Reply) -> ComplaintDraft:
        """The answer to the form's current question (a button or typed text); a refusal leaves the
        form where it was."""
        now = self.clock.now()
        async with self.storage.transaction() as uow:
            state = await self._state(uow, who)
            step = Step(state["step"])
            if step == Step.CATEGORY:
                state["category"] = rules.parse_category(reply).value
                state["step"] = Step.IDENTITY.value
            elif step == Step.IDENTITY:
                state["anonymous"] = rules.parse_identity(reply)
                state["step"] = Step.PROPOSAL.value
            elif step == Step.PROPOSAL:
                code = rules.parse_proposal_code(reply)
                state["proposal_code"] = state["proposal_id"] = state["ipwl_id"] = None
                if code is not None:
                    proposal = await uow.proposals.by_code(code)
                    if proposal is None:
                        raise _problem(
                            N_(
                                "There is no proposal {code}. Check the code (the IPWL can tell you), "
                                "or press Skip: the complaint does not need it."
                            ),
                            code=code[:40],
                        )
                    state.update(proposal_code=proposal.code, proposal_id=proposal.id, ipwl_id=proposal.ipwl_id)
                state["step"] = Step.DESCRIPTION.value
            elif step == Step.DESCRIPTION:
                state["description"] = rules.parse_description(reply)
                state["step"] = Step.FILES.value
            elif step == Step.FILES:
                if reply.choice != rules.DONE:
                    raise _problem(
                        N_("Send a photo or a PDF, or press Continue when there is nothing (more) to attach.")
                    )
                state["step"] = Step.CONFIRM.value
            else:
                raise _problem(N_("Check the complaint above and press Send, or Cancel."))
            await uow.conversations.start(who.person.id, ConversationKind.COMPLAINT, None, now, state)
        return _draft(state)

    async def add_file(self, who: Identity, upload: ComplaintFile, content: bytes) -> ComplaintDraft:
        """A photo or PDF for the complaint (at the attachments step, up to ``MAX_FILES``)."""
        accepted = {"application/pdf", "image/jpeg", "image/png"}
        if upload.mime_type not in accepted:
            raise _problem(N_("Send a photo (JPG/PNG) or a PDF; other kinds of file are not accepted here."))
        if upload.size > self.settings.intake.max_file_mb * 1024 * 1024:
            raise _problem(
                N_("The file is too large: at most {max} MB. Send a smaller photo or scan."),
                max=self.settings.intake.max_file_mb,
            )
        async with self.storage.reading() as uow:
            state = await self._state(uow, who)
        if Step(state["step"]) != Step.FILES:
            raise _problem(N_("Attachments come after the description. Answer the question above first."))
        if len(state["files"]) >= rules.MAX_FILES:
            raise _problem(N_("At most {max} files can be attached. Press Continue."), max=rules.MAX_FILES)
        with self.upload_kept("complaints", upload.file_name, content, upload.mime_type) as stored:
            async with self.storage.transaction() as uow:
                state = await self._state(uow, who)
                if Step(state["step"]) != Step.FILES or len(state["files"]) >= rules.MAX_FILES:
                    raise _problem(N_("At most {max} files can be attached. Press Continue."), max=rules.MAX_FILES)
                state["files"].append(
                    {
                        "file_id": upload.telegram_file_id,
                        "name": upload.file_name,
                        "mime": upload.mime_type,
                        "photo": upload.is_photo,
                        "size": upload.size,
                        "path": stored.path,
                        "created": stored.created,
                    }
                )
                await uow.conversations.start(who.person.id, ConversationKind.COMPLAINT, None, self.clock.now(), state)
        return _draft(state)

    async def cancel(self, who: Identity) -> None:
        """/batal or Cancel: the form goes, with the files sent for it; nothing was filed. (Only a
        complaint form: a Cancel pressed on an old form never ends another conversation.)"""
        async with self.storage.transaction() as uow:
            await self._state(uow, who)
            paths = await self._discard_draft_files(uow, who)
            await uow.conversations.end(who.person.id)
        self.discard_files(paths)

    async def submit(self, who: Identity) -> Filed:
        """Send: the complaint is filed and goes to the complaint officers (a double tap files it
        once: the ticket chosen when the form began is unique)."""
        now = self.clock.now()
        async with self.storage.transaction() as uow:
            conversation = await uow.conversations.of(who.person.id)
            if conversation is None or conversation.kind != ConversationKind.COMPLAINT:
                raise ServiceError("already_done", N_("This complaint has already been sent (or cancelled)."))
            state = conversation.state
            if Step(state["step"]) != Step.CONFIRM:
                raise _problem(N_("Answer the question above first; Send comes at the end."))
            category = ComplaintCategory(state["category"])
            anonymous = bool(state["anonymous"])
            ticket = state["ticket"]
            secret = rules.new_secret() if anonymous else None
            due_at = self.due_at(category, now)
            complainant = (
                None if anonymous else Complainant(who.person.id, who.person.telegram_user_id, who.person.full_name)
            )
            complaint_id = await uow.complaints.create(
                ticket=ticket,
                category=category.value,
                complainant=complainant,
                secret_digest=rules.secret_digest(ticket, secret) if secret else None,
                proposal_id=state.get("proposal_id"),
                ipwl_id=state.get("ipwl_id"),
                description=state["description"],
                now=now,
                due_at=due_at,
            )
            if complaint_id is None:
                raise ServiceError("already_done", N_("This complaint has already been sent (or cancelled)."))
            for f in state["files"]:
                await uow.complaints.add_file(
                    complaint_id,
                    telegram_file_id=f["file_id"],
                    file_name=f["name"],
                    mime_type=f["mime"],
                    is_photo=bool(f["photo"]),
                    size=int(f["size"]),
                    stored_path=f["path"],
                    now=now,
                )
            await uow.conversations.end(who.person.id)
            await self._filed(uow, complaint_id, category, now)
        return Filed(ticket, secret, category, due_at, anonymous)

    async def open_case(
        self,
        uow: UnitOfWork,
        *,
        category: ComplaintCategory,
        description: str,
        proposal_id: int | None,
        ipwl_id: int | None,
        source: str,
    ) -> str:
        """A complaint the bot opens itself, in the caller's transaction (e.g. a post-payment check
        that did not match): no complainant, officers told as for any other. Returns the ticket."""
        now = self.clock.now()
        for _ in range(5):
            ticket = rules.new_ticket()
            complaint_id = await uow.complaints.create(
                ticket=ticket,
                category=category.value,
                complainant=None,
                secret_digest=None,
                proposal_id=proposal_id,
                ipwl_id=ipwl_id,
                description=description,
                now=now,
                due_at=self.due_at(category, now),
                source=source,
            )
            if complaint_id is not None:
                await self._filed(uow, complaint_id, category, now)
                return ticket
        raise RuntimeError("no free ticket number")  # pragma: no cover - 31^8 numbers

    async def _filed(self, uow: UnitOfWork, complaint_id: int, category: ComplaintCategory, now: dt.datetime) -> None:
        # No actor: the audit trail (admins, auditors) must never say who complained.
        await uow.audit.record(
            dataclasses.replace(
                self.event(None, "complaint", complaint_id, "file_complaint", to=category.value),
                actor_role="complainant",
            )
        )
        officers = await uow.staff.holding(Role.COMPLAINT_OFFICER)
        for officer in officers:
            await self._notify(uow, officer, NotificationKind.COMPLAINT_NEW, complaint_id, now)
        if not officers:
            # Nobody to answer it: the head is told (the ticket and category only) to appoint one.
            heads = await uow.staff.holding(Role.HEAD)
            for head in heads:
                await self._notify(uow, head, NotificationKind.COMPLAINT_OVERDUE, complaint_id, now, tag="no_officer")
            # …and the admins, who appoint one: only that a complaint waits (no category, no text, no
            # complainant — an admin is no complaint officer). An admin who is also the head was told above.
            told = {h.id for h in heads}
            for admin in await uow.staff.holding(Role.ADMIN):
                if admin.id not in told:
                    await self._notify(uow, admin, NotificationKind.COMPLAINT_NO_OFFICER, complaint_id, now)

    async def _notify(
        self,
        uow: UnitOfWork,
        person: Person,
        kind: NotificationKind,
        complaint_id: int,
        now: dt.datetime,
        *,
        tag: str = "",
    ) -> None:
        await uow.outbox.enqueue(
            dedupe_key=f"{kind.value}:{complaint_id}:{person.id}{':' + tag if tag else ''}",
            chat_id=person.telegram_user_id,
            kind=kind,
            now=now,
            person_id=person.id,
            params={"complaint_id": complaint_id, **({"tag": tag} if tag else {})},
        )

    def due_at(self, category: ComplaintCategory, now: dt.datetime) -> dt.datetime:
        """The response deadline: the end of the working day ``response_days`` working days after
        filing (centre time; ``[complaints] response_days``)."""
        zone = ZoneInfo(self.settings.locale.timezone)
        holidays = frozenset(self.settings.reminders.holidays)
        day = rules.add_working_days(
            now.astimezone(zone).date(), self.settings.complaints.response_days[category.value], holidays
        )
        return dt.datetime.combine(day, self.settings.reminders.work_end, zone).astimezone(dt.UTC)

    async def _state(self, uow: UnitOfWork, who: Identity) -> dict[str, Any]:
        conversation = await uow.conversations.of(who.person.id)
        if conversation is None or conversation.kind != ConversationKind.COMPLAINT:
            raise ServiceError("no_conversation", _NO_FORM)
        return dict(conversation.state)

    async def _discard_draft_files(self, uow: UnitOfWork, who: Identity) -> list[str | None]:
        conversation = await uow.conversations.of(who.person.id)
        if conversation is None or conversation.kind != ConversationKind.COMPLAINT:
            return []
        return [f["path"] for f in conversation.state.get("files", []) if f.get("created")]

    # --- the complainant's status check -------------------------------------------------------------

    async def status(self, who: Identity, ticket_text: str, secret: str | None) -> PublicStatus:
        """``/pengaduan TICKET [SECRET]``: a named complaint's status for the person who filed it, an
        anonymous one's for whoever holds its secret. Any mismatch gets the same answer as an
        unknown ticket (nothing says whether a ticket exists)."""
        unknown = ServiceError(
            "unknown_ticket",
            N_(
                "No complaint matches this ticket number (and secret). Check what you were given when "
                "you sent it: /pengaduan ADU-XXXXXXXX, and for an anonymous complaint its secret after it."
            ),
        )
        ticket = rules.normalize_ticket(ticket_text)
        if ticket is None:
            raise unknown
        async with self.storage.reading() as uow:
            complaint = await uow.complaints.by_ticket(ticket)
            if complaint is None or complaint.source != "complainant":
                raise unknown
            if complaint.anonymous:
                if not secret or complaint.secret_digest != rules.secret_digest(ticket, secret):
                    raise unknown
            else:
                filer = await uow.complaints.complainant(complaint.id)
                if filer is None or filer.person_id != who.person.id:
                    raise unknown
        return PublicStatus(
            complaint.ticket,
            ComplaintCategory(complaint.category),
            ComplaintStatus(complaint.status),
            complaint.submitted_at,
            complaint.due_at,
            complaint.sp4n_reference,
            complaint.outcome,
            complaint.closed_at,
        )

    # --- the complaint officers' desk ---------------------------------------------------------------

    async def queue(self, who: Identity) -> ComplaintQueue:
        require_officer(who)
        async with self.storage.reading() as uow:
            return ComplaintQueue(
                await uow.complaints.open_ones(), await uow.complaints.recently_closed(5), self.clock.now()
            )

    async def card(self, who: Identity, complaint_id: int) -> ComplaintCard:
        require_officer(who)
        async with self.storage.reading() as uow:
            complaint = await uow.complaints.by_id(complaint_id)
            if complaint is None:
                raise StaleButton()
            return await self._card(uow, complaint, self.clock.now())

    async def _card(self, uow: UnitOfWork, complaint: ComplaintRow, now: dt.datetime) -> ComplaintCard:
        """The officer's card, with the facts of the post-payment check that opened it (if one did),
        whichever step redraws it."""
        check_id = check_of(complaint.description) if complaint.source == "payment_check" else None
        return ComplaintCard(
            complaint,
            await uow.complaints.actions(complaint.id),
            now,
            await uow.payment_checks.by_id(check_id) if check_id else None,
        )

    async def reveal_identity(self, who: Identity, complaint_id: int) -> tuple[str, Complainant | None]:
        """Who filed a named complaint, for a complaint officer; every reading is audited."""
        require_officer(who)
        async with self.storage.transaction() as uow:
            complaint = await uow.complaints.by_id(complaint_id)
            if complaint is None:
                raise StaleButton()
            filer = await uow.complaints.complainant(complaint_id)
            if filer is not None:
                await uow.audit.record(self.event(who, "complaint", complaint_id, "reveal_complainant"))
        return complaint.ticket, filer

    async def attachments(self, who: Identity, complaint_id: int) -> list[ComplaintFileRow]:
        require_officer(who)
        async with self.storage.reading() as uow:
            if await uow.complaints.by_id(complaint_id) is None:
                raise StaleButton()
            return await uow.complaints.files(complaint_id)

    async def begin_action(self, who: Identity, complaint_id: int, kind: str) -> ActionPrompt:
        """Record an action / the SP4N-LAPOR! reference / close: the officer's next text is it."""
        require_officer(who)
        try:
            action = ActionKind(kind)
        except ValueError:
            raise StaleButton() from None
        async with self.storage.transaction() as uow:
            complaint = await uow.complaints.by_id(complaint_id)
            if complaint is None:
                raise StaleButton()
            if complaint.status == ComplaintStatus.CLOSED:
                raise ServiceError("already_done", N_("Complaint {ticket} is already closed."), ticket=complaint.ticket)
            await uow.conversations.start(
                who.person.id,
                ConversationKind.COMPLAINT_ACTION,
                complaint_id,
                self.clock.now(),
                {"kind": action.value},
            )
        return ActionPrompt(complaint_id, complaint.ticket, action)

    async def action_text(self, who: Identity, text: str) -> ComplaintCard | ClosePreview:
        """The officer's typed action or reference (recorded now), or the outcome (read back first:
        closing tells the complainant)."""
        require_officer(who)
        now = self.clock.now()
        async with self.storage.transaction() as uow:
            conversation = await uow.conversations.of(who.person.id)
            if conversation is None or conversation.kind != ConversationKind.COMPLAINT_ACTION:
                raise ServiceError("no_conversation", N_("Nothing is waiting for this answer."))
            complaint_id = int(conversation.entity_id or 0)
            kind = ActionKind(conversation.state["kind"])
            await uow.complaints.lock(complaint_id)
            complaint = await uow.complaints.by_id(complaint_id)
            if complaint is None or complaint.status == ComplaintStatus.CLOSED:
                await uow.conversations.end(who.person.id)
                raise ServiceError("already_done", N_("This complaint is already closed."))
            if kind == ActionKind.CLOSE:
                outcome = rules.parse_action_text(text, rules.OUTCOME_MAX)
                state = {"kind": kind.value, "outcome": outcome}
                await uow.conversations.start(
                    who.person.id, ConversationKind.COMPLAINT_ACTION, complaint_id, now, state
                )
                return ClosePreview(
                    complaint_id,
                    complaint.ticket,
                    outcome,
                    not complaint.anonymous,
                    opened_by_bot=complaint.source != "complainant",
                )
            if kind == ActionKind.SP4N:
                body = rules.parse_sp4n_reference(text)
                await uow.complaints.set_sp4n(complaint_id, body)
            else:
                body = rules.parse_action_text(text)
            await uow.complaints.add_action(complaint_id, kind.value, body, who.person.id, now)
            answered = await uow.complaints.start_handling(complaint_id)
            await uow.audit.record(
                self.event(
                    who,
                    "complaint",
                    complaint_id,
                    f"complaint_{kind.value}",
                    frm=ComplaintStatus.OPEN.value if answered else None,
                    to=ComplaintStatus.IN_PROGRESS.value if answered else None,
                )
            )
            await uow.conversations.end(who.person.id)
            complaint = await uow.complaints.by_id(complaint_id)
            assert complaint is not None
            return await self._card(uow, complaint, now)

    async def close(self, who: Identity, complaint_id: int) -> ComplaintCard:
        """Close with the outcome the officer typed: the complainant is told (a named one by message;
        an anonymous one reads it with the ticket and secret). A double tap closes once."""
        require_officer(who)
        now = self.clock.now()
        async with self.storage.transaction() as uow:
            conversation = await uow.conversations.of(who.person.id)
            complaint = await uow.complaints.by_id(complaint_id)
            if complaint is None:
                raise StaleButton()
            if complaint.status == ComplaintStatus.CLOSED:
                raise ServiceError("already_done", N_("Complaint {ticket} is already closed."), ticket=complaint.ticket)
            if (
                conversation is None
                or conversation.kind != ConversationKind.COMPLAINT_ACTION
                or conversation.entity_id != complaint_id
                or "outcome" not in conversation.state
            ):
                raise StaleButton()
            outcome = str(conversation.state["outcome"])
            if not await uow.complaints.close(complaint_id, outcome, who.person.id, now):
                raise ServiceError("already_done", N_("Complaint {ticket} is already closed."), ticket=complaint.ticket)
            await uow.complaints.add_action(complaint_id, ActionKind.CLOSE.value, outcome, who.person.id, now)
            await uow.audit.record(
                self.event(who, "complaint", complaint_id, "close_complaint", frm=complaint.status, to="closed")
            )
            await uow.conversations.end(who.person.id)
            filer = await uow.complaints.complainant(complaint_id)
            if filer is not None:
                await uow.outbox.enqueue(
                    dedupe_key=f"{NotificationKind.COMPLAINT_CLOSED.value}:{complaint_id}",
                    chat_id=filer.telegram_user_id,
                    kind=NotificationKind.COMPLAINT_CLOSED,
                    now=now,
                    person_id=filer.person_id,
                    params={"complaint_id": complaint_id},
                )
            closed = await uow.complaints.by_id(complaint_id)
            assert closed is not None
            card = await self._card(uow, closed, now)
            if closed.source != "complainant":
                # No complainant to tell: the head (told of the mismatch) and the PIC team that phoned
                # the client learn the outcome, privately.
                team = card.check.team_id if card.check is not None else None
                pics = await uow.staff.holding(Role.PIC, team_id=team) if team else []
                told = {p.id: p for p in [*await uow.staff.holding(Role.HEAD), *pics]}
                for person in told.values():
                    await self._notify(uow, person, NotificationKind.COMPLAINT_CASE_CLOSED, complaint_id, now)
            return card

    async def closed_case(self, complaint_id: int) -> ComplaintCard | None:
        """A case the bot opened, once closed, as the head and the PIC team are told it (the renderer's read)."""
        async with self.storage.reading() as uow:
            complaint = await uow.complaints.by_id(complaint_id)
            if complaint is None or complaint.status != ComplaintStatus.CLOSED or complaint.source == "complainant":
                return None
            return await self._card(uow, complaint, self.clock.now())

    async def cancel_action(self, who: Identity) -> None:
        """Stop typing an action or an outcome (nothing is recorded)."""
        require_officer(who)
        async with self.storage.transaction() as uow:
            conversation = await uow.conversations.of(who.person.id)
            if conversation is not None and conversation.kind == ConversationKind.COMPLAINT_ACTION:
                await uow.conversations.end(who.person.id)

    async def open_count(self, who: Identity) -> tuple[int, int] | None:
        """For /tugas: (open complaints, unanswered past their deadline); None if not an officer."""
        if not who.actor.has_role(Role.COMPLAINT_OFFICER):
            return None
        async with self.storage.reading() as uow:
            return await uow.complaints.counts(self.clock.now())

    # --- notifications and the deadline job ---------------------------------------------------------

    async def for_notification(self, complaint_id: int) -> ComplaintRow | None:
        """A complaint as its notification shows it (the renderer's read; no identity)."""
        async with self.storage.reading() as uow:
            return await uow.complaints.by_id(complaint_id)

    async def deadlines(self) -> DeadlineRun:
        """Repeating job: remind the officers before an unanswered complaint's deadline, and once it
        has passed tell the head (and the officers) — each once (compare-and-set on the row)."""
        now = self.clock.now()
        zone = ZoneInfo(self.settings.locale.timezone)
        holidays = frozenset(self.settings.reminders.holidays)
        before = self.settings.complaints.remind_days_before
        reminded = escalated = 0
        cfg = self.settings.reminders
        calendar = Calendar(cfg.work_start, cfg.work_end, holidays)
        local = now.astimezone(zone)
        if not (calendar.is_working_day(local.date()) and local.time() >= cfg.work_start):
            # Staff are reminded (and the head told) on working days, like every other reminder —
            # never on a Saturday, a Sunday or a holiday, nor before the working day starts.
            return DeadlineRun(0, 0)
        async with self.storage.reading() as uow:
            if not await uow.complaints.unanswered(1):
                return DeadlineRun(0, 0)
        async with self.storage.transaction() as uow:
            officers = await uow.staff.holding(Role.COMPLAINT_OFFICER)
            heads = await uow.staff.holding(Role.HEAD)
            for complaint in await uow.complaints.unanswered():
                if complaint.due_at <= now:
                    if await uow.complaints.mark_escalated(complaint.id, now):
                        for person in [*heads, *officers]:
                            await self._notify(uow, person, NotificationKind.COMPLAINT_OVERDUE, complaint.id, now)
                        await uow.audit.record(self.event(None, "complaint", complaint.id, "escalate_complaint"))
                        escalated += 1
                    continue
                due_day = complaint.due_at.astimezone(zone).date()
                remind_day = rules.working_days_before(due_day, before, holidays)
                remind_from = dt.datetime.combine(remind_day, self.settings.reminders.work_start, zone)
                if now >= remind_from and await uow.complaints.mark_reminded(complaint.id, now):
                    for person in officers:
                        await self._notify(uow, person, NotificationKind.COMPLAINT_DUE, complaint.id, now)
                    reminded += 1
        return DeadlineRun(reminded, escalated)


def _draft(state: dict[str, Any]) -> ComplaintDraft:
    category = state.get("category")
    return ComplaintDraft(
        step=Step(state["step"]),
        category=ComplaintCategory(category) if category else None,
        anonymous=state.get("anonymous"),
        proposal_code=state.get("proposal_code"),
        description=state.get("description"),
        files=len(state.get("files", [])),
    )


__all__ = [
    "ActionPrompt",
    "CheckRow",
    "ClosePreview",
    "Complainant",
    "ComplaintCard",
    "ComplaintDraft",
    "ComplaintFile",
    "ComplaintFileRow",
    "ComplaintQueue",
    "ComplaintRow",
    "ComplaintService",
    "DeadlineRun",
    "Filed",
    "PublicStatus",
]
