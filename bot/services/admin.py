"""What is left of the centre's admin work in chat: a proposal's history (for its PIC team and the
head too), and stopping an admin screen.

The other admin work lives by what it serves: :mod:`bot.services.registry`, :mod:`~bot.services.access`,
:mod:`~bot.services.backups`, :mod:`~bot.services.broadcasts`, :mod:`~bot.services.privacy`.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.clock import Clock
from bot.config import Settings
from bot.domain.kinds import ConversationKind
from bot.domain.models import Ipwl, ProposalStatus, Role
from bot.domain.records import HistoryEntry
from bot.i18n import N_
from bot.services.base import Identity, Service, ServiceError, StaleButton
from bot.services.onboarding import OnboardingService
from storage.files import FileStore
from storage.unit import Storage

PAGE_SIZE = 10


ADMIN_ONLY = N_("Only an admin can do this.")


def require_admin(who: Identity) -> None:
    if not who.is_admin:
        raise ServiceError("admin_only", ADMIN_ONLY)


def page_count(total: int) -> int:
    return max(1, -(-total // PAGE_SIZE))


@dataclass(frozen=True)
class ProposalHistory:
    proposal_id: int
    code: str
    ipwl: Ipwl
    status: ProposalStatus
    entries: list[HistoryEntry]
    timezone: str = "Asia/Jakarta"  # the centre's: every time of the history is written in it


class AdminDeskService(Service):
    """Use cases of the admins' screens (people and their access, the registry): admins only, with
    invitations, teams and IPWL imports made through the onboarding service."""

    def __init__(self, storage: Storage, clock: Clock, settings: Settings, *, files: FileStore | None = None) -> None:
        super().__init__(storage, clock, settings, files=files)
        self._onboarding = OnboardingService(storage, clock, settings, files=files)

    def check(self, who: Identity) -> None:
        """Refuse anyone but an admin (before a screen offers them anything)."""
        require_admin(who)


class AdminService(Service):
    """The registry, people and access, invites, history and backups — for admins."""

    def check(self, who: Identity) -> None:
        """Refuse anyone but an admin (before a screen offers them anything)."""
        require_admin(who)

    async def history(self, who: Identity, code: str) -> ProposalHistory:
        """``/audit KODE``: who did what, when, to one proposal and its clients — for admins, the
        head, auditors (the whole centre) and the proposal's PIC team."""
        code = code.strip().upper()
        centre_wide = who.is_admin or who.actor.has_role(Role.HEAD) or who.actor.has_role(Role.AUDITOR)
        if not (centre_wide or who.actor.has_role(Role.PIC)):
            raise ServiceError("staff_only", N_("The history of a proposal is for the centre's staff."))
        if not code:
            raise ServiceError(
                "history_needs_code",
                N_("Write the proposal's code after the command, e.g. {example}."),
                example="/audit USL-2026-0001",
            )
        async with self.storage.reading() as uow:
            proposal = await uow.proposals.by_code(code)
            if proposal is None or not (centre_wide or who.actor.in_team(proposal.team_id)):
                # The same answer for another team's code and a code that does not exist.
                raise ServiceError(
                    "unknown_proposal",
                    N_(
                        "No proposal with code {code} is found among those you may see. Check the code, e.g. {example}."
                    ),
                    code=code[:30],
                    example="USL-2026-0001",
                )
            ipwl = await uow.ipwl.by_id(proposal.ipwl_id)
            assert ipwl is not None
            return ProposalHistory(
                proposal.id,
                proposal.code,
                ipwl,
                proposal.status,
                await uow.admin.history(proposal.code),
                self.settings.locale.timezone,
            )

    async def history_by_id(self, who: Identity, proposal_id: int) -> ProposalHistory:
        async with self.storage.reading() as uow:
            proposal = await uow.proposals.by_id(proposal_id)
        if proposal is None:
            raise StaleButton()
        return await self.history(who, proposal.code)

    async def stop_conversation(self, who: Identity) -> None:
        """Cancel whatever admin question is waiting for an answer (nothing else is touched)."""
        async with self.storage.transaction() as uow:
            conversation = await uow.conversations.of(who.person.id)
            if conversation is not None and conversation.kind.startswith("admin_"):
                await uow.conversations.end(who.person.id)
                if conversation.kind == ConversationKind.ADMIN_BROADCAST and conversation.entity_id:
                    await uow.broadcasts.cancel(conversation.entity_id)
