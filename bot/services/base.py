"""What every service shares: the refusal type, the acting identity, and audit helpers."""

from __future__ import annotations

from dataclasses import dataclass

from bot.clock import Clock
from bot.config import Settings
from bot.domain.models import Actor, Person, Role
from bot.domain.models import AuditEvent
from storage.db import StorageBusy
from storage.unit import Storage

# StorageBusy (the database failing for now: locked or unavailable) is what a caller that simply
# runs again later may catch; it is named here so that callers never import storage.
__all__ = ["Identity", "Service", "ServiceError", "StorageBusy"]


class ServiceError(Exception):
    """A refusal worded for the person: an English msgid with named params, and a stable code."""

    def __init__(self, code: str, message: str, /, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.message = message
        self.params = params


@dataclass(frozen=True)
class Identity:
    """The person behind an update, with the roles they hold at this moment."""

    person: Person
    actor: Actor
    locale: str
    first_private: bool = False  # this update is the person's first message in a private chat

    @property
    def is_admin(self) -> bool:
        return self.actor.has_role(Role.ADMIN)

    @property
    def known(self) -> bool:
        return bool(self.actor.grants)

    @property
    def role_label(self) -> str | None:
        """The roles as the audit log records them (e.g. ``"admin,pic"``)."""
        return ",".join(sorted(r.value for r in self.actor.roles)) or None


class Service:
    """A group of use cases over one storage, clock and settings."""

    def __init__(self, storage: Storage, clock: Clock, settings: Settings) -> None:
        self.storage = storage
        self.clock = clock
        self.settings = settings

    def event(
        self,
        who: Identity | None,
        entity: str,
        entity_id: object,
        action: str,
        *,
        frm: str | None = None,
        to: str | None = None,
        reason: str | None = None,
    ) -> AuditEvent:
        """An audit event by ``who`` (None: the command line), stamped now."""
        return AuditEvent(
            at=self.clock.now(),
            actor_id=who.person.id if who else None,
            actor_role=who.role_label if who else "cli",
            entity=entity,
            entity_id=str(entity_id),
            action=action,
            from_status=frm,
            to_status=to,
            reason=reason,
        )
