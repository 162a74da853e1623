"""The reminder job's queries, the reminder log, the work queues, and who gets told.

Every query that could grow with the country pages by keyset (``id > ? ORDER BY id LIMIT ?``) on
an index, so a run holds one page of rows at a time however large the database is. Filters that
SQL can apply cheaply (status, dates, already-logged once-only keys) are applied here; the rules
themselves live in ``bot.domain.reminder_rules``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from bot.domain.models import ProposalStatus, Role
from bot.domain.records import QueueItem
from bot.domain.reminder_rules import DigestItem, Item, Kind
from storage.client_changes import LEFT_LIST
from storage.db import Connection, Row, from_db_date, to_db_date, to_db_time

# The proposal with its IPWL: everything an Item needs.
_ITEM = (
    "SELECT p.id, p.id AS proposal_id, p.code, p.status, p.version, p.status_since AS since, p.lpj_due_on,"
    " i.id AS ipwl_id, i.code AS ipwl_code, i.province_code, i.team_id{extra}"
    " FROM proposals p JOIN ipwl i ON i.id = p.ipwl_id"
)
# Clients of a decreed proposal whose bank account is not (yet) usable (not those an SK perubahan
# took off the list: issue 16.6).
_MISSING_ACCOUNTS = (
    ", (SELECT count(*) FROM clients c LEFT JOIN bank_accounts b ON b.client_id = c.id"
    "   WHERE c.proposal_id = p.id AND (b.status IS NULL OR b.status IN ('missing', 'rejected'))"
    f"   AND NOT {LEFT_LIST.format(client='c.id')}) AS missing"
)


def _time(text: str) -> dt.datetime:
    """``storage.db``'s UTC text, parsed the fast way: the job reads tens of thousands per run."""
    return dt.datetime.fromisoformat(text)  # Python 3.11 reads the trailing "Z" as UTC


def _item(row: Row) -> Item:
    keys = set(row.keys())  # (asyncpg's keys() is an iterator: a second ``in`` would start mid-way)
    return Item(
        id=row["id"],
        proposal_id=row["proposal_id"],
        code=row["code"],
        status=ProposalStatus(row["status"]),
        ipwl_id=row["ipwl_id"],
        ipwl_code=row["ipwl_code"],
        province_code=row["province_code"],
        team_id=row["team_id"],
        since=_time(row["since"]),
        due_on=from_db_date(row["lpj_due_on"]),
        version=row["version"],
        missing=row["missing"] if "missing" in keys else 0,
        sp2d_on=from_db_date(row["sp2d_on"]) if "sp2d_on" in keys else None,
    )


class ReminderRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    # --- pages of candidates --------------------------------------------------------------------

    async def lpj_outstanding(
        self, status: ProposalStatus, *, after: int, limit: int, due_until: dt.date
    ) -> list[Item]:
        """Proposals owing an LPJ (paid / LPJ returned) due on or before ``due_until``."""
        rows = await self._conn.execute_fetchall(
            _ITEM.format(extra="") + " WHERE p.status = ? AND p.id > ? AND p.lpj_due_on IS NOT NULL"
            " AND p.lpj_due_on <= ? ORDER BY p.id LIMIT ?",
            (status.value, after, to_db_date(due_until), limit),
        )
        return [_item(r) for r in rows]

    async def waiting_since(self, status: ProposalStatus, *, after: int, limit: int, before: dt.datetime) -> list[Item]:
        """Proposals in ``status`` since ``before`` or earlier (returned, decreed)."""
        extra = _MISSING_ACCOUNTS if status == ProposalStatus.DECREED else ""
        rows = await self._conn.execute_fetchall(
            _ITEM.format(extra=extra) + " WHERE p.status = ? AND p.id > ? AND p.status_since <= ?"
            " ORDER BY p.id LIMIT ?",
            (status.value, after, to_db_time(before), limit),
        )
        return [_item(r) for r in rows]

    async def awaiting_transfer_results(self, *, after: int, limit: int, sp2d_before: dt.date) -> list[Item]:
        """Proposals whose SP2D is dated before ``sp2d_before`` and that still have a client whose
        transfer is not recorded as sent (``missing``: how many)."""
        rows = await self._conn.execute_fetchall(
            _ITEM.format(
                extra=", pm.sp2d_date AS sp2d_on, (SELECT count(*) FROM clients c LEFT JOIN transfers t"
                " ON t.client_id = c.id WHERE c.proposal_id = p.id AND (t.status IS NULL OR t.status != 'sent'))"
                " AS missing"
            )
            + " JOIN payments pm ON pm.proposal_id = p.id"
            " WHERE p.status = 'accounts_verified' AND p.id > ? AND pm.sp2d_date IS NOT NULL AND pm.sp2d_date < ?"
            " ORDER BY p.id LIMIT ?",
            (after, to_db_date(sp2d_before), limit),
        )
        return [_item(r) for r in rows]

    async def payment_orders_open(self) -> tuple[int, int]:
        """Finance's open payment orders (proposals with accounts verified and an SPM): (those
        without an SP2D yet, those with an SP2D whose transfer results are still missing)."""
        rows = await self._conn.execute_fetchall(
            "SELECT coalesce(sum(CASE WHEN pm.sp2d_number IS NULL THEN 1 ELSE 0 END), 0),"
            " coalesce(sum(CASE WHEN pm.sp2d_number IS NULL THEN 0 ELSE 1 END), 0)"
            " FROM payments pm JOIN proposals p ON p.id = pm.proposal_id WHERE p.status = 'accounts_verified'"
        )
        return int(rows[0][0]), int(rows[0][1])

    async def idle_drafts(self, *, after: int, limit: int, before: dt.datetime) -> list[Item]:
        """Proposal drafts untouched since ``before`` that have not been nudged yet."""
        rows = await self._conn.execute_fetchall(
            "SELECT p.id, p.id AS proposal_id, p.code, p.status, p.version, p.updated_at AS since, p.lpj_due_on,"
            " i.id AS ipwl_id, i.code AS ipwl_code, i.province_code, i.team_id"
            " FROM proposals p JOIN ipwl i ON i.id = p.ipwl_id"
            " WHERE p.status = 'draft' AND p.id > ? AND p.updated_at <= ?"
            " AND NOT EXISTS (SELECT 1 FROM reminder_log r WHERE r.key = ? || p.id)"
            " ORDER BY p.id LIMIT ?",
            (after, to_db_time(before), f"{Kind.DRAFT_IDLE}:", limit),
        )
        return [_item(r) for r in rows]

    async def idle_lpj_drafts(self, *, after: int, limit: int, before: dt.datetime) -> list[Item]:
        """LPJ drafts (proposal paid or LPJ returned) untouched since ``before``, not nudged yet.
        The item id is the LPJ's."""
        rows = await self._conn.execute_fetchall(
            "SELECT l.id, p.id AS proposal_id, p.code, p.status, l.version, l.updated_at AS since, p.lpj_due_on,"
            " i.id AS ipwl_id, i.code AS ipwl_code, i.province_code, i.team_id"
            " FROM lpj l JOIN proposals p ON p.id = l.proposal_id JOIN ipwl i ON i.id = p.ipwl_id"
            " WHERE l.id > ? AND l.updated_at <= ? AND p.status IN ('paid', 'lpj_returned')"
            " AND NOT EXISTS (SELECT 1 FROM reminder_log r WHERE r.key = ? || l.id || ':v' || l.version)"
            " ORDER BY l.id LIMIT ?",
            (after, to_db_time(before), f"{Kind.LPJ_DRAFT_IDLE}:", limit),
        )
        return [_item(r) for r in rows]

    async def teams_with_group(self, *, after: int, limit: int) -> list[tuple[int, str, int]]:
        """(team id, code, group chat id) of teams with a bound group."""
        rows = await self._conn.execute_fetchall(
            "SELECT id, code, group_chat_id FROM pic_teams WHERE group_chat_id IS NOT NULL AND id > ?"
            " ORDER BY id LIMIT ?",
            (after, limit),
        )
        return [(r[0], r[1], r[2]) for r in rows]

    # --- the log --------------------------------------------------------------------------------

    async def logged(self, keys: Sequence[str]) -> set[str]:
        """Which of ``keys`` are already in the log (a fast path; ``log`` is the real guard)."""
        found: set[str] = set()
        for start in range(0, len(keys), 500):  # stay far below SQLite's bound-parameter limit
            chunk = keys[start : start + 500]
            marks = ",".join("?" for _ in chunk)
            rows = await self._conn.execute_fetchall(f"SELECT key FROM reminder_log WHERE key IN ({marks})", chunk)
            found.update(r[0] for r in rows)
        return found

    async def claim(self, keys: Sequence[str], now: dt.datetime) -> set[str]:
        """Insert the keys into the log; return those THIS call inserted. The primary key makes
        the claim atomic: of two runs (or instances) claiming a key, exactly one gets it back."""
        won: set[str] = set()
        stamp = to_db_time(now)
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            rows = await self._conn.execute_fetchall(
                f"INSERT INTO reminder_log (key, sent_at) VALUES {','.join('(?, ?)' for _ in chunk)}"
                " ON CONFLICT (key) DO NOTHING RETURNING key",
                [value for key in chunk for value in (key, stamp)],
            )
            won.update(r[0] for r in rows)
        return won

    # --- queues and digests (bounded: counts, and the oldest few) ----------------------------------

    @staticmethod
    def _scope(team_id: int | None, ipwl_ids: Sequence[int] | None) -> tuple[str, list[object]]:
        if team_id is not None:
            return " AND i.team_id = ?", [team_id]
        if ipwl_ids is not None:
            return f" AND p.ipwl_id IN ({','.join('?' for _ in ipwl_ids) or 'NULL'})", list(ipwl_ids)
        return "", []

    async def queue_counts(
        self, statuses: Sequence[ProposalStatus], *, team_id: int | None = None, ipwl_ids: Sequence[int] | None = None
    ) -> dict[ProposalStatus, int]:
        scope, args = self._scope(team_id, ipwl_ids)
        marks = ",".join("?" for _ in statuses)
        rows = await self._conn.execute_fetchall(
            f"SELECT p.status, count(*) FROM proposals p JOIN ipwl i ON i.id = p.ipwl_id"
            f" WHERE p.status IN ({marks}){scope} GROUP BY p.status",
            [*(s.value for s in statuses), *args],
        )
        return {ProposalStatus(r[0]): r[1] for r in rows}

    async def queue_oldest(
        self,
        statuses: Sequence[ProposalStatus],
        *,
        limit: int,
        team_id: int | None = None,
        ipwl_ids: Sequence[int] | None = None,
    ) -> list[QueueItem]:
        """The ``limit`` items waiting longest (oldest first)."""
        scope, args = self._scope(team_id, ipwl_ids)
        marks = ",".join("?" for _ in statuses)
        rows = await self._conn.execute_fetchall(
            f"SELECT p.id, p.code, i.code AS ipwl_code, p.status, p.status_since, p.lpj_due_on"
            f" FROM proposals p JOIN ipwl i ON i.id = p.ipwl_id WHERE p.status IN ({marks}){scope}"
            f" ORDER BY p.status_since, p.id LIMIT ?",
            [*(s.value for s in statuses), *args, limit],
        )
        return [QueueItem(r[0], r[1], r[2], ProposalStatus(r[3]), _time(r[4]), from_db_date(r[5])) for r in rows]

    async def overdue_lpj_count(self, today: dt.date, *, team_id: int | None = None) -> int:
        scope, args = self._scope(team_id, None)
        rows = await self._conn.execute_fetchall(
            "SELECT count(*) FROM proposals p JOIN ipwl i ON i.id = p.ipwl_id"
            f" WHERE p.status IN ('paid', 'lpj_returned') AND p.lpj_due_on < ?{scope}",
            [to_db_date(today), *args],
        )
        return rows[0][0]


def as_digest_items(items: Iterable[QueueItem]) -> list[DigestItem]:
    return [DigestItem(i.code, i.ipwl_code, i.status, i.since) for i in items]


class AudienceRepository:
    """Who a notification goes to: private chats of people who started the bot, group chats of teams."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def operator_chats(self, ipwl_ids: Iterable[int]) -> dict[int, list[tuple[int, int]]]:
        """IPWL id → [(person id, private chat id)] of its operators who can be written to."""
        ids = sorted(set(ipwl_ids))
        if not ids:
            return {}
        marks = ",".join("?" for _ in ids)
        rows = await self._conn.execute_fetchall(
            "SELECT g.ipwl_id, p.id, p.telegram_user_id FROM grants g JOIN people p ON p.id = g.person_id"
            f" WHERE g.role = 'operator' AND g.ipwl_id IN ({marks}) AND g.revoked_at IS NULL"
            " AND p.revoked_at IS NULL AND p.private_chat_started = TRUE ORDER BY p.id",
            ids,
        )
        found: dict[int, list[tuple[int, int]]] = {}
        for r in rows:
            found.setdefault(r[0], []).append((r[1], r[2]))
        return found

    async def role_chats(self, role: Role) -> list[tuple[int, int]]:
        """[(person id, private chat id)] of everyone holding a centre-wide ``role`` who can be written to."""
        rows = await self._conn.execute_fetchall(
            "SELECT DISTINCT p.id, p.telegram_user_id FROM grants g JOIN people p ON p.id = g.person_id"
            " WHERE g.role = ? AND g.revoked_at IS NULL AND p.revoked_at IS NULL AND p.private_chat_started = TRUE"
            " ORDER BY p.id",
            (role.value,),
        )
        return [(r[0], r[1]) for r in rows]

    async def team_chats(self, team_ids: Iterable[int]) -> dict[int, int]:
        ids = sorted(set(team_ids))
        if not ids:
            return {}
        marks = ",".join("?" for _ in ids)
        rows = await self._conn.execute_fetchall(
            f"SELECT id, group_chat_id FROM pic_teams WHERE id IN ({marks}) AND group_chat_id IS NOT NULL", ids
        )
        return {r[0]: r[1] for r in rows}

    async def person_chat(self, person_id: int) -> int | None:
        """The private chat of a person who has started the bot, else None."""
        rows = await self._conn.execute_fetchall(
            "SELECT telegram_user_id FROM people WHERE id = ? AND private_chat_started = TRUE AND revoked_at IS NULL",
            (person_id,),
        )
        return rows[0][0] if rows else None
