"""A client's personal data on request (UU 27/2022): lookup, export, and erasure where the
workflow allows.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal
from zoneinfo import ZoneInfo

from bot.domain import workflow
from bot.domain.consent import parse_guardian
from bot.domain.kinds import ConversationKind, NotificationKind
from bot.domain.models import Action, Attachment, Client, Consent, ProposalStatus, Role
from bot.domain.records import ClientRecord
from bot.domain.validation import ValidationError, add_years
from bot.domain.workflow import TRANSITIONS
from bot.files.report_files import render_personal_data, render_tables
from bot.i18n import N_, Translator
from bot.services.admin import require_admin
from bot.services.backups import erasure_ledger
from bot.services.base import Identity, ServiceError, StaleButton
from bot.services.registry import _problem
from bot.services.reviews import StaffService
from storage.erasures import ErasureEntry
from storage.unit import UnitOfWork

_NIK = re.compile(r"^\d{16}$")


# Proposals whose client data nobody needs any more for the workflow.
_ANONYMIZABLE = frozenset({ProposalStatus.WITHDRAWN, ProposalStatus.REJECTED})
# Before the SK nothing was decided or paid for the client: a withdrawal of their consent takes
# them out of the proposal at once (in review, the proposal goes back to the IPWL with them removed).
_BEFORE_SK = frozenset(
    {
        ProposalStatus.SUBMITTED,
        ProposalStatus.IN_REVIEW,
        ProposalStatus.VERIFIED,
        ProposalStatus.VALIDATED,
        ProposalStatus.RETURNED,
    }
)


# Personal fields of a client in a version snapshot; the rest (approach, components, budget) stays.
_SNAPSHOT_PERSONAL = (
    "full_name",
    "sex",
    "birth_date",
    "regency",
    "address",
    "phone",
    "assessment",
    "intervention_plan",
)


@dataclass(frozen=True)
class Erasure:
    """What may happen to one client record: delete (a draft), anonymize, or keep (and why)."""

    action: Literal["delete", "anonymize", "keep"]
    reason: str = ""  # msgid, for "keep"
    params: dict[str, object] = field(default_factory=dict)


def erasure_rule(record: ClientRecord, now: dt.datetime, retention_years: int) -> Erasure:
    """Whether the workflow allows erasing a client's data now.

    A draft was never sent: the client is removed. Withdrawn and rejected proposals need the data no
    more: anonymized. A closed proposal's data is kept for the retention period (its accountability
    may be audited), then anonymized. Anything in between is needed for the SK, the payment or the
    LPJ: kept, and the reason is said. ``now`` is given in the centre's zone: its dates decide.
    """
    if record.erased:
        return Erasure("keep", N_("Already anonymized."))
    if record.proposal_status == ProposalStatus.DRAFT:
        return Erasure("delete")
    if record.proposal_status in _ANONYMIZABLE:
        return Erasure("anonymize")
    if record.proposal_status == ProposalStatus.CLOSED:
        # Days on the centre's calendar (``now`` comes in its zone), never UTC dates.
        closed = record.status_since.astimezone(now.tzinfo).date()
        until = add_years(closed, retention_years)
        if until <= now.date():
            return Erasure("anonymize")
        return Erasure(
            "keep",
            N_("Closed on {closed}; kept until {until} ({years} years' retention)."),
            {"closed": closed, "until": until, "years": retention_years},
        )
    return Erasure(
        "keep",
        N_(
            "Proposal {code} is in progress: the data is needed for its SK, payment and LPJ. "
            "It can be anonymized once the proposal is closed and {years} years have passed, "
            "or if it is withdrawn or rejected."
        ),
        {"code": record.proposal_code, "years": retention_years},
    )


def withdrawal_rule(record: ClientRecord, now: dt.datetime, retention_years: int) -> Erasure:
    """What a withdrawal of consent erases now: before the SK the client is removed from the
    proposal (their processing ends there); after it, what :func:`erasure_rule` says — the SK, the
    payment and the LPJ of money already committed must still be accounted for."""
    if not record.erased and record.proposal_status in _BEFORE_SK:
        return Erasure("delete")
    return erasure_rule(record, now, retention_years)


@dataclass(frozen=True)
class PersonalData:
    records: list[tuple[ClientRecord, Erasure]]


@dataclass(frozen=True)
class PersonalExport:
    name: str
    content: bytes
    records: int
    tables: dict[str, list[dict[str, Any]]]


@dataclass(frozen=True)
class ErasureDone:
    action: Literal["delete", "anonymize"]
    proposal_code: str
    files: int = 0  # stored files deleted with it
    purged: bool = True  # the WAL was truncated at once (else: at the next checkpoint)


@dataclass(frozen=True)
class ConsentSheet:
    """The consents of one proposal's clients (None: none on record)."""

    proposal_code: str
    clients: list[tuple[Client, Consent | None]]
    may_record: bool = True  # the IPWL's operators and the admins record a withdrawal; the PIC team reads
    proposal_id: int = 0


@dataclass(frozen=True)
class ConsentCard:
    """One client's consent, opened from the sheet (``index``: their place in it, to go back)."""

    sheet: ConsentSheet
    client: Client
    consent: Consent | None
    index: int

    @property
    def has_form(self) -> bool:
        return self.consent is not None and self.consent.in_force and self.consent.form_attachment_id is not None

    @property
    def has_guardian(self) -> bool:
        return self.consent is not None and self.consent.in_force and bool(self.consent.guardian_name)

    @property
    def may_withdraw(self) -> bool:
        return self.client.full_name != "-" and (self.consent is None or self.consent.in_force)


@dataclass(frozen=True)
class ConsentWithdrawn:
    """A withdrawal recorded: the erasure it made now, or the rule that keeps the data for now."""

    proposal_code: str
    erased: ErasureDone | None
    kept: Erasure | None
    returned: bool = False  # the proposal was under review: it went back to the IPWL
    by_operator: bool = False  # recorded by an operator of the IPWL (else by an admin: the operators are told)


class PrivacyService(StaffService):
    """``/datapribadi NIK``: everything held about one client, and erasure where allowed."""

    async def lookup(self, who: Identity, nik: str) -> PersonalData:
        require_admin(who)
        nik = "".join(nik.split())
        if not _NIK.match(nik):
            raise ValidationError(
                _problem(
                    N_("Write the client's NIK (16 digits) after the command, e.g. {example}."),
                    example="/datapribadi 3201014508900004",
                )
            )
        async with self.storage.reading() as uow:
            records = await uow.privacy.records(nik)
        if not records:
            raise ServiceError("nothing_held", N_("No client with this NIK is held."))
        now = self.clock.now().astimezone(ZoneInfo(self.settings.locale.timezone))
        return PersonalData([(r, erasure_rule(r, now, self.settings.admin.retention_years)) for r in records])

    async def lookup_client(self, who: Identity, client_id: int) -> ClientRecord:
        """One record (by its client id, from a button) and whether it may be erased now."""
        require_admin(who)
        async with self.storage.reading() as uow:
            _, record = await self._record(uow, client_id)
        local_now = self.clock.now().astimezone(ZoneInfo(self.settings.locale.timezone))
        rule = erasure_rule(record, local_now, self.settings.admin.retention_years)
        if rule.action == "keep":
            raise ServiceError("erasure_refused", rule.reason, **rule.params)
        return record

    async def _nik(self, uow: UnitOfWork, client_id: int) -> str:
        nik = await uow.privacy.nik_of(client_id)
        if nik is None:
            raise StaleButton()
        return nik

    async def _record(self, uow: UnitOfWork, client_id: int) -> tuple[str, ClientRecord]:
        """The client's NIK and record, or "stale" if it is erased. Two reads: on PostgreSQL a
        concurrent erasure may commit between them (the NIK read, then the record gone from under
        its index), which is the same answer as erased before the first."""
        nik = await self._nik(uow, client_id)
        record = next((r for r in await uow.privacy.records(nik) if r.client_id == client_id), None)
        if record is None:
            raise StaleButton()
        return nik, record

    async def export(
        self, who: Identity, client_id: int, intro: Sequence[str] = (), t: Translator | None = None
    ) -> PersonalExport:
        """Everything held under the client's NIK as a workbook (a sheet per table; ``intro`` lines
        first), headings and values in ``t``'s language so the person it is about can read it;
        rendered in a worker thread. Each record's export is audited."""
        tables, count = await self._collect(who, client_id)
        if t is None:
            content = await asyncio.to_thread(render_tables, tables, intro=intro)
        else:
            content = await asyncio.to_thread(
                render_personal_data, tables, t, self.settings.locale.timezone, intro=intro
            )
        return PersonalExport(f"data-pribadi-{client_id}.xlsx", content, count, tables)

    async def _collect(self, who: Identity, client_id: int) -> tuple[dict[str, list[dict[str, Any]]], int]:
        require_admin(who)
        async with self.storage.transaction() as uow:
            nik = await self._nik(uow, client_id)
            records = await uow.privacy.records(nik)
            tables: dict[str, list[dict[str, Any]]] = {}
            versions: list[dict[str, Any]] = []
            for record in records:
                for table, rows in (await uow.privacy.everything(record.client_id)).items():
                    tables.setdefault(table, []).extend(rows)
                for version, snapshot in await uow.privacy.snapshots(record.proposal_id):
                    for entry in json.loads(snapshot).get("clients", []):
                        if entry.get("nik") == nik:
                            versions.append(
                                {
                                    "proposal": record.proposal_code,
                                    "version": version,
                                    "snapshot": json.dumps(entry, ensure_ascii=False),
                                }
                            )
                # The SK that decided on them, and every audit event about them or their proposal.
                tables.setdefault("decrees", []).extend(await uow.privacy.decrees(record.proposal_id))
                tables.setdefault("audit_events", []).extend(
                    await uow.privacy.audit_events(record.client_id, record.proposal_code)
                )
                await uow.audit.record(
                    self.event(who, "client", record.client_id, "export_personal_data", reason=record.proposal_code)
                )
            tables["proposal_versions"] = versions
        return tables, len(records)

    async def erase(self, who: Identity, client_id: int) -> ErasureDone:
        """Delete (draft) or anonymize one client record, if :func:`erasure_rule` allows it.

        Everything about the person goes: the record, its files, and — when they were the
        proposal's only client with data — what is attached to the proposal as a whole. Freed
        pages are zeroed (``secure_delete``) and the WAL folded in and truncated before this
        returns, so the bytes are gone when the bot says so. The erasure is also written to the
        ledger (:func:`erasure_ledger`) that ``atensi-bot db restore`` applies to an older backup.
        """
        require_admin(who)
        done = await self._erase(who, client_id)
        if isinstance(done, Erasure):
            raise ServiceError("erasure_refused", done.reason, **done.params)
        return done

    async def consents_of(self, who: Identity, code: str | int) -> ConsentSheet:
        """``/persetujuan KODE``: the consent of each client of a proposal (by its code, or its id
        from a button) — for its IPWL's operators and the admins, who record a withdrawal there, and
        for the PIC team, who check before they verify that each client consented (reading only);
        names are for the private chat only."""
        async with self.storage.reading() as uow:
            if isinstance(code, int):
                proposal = await uow.proposals.by_id(code)
            else:
                proposal = await uow.proposals.by_code(code.strip())
            if proposal is None:
                raise ServiceError("unknown_proposal", N_("There is no proposal {code}."), code=str(code).strip()[:30])
            may_record = who.is_admin or who.actor.operates(proposal.ipwl_id)
            reads = proposal.status != ProposalStatus.DRAFT and who.actor.has_role(Role.PIC)
            if not may_record and not (reads and who.actor.in_team(proposal.team_id)):
                raise ServiceError(
                    "out_of_scope",
                    N_("Only the IPWL's operators, its PIC team and the centre's admins can see these consents."),
                )
            clients = await uow.clients.of_proposal(proposal.id)
            consents = await uow.consents.of_proposal(proposal.id)
        return ConsentSheet(proposal.code, [(c, consents.get(c.id)) for c in clients], may_record, proposal.id)

    async def consent_card(self, who: Identity, client_id: int) -> ConsentCard:
        """One client's consent and what can be done with it (their IPWL's operators, the admins)."""
        record = await self._consent_scope(who, client_id)
        sheet = await self.consents_of(who, record.proposal_id)
        for index, (client, consent) in enumerate(sheet.clients):
            if client.id == client_id:
                return ConsentCard(sheet, client, consent, index)
        raise StaleButton()

    async def consent_form(self, who: Identity, client_id: int) -> tuple[ClientRecord, Attachment]:
        """The signed consent form of one client, to read back what was recorded (the IPWL's
        operators and the admins; the PIC team knows that it is there, not the signature). Each
        opening is audited."""
        record = await self._consent_scope(who, client_id)
        async with self.storage.transaction() as uow:
            consent = await uow.consents.of_client(client_id)
            forms = [a for a in await uow.attachments.of_proposal(record.proposal_id) if a.client_id == client_id]
            form = next((a for a in forms if consent is not None and a.id == consent.form_attachment_id), None)
            if form is None:
                raise ServiceError(
                    "no_consent_form",
                    N_("No signed form is on record for client {number} of {code}."),
                    number=record.position,
                    code=record.proposal_code,
                )
            await uow.audit.record(
                self.event(who, "client", client_id, "open_consent_form", reason=record.proposal_code)
            )
        return record, form

    async def start_guardian_correction(self, who: Identity, client_id: int) -> ConsentCard:
        """A guardian's name or relation typed wrong on a recorded consent: the next text message
        corrects it (the signed form stays; the correction is audited)."""
        card = await self.consent_card(who, client_id)
        if not card.has_guardian:
            raise StaleButton()
        async with self.storage.transaction() as uow:
            await uow.conversations.start(who.person.id, ConversationKind.CONSENT_GUARDIAN, client_id, self.clock.now())
        return card

    async def correct_guardian(self, who: Identity, text: str) -> ConsentCard:
        """The corrected guardian (``Siti Aminah, ibu``) of the client being corrected; their
        consent as it is now. A wrong answer changes nothing (the question stays open)."""
        async with self.storage.reading() as uow:
            conversation = await uow.conversations.of(who.person.id)
        if conversation is None or conversation.kind != ConversationKind.CONSENT_GUARDIAN or not conversation.entity_id:
            raise StaleButton()
        client_id = conversation.entity_id
        record = await self._consent_scope(who, client_id)  # re-checked: access may have gone since
        async with self.storage.reading() as uow:
            client = next((c for c in await uow.clients.of_proposal(record.proposal_id) if c.id == client_id), None)
        guardian = parse_guardian(text, client.full_name if client else None)  # not the minor themself
        async with self.storage.transaction() as uow:
            if not await uow.consents.correct_guardian(client_id, guardian.name, guardian.relation):
                raise StaleButton()
            await uow.audit.record(
                self.event(who, "client", client_id, "correct_guardian", reason=record.proposal_code)
            )
            await uow.conversations.end(who.person.id)
        return await self.consent_card(who, client_id)

    async def consent_subject(self, who: Identity, client_id: int) -> tuple[str, int]:
        """The proposal code and client number a withdrawal button is about (asked to confirm)."""
        record = await self._consent_scope(who, client_id)
        return record.proposal_code, record.position

    async def _consent_scope(self, who: Identity, client_id: int) -> ClientRecord:
        """The client's record, if ``who`` may record their consent's withdrawal: an admin, or an
        operator of the client's IPWL (re-checked at every press)."""
        async with self.storage.reading() as uow:
            _, record = await self._record(uow, client_id)
            ipwl = await uow.ipwl.by_code(record.ipwl_code)
        if not who.is_admin and not (ipwl is not None and who.actor.operates(ipwl.id)):
            raise ServiceError("out_of_scope", N_("Only the client's IPWL operator or an admin can record this."))
        return record

    async def withdraw_consent(self, who: Identity, client_id: int) -> ConsentWithdrawn:
        """The client withdrew their consent (told the IPWL's operator, or the centre's admin, who
        records it on their behalf; issue 17.6): the withdrawal is recorded and audited, and
        :func:`withdrawal_rule` runs at once — before the SK the client is removed from the
        proposal, and a proposal under review goes back to the IPWL (its operators and the PIC
        team are told, without the client's data); a withdrawn or rejected proposal's client is
        anonymized; what the rule keeps (money committed by an SK, a closed proposal within its
        retention) the retention job erases as soon as the rule allows it."""
        record = await self._consent_scope(who, client_id)
        returned = by_operator = False

        async def withdraw(uow: UnitOfWork, locked: ClientRecord, now: dt.datetime) -> None:
            nonlocal returned, by_operator
            if await uow.consents.withdraw(client_id, who.person.id, now):
                await uow.audit.record(
                    self.event(who, "client", client_id, "withdraw_consent", reason=locked.proposal_code)
                )
            if locked.proposal_status in _BEFORE_SK and locked.proposal_status != ProposalStatus.RETURNED:
                by_operator = await self._return_on_withdrawal(uow, who, locked, now)
                returned = True

        done = await self._erase(who, client_id, first=withdraw, rule=withdrawal_rule)
        return ConsentWithdrawn(
            record.proposal_code,
            None if isinstance(done, Erasure) else done,
            done if isinstance(done, Erasure) else None,
            returned,
            by_operator,
        )

    async def _return_on_withdrawal(
        self, uow: UnitOfWork, who: Identity, record: ClientRecord, now: dt.datetime
    ) -> bool:
        """The proposal under review goes back to the IPWL: its review was of a client list that
        no longer holds; the operators revise it (or withdraw it) and send it again. True when
        ``who`` is one of those operators (the others are told; after an admin, all of them)."""
        proposal = await self.proposal(uow, record.proposal_id)
        try:
            transition = workflow.authorize(Action.RETURN_ON_WITHDRAWAL, proposal, who.actor)
        except workflow.WorkflowError as error:
            raise ServiceError(error.code, error.message, **error.params) from None
        await self.move(uow, who, proposal, transition, now)
        key = f"proposal:{proposal.id}:v{proposal.version}:consent_withdrawn"
        params = {"proposal_id": proposal.id, "code": proposal.code, "position": record.position}
        others = [p for p in await self.operators(uow, proposal) if p.id != who.person.id]
        await self.notify(uow, others, NotificationKind.CONSENT_WITHDRAWN, key, {**params, "to": "ipwl"}, now)
        group_chat = await self.team_group_chat(uow, proposal.team_id)
        if group_chat is not None:
            # The team reads it where it works; the proposal's code only, never who the client is.
            await uow.outbox.enqueue(
                dedupe_key=f"{key}:group",
                chat_id=group_chat,
                kind=NotificationKind.CONSENT_WITHDRAWN,
                params={**params, "to": "team", "position": None},
                now=now,
            )
        # The PIC who was checking it, and the one who had verified it, are told in private too:
        # their work on it stopped.
        checkers = [p for p in (proposal.claimed_by, proposal.verified_by) if p is not None]
        staff = [p for p in [await uow.people.by_id(i) for i in dict.fromkeys(checkers)] if p is not None]
        await self.notify(
            uow, staff, NotificationKind.CONSENT_WITHDRAWN, key, {**params, "to": "team", "position": None}, now
        )
        return who.actor.operates(proposal.ipwl_id)

    async def _erase(
        self,
        who: Identity | None,
        client_id: int,
        *,
        first: Callable[[UnitOfWork, ClientRecord, dt.datetime], Awaitable[None]] | None = None,
        rule: Callable[[ClientRecord, dt.datetime, int], Erasure] = erasure_rule,
    ) -> ErasureDone | Erasure:
        """Erase one record if ``rule`` allows it now; else the rule (why it is kept). ``first``
        runs in the same transaction once the record is locked, with the record as it is then (a
        withdrawal of consent is recorded whether or not the erasure can happen now)."""
        now = self.clock.now()
        async with self.storage.transaction() as uow:
            _, record = await self._record(uow, client_id)
            # One erasure of a record at a time (PostgreSQL): the proposal's row, then the client's
            # (the order the draft's own edits take: no deadlock), then read again — a concurrent
            # erasure has committed by now and is seen.
            await uow.proposals.lock(record.proposal_id)
            await uow.privacy.lock_client(client_id)
            nik, record = await self._record(uow, client_id)
            if first is not None:
                await first(uow, record, now)
            local_now = now.astimezone(ZoneInfo(self.settings.locale.timezone))  # the centre's calendar
            decided = rule(record, local_now, self.settings.admin.retention_years)
            if decided.action == "keep":
                return decided
            action: Literal["delete", "anonymize"] = decided.action
            paths = await self._erase_record(uow, record, action, nik, now)
            await uow.audit.record(
                self.event(who, "client", client_id, f"{action}_personal_data", reason=record.proposal_code)
            )
            # In the transaction, before the commit: an erasure the ledger could not keep is not
            # made (the admin is told it failed). A commit failing after this leaves an entry for
            # an erasure the admin asked for and the rule allowed — a restore makes it, rightly.
            try:
                await asyncio.to_thread(
                    erasure_ledger(self.settings).record,
                    action=action,
                    client_id=client_id,
                    proposal_id=record.proposal_id,
                    proposal_code=record.proposal_code,
                    nik=nik,
                    at=now,
                )
            except OSError as error:
                raise ServiceError(
                    "ledger_failed",
                    N_(
                        "The erasure could not be recorded in the erasure ledger "
                        "({error}), so nothing was erased. Check the disk and try "
                        "again."
                    ),
                    error=type(error).__name__,
                ) from None
        purged = await self._purge(paths)
        return ErasureDone(action, record.proposal_code, len(paths), purged)

    async def reapply_erasures(self, entries: Sequence[ErasureEntry]) -> int:
        """After a restore: erase again every record of the ledger the restored database still
        holds (a backup made before the erasure). The record is matched by its ids *and* the keyed
        hash of its NIK, so a reused id never erases someone else. Returns how many were erased."""
        ledger = erasure_ledger(self.settings)
        now = self.clock.now()
        paths: list[str] = []
        erased = 0
        async with self.storage.transaction() as uow:
            for entry in entries:
                found = await uow.privacy.by_client(entry.client_id, entry.proposal_id)
                if found is None or found[0].erased:
                    continue
                record, nik = found
                if ledger.subject(nik) != entry.subject:
                    continue
                # A draft's client is deleted; if the backup holds the proposal further on, the
                # record must stay for its figures: anonymized.
                action: Literal["delete", "anonymize"] = (
                    "delete"
                    if entry.action == "delete" and record.proposal_status == ProposalStatus.DRAFT
                    else "anonymize"
                )
                paths += await self._erase_record(uow, record, action, nik, now)
                await uow.audit.record(
                    self.event(
                        None,
                        "client",
                        record.client_id,
                        f"{action}_personal_data",
                        reason=f"{record.proposal_code} (ledger, after restore)",
                    )
                )
                erased += 1
        await self._purge(sorted(set(paths)))
        return erased

    async def _erase_record(
        self, uow: UnitOfWork, record: ClientRecord, action: Literal["delete", "anonymize"], nik: str, now: dt.datetime
    ) -> list[str]:
        """Erase one record in ``uow``; returns the stored files no record uses any more."""
        client_id = record.client_id
        paths = await uow.privacy.attachment_paths(client_id)
        sole = not await uow.privacy.others_hold_data(record.proposal_id, client_id)
        if sole:
            paths += await uow.privacy.proposal_attachment_paths(record.proposal_id)
        if action == "delete":
            await uow.clients.remove(client_id)
            await uow.proposals.set_cursor(record.proposal_id, None, now)  # it may point at the client
        else:
            await uow.privacy.anonymize(client_id, now)
        # The versions already sent keep the client's budget for their figures, not who they are
        # (a draft has none; a client removed after sending is in them).
        for version, snapshot in await uow.privacy.snapshots(record.proposal_id):
            scrubbed = _scrub(snapshot, nik, client_id)
            if scrubbed != snapshot:
                await uow.privacy.set_snapshot(record.proposal_id, version, scrubbed)
        if sole:
            await uow.privacy.erase_proposal_level(record.proposal_id, record.proposal_code, _FREE_TEXT_ACTIONS)
        await uow.privacy.scrub_client_events(client_id, _PRIVACY_ACTIONS)
        return await uow.attachments.unused(paths)  # (a file another record still uses stays)

    async def _purge(self, paths: Sequence[str]) -> bool:
        """After the commit (a rollback must not have lost the files): the files go, overwritten
        first, and the WAL is folded in and truncated. False if a reader delayed the checkpoint."""
        store = self.files
        for path in paths:
            store.discard(path, overwrite=True)
        return await self.storage.db.purge_freed()


# Actions whose audit reason is text someone typed (it may name the client), and the privacy
# actions whose reason is only the proposal code.
_FREE_TEXT_ACTIONS = tuple(t.action.value for t in TRANSITIONS if "reason" in t.requires)


_PRIVACY_ACTIONS = ("export_personal_data", "delete_personal_data", "anonymize_personal_data", "reveal_nik")


def _scrub(snapshot: str, nik: str, client_id: int) -> str:
    data = json.loads(snapshot)
    changed = False
    for entry in data.get("clients", []):
        if entry.get("nik") == nik:
            entry["nik"] = f"ANON-{client_id}"
            for key in _SNAPSHOT_PERSONAL:
                if key in entry:
                    entry[key] = None
            changed = True
    return json.dumps(data, ensure_ascii=False, sort_keys=True) if changed else snapshot
