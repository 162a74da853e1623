"""Step d: the clients' bank accounts, then the payment (SPP, SPM, one transfer per client).

After the SK the operator supplies each client's account (one at a time in chat, or all at once
from a workbook). When every account is in, the proposal goes to the PIC team and finance, who
verify each account or send single ones back with a reason. Finance then records the payment
request and order and each transfer; a failed or returned transfer sends that one client back to
the operator for a new account. When every transfer is sent the proposal is paid and its LPJ due
date is set.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from bot.domain.kinds import ConversationKind, NotificationKind
from bot.domain.models import (
    Action,
    Attachment,
    BankAccountStatus,
    Client,
    Ipwl,
    Proposal,
    ProposalStatus,
    Role,
    TransferStatus,
)
from bot.domain.official_numbers import NumberFormat, OfficialEntry, parse_official_entry
from bot.domain.treasury import EXAMPLE_NUMBER, is_sp2d_line, line_example, parse_sp2d_entry
from bot.domain.validation import (
    BANKS,
    Bank,
    Problem,
    ValidationError,
    find_bank,
    holder_name_warning,
    parse_account_number,
    parse_free_text,
    parse_money,
    parse_name,
)
from bot.files.finance_sheets import AccountInput, OrderTotals, TransferInput
from bot.i18n import N_, format_money
from bot.services.base import FileUpload, Identity, ServiceError, StaleButton
from bot.services.reviews import StaffService

__all__ = [
    "AccountInput",
    "AccountService",
    "Accounts",
    "Beneficiary",
    "PaymentService",
    "PaymentStep",
    "TransferInput",
]
from bot.clock import today_in
from bot.domain.models import BankAccount, Payment, Transfer
from bot.domain.records import AccountShare, StaffSummary
from storage.unit import UnitOfWork

_FILLED = frozenset({BankAccountStatus.SUBMITTED, BankAccountStatus.VERIFIED})
_FAILED = frozenset({TransferStatus.FAILED, TransferStatus.RETURNED})


# ------------------------------------------------------------------------------------- records


@dataclass(frozen=True)
class Beneficiary:
    """A client with their account and transfer, as the accounts and payment screens show them."""

    client: Client
    account: BankAccount | None
    transfer: Transfer | None

    @property
    def account_status(self) -> BankAccountStatus:
        return self.account.status if self.account else BankAccountStatus.MISSING

    @property
    def transfer_status(self) -> TransferStatus:
        return self.transfer.status if self.transfer else TransferStatus.PENDING

    @property
    def revision(self) -> int:
        """Which of the client's accounts this is (a button shown for another one is stale)."""
        return self.account.revision if self.account else 0


@dataclass(frozen=True)
class Accounts:
    """A decreed proposal with every client's account (and, for finance, the payment so far)."""

    proposal: Proposal
    ipwl: Ipwl
    rows: list[Beneficiary]
    payment: Payment | None = None
    warnings: tuple[Problem, ...] = ()
    # Other clients (this proposal's or another's this year) given the same account number.
    shares: tuple[AccountShare, ...] = ()
    # Clients held for double assistance (issue 16.1): no transfer until a PIC or the head decides.
    held: frozenset[int] = frozenset()
    # Of the held, those decided the same person as a client elsewhere: held for good, never cleared.
    confirmed: frozenset[int] = frozenset()
    # The clients the SPM covers, each with its amount, fixed when it was saved (None: no SPM yet,
    # or one saved before the list was kept — the clients payable now stand in for it).
    ordered: Mapping[int, int] | None = None

    def shared_with(self, client_id: int) -> list[AccountShare]:
        return [s for s in self.shares if s.client_id == client_id]

    @property
    def expected(self) -> list[Beneficiary]:
        """The clients whose accounts the proposal waits for: not those held for double assistance
        (their account is asked once a PIC or the head clears them; until then it is not needed)."""
        return [r for r in self.rows if r.client.id not in self.held]

    def asks_account(self, row: Beneficiary) -> bool:
        """The operator may (and is asked to) enter this client's account now: after the SK until it
        is verified; later a rejected one (a failed transfer), or one never given because the client
        was held while the others' accounts went on. Never while the client is held."""
        if row.client.id in self.held:
            return False
        status = self.proposal.status
        if status == ProposalStatus.DECREED:
            return row.account_status != BankAccountStatus.VERIFIED
        if status in (ProposalStatus.ACCOUNTS_SUBMITTED, ProposalStatus.ACCOUNTS_VERIFIED):
            return row.account_status in (BankAccountStatus.REJECTED, BankAccountStatus.MISSING)
        return False

    @property
    def payable(self) -> list[Beneficiary]:
        """The clients this payment is for: not those held for double assistance (out of the SK
        annex, so out of the SPP/SPM amount, the transfers list and its control totals; they are
        added once a PIC or the head clears them)."""
        return [r for r in self.rows if r.client.id not in self.held]

    @property
    def total(self) -> int:
        """The amount to pay: the payable clients' (a held client's is not counted)."""
        return sum(r.client.total for r in self.payable)

    def count(self, status: BankAccountStatus) -> int:
        return sum(1 for r in self.rows if r.account_status == status)

    def doubtful(self, row: Beneficiary) -> bool:
        """The account deserves a look of its own: its holder is not the client, or its number is
        another client's too (both shown with ⚠️ on the card)."""
        holder = row.account.holder_name if row.account else None
        if holder and holder_name_warning(holder, row.client.full_name):
            return True
        return bool(self.shared_with(row.client.id))

    @property
    def set_aside(self) -> list[Beneficiary]:
        """The submitted accounts marked ⚠️: left out of "verify all", each verified on its own."""
        return [r for r in self.rows if r.account_status == BankAccountStatus.SUBMITTED and self.doubtful(r)]

    @property
    def unquestioned(self) -> list[Beneficiary]:
        """The submitted accounts "✅ Verify all remaining" verifies: not those marked ⚠️, which
        are verified (or sent back) one by one, so a warning is never ticked off in bulk."""
        return [r for r in self.rows if r.account_status == BankAccountStatus.SUBMITTED and not self.doubtful(r)]

    @property
    def submitted_revisions(self) -> int:
        """A fingerprint of the accounts "verify all" acts on (it acts only on those shown)."""
        return sum(r.revision for r in self.unquestioned)

    @property
    def sent(self) -> int:
        return sum(r.transfer.amount for r in self.rows if r.transfer and r.transfer.status == TransferStatus.SENT)

    @property
    def in_order(self) -> list[Beneficiary]:
        """The clients of the SPM, as the transfers list shows them (and reads them back): those it
        was saved for. An SPM is a state document with a fixed amount, so a client cleared of double
        assistance after it is not among them. Before the SPM (or for one saved before its clients
        were kept) the payable clients."""
        if self.ordered is None:
            return self.payable
        return [r for r in self.rows if r.client.id in self.ordered]

    @property
    def cleared_after_order(self) -> list[Beneficiary]:
        """Clients payable now but not in the SPM: cleared of double assistance after it was saved.
        They are paid by an SPM of their own, their transfer recorded one by one (✅)."""
        if self.ordered is None:
            return []
        return [r for r in self.payable if r.client.id not in self.ordered]

    @property
    def all_pending(self) -> list[Beneficiary]:
        """The transfers "✅ All pending sent today" records: pending, to a verified account, not
        held, and in the SPM (a client cleared after it is not paid under it by a bulk tap)."""
        later = {r.client.id for r in self.cleared_after_order}
        return [
            r
            for r in self.rows
            if r.transfer_status == TransferStatus.PENDING
            and r.account_status == BankAccountStatus.VERIFIED
            and r.client.id not in self.held
            and r.client.id not in later
        ]

    @property
    def order_totals(self) -> OrderTotals | None:
        """What a transfers list for this proposal must add up to: its SPM's clients and amount, as
        fixed when it was saved (for an SPM saved before its clients were kept: the payable clients,
        and the proposal's total if its amount was not kept either)."""
        if self.payment is None:
            return None
        if self.ordered is not None:
            return OrderTotals(
                self.payment.spm_number, len(self.ordered) - len(self.left_after_order), self.spm_amount - self.returned
            )
        return OrderTotals(self.payment.spm_number, len(self.payable), self.spm_amount)

    @property
    def spm_amount(self) -> int:
        """The SPM's amount, which the SP2D must equal: kept when it was saved (the proposal's
        payable total for an SPM saved before the amount was kept)."""
        if self.payment is not None and self.payment.spm_amount is not None:
            return self.payment.spm_amount
        return sum(self.ordered.values()) if self.ordered is not None else self.total

    @property
    def left_after_order(self) -> list[int]:
        """The SPM's clients no longer on the list: an SK perubahan took them off after it was
        saved (dropped out, died, moved). They are not transferred; their part of the SPM goes back
        to the treasury, so the transfers list adds up to the SPM less it."""
        if self.ordered is None:
            return []
        on_list = {r.client.id for r in self.rows}
        return [c for c in self.ordered if c not in on_list]

    @property
    def returned(self) -> int:
        """The part of the SPM for clients who left after it (not transferred)."""
        return sum(self.ordered[c] for c in self.left_after_order) if self.ordered is not None else 0


@dataclass(frozen=True)
class AccountEntry:
    """One client's account being typed: the answers so far and which question is next."""

    proposal: Proposal
    client: Client
    step: str  # "bank", "number", "holder", "passbook"
    bank: Bank | None = None
    number: str | None = None
    holder: str | None = None
    warnings: tuple[Problem, ...] = ()


@dataclass(frozen=True)
class PaymentStep:
    """What finance is asked next: ``spp``, ``spm``, a failure reason, or nothing (the transfers)."""

    accounts: Accounts
    step: str | None
    failing: Beneficiary | None = None
    typed: tuple[OfficialEntry, ...] = ()  # the SPP (and SPM) typed so far, not yet recorded
    examples: Mapping[str, str] = field(default_factory=dict)  # "spp"/"spm" → what to type


# ---------------------------------------------------------------------------------- shared parts


def _checking(proposal: Proposal) -> Action:
    """What checking an account is for this proposal: the verification step; once the accounts are
    verified, finance's payment (the account of a client cleared of double assistance comes then,
    and finance checks it — 🏦 Check the accounts, or ✅ as it records the transfer)."""
    return Action.RECORD_PAYMENT if proposal.status == ProposalStatus.ACCOUNTS_VERIFIED else Action.VERIFY_ACCOUNTS


class _FinanceBase(StaffService):
    def today(self) -> dt.date:
        return today_in(self.clock, self.settings.locale.timezone)

    async def accounts(self, uow: UnitOfWork, proposal: Proposal, warnings: Sequence[Problem] = ()) -> Accounts:
        ipwl = await uow.ipwl.by_id(proposal.ipwl_id)
        assert ipwl is not None
        accounts = await uow.bank_accounts.of_proposal(proposal.id)
        transfers = await uow.transfers.of_proposal(proposal.id)
        left = await uow.client_changes.left_clients(proposal.id)  # off the list by an SK perubahan (16.6)
        rows = [
            Beneficiary(c, accounts.get(c.id), transfers.get(c.id))
            for c in await uow.clients.of_proposal(proposal.id)
            if c.id not in left
        ]
        shares = await uow.bank_accounts.shared(proposal.id, _year(proposal))
        held = frozenset(await uow.nik_conflicts.held(r.client.id for r in rows))
        payment = await uow.payments.of_proposal(proposal.id)
        ordered = await uow.payments.order_clients(proposal.id) if payment else None
        confirmed = frozenset(await uow.nik_conflicts.confirmed(held)) if held else frozenset()
        return Accounts(
            proposal, ipwl, rows, payment, tuple(warnings), tuple(shares), held, confirmed=confirmed, ordered=ordered
        )

    async def beneficiary(self, uow: UnitOfWork, client_id: int) -> tuple[Proposal, Beneficiary]:
        client = await uow.clients.by_id(client_id)
        if client is None:
            raise StaleButton()
        if await uow.client_changes.has_left(client_id):
            raise ServiceError(
                "change_client_left",
                N_("Client no. {position} is off the list by an SK perubahan: nothing more is recorded for them."),
                position=client.position,
            )
        proposal = await self.proposal(uow, client.proposal_id)
        transfers = await uow.transfers.of_proposal(proposal.id)
        return proposal, Beneficiary(client, await uow.bank_accounts.by_client(client_id), transfers.get(client_id))

    async def conversation(self, uow: UnitOfWork, who: Identity, kind: str) -> tuple[int | None, dict[str, Any]]:
        conversation = await uow.conversations.of(who.person.id)
        if conversation is None or conversation.kind != kind:
            raise ServiceError("not_open", N_("This is no longer open. Start again from the menu."))
        return conversation.entity_id, dict(conversation.state)


# ------------------------------------------------------------------------------------- accounts


class AccountService(_FinanceBase):
    """Bank accounts: the operator supplies them, the PIC team or finance verifies them."""

    async def snapshot(self, proposal_id: int) -> Accounts | None:
        """A proposal's accounts as they are now, for notifications (the recipient is chosen by the service)."""
        async with self.storage.reading() as uow:
            proposal = await uow.proposals.by_id(proposal_id)
            return await self.accounts(uow, proposal) if proposal else None

    # --- the operator -----------------------------------------------------------------------------

    async def overview(self, who: Identity) -> list[Accounts]:
        """``/rekening``: the operator's proposals that need (or have) the clients' accounts."""
        ipwl_ids = who.actor.operated_ipwl_ids
        if not ipwl_ids:
            raise ServiceError("not_operator", N_("/rekening is for IPWL operators."))
        statuses = (ProposalStatus.DECREED, ProposalStatus.ACCOUNTS_SUBMITTED, ProposalStatus.ACCOUNTS_VERIFIED)
        async with self.storage.reading() as uow:
            summaries = await uow.staff.summaries(statuses, ipwl_ids=ipwl_ids)
            return [await self.accounts(uow, await self.proposal(uow, s.id)) for s in summaries]

    async def start_client(self, who: Identity, client_id: int) -> AccountEntry:
        """Start typing one client's account (first question: the bank)."""
        async with self.unit(who) as uow:
            proposal, row = await self.beneficiary(uow, client_id)
            await self._check_editable(uow, who, proposal, row)
            state = {"client_id": client_id, "step": "bank"}
            await uow.conversations.start(
                who.person.id, ConversationKind.BANK_ACCOUNT, proposal.id, self.clock.now(), state
            )
            return await self._entry(uow, state)

    async def choose_bank(self, who: Identity, bank_code: str) -> AccountEntry:
        bank = BANKS.get(bank_code)
        async with self.storage.transaction() as uow:
            _, state = await self.conversation(uow, who, ConversationKind.BANK_ACCOUNT)
            if bank is None or state.get("step") != "bank":
                raise StaleButton()
            state.update(bank=bank.code, step="number")
            return await self._save_state(uow, who, state)

    async def bank_question(self, who: Identity) -> AccountEntry:
        """The bank question again (the picker's other page); stale once the bank is chosen."""
        async with self.storage.reading() as uow:
            _, state = await self.conversation(uow, who, ConversationKind.BANK_ACCOUNT)
            if state.get("step") != "bank":
                raise StaleButton()
            return await self._entry(uow, state)

    async def retype(self, who: Identity) -> AccountEntry:
        """✏️ Type again on the read-back: the bank, number and holder typed are dropped (nothing was
        saved) and the bank is asked again, for the same client."""
        async with self.storage.transaction() as uow:
            _, state = await self.conversation(uow, who, ConversationKind.BANK_ACCOUNT)
            if state.get("step") != "passbook":
                raise StaleButton()
            return await self._save_state(uow, who, {"client_id": state["client_id"], "step": "bank"})

    async def cancel_entry(self, who: Identity) -> None:
        """✖️ while entering one client's account: the entry ends, nothing of it saved."""
        async with self.storage.transaction() as uow:
            await self.conversation(uow, who, ConversationKind.BANK_ACCOUNT)
            await uow.conversations.end(who.person.id)

    async def answer(self, who: Identity, text: str) -> AccountEntry:
        """The bank typed (name or code), the account number, then the holder's name; warnings
        are shown, not blocking."""
        async with self.storage.transaction() as uow:
            _, state = await self.conversation(uow, who, ConversationKind.BANK_ACCOUNT)
            step = state.get("step")
            warnings: list[Problem] = []
            if step == "bank":
                bank = find_bank(text)
                if bank is None:
                    raise ServiceError(
                        "unknown_bank",
                        N_(
                            "“{text}” is not a bank on the list. Tap it above (regional banks are under 🏛), or "
                            "type its name or 3-digit code, e.g. {example}."
                        ),
                        text=" ".join(text.split())[:40],
                        example="Bank Sulselbar / 126",
                    )
                state.update(bank=bank.code, step="number")
            elif step == "number":
                number, warnings = parse_account_number(text, BANKS[state["bank"]])
                client_id = int(state["client_id"])
                proposal, row = await self.beneficiary(uow, client_id)
                shares = await uow.bank_accounts.holders(number, _year(proposal), besides=client_id)
                warnings = [*warnings, *_share_warnings(proposal, row.client, shares)]
                state.update(number=number, step="holder")
            elif step == "holder":
                client = await uow.clients.by_id(int(state["client_id"]))
                assert client is not None
                holder = parse_name(text, field="holder_name")
                warning = holder_name_warning(holder, client.full_name)
                warnings = [warning] if warning else []
                state.update(holder=holder, step="passbook")
            else:
                raise ServiceError("account_use_buttons", N_("Use the buttons above, or send the passbook photo."))
            entry = await self._save_state(uow, who, state)
            return replace(entry, warnings=tuple(warnings))

    async def finish_with_passbook(self, who: Identity, photo: FileUpload, content: bytes) -> Accounts:
        """The passbook photo: kept on disk once it opens as an image, and the account saved."""
        with self.upload_kept("rekening", f"{photo.file_unique_id}.jpg", content, photo.mime_type) as stored:
            return await self.finish_client(who, replace(photo, sha256=stored.sha256, stored_path=stored.path))

    async def finish_client(self, who: Identity, passbook: FileUpload | None = None) -> Accounts:
        """The passbook photo (or skip it): the account is saved and submitted for checking."""
        now = self.clock.now()
        async with self.unit(who) as uow:
            proposal_id, state = await self.conversation(uow, who, ConversationKind.BANK_ACCOUNT)
            if state.get("step") != "passbook":
                raise ServiceError("account_not_ready", N_("Answer the questions above first."))
            proposal, row = await self.beneficiary(uow, int(state["client_id"]))
            await self._check_editable(uow, who, proposal, row)
            passbook_id = None
            if passbook is not None:
                passbook_id = await self.record_attachment(
                    uow,
                    proposal.id,
                    passbook,
                    purpose="passbook",
                    client_id=row.client.id,
                    uploaded_by=who.person.id,
                    now=now,
                )
            await self._store(
                uow, who, proposal, row.client, BANKS[state["bank"]], state["number"], state["holder"], passbook_id, now
            )
            await uow.conversations.end(who.person.id)
            return await self._after_save(uow, who, proposal, now, [row.client.id])

    async def open_sheet(self, who: Identity, proposal_id: int) -> Accounts:
        """The accounts workbook was asked for: the next file sent is read as that proposal's accounts."""
        async with self.unit(who) as uow:
            proposal = await self.proposal(uow, proposal_id)
            self._check_operator(who, proposal)
            if proposal.status != ProposalStatus.DECREED:
                raise ServiceError(
                    "accounts_not_open", N_("The accounts of {code} cannot be changed now."), code=proposal.code
                )
            await uow.conversations.start(
                who.person.id, ConversationKind.BANK_ACCOUNT, proposal.id, self.clock.now(), {"step": "sheet"}
            )
            return await self.accounts(uow, proposal)

    async def sheet_proposal(self, who: Identity) -> Accounts:
        """The proposal whose accounts workbook is expected now."""
        async with self.storage.reading() as uow:
            proposal_id, _ = await self.conversation(uow, who, ConversationKind.BANK_ACCOUNT)
            if proposal_id is None:
                raise ServiceError("not_open", N_("This is no longer open. Start again from the menu."))
            return await self.accounts(uow, await self.proposal(uow, proposal_id))

    async def import_sheet(self, who: Identity, proposal_id: int, inputs: Sequence[AccountInput]) -> Accounts:
        """Every row of a filled accounts workbook, all or none."""
        now = self.clock.now()
        async with self.unit(who) as uow:
            proposal = await self.proposal(uow, proposal_id)
            state = await self.accounts(uow, proposal)
            by_id = {r.client.id: r for r in state.rows}
            await uow.bank_accounts.lock_numbers(i.number for i in inputs)  # all at once, in order
            await uow.bank_accounts.lock_accounts(i.client_id for i in inputs)
            warnings: list[Problem] = []
            for item in inputs:
                row = by_id.get(item.client_id)
                if row is None:
                    raise StaleButton()
                await self._check_editable(uow, who, proposal, row)
                await self._store(uow, who, proposal, row.client, item.bank, item.number, item.holder, None, now)
                warnings.extend(item.warnings)
            await uow.conversations.end(who.person.id)
            result = await self._after_save(uow, who, proposal, now, [i.client_id for i in inputs])
            # One account, one client: the sheet's numbers against each other and this year's clients.
            for item in inputs:
                warnings.extend(
                    _share_warnings(proposal, by_id[item.client_id].client, result.shared_with(item.client_id))
                )
            return replace(result, warnings=tuple(warnings))

    # --- the verifier (PIC team or finance) --------------------------------------------------------

    async def review(self, who: Identity, proposal_id: int) -> Accounts:
        """The accounts to check, for a PIC of the team or finance."""
        async with self.unit(who) as uow:
            proposal = await self.proposal(uow, proposal_id)
            await self.authorize(uow, who, _checking(proposal), proposal, check_data=False)
            return await self.accounts(uow, proposal)

    async def passbook(self, who: Identity, client_id: int) -> tuple[Beneficiary, Attachment]:
        """The passbook photo the operator sent with a client's account, for whoever checks it (a
        PIC of the team or finance) — the look a ⚠️ account asks for. Audited: it shows the account
        number and holder in full."""
        async with self.unit(who) as uow:
            proposal, row = await self.beneficiary(uow, client_id)
            await self.authorize(uow, who, _checking(proposal), proposal, check_data=False)
            passbook_id = row.account.passbook_id if row.account else None
            found = [a for a in await uow.attachments.of_proposal(proposal.id) if a.id == passbook_id]
            if passbook_id is None or not found:
                raise ServiceError(
                    "no_passbook",
                    N_(
                        "No passbook photo came with this account: call the operator, or ↩️ send the "
                        "account back asking for one."
                    ),
                )
            await uow.audit.record(self.event(who, "client", client_id, "view_passbook", reason=proposal.code))
            return row, found[0]

    async def verify(
        self, who: Identity, client_id: int | None = None, *, proposal_id: int | None = None, shown: int | None = None
    ) -> Accounts:
        """Verify one client's account (or every submitted one); when all are verified, so is the proposal.

        ``shown`` is what the button was drawn for: the account's revision (one client) or the
        accounts' fingerprint (all); a button from a card drawn for other accounts is refused.
        """
        now = self.clock.now()
        async with self.unit(who) as uow:
            if client_id is not None:
                await uow.bank_accounts.lock_accounts([client_id])  # no new account in between (PostgreSQL)
                proposal, row = await self.beneficiary(uow, client_id)
                rows = [row]
                if shown != row.revision or row.account_status != BankAccountStatus.SUBMITTED:
                    await self.authorize(uow, who, _checking(proposal), proposal, check_data=False)
                    raise StaleButton()
            else:
                proposal = await self.proposal(uow, proposal_id or 0)
                current = await self.accounts(uow, proposal)
                rows = current.unquestioned
                if not rows or shown != current.submitted_revisions:
                    await self.authorize(uow, who, _checking(proposal), proposal, check_data=False)
                    raise StaleButton()
            await self.authorize(uow, who, _checking(proposal), proposal, check_data=False)
            for row in rows:
                if await uow.bank_accounts.move(
                    row.client.id,
                    frm=[BankAccountStatus.SUBMITTED],
                    to=BankAccountStatus.VERIFIED,
                    now=now,
                    revision=row.revision,
                ):
                    await uow.audit.record(
                        self.event(
                            who,
                            "client",
                            row.client.id,
                            "verify_account",
                            frm="submitted",
                            to="verified",
                            reason=proposal.code,
                        )
                    )
            state = await self.accounts(uow, proposal)
            if proposal.status == ProposalStatus.ACCOUNTS_SUBMITTED and all(
                r.account_status == BankAccountStatus.VERIFIED for r in state.expected
            ):
                transition = await self.authorize(uow, who, Action.VERIFY_ACCOUNTS, proposal)
                proposal = await self.move(uow, who, proposal, transition, now)
                await self.notify(
                    uow,
                    await uow.staff.holding(Role.FINANCE),
                    NotificationKind.ACCOUNTS_VERIFIED,
                    f"proposal:{proposal.id}:accounts_verified",
                    {"proposal_id": proposal.id},
                    now,
                )
                await self.tell_progress(
                    uow, proposal, Action.VERIFY_ACCOUNTS, f"proposal:{proposal.id}:accounts_verified", now
                )
                state = replace(state, proposal=proposal)
            return state

    async def start_return(self, who: Identity, client_id: int) -> Beneficiary:
        """Send one account back: ask the verifier for the reason."""
        async with self.unit(who) as uow:
            proposal, row = await self.beneficiary(uow, client_id)
            await self.authorize(uow, who, Action.RETURN_ACCOUNTS, proposal, check_data=False)
            await uow.conversations.start(who.person.id, ConversationKind.ACCOUNT_RETURN, client_id, self.clock.now())
            return row

    async def return_account(self, who: Identity, text: str) -> Accounts:
        """The reason typed: the account is rejected, the proposal goes back to the operator for it."""
        reason = parse_free_text(text, field="reason", min_length=3, max_length=500)
        now = self.clock.now()
        async with self.unit(who) as uow:
            client_id, _ = await self.conversation(uow, who, ConversationKind.ACCOUNT_RETURN)
            proposal, row = await self.beneficiary(uow, client_id or 0)
            transition = await self.authorize(uow, who, Action.RETURN_ACCOUNTS, proposal, {"reason": reason})
            await uow.bank_accounts.move(
                row.client.id, frm=_FILLED, to=BankAccountStatus.REJECTED, now=now, reason=reason
            )
            await uow.audit.record(
                self.event(who, "client", row.client.id, "return_account", to="rejected", reason=reason)
            )
            await uow.proposals.add_return_reason(
                proposal.id,
                proposal.version,
                "accounts",
                reason,
                by=who.person.id,
                now=now,
                client_id=row.client.id,
                field="bank_account",
            )
            proposal = await self.move(uow, who, proposal, transition, now, reason=reason)
            revision = await uow.group_cards.revision(proposal.code)
            await self.notify(
                uow,
                await self.operators(uow, proposal),
                NotificationKind.ACCOUNT_RETURNED,
                f"client:{row.client.id}:account_returned@{revision}",
                {"proposal_id": proposal.id, "client_id": row.client.id},
                now,
            )
            await uow.conversations.end(who.person.id)
            return await self.accounts(uow, proposal)

    # --- internals ---------------------------------------------------------------------------------

    def _check_operator(self, who: Identity, proposal: Proposal) -> None:
        if not who.actor.operates(proposal.ipwl_id):
            raise self.denied(
                ServiceError("out_of_scope", N_("You are not an operator of this IPWL.")),
                "proposal",
                proposal.code,
                "accounts: out_of_scope",
            )

    async def _check_editable(self, uow: UnitOfWork, who: Identity, proposal: Proposal, row: Beneficiary) -> None:
        """Accounts are typed after the SK; later only a rejected one (after a failed transfer), or
        one never asked because the client was held (see :meth:`Accounts.asks_account`)."""
        self._check_operator(who, proposal)
        accounts = await self.accounts(uow, proposal)
        if row.client.id in accounts.held:
            raise ServiceError(
                "account_held",
                N_(
                    "Client {number}. {name} is held pending the double-assistance decision (the same NIK at "
                    "another IPWL): their account is not needed yet. You will be asked for it once a PIC or the "
                    "head clears them."
                ),
                number=row.client.position,
                name=row.client.full_name,
            )
        current = next((r for r in accounts.rows if r.client.id == row.client.id), row)
        if accounts.asks_account(current):
            return
        raise ServiceError(
            "account_locked", N_("The account of {name} cannot be changed now."), name=row.client.full_name
        )

    async def _store(
        self,
        uow: UnitOfWork,
        who: Identity,
        proposal: Proposal,
        client: Client,
        bank: Bank,
        number: str,
        holder: str,
        passbook_id: int | None,
        now: dt.datetime,
    ) -> None:
        # Before the save: a concurrent save of the same number (PostgreSQL) waits, so the one
        # saved second always sees the first among the number's holders.
        await uow.bank_accounts.lock_numbers([number])
        await uow.bank_accounts.lock_accounts([client.id])
        await uow.bank_accounts.save(
            client.id, bank_code=bank.code, account_number=number, holder_name=holder, passbook_id=passbook_id, now=now
        )
        await uow.audit.record(
            self.event(who, "client", client.id, "submit_account", to="submitted", reason=proposal.code)
        )

    async def _after_save(
        self, uow: UnitOfWork, who: Identity, proposal: Proposal, now: dt.datetime, saved: Sequence[int]
    ) -> Accounts:
        """All accounts in → to the verifiers; a replacement after a failed transfer → to finance."""
        proposal = await self.proposal(uow, proposal.id)
        state = await self.accounts(uow, proposal)
        revision = await uow.group_cards.revision(proposal.code)
        # Each save is audited per client, so the first client's trail numbers replacements uniquely.
        replaced = len(await uow.audit.for_entity("client", str(saved[0]))) if saved else 0
        # (a client held for double assistance is not waited for: their account comes once cleared)
        if proposal.status == ProposalStatus.DECREED and all(r.account_status in _FILLED for r in state.expected):
            # After an account was sent back, the verifiers' card comes back (with its buttons).
            again = any(
                r.stage == "accounts" for r in await uow.proposals.return_reasons(proposal.id, proposal.version)
            )
            transition = await self.authorize(uow, who, Action.SUBMIT_ACCOUNTS, proposal)
            proposal = await self.move(uow, who, proposal, transition, now)
            await self.accounts_to_verifiers(
                uow, proposal, f"proposal:{proposal.id}:accounts@{revision}", now, again=again
            )
            state = replace(state, proposal=proposal)
        elif proposal.status == ProposalStatus.ACCOUNTS_SUBMITTED:
            # The account of a client cleared of double assistance after the others were sent for
            # checking: the verifiers' card comes again, with it to check.
            await self.accounts_to_verifiers(
                uow,
                proposal,
                f"proposal:{proposal.id}:accounts@{revision}:client{saved[0] if saved else 0}@{replaced}",
                now,
                again=True,
            )
        elif proposal.status == ProposalStatus.ACCOUNTS_VERIFIED:
            # Never a transfer tried: the first account of a client cleared of double assistance
            # (said as such to finance), not a replacement after a failed transfer.
            first = [r for r in state.rows if r.client.id in saved and r.transfer is None]
            params: dict[str, Any] = {"proposal_id": proposal.id}
            if first:
                params["cleared"] = first[0].client.id
            await self.notify(
                uow,
                await uow.staff.holding(Role.FINANCE),
                NotificationKind.ACCOUNT_FIXED,
                f"client:{saved[0] if saved else 0}:account_fixed@{replaced}",
                params,
                now,
            )
        return state

    async def _save_state(self, uow: UnitOfWork, who: Identity, state: dict[str, Any]) -> AccountEntry:
        conversation = await uow.conversations.of(who.person.id)
        await uow.conversations.start(
            who.person.id,
            ConversationKind.BANK_ACCOUNT,
            conversation.entity_id if conversation else None,
            self.clock.now(),
            state,
        )
        return await self._entry(uow, state)

    async def _entry(self, uow: UnitOfWork, state: dict[str, Any]) -> AccountEntry:
        proposal, row = await self.beneficiary(uow, int(state["client_id"]))
        return AccountEntry(
            proposal,
            row.client,
            state["step"],
            BANKS.get(state.get("bank") or ""),
            state.get("number"),
            state.get("holder"),
        )


# ------------------------------------------------------------------------------------- payments


class PaymentService(_FinanceBase):
    """Finance records the payment: SPP and SPM, then each client's transfer."""

    # Called in the transaction that marks a proposal paid (the post-payment checks' draw).
    _on_paid: tuple[Callable[[UnitOfWork, Proposal, dt.datetime], Awaitable[object]], ...] = ()

    def use_on_paid(self, hook: Callable[[UnitOfWork, Proposal, dt.datetime], Awaitable[object]]) -> None:
        self._on_paid = (*self._on_paid, hook)

    async def candidates(self, who: Identity) -> list[StaffSummary]:
        """``/bayar``: proposals whose accounts are verified and wait for the transfers — counted
        and totalled on the amended list (a client an SK perubahan took off is not to be paid)."""
        await self._finance(who)
        async with self.storage.reading() as uow:
            result = []
            for summary in await uow.staff.summaries([ProposalStatus.ACCOUNTS_VERIFIED]):
                exits = await uow.client_changes.exits_of(summary.id)
                if exits:
                    # (a held client is out of the summary's count and total already: not taken off twice)
                    held = await uow.nik_conflicts.held(exits)
                    left = [c for c in await uow.clients.of_proposal(summary.id) if c.id in exits and c.id not in held]
                    summary = dataclasses.replace(
                        summary, clients=summary.clients - len(left), total=summary.total - sum(c.total for c in left)
                    )
                result.append(summary)
            return result

    async def open(self, who: Identity, proposal_id: int) -> PaymentStep:
        """Pick a proposal: ask for the SPP first if it is not recorded yet."""
        async with self.unit(who) as uow:
            proposal = await self.proposal(uow, proposal_id)
            await self.authorize(uow, who, Action.RECORD_PAYMENT, proposal, check_data=False)
            # Double assistance re-checked before any money goes (a proposal decreed or paid
            # elsewhere since this SK holds the client here).
            await self.recheck_nik(uow, who, proposal, "payment", self.clock.now())
            accounts = await self.accounts(uow, proposal)
            state: dict[str, Any] = {"step": None if accounts.payment else "spp"}
            await uow.conversations.start(who.person.id, ConversationKind.PAYMENT, proposal.id, self.clock.now(), state)
            return await self._step(uow, proposal.id, state)  # (with the SPP example from its configured form)

    async def current(self, who: Identity) -> PaymentStep:
        async with self.storage.reading() as uow:
            proposal_id, state = await self.conversation(uow, who, ConversationKind.PAYMENT)
            return await self._step(uow, proposal_id or 0, state)

    async def answer(self, who: Identity, text: str) -> PaymentStep:
        """SPP number and date, then SPM number and date, or the reason of a failed transfer."""
        now = self.clock.now()
        async with self.unit(who) as uow:
            proposal_id, state = await self.conversation(uow, who, ConversationKind.PAYMENT)
            proposal = await self.proposal(uow, proposal_id or 0)
            await self.authorize(uow, who, Action.RECORD_PAYMENT, proposal, check_data=False)
            step = state.get("step")
            deferred: ServiceError | ValidationError | None = None
            if step == "spp":
                decree = await uow.decrees.of_proposal(proposal.id)
                entry = self._entry(
                    text,
                    "spp",
                    earliest=decree.issued_on if decree else None,
                    too_early=N_("The SPP cannot be dated {date}, before the SK ({earliest})."),
                )
                await self._number_free(uow, proposal, "spp", entry.number)
                state.update(step="spm", spp=[entry.number, entry.date.isoformat()])
            elif step == "spm":
                entry = self._entry(
                    text,
                    "spm",
                    earliest=dt.date.fromisoformat(state["spp"][1]),
                    too_early=N_("The SPM cannot be dated {date}, before its SPP ({earliest})."),
                )
                await self._number_free(uow, proposal, "spm", entry.number)
                # Shown apart for a last look; nothing is recorded before "Save".
                state.update(step="confirm", spm=[entry.number, entry.date.isoformat()])
            elif step == "sp2d" or (step == "sp2d_amount" and self._sp2d_line_again(text)):
                # The SP2D's number and date (and its amount, on one line) — also when, asked the
                # amount alone after a mismatch, finance types the whole line again.
                payment = await uow.payments.of_proposal(proposal.id)
                sp2d = parse_sp2d_entry(text, today=self.today(), earliest=payment.spm_date if payment else None)
                await self._number_free(uow, proposal, "sp2d", sp2d.number)
                state.update(step="sp2d_amount", sp2d=[sp2d.number, sp2d.date.isoformat()])
                if sp2d.amount_text:  # number, date and amount on one line
                    try:
                        await self._record_sp2d(uow, who, proposal, state, sp2d.amount_text)
                    except (ServiceError, ValidationError) as refused:
                        # The number and date are kept; only the amount is asked again (the
                        # refusal is raised once they are saved).
                        deferred = refused
                    else:
                        state = {"step": None}
            elif step == "sp2d_amount":
                await self._record_sp2d(uow, who, proposal, state, text)
                state = {"step": None}
            elif step == "confirm":
                raise ServiceError(
                    "payment_confirm_orders",
                    N_("Check the SPP and SPM above and press Save, or Type again to correct them."),
                )
            elif step and step.startswith("fail:"):
                _, client_id, status, revision = (step.split(":") + [""])[:4]
                reason = parse_free_text(text, field="reason", min_length=3, max_length=500)
                await uow.bank_accounts.lock_accounts([int(client_id)])
                _, row = await self.beneficiary(uow, int(client_id))
                if row.transfer_status == TransferStatus.SENT:
                    raise StaleButton()
                self._check_shown(row, int(revision) if revision.isdigit() else None)
                await self._failed(
                    uow, who, proposal, int(client_id), TransferStatus(status), reason, self.today(), now
                )
                state = {"step": None}
            else:
                raise ServiceError("payment_use_buttons", N_("Use the buttons above, or send the transfers workbook."))
            await uow.conversations.start(who.person.id, ConversationKind.PAYMENT, proposal.id, now, state)
            shown = await self._step(uow, proposal.id, state)
        if deferred is not None:
            raise deferred
        return shown

    async def start_sp2d(self, who: Identity, proposal_id: int) -> PaymentStep:
        """🏦 SP2D: after the SPM, ask for the number and date of the SP2D the KPPN issued."""
        async with self.unit(who) as uow:
            proposal = await self.proposal(uow, proposal_id)
            await self._may_record(uow, who, proposal)
            payment = await uow.payments.of_proposal(proposal.id)
            if payment is not None and payment.sp2d_number:
                raise ServiceError(
                    "sp2d_recorded",
                    N_("The SP2D of {code} is already recorded: {number}."),
                    code=proposal.code,
                    number=payment.sp2d_number,
                )
            state = {"step": "sp2d"}
            await uow.conversations.start(who.person.id, ConversationKind.PAYMENT, proposal.id, self.clock.now(), state)
            return await self._step(uow, proposal.id, state)

    async def confirm_orders(self, who: Identity, proposal_id: int, *, save: bool) -> PaymentStep:
        """Save the SPP and SPM shown (``save``), or start typing them again."""
        now = self.clock.now()
        async with self.unit(who) as uow:
            proposal = await self.proposal(uow, proposal_id)
            await self.authorize(uow, who, Action.RECORD_PAYMENT, proposal, check_data=False)
            conversation_proposal, state = await self.conversation(uow, who, ConversationKind.PAYMENT)
            if conversation_proposal != proposal.id or state.get("step") != "confirm":
                raise StaleButton()
            deferred: ServiceError | None = None
            if save:
                (spp_number, spp_date), (spm_number, spm_date) = state["spp"], state["spm"]
                # Checked again as they are saved: another finance officer may have recorded one of
                # these numbers for another proposal since they were typed (the lock orders the two).
                # Refused, finance types both again (the refusal is raised once that is saved).
                try:
                    await self._number_free(uow, proposal, "spp", spp_number, lock=True)
                    await self._number_free(uow, proposal, "spm", spm_number, lock=True)
                except ServiceError as refused:
                    deferred = refused
                    state = {"step": "spp"}
            if deferred is None and save:
                (spp_number, spp_date), (spm_number, spm_date) = state["spp"], state["spm"]
                # The SPM fixes its clients and amount: a client cleared of double assistance later
                # is not in it (the transfers list and its control totals keep to these).
                payable = (await self.accounts(uow, proposal)).payable
                await uow.payments.record(
                    proposal.id,
                    spp_number=spp_number,
                    spp_date=dt.date.fromisoformat(spp_date),
                    spm_number=spm_number,
                    spm_date=dt.date.fromisoformat(spm_date),
                    by=who.person.id,
                    now=now,
                    spm_amount=sum(r.client.total for r in payable),
                    clients={r.client.id: r.client.total for r in payable},
                )
                await uow.audit.record(
                    self.event(
                        who,
                        "proposal",
                        proposal.code,
                        "record_orders",
                        reason=f"SPP {spp_number} {spp_date}; SPM {spm_number} {spm_date}",
                    )
                )
                state = {"step": None}
            elif deferred is None:
                state = {"step": "spp"}
            await uow.conversations.start(who.person.id, ConversationKind.PAYMENT, proposal.id, now, state)
            shown = await self._step(uow, proposal.id, state)
        if deferred is not None:
            raise deferred
        return shown

    async def sent(
        self,
        who: Identity,
        client_id: int | None = None,
        *,
        proposal_id: int | None = None,
        revision: int | None = None,
    ) -> PaymentStep:
        """Record a transfer as sent today for its full amount (one client, or every pending one).

        One client's button carries the ``revision`` of the account it was shown for: pressed
        after that account failed (or was replaced), it is refused and records nothing.
        """
        now = self.clock.now()
        await self._recheck(who, client_id=client_id, proposal_id=proposal_id)
        async with self.unit(who) as uow:
            if client_id is not None:
                await uow.bank_accounts.lock_accounts([client_id])  # no new account in between (PostgreSQL)
                proposal, row = await self.beneficiary(uow, client_id)
                rows = [row]
                await self._may_record_transfers(uow, who, proposal)
                if row.transfer_status != TransferStatus.SENT:  # (a double tap changes nothing, below)
                    self._check_shown(row, revision)
            else:
                proposal = await self.proposal(uow, proposal_id or 0)
                await self._may_record_transfers(uow, who, proposal)
                # (a held client stays pending: it waits for its adjudication; one cleared after
                # the SPM too: it is paid by an SPM of its own, then recorded with its own ✅)
                rows = (await self.accounts(uow, proposal)).all_pending
            for row in rows:
                await self._sent(uow, who, proposal, row, row.client.total, self.today(), None, now)
            return await self._finish(uow, who, proposal, now)

    async def start_failure(
        self, who: Identity, client_id: int, status: TransferStatus, revision: int | None = None
    ) -> PaymentStep:
        """A transfer failed or came back: ask for the reason (the button's account must still be current)."""
        if status not in _FAILED:
            raise StaleButton()
        async with self.unit(who) as uow:
            proposal, row = await self.beneficiary(uow, client_id)
            await self._may_record_transfers(uow, who, proposal)
            if row.transfer_status == TransferStatus.SENT:
                raise StaleButton()
            self._check_shown(row, revision)
            state = {"step": f"fail:{client_id}:{status.value}:{row.revision}"}
            await uow.conversations.start(who.person.id, ConversationKind.PAYMENT, proposal.id, self.clock.now(), state)
            return await self._step(uow, proposal.id, state)

    async def import_transfers(self, who: Identity, proposal_id: int, inputs: Sequence[TransferInput]) -> PaymentStep:
        """Every row of a filled transfers workbook, all or none."""
        now = self.clock.now()
        await self._recheck(who, proposal_id=proposal_id)
        async with self.unit(who) as uow:
            proposal = await self.proposal(uow, proposal_id)
            await self._may_record_transfers(uow, who, proposal)
            by_id = {r.client.id: r for r in (await self.accounts(uow, proposal)).rows}
            for item in inputs:
                row = by_id.get(item.client_id)
                if row is None:  # a workbook made before an SK perubahan took this client off the list
                    raise ServiceError(
                        "change_client_left",
                        N_(
                            "The workbook lists a client who is no longer on the list (SK perubahan). "
                            "Download it again."
                        ),
                    )
                if item.status == TransferStatus.SENT:
                    await self._sent(uow, who, proposal, row, item.amount, item.on, item.note, now)
                else:
                    await self._failed(
                        uow,
                        who,
                        proposal,
                        row.client.id,
                        item.status,
                        item.note or "-",
                        item.on,
                        now,
                        amount=item.amount,
                    )
            return await self._finish(uow, who, proposal, now)

    # --- internals ---------------------------------------------------------------------------------

    @staticmethod
    def _sp2d_line_again(text: str) -> bool:
        """Asked the SP2D's amount, finance typed a line that is not an amount but an SP2D number
        and date (``00777/2026 28-11-2026 Rp 4.500.000``): read it as the whole line again, so its
        own errors (a date in the future, say) are the ones shown."""
        try:
            parse_money(text, field="sp2d_amount")
        except ValidationError:
            return is_sp2d_line(text)
        return False

    async def _record_sp2d(
        self, uow: UnitOfWork, who: Identity, proposal: Proposal, state: dict[str, Any], text: str
    ) -> None:
        """The SP2D's amount typed: recorded (audited) only if it is the SPM's, else refused with both."""
        amount = parse_money(text, field="sp2d_amount")
        accounts = await self.accounts(uow, proposal)
        order = accounts.order_totals
        if order is None or not state.get("sp2d"):
            raise StaleButton()
        expected = accounts.spm_amount  # (the SPM's whole amount, clients who left since included)
        if amount != expected:
            raise ServiceError(
                "sp2d_not_spm",
                N_(
                    "The SP2D amount {amount} is not the amount of SPM {number}, {expected}: a difference of "
                    "{difference}. Nothing was recorded: check the SP2D and type its amount again."
                ),
                amount=format_money(amount),
                number=order.number,
                expected=format_money(expected),
                difference=("+" if amount > expected else "") + format_money(amount - expected),
            )
        number, on = state["sp2d"]
        await self._number_free(uow, proposal, "sp2d", number, lock=True)  # (again, as it is saved)
        if await uow.payments.record_sp2d(proposal.id, number=number, on=dt.date.fromisoformat(on), amount=amount):
            await uow.audit.record(
                self.event(
                    who, "proposal", proposal.code, "record_sp2d", to=number, reason=f"SP2D {number} {on} {amount}"
                )
            )

    async def _number_free(
        self, uow: UnitOfWork, proposal: Proposal, kind: str, number: str, *, lock: bool = False
    ) -> None:
        """One SPP, SPM or SP2D pays one proposal: ``number`` already recorded for another proposal
        is refused, saying which and of what date (compared without case or surrounding spaces).
        ``lock``: inside the saving transaction, after any other saving the same number."""
        if lock:
            await uow.payments.lock_number(kind, number)
        held = await uow.payments.number_holder(kind, number, besides=proposal.id)
        if held is not None:
            code, on = held
            raise ServiceError(
                "payment_number_taken",
                N_("{document} {number} is already recorded for {code} ({date}). Check the number and type it again."),
                document=kind.upper(),
                number=number,
                code=code,
                date=f"{on:%d-%m-%Y}",
            )

    async def _recheck(self, who: Identity, *, client_id: int | None = None, proposal_id: int | None = None) -> None:
        """Double assistance re-checked before a transfer is recorded, in a transaction of its own:
        a hold found now is kept (and shown to both teams) even though the transfer is refused."""
        async with self.unit(who) as uow:
            if client_id is not None:
                proposal, _ = await self.beneficiary(uow, client_id)
            else:
                proposal = await self.proposal(uow, proposal_id or 0)
            await self._may_record(uow, who, proposal)
            await self.recheck_nik(uow, who, proposal, "payment", self.clock.now())

    async def _finance(self, who: Identity) -> None:
        if not who.actor.has_role(Role.FINANCE):
            async with self.unit(who):
                raise self.denied(
                    ServiceError("finance_only", N_("Only finance can record payments.")),
                    "command",
                    "bayar",
                    "bayar: role_required",
                )

    @staticmethod
    def _check_shown(row: Beneficiary, revision: int | None) -> None:
        """The button was drawn for this client's current account, and that account can still be paid."""
        if revision != row.revision or row.account_status not in _FILLED:
            raise StaleButton()

    async def _may_record(self, uow: UnitOfWork, who: Identity, proposal: Proposal) -> None:
        await self.authorize(uow, who, Action.RECORD_PAYMENT, proposal, check_data=False)
        if await uow.payments.of_proposal(proposal.id) is None:
            raise ServiceError("orders_first", N_("Record the SPP and SPM of {code} first."), code=proposal.code)

    async def _may_record_transfers(self, uow: UnitOfWork, who: Identity, proposal: Proposal) -> None:
        """A transfer's result (sent, failed, returned; by button or workbook) comes after the SP2D:
        the bank moves the money only once the KPPN has issued the SP2D for the SPM, so a result
        recorded before it would be a payment the treasury never ordered."""
        await self._may_record(uow, who, proposal)
        payment = await uow.payments.of_proposal(proposal.id)
        if payment is None or not payment.sp2d_number:
            raise ServiceError(
                "sp2d_first",
                N_(
                    "Record the SP2D of {code} first (🏦 SP2D on the payment card): transfer results are "
                    "recorded once the KPPN has issued the SP2D for SPM {number}. Nothing was recorded."
                ),
                code=proposal.code,
                number=payment.spm_number if payment else "-",
            )

    async def _sent(
        self,
        uow: UnitOfWork,
        who: Identity,
        proposal: Proposal,
        row: Beneficiary,
        amount: int,
        on: dt.date,
        note: str | None,
        now: dt.datetime,
    ) -> None:
        if row.transfer_status == TransferStatus.SENT:
            return  # a double tap, or a workbook sent twice: nothing changes
        if await uow.nik_conflicts.held([row.client.id]):
            raise ServiceError(
                "held_double_assistance",
                N_(
                    "Client {number} of {code} is held: the same NIK is already in an SK or paid at another "
                    "IPWL this year. No transfer until a PIC or the head decides they are not the same person."
                ),
                number=row.client.position,
                code=proposal.code,
            )
        if row.account_status == BankAccountStatus.SUBMITTED:
            # A new account after a failed transfer: finance checks it as it records the transfer.
            await uow.bank_accounts.move(
                row.client.id, frm=[BankAccountStatus.SUBMITTED], to=BankAccountStatus.VERIFIED, now=now
            )
            await uow.audit.record(
                self.event(
                    who, "client", row.client.id, "verify_account", frm="submitted", to="verified", reason=proposal.code
                )
            )
        elif row.account_status != BankAccountStatus.VERIFIED:
            raise ServiceError("no_account", N_("{name} has no verified bank account yet."), name=row.client.full_name)
        await uow.transfers.record(
            row.client.id, amount=amount, status=TransferStatus.SENT, on=on, note=note, by=who.person.id, now=now
        )
        await uow.audit.record(
            self.event(
                who,
                "client",
                row.client.id,
                "transfer",
                frm=row.transfer_status.value,
                to="sent",
                reason=f"{proposal.code} {amount}",
            )
        )

    async def _failed(
        self,
        uow: UnitOfWork,
        who: Identity,
        proposal: Proposal,
        client_id: int,
        status: TransferStatus,
        reason: str,
        on: dt.date,
        now: dt.datetime,
        *,
        amount: int | None = None,
    ) -> None:
        """The money did not arrive: the client's account goes back to the operator."""
        _, row = await self.beneficiary(uow, client_id)
        if row.client.proposal_id != proposal.id:
            raise StaleButton()
        await uow.transfers.record(
            client_id,
            amount=amount if amount is not None else row.client.total,
            status=status,
            on=on,
            note=reason,
            by=who.person.id,
            now=now,
        )
        await uow.bank_accounts.move(client_id, frm=_FILLED, to=BankAccountStatus.REJECTED, now=now, reason=reason)
        await uow.audit.record(
            self.event(
                who, "client", client_id, "transfer", frm=row.transfer_status.value, to=status.value, reason=reason
            )
        )
        # The client's own audit trail numbers the failures: a second failure is a new notification.
        failures = len(await uow.audit.for_entity("client", str(client_id)))
        await self.notify(
            uow,
            await self.operators(uow, proposal),
            NotificationKind.TRANSFER_FAILED,
            f"client:{client_id}:transfer_failed@{failures}",
            {"proposal_id": proposal.id, "client_id": client_id},
            now,
        )

    async def _finish(self, uow: UnitOfWork, who: Identity, proposal: Proposal, now: dt.datetime) -> PaymentStep:
        """Every transfer sent: the proposal is paid, the LPJ falls due, the operators are told."""
        state = await self.accounts(uow, proposal)
        if all(r.transfer_status == TransferStatus.SENT for r in state.rows):
            due = self.lpj_due_date(self.today())
            transition = await self.authorize(uow, who, Action.RECORD_PAYMENT, proposal, {"lpj_due_date": due})
            proposal = await self.move(
                uow, who, proposal, transition, now, reason=f"LPJ due {due.isoformat()}", lpj_due_on=due
            )
            await self.tell_paid(uow, proposal, due, now)
            for hook in self._on_paid:
                await hook(uow, proposal, now)
            await uow.conversations.end(who.person.id)
            state = replace(state, proposal=proposal)
        return PaymentStep(state, None)

    async def _step(self, uow: UnitOfWork, proposal_id: int, state: dict[str, Any]) -> PaymentStep:
        accounts = await self.accounts(uow, await self.proposal(uow, proposal_id))
        step = state.get("step")
        failing = None
        if step and step.startswith("fail:"):
            client_id = int(step.split(":")[1])
            failing = next((r for r in accounts.rows if r.client.id == client_id), None)
        typed = tuple(
            OfficialEntry(entry[0], dt.date.fromisoformat(entry[1]))
            for entry in (state.get("spp"), state.get("spm"))
            if entry
        )
        if step == "sp2d_amount" and state.get("sp2d"):  # the SP2D's number and date, shown with the amount question
            typed = (OfficialEntry(state["sp2d"][0], dt.date.fromisoformat(state["sp2d"][1])),)
        today = self.today()
        examples = {
            kind: f"{NumberFormat(self._format(kind)).example(today, 123)} {today:%d-%m-%Y}" for kind in ("spp", "spm")
        }
        examples["sp2d"] = f"{EXAMPLE_NUMBER} {today:%d-%m-%Y}"
        examples["sp2d_line"] = line_example(today)
        return PaymentStep(accounts, step, failing, typed, examples)

    def _format(self, kind: str) -> str:
        return self.settings.payments.spp_number_format if kind == "spp" else self.settings.payments.spm_number_format

    def _entry(self, text: str, kind: str, *, earliest: dt.date | None, too_early: str) -> OfficialEntry:
        """``"00123/SPP/XI/2026 28-11-2026"``: a number of the centre's form, then its real date."""
        return parse_official_entry(
            text, self._format(kind), today=self.today(), field=f"{kind}_number", earliest=earliest, too_early=too_early
        )


def _year(proposal: Proposal) -> int:
    """The programme year a proposal belongs to (its period, else the year it was made)."""
    if proposal.period_year:
        return proposal.period_year
    return proposal.created_at.year if proposal.created_at else 0  # (every stored proposal has created_at)


def _share_warnings(proposal: Proposal, client: Client, shares: Sequence[AccountShare]) -> list[Problem]:
    """What the operator is told when an account number is already another client's: the client by
    name within their own proposal, the proposal's code within their IPWL, nothing more elsewhere."""
    problems: list[Problem] = []
    for share in shares:
        params: dict[str, object] = {"client": f"{client.position}. {client.full_name}"}
        if share.other_proposal_id == proposal.id:
            message = N_(
                "{client}: the same account number was given for client {number}. {name} of this "
                "proposal. Each client needs an account of their own: check both."
            )
            params |= {"number": share.other_position, "name": share.other_name}
        elif share.other_ipwl_id == proposal.ipwl_id:
            message = N_(
                "{client}: the same account number was given for client {number} of your proposal "
                "{code}. Each client needs an account of their own: check both."
            )
            params |= {"number": share.other_position, "code": share.other_proposal_code}
        else:
            message = N_(
                "{client}: the same account number was given this year for a client of another IPWL. "
                "Each client needs an account of their own: check it (the centre checks it too)."
            )
        problems.append(Problem(message, params, "warn", "account_number"))
    return problems
