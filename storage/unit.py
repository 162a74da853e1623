"""The storage façade the services use: a unit of work bundles one repository per aggregate."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Generic, TypeVar, overload

from storage.admin import AdminRepository, BroadcastRepository, PersonalDataRepository
from storage.audit import AuditRepository
from storage.audit_chain import AuditMirror
from storage.budget import BudgetRepository
from storage.client_changes import ClientChangeRepository, RefundCaseRepository
from storage.complaints import ComplaintRepository
from storage.consents import ConsentRepository
from storage.conversations import ConversationRepository
from storage.db import Connection, Database
from storage.finance import (
    BankAccountRepository,
    DecreeRepository,
    GroupCardRepository,
    PaymentRepository,
    StaffRepository,
    TransferRepository,
)
from storage.inbox import InboxRepository
from storage.lpj import LpjRepository
from storage.migrate import migrate
from storage.nik_conflicts import NikConflictRepository
from storage.outbox import OutboxRepository
from storage.payment_checks import PaymentCheckRepository
from storage.people import InviteRepository, PeopleRepository
from storage.proposals import AttachmentRepository, ClientRepository, ProposalRepository
from storage.registry import IpwlRepository, TeamRepository
from storage.reminders import AudienceRepository, ReminderRepository
from storage.reports import ReportRunRepository
from storage.retention import RetentionRepository
from storage.sealing import Keyring, MissingKeyring, Sealer
from storage.updates import ProcessedUpdateRepository

R = TypeVar("R")


class _Repository(Generic[R]):
    """A repository of the unit of work, made on first use: a unit touches two or three of them,
    and one is opened for every update (making all of them each time was a measurable cost)."""

    def __init__(self, make: Callable[..., R], *, sealed: bool = False) -> None:
        self._make = make
        self._sealed = sealed  # it seals and unseals personal data: it takes the keys too
        self._name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self._name = name

    @overload
    def __get__(self, uow: None, owner: type) -> _Repository[R]: ...
    @overload
    def __get__(self, uow: UnitOfWork, owner: type) -> R: ...
    def __get__(self, uow: UnitOfWork | None, owner: type) -> R | _Repository[R]:
        if uow is None:
            return self
        repository = self._make(uow.conn, uow.keys) if self._sealed else self._make(uow.conn)
        uow.__dict__[self._name] = repository  # later reads find it without coming here
        return repository


class UnitOfWork:
    """Repositories bound to one transaction: everything done through them commits together."""

    people = _Repository(PeopleRepository)
    invites = _Repository(InviteRepository)
    teams = _Repository(TeamRepository)
    ipwl = _Repository(IpwlRepository)
    proposals = _Repository(ProposalRepository, sealed=True)
    clients = _Repository(ClientRepository, sealed=True)
    consents = _Repository(ConsentRepository, sealed=True)
    attachments = _Repository(AttachmentRepository, sealed=True)
    audit = _Repository(AuditRepository)
    outbox = _Repository(OutboxRepository)
    conversations = _Repository(ConversationRepository, sealed=True)
    processed_updates = _Repository(ProcessedUpdateRepository)
    lpj = _Repository(LpjRepository, sealed=True)
    reminders = _Repository(ReminderRepository)
    audiences = _Repository(AudienceRepository)
    group_cards = _Repository(GroupCardRepository)
    staff = _Repository(StaffRepository)
    decrees = _Repository(DecreeRepository)
    bank_accounts = _Repository(BankAccountRepository, sealed=True)
    payments = _Repository(PaymentRepository)
    transfers = _Repository(TransferRepository)
    admin = _Repository(AdminRepository)
    broadcasts = _Repository(BroadcastRepository)
    privacy = _Repository(PersonalDataRepository, sealed=True)
    report_runs = _Repository(ReportRunRepository)
    inbox = _Repository(InboxRepository)
    retention = _Repository(RetentionRepository)
    complaints = _Repository(ComplaintRepository, sealed=True)
    payment_checks = _Repository(PaymentCheckRepository, sealed=True)
    client_changes = _Repository(ClientChangeRepository, sealed=True)
    refunds = _Repository(RefundCaseRepository)
    budget = _Repository(BudgetRepository)
    nik_conflicts = _Repository(NikConflictRepository)

    def __init__(self, conn: Connection, keys: Sealer | None = None) -> None:
        self.conn = conn
        self.keys: Sealer = keys if keys is not None else MissingKeyring()
        # Proposals whose group card edit is already queued in this transaction: it is rendered
        # from the state at delivery, after the commit, so a second one would be the same edit.
        self.cards_queued: set[int] = set()


class Storage:
    """An open database with migrations applied, and the keys its personal data is sealed under."""

    def __init__(self, db: Database, keys: Sealer | None = None) -> None:
        self.db = db
        # (A second Storage over the same open database shares its keys.)
        self.keys: Sealer = keys if keys is not None else getattr(db, "keys", None) or MissingKeyring()
        # Readers on their own connection (reports, exports) find the keys beside the database.
        db.keys = self.keys  # type: ignore[attr-defined]
        # Called after a commit that queued notifications (the outbox sender waits on these).
        self.outbox_listeners: list[Callable[[], None]] = []
        # Called after every commit, in the committing task (the bot notes that the update being
        # handled has saved something, so its error message never says "nothing was changed").
        self.commit_listeners: list[Callable[[], None]] = []
        # Awaited first in every write transaction, with its unit of work (the bot records the
        # update being handled there, so the change and "this update is done" commit together).
        self.begin_listeners: list[Callable[[UnitOfWork], Awaitable[None]]] = []
        # The audit events' JSON-lines mirror outside the database (``[audit] mirror``), if any.
        self.audit_mirror: AuditMirror | None = None

    @classmethod
    async def open(
        cls,
        target: str | Path,
        *,
        apply_migrations: bool = True,
        pool_size: int = 10,
        lock_timeout_ms: int | None = None,
        keys: Keyring | None = None,
    ) -> Storage:
        """Open ``sqlite:///path`` (or a plain path) or ``postgresql://…`` (a pool of ``pool_size``).

        ``keys``: the keyring the composition root loaded (default: the one ``ATENSI_KEYS`` /
        ``ATENSI_KEY_FILE`` name, if any). Raises :class:`storage.sealing.KeyringError` when the
        database holds personal data sealed under keys not given (or plain rows and no keys);
        rows from before sealing are sealed here, before anything else reads them."""
        db = await Database.open(target, pool_size=pool_size, lock_timeout_ms=lock_timeout_ms)
        try:
            if keys is None:
                keys = Keyring.from_environment()
            if apply_migrations:
                await migrate(db)
                from storage.key_rotation import prepare_keys

                await prepare_keys(db, keys)
        except BaseException:
            await db.close()
            raise
        return cls(db, keys)

    async def close(self) -> None:
        await self.db.close()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[UnitOfWork]:
        async with self.db.transaction() as conn:
            uow = UnitOfWork(conn, self.keys)
            for begin in self.begin_listeners:
                await begin(uow)
            yield uow
            await uow.audit.seal()  # last, just before the commit: the chain's lock is held briefly
        if uow.audit.sealed and self.audit_mirror is not None:
            self.audit_mirror.append(uow.audit.sealed)
        for listener in self.commit_listeners:
            listener()
        if uow.outbox.enqueued:
            for listener in self.outbox_listeners:
                listener()

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[UnitOfWork]:
        async with self.db.reading() as conn:
            yield UnitOfWork(conn, self.keys)
