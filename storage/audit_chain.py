"""The audit trail as a hash chain: sealing events as they commit, and checking the chain.

Every event is sealed in the transaction that records it, just before that transaction commits
(:meth:`storage.audit.AuditRepository.seal`): it takes the next ``seq``, the hash of the event
sealed before it (``prev_hash``) and its own ``hash`` — SHA-256 over ``prev_hash`` and a canonical
form of its content. Sealing holds the chain's lock (an advisory transaction lock on PostgreSQL;
on SQLite the writer is alone anyway), so two transactions appending at once are sealed one after
the other and never take the same place.

A typed reason enters the hash through ``reason_digest`` = SHA-256(``reason_salt`` ‖ reason): an
erasure blanks the reason and its salt (the law asks for it), the chain still holds, and what is
left cannot be turned back into the text by guessing.

:func:`verify` walks the chain and names the first event that was altered, removed or inserted.
Whoever can write the database can also recompute every hash after an edit; the JSON-lines
mirror (:class:`AuditMirror`), appended outside the database and configured outside it, is what
such a rewrite cannot reach: :func:`verify` compares the two.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from storage.db import Connection

# The columns a seal covers, in this order.
SEALED_COLUMNS = (
    "id",
    "seq",
    "at",
    "actor_id",
    "actor_role",
    "entity",
    "entity_id",
    "action",
    "from_status",
    "to_status",
    "reason_digest",
)
CHAIN_LOCK = "audit-chain"


def as_dict(row: Any) -> dict[str, Any]:
    """A row (sqlite3.Row or asyncpg.Record) as a plain dict."""
    return {key: row[key] for key in row.keys()}


def reason_digest(salt: str, reason: str) -> str:
    return hashlib.sha256((salt + "\n" + reason).encode()).hexdigest()


def event_hash(prev_hash: str, row: Mapping[str, Any]) -> str:
    """The seal of one event: SHA-256 over the previous seal and the event's canonical content."""
    content = json.dumps([row[name] for name in SEALED_COLUMNS], separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256((prev_hash + "\n" + content).encode()).hexdigest()


@dataclass(frozen=True)
class Finding:
    """One break in the chain."""

    kind: str  # "altered", "removed", "inserted", "mirror"
    event_id: int | None
    seq: int | None
    detail: str

    def describe(self) -> str:
        where = f"event {self.event_id}" if self.event_id is not None else "an event"
        if self.seq is not None:
            where += f" (seq {self.seq})"
        return f"{self.kind}: {where}: {self.detail}"


@dataclass
class Verification:
    """What :func:`verify` found: how many events it checked, and the breaks in order."""

    events: int = 0
    redacted: int = 0  # reasons blanked by an erasure (allowed, not a break)
    mirrored: int = 0
    unmirrored: int = 0  # events the mirror does not hold yet (the bot stopped before writing them)
    findings: list[Finding] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.findings

    @property
    def first(self) -> Finding | None:
        return self.findings[0] if self.findings else None


# What a check reads: the sealed columns, the reason and its salt (to check the digest against
# them), and the links of the chain.
_READ = (*SEALED_COLUMNS, "reason", "reason_salt", "prev_hash", "hash")
_SELECT = "SELECT " + ", ".join(_READ) + " FROM audit_events"


async def verify(conn: Connection, mirror: Sequence[Mapping[str, Any]] | None = None) -> Verification:
    """Check the whole chain (in a consistent read) and, when given, the mirror's lines."""
    result = Verification()
    by_seq: dict[int, str] = {}
    last_hash = ""
    last_seq = 0
    last_id: int | None = None
    # The seal before the one just accepted: a row whose prev_hash is that one skipped the row before it.
    before_last = ""
    pending: dict[str, Any] | None = None  # a row whose seal failed, judged by the row after it

    def accept(row: Mapping[str, Any]) -> None:
        nonlocal before_last, last_hash, last_seq, last_id
        by_seq[row["seq"]] = row["hash"]
        before_last, last_hash, last_seq, last_id = last_hash, row["hash"], row["seq"], row["id"]

    def judge_failed(row: Mapping[str, Any], following: Mapping[str, Any] | None) -> None:
        """A row whose seal does not match its content: inserted when the chain runs past it (the
        next event follows the one before it), altered otherwise (the chain goes on from it)."""
        if following is not None and following["prev_hash"] == last_hash and row["prev_hash"] == last_hash:
            result.findings.append(
                Finding(
                    "inserted",
                    row["id"],
                    row["seq"],
                    f"not part of the chain: the event after it follows event {last_id}",
                )
            )
            return
        result.findings.append(Finding("altered", row["id"], row["seq"], "its content no longer matches its seal"))
        accept(row)

    async for page in conn.stream(_SELECT + " WHERE seq IS NOT NULL ORDER BY seq"):
        for raw in page:
            row = dict(zip(_READ, raw, strict=True))
            result.events += 1
            if pending is not None:
                judge_failed(pending, row)
                pending = None
            if event_hash(row["prev_hash"] or "", row) != row["hash"]:
                pending = row
                continue
            if row["reason"] is not None:
                if (
                    row["reason_salt"] is None
                    or reason_digest(row["reason_salt"], row["reason"]) != row["reason_digest"]
                ):
                    result.findings.append(
                        Finding("altered", row["id"], row["seq"], "its reason no longer matches its seal")
                    )
            elif row["reason_digest"] is not None:
                result.redacted += 1
            if row["prev_hash"] != last_hash:
                if last_id is not None and row["prev_hash"] == before_last:
                    result.findings.append(
                        Finding(
                            "inserted",
                            last_id,
                            last_seq,
                            f"not part of the chain: event {row['id']} follows the event before it",
                        )
                    )
                else:
                    missing = (
                        (
                            f"seq {last_seq + 1}"
                            if row["seq"] == last_seq + 2
                            else f"seq {last_seq + 1}-{row['seq'] - 1}"
                        )
                        if row["seq"] > last_seq + 1
                        else "an event"
                    )
                    after = f"after event {last_id}" if last_id is not None else "at the start of the chain"
                    result.findings.append(
                        Finding("removed", row["id"], row["seq"], f"{missing} missing {after}, before this event")
                    )
            accept(row)
    if pending is not None:
        judge_failed(pending, None)
    # Rows never sealed: written past the bot (every committed event is sealed before its commit).
    async for page in conn.stream(_SELECT + " WHERE seq IS NULL ORDER BY id"):
        for raw in page:
            result.events += 1
            result.findings.append(Finding("inserted", raw[0], None, "never sealed: written outside the bot"))
    if mirror is not None:
        for line in mirror:
            seq = line.get("seq")
            if not isinstance(seq, int):
                continue
            stored = by_seq.get(seq)
            if stored is None:
                result.findings.append(
                    Finding("mirror", line.get("id"), seq, "in the mirror, missing from the database")
                )
            elif stored != line.get("hash"):
                result.findings.append(
                    Finding(
                        "mirror",
                        line.get("id"),
                        seq,
                        "the database's seal differs from the mirror's (the chain was rewritten)",
                    )
                )
            else:
                result.mirrored += 1
        top = max((line["seq"] for line in mirror if isinstance(line.get("seq"), int)), default=0)
        result.unmirrored = sum(1 for seq in by_seq if seq > top)
    result.findings.sort(
        key=lambda f: (f.seq if f.seq is not None else float("inf"), f.event_id if f.event_id is not None else 0)
    )
    return result


class AuditMirror:
    """The JSON-lines copy of every sealed event, appended outside the database after each commit.

    A line holds the seal and what the event is (seq, id, time, entity, action, hashes), never its
    reason: the mirror carries no personal data. Its path comes from the configuration file or the
    environment (``[audit] mirror`` / ``ATENSI_AUDIT_MIRROR``), never from the database."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def append(self, events: Iterable[Mapping[str, Any]]) -> None:
        lines = [
            json.dumps(
                {
                    "seq": e["seq"],
                    "id": e["id"],
                    "at": e["at"],
                    "entity": e["entity"],
                    "action": e["action"],
                    "prev_hash": e["prev_hash"],
                    "hash": e["hash"],
                },
                sort_keys=True,
            )
            + "\n"
            for e in events
        ]
        if not lines:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "a", encoding="utf-8") as handle:
            handle.writelines(lines)
            handle.flush()
            os.fsync(handle.fileno())

    def lines(self) -> list[dict[str, Any]]:
        """Every line (a torn last line from a crash is skipped)."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        found = []
        for line in text.splitlines():
            try:
                found.append(json.loads(line))
            except ValueError:
                continue
        return found


__all__ = ["AuditMirror", "CHAIN_LOCK", "Finding", "Verification", "event_hash", "reason_digest", "verify"]
