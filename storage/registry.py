"""PIC teams and IPWL: the registry of who assists whom."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from bot.domain.models import Ipwl, Team
from bot.domain.records import NewIpwl
from storage.db import Connection, Row, from_db_date, to_db_date, to_db_time


def _team(row: Row, prefix: str = "") -> Team:
    """The team of ``row``; ``prefix``: its columns as a join names them (``team_id``, ``team_code``, …)."""
    return Team(
        id=row[f"{prefix}id"],
        code=row[f"{prefix}code"],
        name=row[f"{prefix}name"],
        group_chat_id=row[f"{prefix}group_chat_id"],
    )


def _ipwl(row: Row) -> Ipwl:
    return Ipwl(
        id=row["id"],
        code=row["code"],
        name=row["name"],
        province_code=row["province_code"],
        regency=row["regency"],
        address=row["address"],
        pks_number=row["pks_number"],
        pks_valid_from=from_db_date(row["pks_valid_from"]),
        pks_valid_until=from_db_date(row["pks_valid_until"]),
        team_id=row["team_id"],
        active=bool(row["active"]),
    )


class TeamRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def create(self, code: str, name: str, now: dt.datetime) -> Team:
        team_id = await self._conn.fetchval(
            "INSERT INTO pic_teams (code, name, created_at) VALUES (?, ?, ?) RETURNING id",
            (code, name, to_db_time(now)),
        )
        return Team(id=int(team_id), code=code, name=name)

    async def by_code(self, code: str) -> Team | None:
        rows = await self._conn.execute_fetchall("SELECT * FROM pic_teams WHERE lower(code) = lower(?)", (code,))
        return _team(rows[0]) if rows else None

    async def by_id(self, team_id: int) -> Team | None:
        rows = await self._conn.execute_fetchall("SELECT * FROM pic_teams WHERE id = ?", (team_id,))
        return _team(rows[0]) if rows else None

    async def by_group_chat(self, chat_id: int) -> Team | None:
        rows = await self._conn.execute_fetchall("SELECT * FROM pic_teams WHERE group_chat_id = ?", (chat_id,))
        return _team(rows[0]) if rows else None

    async def all(self) -> list[Team]:
        rows = await self._conn.execute_fetchall("SELECT * FROM pic_teams ORDER BY code")
        return [_team(row) for row in rows]

    async def bind_group(self, team_id: int, chat_id: int) -> None:
        # A group serves one team: unbind it from any other team first.
        await self._conn.execute(
            "UPDATE pic_teams SET group_chat_id = NULL WHERE group_chat_id = ? AND id != ?",
            (chat_id, team_id),
        )
        await self._conn.execute("UPDATE pic_teams SET group_chat_id = ? WHERE id = ?", (chat_id, team_id))

    async def ipwl_counts(self) -> dict[int, int]:
        rows = await self._conn.execute_fetchall(
            "SELECT team_id, count(*) FROM ipwl WHERE team_id IS NOT NULL GROUP BY team_id"
        )
        return {row[0]: row[1] for row in rows}


class IpwlRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def by_code(self, code: str) -> Ipwl | None:
        rows = await self._conn.execute_fetchall("SELECT * FROM ipwl WHERE lower(code) = lower(?)", (code,))
        return _ipwl(rows[0]) if rows else None

    async def by_id(self, ipwl_id: int) -> Ipwl | None:
        rows = await self._conn.execute_fetchall("SELECT * FROM ipwl WHERE id = ?", (ipwl_id,))
        return _ipwl(rows[0]) if rows else None

    async def with_teams(self, ipwl_ids: Sequence[int]) -> list[tuple[Ipwl, Team | None]]:
        """The IPWL of ``ipwl_ids`` that are there, lowest id first, each with its PIC team (None:
        none assigned yet), in one statement: an operator's /status asks for it every time."""
        if not ipwl_ids:
            return []
        marks = ",".join("?" for _ in ipwl_ids)
        rows = await self._conn.execute_fetchall(
            "SELECT i.*, t.code AS team_code, t.name AS team_name, t.group_chat_id AS team_group_chat_id"
            f" FROM ipwl i LEFT JOIN pic_teams t ON t.id = i.team_id WHERE i.id IN ({marks}) ORDER BY i.id",
            list(ipwl_ids),
        )
        return [
            (
                _ipwl(row),
                None if row["team_code"] is None else _team(row, "team_"),
            )
            for row in rows
        ]

    async def existing_codes(self, codes: Sequence[str]) -> set[str]:
        if not codes:
            return set()
        marks = ",".join("?" for _ in codes)
        rows = await self._conn.execute_fetchall(
            f"SELECT lower(code) FROM ipwl WHERE lower(code) IN ({marks})",
            [c.lower() for c in codes],
        )
        return {row[0] for row in rows}

    async def create_many(self, items: Sequence[NewIpwl], now: dt.datetime) -> None:
        stamp = to_db_time(now)
        await self._conn.executemany(
            "INSERT INTO ipwl (code, name, province_code, regency, address, pks_number,"
            " pks_valid_from, pks_valid_until, team_id, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    i.code,
                    i.name,
                    i.province_code,
                    i.regency,
                    i.address,
                    i.pks_number,
                    to_db_date(i.pks_valid_from),
                    to_db_date(i.pks_valid_until),
                    i.team_id,
                    stamp,
                    stamp,
                )
                for i in items
            ],
        )

    async def all(self) -> list[Ipwl]:
        rows = await self._conn.execute_fetchall("SELECT * FROM ipwl ORDER BY code")
        return [_ipwl(row) for row in rows]
