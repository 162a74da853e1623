"""What every service shares: the refusal type, the acting identity, and audit helpers."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.clock import Clock
from bot.config import Settings
from bot.domain.models import Actor, AuditEvent, Person, Role
from bot.domain.reminder_rules import Calendar
from bot.domain.validation import Problem, ValidationError
from bot.files.file_check import check_readable
from bot.i18n import DEFAULT_TIMEZONE, N_, FileSize
from storage.db import StorageBusy
from storage.files import FileStore, FileStoreFull, StoredFile
from storage.unit import Storage, UnitOfWork

# StorageBusy (the database failing for now: locked or unavailable) is what a caller that simply
# runs again later may catch; it is named here so that callers never import storage.
__all__ = ["Identity", "Service", "ServiceError", "StaleButton", "StorageBusy"]

log = logging.getLogger("atensi.services")


class ServiceError(Exception):
    """A refusal worded for the person: an English msgid with named params, and a stable code."""

    def __init__(self, code: str, message: str, /, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.message = message
        self.params = params


class StaleButton(ServiceError):
    """The refusal of a button whose subject is gone or has moved on (a proposal decided, a card
    redrawn, a record erased): one wording for every stale press, whatever it pointed at."""

    def __init__(self) -> None:
        super().__init__("stale", N_("This button is no longer valid."))


@dataclass(frozen=True)
class FileUpload:
    """A file a person sent (a photo or a document) as Telegram describes it; ``sha256`` and
    ``stored_path`` once the centre's copy is kept."""

    telegram_file_id: str
    file_unique_id: str | None
    file_name: str | None
    mime_type: str | None
    size: int
    sha256: str = ""
    stored_path: str | None = None


@dataclass(frozen=True)
class Identity:
    """The person behind an update, with the roles they hold at this moment."""

    person: Person
    actor: Actor
    locale: str
    first_private: bool = False  # this update is the person's first message in a private chat
    # The zone they read times in, in this chat: an operator's IPWL's in a private chat, the
    # centre's for everyone else and in every group (bot.domain.regions.reader_zone).
    zone: str = DEFAULT_TIMEZONE

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
    """A group of use cases over one storage, clock and settings (and the one file store)."""

    def __init__(self, storage: Storage, clock: Clock, settings: Settings, *, files: FileStore | None = None) -> None:
        self.storage = storage
        self.clock = clock
        self.settings = settings
        self.files = files or FileStore(Path(settings.storage.files_dir), storage.keys)

    def lpj_due_date(self, paid_on: dt.date) -> dt.date:
        """When the LPJ of a proposal paid on ``paid_on`` is due: the configured days later, moved to
        the next working day when that falls on a weekend or a public holiday (1 January, say)."""
        cfg = self.settings.reminders
        calendar = Calendar(cfg.work_start, cfg.work_end, frozenset(cfg.holidays))
        return calendar.working_day_from(paid_on + dt.timedelta(days=self.settings.payments.lpj_due_days))

    def check_document_upload(self, upload: FileUpload, *, field: str | None = None) -> None:
        """Refuse a document the Bot API cannot hand over (over the configured size) or of a type
        the centre does not keep — before anything is downloaded. ``field`` names the input the
        problem is about, where the caller's form has one."""
        limit = self.settings.intake.max_file_mb
        if upload.size > limit * 1024 * 1024:
            raise ValidationError(
                Problem(
                    N_(
                        "The file is {size}; the most the bot can receive is {max} MB. "
                        "Send a smaller file or a scan in lower resolution."
                    ),
                    {"size": FileSize(upload.size), "max": limit},
                    "block",
                    field,
                )
            )
        if upload.mime_type not in self.settings.intake.accepted_mime_types:
            raise ValidationError(
                Problem(
                    N_("This type of file is not accepted. Send a PDF, a photo (JPG/PNG), or an XLSX/DOCX document."),
                    {},
                    "block",
                    field,
                )
            )

    @contextmanager
    def upload_kept(
        self, folder: str, file_name: str | None, content: bytes, mime_type: str | None
    ) -> Iterator[StoredFile]:
        """An uploaded file kept on disk, once it is known to open as what it claims to be (an empty
        or broken file is refused, with nothing written), for the block that records it. If the
        block fails the file is taken back, unless it was there before (another record may use it),
        so no file this call wrote lies on disk without a record."""
        check_readable(content, mime_type, file_name)
        try:
            stored = self.files.save(folder, file_name or "file", content)
        except FileStoreFull:
            raise ValidationError(
                Problem(
                    N_(
                        "The server could not store the file right now (storage is full). "
                        "Nothing was saved; please try again later or tell the centre."
                    )
                )
            ) from None
        try:
            yield stored
        except BaseException:
            if stored.created:
                self.files.discard(stored.path)
            raise

    async def team_group_chat(self, uow: UnitOfWork, team_id: int | None) -> int | None:
        """The chat of the PIC team's working group, where its cards go; None without a team or
        before an admin binds its group (the caller then tells the PICs privately, or nobody)."""
        team = await uow.teams.by_id(team_id) if team_id else None
        return team.group_chat_id if team is not None else None

    def discard_files(self, paths: Sequence[str | None]) -> None:
        """After the commit: delete stored files that no record uses any more (best effort, logged)."""
        for path in paths:
            if path and not self.files.discard(path):
                log.warning("a stored file no record uses could not be deleted now")

    async def record_attachment(
        self,
        uow: UnitOfWork,
        proposal_id: int,
        upload: FileUpload,
        *,
        purpose: str,
        client_id: int | None,
        uploaded_by: int,
        now: dt.datetime,
        sha256: str | None = None,
        stored_path: str | None = None,
    ) -> int:
        """Record a file a person sent as an attachment of the proposal (its stored copy's hash and
        path: given, or the upload's own once kept)."""
        return await uow.attachments.add(
            proposal_id,
            client_id=client_id,
            purpose=purpose,
            telegram_file_id=upload.telegram_file_id,
            file_unique_id=upload.file_unique_id,
            file_name=upload.file_name,
            mime_type=upload.mime_type,
            size=upload.size,
            sha256=upload.sha256 if sha256 is None else sha256,
            stored_path=upload.stored_path if stored_path is None else stored_path,
            uploaded_by=uploaded_by,
            now=now,
        )

    async def notify(
        self, uow: UnitOfWork, people: Iterable[Person], kind: str, key: str, params: dict[str, Any], now: dt.datetime
    ) -> None:
        """One private notification per person, in their language, once per ``key``."""
        for person in people:
            await uow.outbox.enqueue(
                dedupe_key=f"{key}:{person.id}",
                chat_id=person.telegram_user_id,
                kind=kind,
                params=params,
                now=now,
                person_id=person.id,
            )

    async def tell_admins(self, uow: UnitOfWork, kind: str, key: str, params: dict[str, Any], now: dt.datetime) -> None:
        """One notification to each admin's private chat, once per ``key``."""
        for chat_id in await uow.people.admin_chat_ids():
            await uow.outbox.enqueue(dedupe_key=f"{key}:{chat_id}", chat_id=chat_id, kind=kind, params=params, now=now)

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
