"""Use cases. Each public method is one thing a person (or a job) does, in one transaction.

Services take the storage and a clock, decide with ``bot.domain.workflow`` and ``bot.domain.validation``, write
the change, its audit event and its notifications together, and return plain records for the
handlers to render. They never import ``telegram`` and never see SQL.
"""

from __future__ import annotations

from pathlib import Path

from bot.clock import Clock
from bot.config import Settings
from bot.domain.kinds import NotificationKind
from bot.domain.regions import RegionsCatalog
from bot.services.access import AccessService
from bot.services.admin import AdminService
from bot.services.backups import BackupService
from bot.services.base import Identity, Service, ServiceError, StaleButton, StorageBusy
from bot.services.broadcasts import BroadcastService
from bot.services.budget import BudgetService
from bot.services.client_changes import ClientChangeService
from bot.services.complaints import ComplaintService
from bot.services.decrees import DecreeService
from bot.services.double_assistance import DoubleAssistanceService
from bot.services.inbox import InboxService
from bot.services.lpj import LpjService, LpjState
from bot.services.onboarding import IpwlStatus, OnboardingService, Redemption
from bot.services.outbox import OutboxService
from bot.services.payment_checks import PaymentCheckService
from bot.services.payments import AccountService, PaymentService
from bot.services.privacy import PrivacyService
from bot.services.proposals import DraftState, FileUpload, ProposalService
from bot.services.registry import RegistryService
from bot.services.reminders import ReminderService
from bot.services.reports import ReportService
from bot.services.retention import RetentionService
from bot.services.reviews import ReviewService
from storage.audit_chain import AuditMirror
from storage.files import FileStore
from storage.unit import Storage

__all__ = [
    "DraftState",
    "FileUpload",
    "Identity",
    "IpwlStatus",
    "LpjState",
    "Redemption",
    "Service",
    "ServiceError",
    "StaleButton",
    "Services",
    "StorageBusy",
]


class Services:
    """Every use case of the bot, grouped by area, over one storage, clock and settings."""

    def __init__(
        self, storage: Storage, clock: Clock, settings: Settings, *, regions: RegionsCatalog | None = None
    ) -> None:
        self.storage = storage
        self.clock = clock
        self.settings = settings
        if settings.audit.mirror is not None and storage.audit_mirror is None:
            storage.audit_mirror = AuditMirror(Path(settings.audit.mirror))
        # One file store for every service that keeps, reads or deletes uploaded files.
        files = FileStore(Path(settings.storage.files_dir), storage.keys)
        self.files = files
        self.onboarding = OnboardingService(storage, clock, settings, files=files)
        self.proposals = ProposalService(storage, clock, settings, regions=regions, files=files)
        self.lpj = LpjService(storage, clock, settings, files=files)
        self.reminders = ReminderService(storage, clock, settings, files=files)
        self.reviews = ReviewService(storage, clock, settings, files=files)
        self.decrees = DecreeService(storage, clock, settings, files=files)
        self.double_assistance = DoubleAssistanceService(storage, clock, settings, files=files)
        self.accounts = AccountService(storage, clock, settings, files=files)
        self.payments = PaymentService(storage, clock, settings, files=files)
        self.admin = AdminService(storage, clock, settings, files=files)
        self.registry = RegistryService(storage, clock, settings, files=files)
        self.access = AccessService(storage, clock, settings, files=files)
        self.backups = BackupService(storage, clock, settings, files=files)
        self.broadcasts = BroadcastService(storage, clock, settings, files=files)
        self.privacy = PrivacyService(storage, clock, settings, files=files)
        self.retention = RetentionService(storage, clock, settings, files=files)
        self.reports = ReportService(storage, clock, settings, files=files)
        self.budget = BudgetService(storage, clock, settings, files=files)
        self.outbox = OutboxService(storage, clock, settings, files=files)
        self.inbox = InboxService(storage, clock, settings, files=files)
        self.complaints = ComplaintService(storage, clock, settings, files=files)
        self.payment_checks = PaymentCheckService(storage, clock, settings, files=files, complaints=self.complaints)
        # A proposal paid in full: its post-payment checks are drawn in the same transaction.
        self.payments.use_on_paid(self.payment_checks.draw_for)
        self.client_changes = ClientChangeService(storage, clock, settings, files=files)
        # What delivering a kind also records, in the transaction that marks it sent.
        self.outbox.use_effects(
            {
                NotificationKind.PROPOSAL_CARD: lambda uow, params, chat_id, message_id, now: self.reviews.card_sent(
                    uow, int(params["proposal_id"]), chat_id, message_id, now
                ),
                NotificationKind.LPJ_CARD: lambda uow, params, chat_id, message_id, now: self.lpj.card_sent(
                    uow, int(params["proposal_id"]), chat_id, message_id
                ),
                NotificationKind.CHANGE_REQUESTED: lambda uow, params, chat_id, message_id, now: (
                    self.client_changes.card_sent(uow, int(params["change_id"]), chat_id, message_id)
                ),
                NotificationKind.PAYMENT_CHECK: self.payment_checks.card_sent,
            }
        )
