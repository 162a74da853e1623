"""People, their role grants, and single-use invites."""

from __future__ import annotations

import datetime as dt

from bot.domain.models import Grant, Invite, LapsingGrant, Person, Role
from bot.domain.records import MenuRow
from storage.db import Connection, Row, from_db_time, to_db_time


def _person(row: Row) -> Person:
    return Person(
        id=row["id"],
        telegram_user_id=row["telegram_user_id"],
        full_name=row["full_name"],
        locale=row["locale"],
        private_chat_started=bool(row["private_chat_started"]),
        revoked=row["revoked_at"] is not None,
    )


def _lapsing(row: Row) -> LapsingGrant:
    return LapsingGrant(
        row["id"],
        row["person_id"],
        row["full_name"],
        Role(row["role"]),
        row["ipwl"] or row["team"],
        from_db_time(row["valid_until"]),
    )


def _invite(row: Row) -> Invite:
    return Invite(
        id=row["id"],
        token=row["token"],
        role=Role(row["role"]),
        ipwl_id=row["ipwl_id"],
        team_id=row["team_id"],
        created_at=from_db_time(row["created_at"]),
        expires_at=from_db_time(row["expires_at"]),
        used_at=from_db_time(row["used_at"]),
        used_by=row["used_by"],
        grant_valid_until=from_db_time(row["grant_valid_until"]),
    )


class PeopleRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def by_telegram_id(self, telegram_user_id: int) -> Person | None:
        rows = await self._conn.execute_fetchall("SELECT * FROM people WHERE telegram_user_id = ?", (telegram_user_id,))
        return _person(rows[0]) if rows else None

    async def with_grants(
        self, telegram_user_id: int, now: dt.datetime
    ) -> tuple[Person | None, frozenset[Grant], dict[int, str | None]]:
        """The person, the grants in force (as :meth:`grants` with ``now``) and the province of each
        IPWL they operate (None: not recorded, or the IPWL is gone; it sets the zone they read times
        in), in one statement: this runs for every update, and each statement is a round trip to
        the database."""
        rows = await self._conn.execute_fetchall(
            "SELECT p.id, p.telegram_user_id, p.full_name, p.locale, p.private_chat_started, p.revoked_at,"
            " g.role AS grant_role, g.ipwl_id AS grant_ipwl_id, g.team_id AS grant_team_id,"
            " i.province_code AS grant_province_code"
            " FROM people p LEFT JOIN grants g ON g.person_id = p.id AND g.revoked_at IS NULL"
            " AND p.revoked_at IS NULL AND (g.valid_until IS NULL OR g.valid_until > ?)"
            " LEFT JOIN ipwl i ON i.id = g.ipwl_id AND g.role = ?"
            " WHERE p.telegram_user_id = ?",
            (to_db_time(now), Role.OPERATOR.value, telegram_user_id),
        )
        if not rows:
            return None, frozenset(), {}
        grants = frozenset(
            Grant(Role(r["grant_role"]), r["grant_ipwl_id"], r["grant_team_id"])
            for r in rows
            if r["grant_role"] is not None
        )
        provinces = {
            r["grant_ipwl_id"]: r["grant_province_code"]
            for r in rows
            if r["grant_role"] == Role.OPERATOR.value and r["grant_ipwl_id"]
        }
        return _person(rows[0]), grants, provinces

    async def by_id(self, person_id: int) -> Person | None:
        rows = await self._conn.execute_fetchall("SELECT * FROM people WHERE id = ?", (person_id,))
        return _person(rows[0]) if rows else None

    async def upsert(self, telegram_user_id: int, full_name: str, now: dt.datetime, *, started: bool = False) -> Person:
        """Create the person on first contact; keep the Telegram display name current."""
        await self._conn.execute(
            "INSERT INTO people (telegram_user_id, full_name, private_chat_started, created_at)"
            " VALUES (?, ?, ?, ?)"
            " ON CONFLICT (telegram_user_id) DO UPDATE SET full_name = excluded.full_name,"
            " private_chat_started = (people.private_chat_started OR excluded.private_chat_started)",
            (telegram_user_id, full_name, bool(started), to_db_time(now)),
        )
        person = await self.by_telegram_id(telegram_user_id)
        assert person is not None
        return person

    async def set_locale(self, person_id: int, locale: str) -> None:
        await self._conn.execute("UPDATE people SET locale = ? WHERE id = ?", (locale, person_id))

    async def grants(self, person_id: int, now: dt.datetime | None = None) -> frozenset[Grant]:
        """The person's grants in force: not revoked, and (given ``now``) not past their expiry."""
        sql = (
            "SELECT g.role, g.ipwl_id, g.team_id FROM grants g JOIN people p ON p.id = g.person_id"
            " WHERE g.person_id = ? AND g.revoked_at IS NULL AND p.revoked_at IS NULL"
        )
        if now is None:
            rows = await self._conn.execute_fetchall(sql, (person_id,))
        else:
            rows = await self._conn.execute_fetchall(
                sql + " AND (g.valid_until IS NULL OR g.valid_until > ?)", (person_id, to_db_time(now))
            )
        return frozenset(Grant(Role(r["role"]), r["ipwl_id"], r["team_id"]) for r in rows)

    async def ever_held(self, person_id: int, role: Role) -> bool:
        """Whether the person holds or ever held ``role`` (a revoked grant counts)."""
        rows = await self._conn.execute_fetchall(
            "SELECT 1 FROM grants WHERE person_id = ? AND role = ? LIMIT 1", (person_id, role.value)
        )
        return bool(rows)

    async def add_grant(
        self, person_id: int, grant: Grant, now: dt.datetime, valid_until: dt.datetime | None = None
    ) -> bool:
        """Add a grant unless the person already holds it; True when added. The person's row is held
        meanwhile, so two invitations redeemed at once never grant the same role twice."""
        await self._conn.lock_row("people", person_id)
        existing = await self._conn.execute_fetchall(
            "SELECT 1 FROM grants WHERE person_id = ? AND role = ? AND ipwl_id IS NOT DISTINCT FROM ?"
            " AND team_id IS NOT DISTINCT FROM ? AND revoked_at IS NULL",
            (person_id, grant.role.value, grant.ipwl_id, grant.team_id),
        )
        if existing:
            return False
        await self._conn.execute(
            "INSERT INTO grants (person_id, role, ipwl_id, team_id, granted_at, valid_until) VALUES (?, ?, ?, ?, ?, ?)",
            (
                person_id,
                grant.role.value,
                grant.ipwl_id,
                grant.team_id,
                to_db_time(now),
                None if valid_until is None else to_db_time(valid_until),
            ),
        )
        return True

    async def grants_lapsing(self, now: dt.datetime, before: dt.datetime, limit: int = 200) -> list[LapsingGrant]:
        """Grants in force whose expiry falls before ``before`` and whose admins were not told yet."""
        rows = await self._conn.execute_fetchall(
            "SELECT g.id, g.person_id, p.full_name, g.role, i.code AS ipwl, t.code AS team, g.valid_until"
            " FROM grants g JOIN people p ON p.id = g.person_id LEFT JOIN ipwl i ON i.id = g.ipwl_id"
            " LEFT JOIN pic_teams t ON t.id = g.team_id"
            " WHERE g.revoked_at IS NULL AND p.revoked_at IS NULL AND g.valid_until IS NOT NULL"
            " AND g.valid_until > ? AND g.valid_until <= ? AND g.expiry_reminded_at IS NULL ORDER BY g.id LIMIT ?",
            (to_db_time(now), to_db_time(before), limit),
        )
        return [_lapsing(r) for r in rows]

    async def count_lapsing(self, now: dt.datetime, before: dt.datetime) -> int:
        """Grants in force that lapse before ``before`` (reminded or not)."""
        return int(
            await self._conn.fetchval(
                "SELECT count(*) FROM grants g JOIN people p ON p.id = g.person_id WHERE g.revoked_at IS NULL"
                " AND p.revoked_at IS NULL AND g.valid_until IS NOT NULL AND g.valid_until > ? AND g.valid_until <= ?",
                (to_db_time(now), to_db_time(before)),
            )
        )

    async def lapsing_grant(self, grant_id: int) -> LapsingGrant | None:
        """One grant with an expiry, as the reminder names it (None: revoked since, or no expiry)."""
        row = await self._conn.fetchone(
            "SELECT g.id, g.person_id, p.full_name, g.role, i.code AS ipwl, t.code AS team, g.valid_until"
            " FROM grants g JOIN people p ON p.id = g.person_id LEFT JOIN ipwl i ON i.id = g.ipwl_id"
            " LEFT JOIN pic_teams t ON t.id = g.team_id"
            " WHERE g.id = ? AND g.revoked_at IS NULL AND p.revoked_at IS NULL AND g.valid_until IS NOT NULL",
            (grant_id,),
        )
        return None if row is None else _lapsing(row)

    async def mark_expiry_reminded(self, grant_id: int, now: dt.datetime) -> bool:
        """Compare-and-set: True only for the run that reminds (two bot instances remind once)."""
        cursor = await self._conn.execute(
            "UPDATE grants SET expiry_reminded_at = ? WHERE id = ? AND expiry_reminded_at IS NULL",
            (to_db_time(now), grant_id),
        )
        return cursor.rowcount == 1

    async def admin_chat_ids(self) -> list[int]:
        """Private chats of admins who can be written to: active admin grants (the configuration's
        admins hold one since their first contact) of people who have started the bot — Telegram
        refuses a chat nobody opened."""
        rows = await self._conn.execute_fetchall(
            "SELECT DISTINCT p.telegram_user_id FROM people p JOIN grants g ON g.person_id = p.id"
            " AND g.role = 'admin' AND g.revoked_at IS NULL"
            " WHERE p.revoked_at IS NULL AND p.private_chat_started = TRUE"
        )
        return sorted(row[0] for row in rows)

    async def menu_rows(self, after_id: int, limit: int) -> list[MenuRow]:
        """People who opened a private chat with the bot (a page, by id), with their active roles
        and the fingerprint of the command menu last published to them."""
        rows = await self._conn.execute_fetchall(
            "SELECT p.id, p.telegram_user_id, p.locale, p.revoked_at IS NOT NULL AS revoked, p.menu_published"
            " FROM people p WHERE p.private_chat_started = TRUE AND p.id > ? ORDER BY p.id LIMIT ?",
            (after_id, limit),
        )
        roles: dict[int, set[Role]] = {r["id"]: set() for r in rows}
        if roles:
            marks = ",".join("?" for _ in roles)
            for person_id, role in await self._conn.execute_fetchall(
                f"SELECT person_id, role FROM grants WHERE revoked_at IS NULL AND person_id IN ({marks})",
                list(roles),
            ):
                roles[person_id].add(Role(role))
        return [
            MenuRow(
                r["id"],
                r["telegram_user_id"],
                r["locale"],
                bool(r["revoked"]),
                frozenset(roles[r["id"]]),
                r["menu_published"],
            )
            for r in rows
        ]

    async def set_menu_published(self, person_id: int, fingerprint: str | None) -> None:
        await self._conn.execute("UPDATE people SET menu_published = ? WHERE id = ?", (fingerprint, person_id))

    async def operators_of(self, ipwl_id: int) -> list[Person]:
        rows = await self._conn.execute_fetchall(
            "SELECT p.* FROM people p JOIN grants g ON g.person_id = p.id"
            " WHERE g.role = 'operator' AND g.ipwl_id = ? AND g.revoked_at IS NULL"
            " AND p.revoked_at IS NULL ORDER BY p.id",
            (ipwl_id,),
        )
        return [_person(row) for row in rows]


class InviteRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def create(
        self,
        token: str,
        role: Role,
        *,
        ipwl_id: int | None,
        team_id: int | None,
        created_by: int | None,
        now: dt.datetime,
        expires_at: dt.datetime,
        grant_valid_until: dt.datetime | None = None,
    ) -> Invite:
        invite_id = await self._conn.fetchval(
            "INSERT INTO invites (token, role, ipwl_id, team_id, created_by, created_at, expires_at, grant_valid_until)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (
                token,
                role.value,
                ipwl_id,
                team_id,
                created_by,
                to_db_time(now),
                to_db_time(expires_at),
                None if grant_valid_until is None else to_db_time(grant_valid_until),
            ),
        )
        return Invite(
            id=int(invite_id),
            token=token,
            role=role,
            ipwl_id=ipwl_id,
            team_id=team_id,
            created_at=now,
            expires_at=expires_at,
            grant_valid_until=grant_valid_until,
        )

    async def by_token(self, token: str) -> Invite | None:
        rows = await self._conn.execute_fetchall("SELECT * FROM invites WHERE token = ?", (token,))
        return _invite(rows[0]) if rows else None

    async def mark_used(self, invite_id: int, person_id: int, now: dt.datetime) -> bool:
        """Compare-and-set: only the first redemption wins."""
        cursor = await self._conn.execute(
            "UPDATE invites SET used_at = ?, used_by = ? WHERE id = ? AND used_at IS NULL",
            (to_db_time(now), person_id, invite_id),
        )
        return cursor.rowcount == 1
