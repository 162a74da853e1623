"""Post-payment verification (issue 16.4): each proposal's recorded draw and the checks it made.

The checks hold ids and amounts only; the client's name and phone are read from ``clients``
(sealed there) for the PIC's private card.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from storage.db import Connection, Row, from_db_time, to_db_time
from storage.sealing import Sealer


@dataclass(frozen=True)
class DrawRow:
    proposal_id: int
    seed: str
    share: float
    minimum: int
    population: int
    drawn_at: dt.datetime


@dataclass(frozen=True)
class CheckRow:
    id: int
    proposal_id: int
    proposal_code: str
    ipwl_id: int
    ipwl_code: str
    team_id: int | None
    client_id: int
    client_position: int
    client_name: str
    client_phone: str | None
    expected_amount: int
    status: str
    received_amount: int | None
    checked_by_name: str | None
    checked_at: dt.datetime | None
    complaint_ticket: str | None
    attempts: int = 0  # calls that did not get through while the check stayed open
    last_attempt_by_name: str | None = None
    last_attempt_at: dt.datetime | None = None
    ipwl_name: str = ""  # the PIC asks its operator for a phone number the proposal lacks


@dataclass(frozen=True)
class CheckCard:
    """One PIC's copy of a check's card, as delivered (edited once the check is answered)."""

    chat_id: int
    message_id: int
    person_id: int | None


@dataclass(frozen=True)
class IpwlCoverage:
    """One IPWL's checks so far: paid clients, sampled, answered, unreachable, mismatches."""

    ipwl_code: str
    paid_clients: int
    sampled: int
    answered: int
    unreachable: int
    mismatches: int


_SELECT = (
    "SELECT k.*, p.code AS proposal_code, p.ipwl_id, i.code AS ipwl_code, i.name AS ipwl_name, i.team_id,"
    " c.position, c.full_name,"
    " c.phone, pe.full_name AS checked_by_name, pa.full_name AS last_attempt_by_name FROM payment_checks k"
    " JOIN proposals p ON p.id = k.proposal_id JOIN ipwl i ON i.id = p.ipwl_id JOIN clients c ON c.id = k.client_id"
    " LEFT JOIN people pe ON pe.id = k.checked_by LEFT JOIN people pa ON pa.id = k.last_attempt_by"
)


class PaymentCheckRepository:
    def __init__(self, conn: Connection, keys: Sealer) -> None:
        self._conn = conn
        self._keys = keys

    def _row(self, r: Row) -> CheckRow:
        return CheckRow(
            id=r["id"],
            proposal_id=r["proposal_id"],
            proposal_code=r["proposal_code"],
            ipwl_id=r["ipwl_id"],
            ipwl_code=r["ipwl_code"],
            team_id=r["team_id"],
            client_id=r["client_id"],
            client_position=r["position"],
            client_name=self._keys.open(r["full_name"], "clients", "full_name"),
            client_phone=self._keys.open(r["phone"], "clients", "phone"),
            expected_amount=int(r["expected_amount"]),
            status=r["status"],
            received_amount=None if r["received_amount"] is None else int(r["received_amount"]),
            checked_by_name=r["checked_by_name"],
            checked_at=from_db_time(r["checked_at"]),
            complaint_ticket=r["complaint_ticket"],
            attempts=int(r["attempts"]),
            last_attempt_by_name=r["last_attempt_by_name"],
            last_attempt_at=from_db_time(r["last_attempt_at"]) if r["last_attempt_at"] else None,
            ipwl_name=r["ipwl_name"],
        )

    async def record_draw(
        self, proposal_id: int, *, seed: str, share: float, minimum: int, population: int, now: dt.datetime
    ) -> bool:
        """The draw of a proposal, once (False: it was drawn already)."""
        row = await self._conn.fetchone(
            "INSERT INTO payment_check_draws (proposal_id, seed, share_permille, minimum, population, drawn_at)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (proposal_id) DO NOTHING RETURNING proposal_id",
            (proposal_id, seed, round(share * 1000), minimum, population, to_db_time(now)),
        )
        return row is not None

    async def draw_of(self, proposal_id: int) -> DrawRow | None:
        r = await self._conn.fetchone("SELECT * FROM payment_check_draws WHERE proposal_id = ?", (proposal_id,))
        if r is None:
            return None
        return DrawRow(
            r["proposal_id"],
            r["seed"],
            r["share_permille"] / 1000,
            r["minimum"],
            r["population"],
            from_db_time(r["drawn_at"]),
        )

    async def add(self, proposal_id: int, client_id: int, expected_amount: int) -> int:
        row = await self._conn.fetchone(
            "INSERT INTO payment_checks (proposal_id, client_id, expected_amount) VALUES (?, ?, ?) RETURNING id",
            (proposal_id, client_id, expected_amount),
        )
        assert row is not None
        return int(row[0])

    async def by_id(self, check_id: int) -> CheckRow | None:
        r = await self._conn.fetchone(_SELECT + " WHERE k.id = ?", (check_id,))
        return None if r is None else self._row(r)

    async def of_proposal(self, proposal_id: int) -> list[CheckRow]:
        rows = await self._conn.execute_fetchall(
            _SELECT + " WHERE k.proposal_id = ? ORDER BY c.position", (proposal_id,)
        )
        return [self._row(r) for r in rows]

    async def pending_of_team(self, team_id: int) -> int:
        row = await self._conn.fetchone(
            "SELECT count(*) FROM payment_checks k JOIN proposals p ON p.id = k.proposal_id"
            " JOIN ipwl i ON i.id = p.ipwl_id WHERE k.status = 'pending' AND i.team_id = ?",
            (team_id,),
        )
        return int(row[0]) if row else 0

    async def answer(self, check_id: int, status: str, received_amount: int | None, by: int, now: dt.datetime) -> bool:
        """Record the answer (compare-and-set: only while pending)."""
        cursor = await self._conn.execute(
            "UPDATE payment_checks SET status = ?, received_amount = ?, checked_by = ?, checked_at = ?"
            " WHERE id = ? AND status = 'pending'",
            (status, received_amount, by, to_db_time(now), check_id),
        )
        return cursor.rowcount == 1

    async def record_attempt(self, check_id: int, attempts_before: int, by: int, now: dt.datetime) -> bool:
        """One more call that did not get through, the check staying open (compare-and-set on the
        count read, so a double tap or two PICs at once count one call)."""
        cursor = await self._conn.execute(
            "UPDATE payment_checks SET attempts = attempts + 1, last_attempt_by = ?, last_attempt_at = ?"
            " WHERE id = ? AND status = 'pending' AND attempts = ?",
            (by, to_db_time(now), check_id, attempts_before),
        )
        return cursor.rowcount == 1

    async def remember_card(self, check_id: int, chat_id: int, message_id: int, person_id: int | None) -> None:
        await self._conn.execute(
            "INSERT INTO payment_check_cards (check_id, chat_id, message_id, person_id) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (check_id, chat_id, message_id) DO NOTHING",
            (check_id, chat_id, message_id, person_id),
        )

    async def cards_of(self, check_id: int) -> list[CheckCard]:
        rows = await self._conn.execute_fetchall(
            "SELECT chat_id, message_id, person_id FROM payment_check_cards WHERE check_id = ?"
            " ORDER BY chat_id, message_id",
            (check_id,),
        )
        return [CheckCard(int(r[0]), int(r[1]), r[2]) for r in rows]

    async def mismatches_of(self, ipwl_id: int) -> int:
        """How many of the IPWL's checked clients said they got less than paid, or nothing."""
        row = await self._conn.fetchone(
            "SELECT count(*) FROM payment_checks k JOIN proposals p ON p.id = k.proposal_id"
            " WHERE p.ipwl_id = ? AND k.status IN ('less', 'none')",
            (ipwl_id,),
        )
        return int(row[0]) if row else 0

    async def set_ticket(self, check_id: int, ticket: str) -> None:
        await self._conn.execute("UPDATE payment_checks SET complaint_ticket = ? WHERE id = ?", (ticket, check_id))

    async def coverage(self) -> list[IpwlCoverage]:
        """Per IPWL with paid clients: how many were sampled, answered, unreachable, mismatched."""
        rows = await self._conn.execute_fetchall(
            "SELECT i.code,"
            " (SELECT count(*) FROM transfers t JOIN clients c ON c.id = t.client_id JOIN proposals p"
            "  ON p.id = c.proposal_id WHERE p.ipwl_id = i.id AND t.status = 'sent') AS paid,"
            " count(k.id) AS sampled,"
            " coalesce(sum(CASE WHEN k.status IN ('full', 'less', 'none') THEN 1 ELSE 0 END), 0) AS answered,"
            " coalesce(sum(CASE WHEN k.status = 'unreachable' THEN 1 ELSE 0 END), 0) AS unreachable,"
            " coalesce(sum(CASE WHEN k.status IN ('less', 'none') THEN 1 ELSE 0 END), 0) AS mismatches"
            " FROM ipwl i JOIN proposals p ON p.ipwl_id = i.id JOIN payment_checks k ON k.proposal_id = p.id"
            " GROUP BY i.id, i.code ORDER BY i.code"
        )
        return [IpwlCoverage(r[0], int(r[1]), int(r[2]), int(r[3]), int(r[4]), int(r[5])) for r in rows]
