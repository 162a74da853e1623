"""The storage façade the services use: a unit of work bundles one repository per aggregate."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

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


class UnitOfWork:
    """Repositories bound to one transaction: everything done through them commits together."""

    def __init__(self, conn: Connection, keys: Sealer | None = None) -> None:
        keys = keys if keys is not None else MissingKeyring()
        self.people = PeopleRepository(conn)
        self.invites = InviteRepository(conn)
        self.teams = TeamRepository(conn)
        self.ipwl = IpwlRepository(conn)
        self.proposals = ProposalRepository(conn, keys)
        self.clients = ClientRepository(conn, keys)
        self.consents = ConsentRepository(conn, keys)
        self.attachments = AttachmentRepository(conn, keys)
        self.audit = AuditRepository(conn)
        self.outbox = OutboxRepository(conn)
        self.conversations = ConversationRepository(conn, keys)
        self.processed_updates = ProcessedUpdateRepository(conn)
        self.lpj = LpjRepository(conn, keys)
        self.reminders = ReminderRepository(conn)
        self.audiences = AudienceRepository(conn)
        self.group_cards = GroupCardRepository(conn)
        self.staff = StaffRepository(conn)
        self.decrees = DecreeRepository(conn)
        self.bank_accounts = BankAccountRepository(conn, keys)
        self.payments = PaymentRepository(conn)
        self.transfers = TransferRepository(conn)
        self.admin = AdminRepository(conn)
        self.broadcasts = BroadcastRepository(conn)
        self.privacy = PersonalDataRepository(conn, keys)
        self.report_runs = ReportRunRepository(conn)
        self.inbox = InboxRepository(conn)
        self.retention = RetentionRepository(conn)
        self.complaints = ComplaintRepository(conn, keys)
        self.payment_checks = PaymentCheckRepository(conn, keys)
        self.client_changes = ClientChangeRepository(conn, keys)
        self.refunds = RefundCaseRepository(conn)
        self.budget = BudgetRepository(conn)
        self.nik_conflicts = NikConflictRepository(conn)
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
