"""Audit events for the hash-chain tests (tests/test_audit_chain.py): one event, a chain of them written as the
services write them, and the chain verified; and the actions audited so far, in order (tests/test_onboarding.py)."""

from __future__ import annotations

import datetime as dt

from bot.domain.models import AuditEvent
from bot.services import Services
from storage.audit_chain import AuditMirror, verify
from storage.unit import Storage

NOW = dt.datetime(2026, 11, 28, 2, 0, tzinfo=dt.UTC)


def event(n: int, reason: str | None = None) -> AuditEvent:
    return AuditEvent(
        NOW + dt.timedelta(minutes=n),
        None,
        "pic",
        "proposal",
        f"USL-2026-{n:04d}",
        "verify",
        "submitted",
        "verified",
        reason,
    )


async def seed(storage: Storage, count: int = 6) -> list[int]:
    """``count`` events, two per transaction, as the services write them; → their ids in order."""
    for n in range(0, count, 2):
        async with storage.transaction() as uow:
            await uow.audit.record(event(n + 1, reason="NIK tidak sesuai KTP" if n == 2 else None))
            await uow.audit.record(event(n + 2))
    async with storage.reading() as conn_uow:
        del conn_uow
    async with storage.db.reading() as conn:
        return [r[0] for r in await conn.execute_fetchall("SELECT id FROM audit_events ORDER BY seq")]


async def check(storage: Storage, mirror: AuditMirror | None = None):
    async with storage.db.snapshot() as conn:
        return await verify(conn, None if mirror is None else mirror.lines())


async def audit_actions(services: Services) -> list[str]:
    async with services.storage.db.reading() as conn:
        rows = await conn.execute_fetchall("SELECT action FROM audit_events ORDER BY id")
    return [r[0] for r in rows]
