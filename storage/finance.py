"""Steps b–d after submission: group cards, decrees (SK), bank accounts, payments and transfers.

Also the few staff look-ups these steps need (who holds a role, the proposals waiting in a
status), so the services never see SQL.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence

from bot.domain.models import (
    BankAccount,
    BankAccountStatus,
    Decree,
    GroupCard,
    Payment,
    Person,
    ProposalStatus,
    Role,
    Transfer,
    TransferStatus,
)
from bot.domain.records import AccountShare, StaffSummary
from storage.db import Connection, Row, from_db_date, from_db_time, to_db_date, to_db_time
from storage.nik_conflicts import CONFIRMED, HELD
from storage.people import _person
from storage.sealing import Sealer


class GroupCardRepository:
    """Which group message shows which proposal (one current card per proposal and chat)."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def get(self, proposal_id: int, chat_id: int) -> GroupCard | None:
        rows = await self._conn.execute_fetchall(
            "SELECT * FROM group_cards WHERE proposal_id = ? AND chat_id = ?", (proposal_id, chat_id)
        )
        return (
            GroupCard(rows[0]["proposal_id"], rows[0]["chat_id"], rows[0]["message_id"], rows[0]["version"])
            if rows
            else None
        )

    async def remember(self, proposal_id: int, chat_id: int, message_id: int, version: int) -> None:
        await self._conn.execute(
            "INSERT INTO group_cards (proposal_id, chat_id, message_id, version) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (proposal_id, chat_id) DO UPDATE SET message_id = excluded.message_id,"
            " version = excluded.version",
            (proposal_id, chat_id, message_id, version),
        )

    async def revision(self, proposal_code: str) -> int:
        """How many times the proposal changed (its audit events): a fresh key per card edit."""
        rows = await self._conn.execute_fetchall(
            "SELECT count(*) FROM audit_events WHERE entity = 'proposal' AND entity_id = ?", (proposal_code,)
        )
        return int(rows[0][0])


class StaffRepository:
    """Who holds a role, and what waits for staff."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def holding(self, role: Role, *, team_id: int | None = None) -> list[Person]:
        """People with ``role`` (of ``team_id`` for PIC) who can be written to privately."""
        rows = await self._conn.execute_fetchall(
            "SELECT DISTINCT p.* FROM people p JOIN grants g ON g.person_id = p.id"
            " WHERE g.role = ? AND g.revoked_at IS NULL AND p.revoked_at IS NULL"
            " AND p.private_chat_started = TRUE AND (CAST(? AS BIGINT) IS NULL OR g.team_id = ?) ORDER BY p.id",
            (role.value, team_id, team_id),
        )
        return [_person(row) for row in rows]

    async def summaries(
        self,
        statuses: Iterable[ProposalStatus],
        *,
        ipwl_ids: Sequence[int] | None = None,
        proposal_ids: Sequence[int] | None = None,
    ) -> list[StaffSummary]:
        """Proposals in ``statuses`` (optionally of some IPWL or some ids), oldest first."""
        wanted = [s.value for s in statuses]
        where = [f"p.status IN ({', '.join('?' for _ in wanted)})"]
        params: list[object] = [*wanted]
        for column, values in (("p.ipwl_id", ipwl_ids), ("p.id", proposal_ids)):
            if values is not None:
                where.append(f"{column} IN ({', '.join('?' for _ in values) or 'NULL'})")
                params.extend(values)
        rows = await self._conn.execute_fetchall(
            "SELECT p.id, p.code, p.status, p.version, p.ipwl_id, i.code AS ipwl_code, i.name AS ipwl_name,"
            " i.province_code,"
            " (SELECT count(*) FROM clients c WHERE c.proposal_id = p.id) AS clients,"
            " (SELECT count(*) FROM clients c JOIN client_flags f ON f.client_id = c.id"
            "   WHERE c.proposal_id = p.id AND f.flag = 'dup_nik') AS flagged,"
            " (SELECT coalesce(sum(b.total), 0) FROM budget_lines b JOIN clients c ON c.id = b.client_id"
            "   WHERE c.proposal_id = p.id) AS total,"
            f" (SELECT count(*) FROM clients c WHERE c.proposal_id = p.id AND {HELD.format(client='c.id')}) AS held,"
            " (SELECT coalesce(sum(b.total), 0) FROM budget_lines b JOIN clients c ON c.id = b.client_id"
            f"   WHERE c.proposal_id = p.id AND {HELD.format(client='c.id')}) AS held_total,"
            f" (SELECT count(*) FROM clients c WHERE c.proposal_id = p.id AND {CONFIRMED.format(client='c.id')})"
            " AS confirmed"
            f" FROM proposals p JOIN ipwl i ON i.id = p.ipwl_id WHERE {' AND '.join(where)}"
            " ORDER BY p.status_since, p.id",
            params,
        )
        return [
            StaffSummary(
                r["id"],
                r["code"],
                ProposalStatus(r["status"]),
                r["version"],
                r["ipwl_id"],
                r["ipwl_code"],
                r["ipwl_name"],
                r["province_code"],
                r["clients"],
                r["total"],
                r["flagged"],
                int(r["held"]),
                int(r["held_total"]),
                int(r["confirmed"]),
            )
            for r in rows
        ]


def _decree(row: Row) -> Decree:
    return Decree(
        row["id"], row["number"], from_db_date(row["issued_on"]), row["issued_by"], from_db_time(row["created_at"])
    )


class DecreeRepository:
    """SK decrees and the yearly number register."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def create(self, number: str, issued_on: dt.date, issued_by: int, now: dt.datetime) -> Decree:
        decree_id = await self._conn.fetchval(
            "INSERT INTO decrees (number, issued_on, issued_by, created_at) VALUES (?, ?, ?, ?) RETURNING id",
            (number, to_db_date(issued_on), issued_by, to_db_time(now)),
        )
        return Decree(int(decree_id), number, issued_on, issued_by, now)

    async def by_id(self, decree_id: int) -> Decree | None:
        rows = await self._conn.execute_fetchall("SELECT * FROM decrees WHERE id = ?", (decree_id,))
        return _decree(rows[0]) if rows else None

    async def lock_number(self, number: str) -> None:
        """Serialise issuing one SK number: the second head typing the same number waits, then is
        told it is taken (instead of meeting the unique constraint as an error)."""
        await self._conn.lock(f"sk-number:{number.lower()}")

    async def number_taken(self, number: str) -> bool:
        rows = await self._conn.execute_fetchall("SELECT 1 FROM decrees WHERE lower(number) = lower(?)", (number,))
        return bool(rows)

    async def by_number(self, number: str) -> Decree | None:
        """The SK (or SK perubahan) issued under ``number``, compared without case."""
        rows = await self._conn.execute_fetchall(
            "SELECT * FROM decrees WHERE lower(number) = lower(?) ORDER BY id LIMIT 1", (number,)
        )
        return _decree(rows[0]) if rows else None

    async def of_year(self, year: int) -> list[Decree]:
        """The SKs (and SKs perubahan) dated in ``year``, in the order they were recorded."""
        rows = await self._conn.execute_fetchall(
            "SELECT * FROM decrees WHERE issued_on >= ? AND issued_on < ? ORDER BY id",
            (to_db_date(dt.date(year, 1, 1)), to_db_date(dt.date(year + 1, 1, 1))),
        )
        return [_decree(r) for r in rows]

    async def numbers_of_year(self, year: int) -> list[str]:
        """The numbers of the SKs (and SKs perubahan) dated in ``year``, typed or from the register."""
        rows = await self._conn.execute_fetchall(
            "SELECT number FROM decrees WHERE issued_on >= ? AND issued_on < ? ORDER BY id",
            (to_db_date(dt.date(year, 1, 1)), to_db_date(dt.date(year + 1, 1, 1))),
        )
        return [r[0] for r in rows]

    async def peek_register(self, year: int, *, used: int = 0) -> int:
        """The number the register would hand out next for ``year``, after its last one and after
        ``used`` (the highest already on an SK); nothing is reserved."""
        rows = await self._conn.execute_fetchall("SELECT last_number FROM sk_register WHERE year = ?", (year,))
        return max(rows[0][0] if rows else 0, used) + 1

    async def take_register(self, year: int, *, used: int = 0) -> int:
        """Reserve and return the next register number for ``year``, after its last one and after
        ``used`` (inside the issuing transaction)."""
        # One statement: the row's lock (PostgreSQL) or the single writer (SQLite) makes two
        # issuing transactions get two numbers, never the same one.
        return int(
            await self._conn.fetchval(
                "INSERT INTO sk_register (year, last_number) VALUES (?, ?)"
                " ON CONFLICT (year) DO UPDATE SET last_number = CASE"
                "  WHEN sk_register.last_number >= excluded.last_number THEN sk_register.last_number + 1"
                "  ELSE excluded.last_number END"
                " RETURNING last_number",
                (year, used + 1),
            )
        )

    async def proposal_ids(self, decree_id: int) -> list[int]:
        rows = await self._conn.execute_fetchall(
            "SELECT id FROM proposals WHERE decree_id = ? ORDER BY id", (decree_id,)
        )
        return [r[0] for r in rows]

    async def of_proposal(self, proposal_id: int) -> Decree | None:
        rows = await self._conn.execute_fetchall(
            "SELECT d.* FROM decrees d JOIN proposals p ON p.decree_id = d.id WHERE p.id = ?", (proposal_id,)
        )
        return _decree(rows[0]) if rows else None


def _share(client_id: int, r: Row, keys: Sealer) -> AccountShare:
    return AccountShare(
        client_id,
        r["other_id"],
        r["position"],
        keys.open(r["full_name"], "clients", "full_name"),
        r["proposal_id"],
        r["code"],
        r["ipwl_id"],
        r["ipwl_code"],
    )


def _account(row: Row, keys: Sealer) -> BankAccount:
    return BankAccount(
        row["client_id"],
        BankAccountStatus(row["status"]),
        row["bank_code"],
        keys.open(row["account_number"], "bank_accounts", "account_number"),
        keys.open(row["holder_name"], "bank_accounts", "holder_name"),
        row["return_reason"],
        row["passbook_id"],
        row["revision"],
    )


def _year_range(year: int) -> tuple[int, str, str]:
    """``year`` and its first and the next year's first instant, for ``_OTHERS``."""
    return (
        year,
        to_db_time(dt.datetime(year, 1, 1, tzinfo=dt.UTC)),
        to_db_time(dt.datetime(year + 1, 1, 1, tzinfo=dt.UTC)),
    )


class BankAccountRepository:
    """Each client's bank account: missing → submitted → verified, or rejected with a reason (the
    number and holder sealed, the number found by its blind index: storage/sealing.py)."""

    def __init__(self, conn: Connection, keys: Sealer) -> None:
        self._conn = conn
        self._keys = keys

    async def ensure(self, client_ids: Iterable[int], now: dt.datetime) -> None:
        """A 'missing' row for every client that has none yet."""
        await self._conn.executemany(
            "INSERT INTO bank_accounts (client_id, status, updated_at) VALUES (?, 'missing', ?)"
            " ON CONFLICT (client_id) DO NOTHING",
            [(client_id, to_db_time(now)) for client_id in client_ids],
        )

    async def of_proposal(self, proposal_id: int) -> dict[int, BankAccount]:
        rows = await self._conn.execute_fetchall(
            "SELECT a.* FROM bank_accounts a JOIN clients c ON c.id = a.client_id WHERE c.proposal_id = ?",
            (proposal_id,),
        )
        return {r["client_id"]: _account(r, self._keys) for r in rows}

    async def by_client(self, client_id: int) -> BankAccount | None:
        rows = await self._conn.execute_fetchall("SELECT * FROM bank_accounts WHERE client_id = ?", (client_id,))
        return _account(rows[0], self._keys) if rows else None

    async def save(
        self,
        client_id: int,
        *,
        bank_code: str,
        account_number: str,
        holder_name: str,
        passbook_id: int | None,
        now: dt.datetime,
    ) -> None:
        """The operator's answer: the account is submitted for checking (any earlier reason cleared)."""
        await self._conn.execute(
            "INSERT INTO bank_accounts (client_id, bank_code, account_number, account_index, holder_name, status,"
            " return_reason, passbook_id, updated_at, revision) VALUES (?, ?, ?, ?, ?, 'submitted', NULL, ?, ?, 1)"
            " ON CONFLICT (client_id) DO UPDATE SET bank_code = excluded.bank_code,"
            " account_number = excluded.account_number, account_index = excluded.account_index,"
            " holder_name = excluded.holder_name,"
            " status = 'submitted', return_reason = NULL, passbook_id = excluded.passbook_id,"
            " updated_at = excluded.updated_at, revision = bank_accounts.revision + 1",
            (
                client_id,
                bank_code,
                self._keys.seal(account_number, "bank_accounts", "account_number"),
                self._keys.blind("account", account_number),
                self._keys.seal(holder_name, "bank_accounts", "holder_name"),
                passbook_id,
                to_db_time(now),
            ),
        )

    async def lock_numbers(self, numbers: Iterable[str]) -> None:
        """Serialise saving these account numbers (sorted: two workbooks never deadlock): the
        second save of a number waits for the first to commit, then sees it among the holders
        ("one account, one client" is checked against every committed account, on PostgreSQL too)."""
        for blind in sorted({self._keys.blind("account", n) or "" for n in numbers if n} - {""}):
            await self._conn.lock(f"account-number:{blind}")  # the blind index: never the number itself

    async def lock_accounts(self, client_ids: Iterable[int]) -> None:
        """Serialise a decision on these clients' accounts with a new account being saved for them
        (sorted: never a deadlock): a verify or transfer button checks the revision it was shown
        for, and no new revision can slip in between that check and the change (PostgreSQL)."""
        for client_id in sorted(set(client_ids)):
            await self._conn.lock(f"bank-account:{client_id}")

    # The other clients holding an account number: of live proposals of the given year.
    _OTHERS = (
        " JOIN clients oc ON oc.id = o.client_id JOIN proposals op ON op.id = oc.proposal_id"
        " JOIN ipwl i ON i.id = op.ipwl_id"
        " WHERE op.status NOT IN ('withdrawn', 'rejected')"
        # The year of a proposal not yet given a period is its creation's (UTC): a range
        # on the instant, the same SQL on both engines (text on SQLite, timestamptz on PG).
        " AND (op.period_year = ? OR (op.period_year IS NULL AND op.created_at >= ? AND op.created_at < ?))"
    )
    _SHARE = (
        "oc.id AS other_id, oc.position, oc.full_name, op.id AS proposal_id, op.code, op.ipwl_id, i.code AS ipwl_code"
    )

    async def shared(self, proposal_id: int, year: int) -> list[AccountShare]:
        """Accounts of ``proposal_id``'s clients whose number another client of a live proposal of
        ``year`` was also given (the same proposal included), by client and then the other's position."""
        rows = await self._conn.execute_fetchall(
            f"SELECT c.id AS client_id, {self._SHARE}"
            " FROM clients c JOIN bank_accounts a ON a.client_id = c.id"
            " JOIN bank_accounts o ON o.account_index = a.account_index AND o.client_id != a.client_id"
            f"{self._OTHERS} AND c.proposal_id = ? AND a.account_index IS NOT NULL"
            " ORDER BY c.id, op.id, oc.position",
            (*_year_range(year), proposal_id),
        )
        return [_share(r["client_id"], r, self._keys) for r in rows]

    async def holders(self, account_number: str, year: int, *, besides: int) -> list[AccountShare]:
        """Clients (other than ``besides``) of live proposals of ``year`` given ``account_number``."""
        rows = await self._conn.execute_fetchall(
            f"SELECT {self._SHARE} FROM bank_accounts o{self._OTHERS} AND o.account_index = ? AND o.client_id != ?"
            " ORDER BY op.id, oc.position",
            (*_year_range(year), self._keys.blind("account", account_number), besides),
        )
        return [_share(besides, r, self._keys) for r in rows]

    async def move(
        self,
        client_id: int,
        *,
        frm: Iterable[BankAccountStatus],
        to: BankAccountStatus,
        now: dt.datetime,
        reason: str | None = None,
        revision: int | None = None,
    ) -> bool:
        """Compare-and-set an account's status: True only if it was in one of ``frm`` (and, given
        ``revision``, is still that revision of the account)."""
        sources = [s.value for s in frm]
        cursor = await self._conn.execute(
            f"UPDATE bank_accounts SET status = ?, return_reason = ?, updated_at = ?"
            f" WHERE client_id = ? AND status IN ({', '.join('?' for _ in sources)})"
            " AND (CAST(? AS BIGINT) IS NULL OR revision = ?)",
            (to.value, reason, to_db_time(now), client_id, *sources, revision, revision),
        )
        return cursor.rowcount == 1


_NUMBER_KINDS = ("spp", "spm", "sp2d")


def _number_key(number: str) -> str:
    """A document number as compared: without case or surrounding spaces (as the SK register's)."""
    return number.strip().lower()


class PaymentRepository:
    """The payment request (SPP) and order (SPM) of a proposal."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def of_proposal(self, proposal_id: int) -> Payment | None:
        rows = await self._conn.execute_fetchall("SELECT * FROM payments WHERE proposal_id = ?", (proposal_id,))
        if not rows:
            return None
        r = rows[0]
        return Payment(
            r["proposal_id"],
            r["spp_number"],
            from_db_date(r["spp_date"]),
            r["spm_number"],
            from_db_date(r["spm_date"]),
            r["recorded_by"],
            r["spm_amount"],
            r["sp2d_number"],
            from_db_date(r["sp2d_date"]),
            r["sp2d_amount"],
        )

    async def record(
        self,
        proposal_id: int,
        *,
        spp_number: str,
        spp_date: dt.date,
        spm_number: str,
        spm_date: dt.date,
        by: int,
        now: dt.datetime,
        spm_amount: int | None = None,
        clients: Mapping[int, int] | None = None,
    ) -> None:
        """Save the SPP and SPM (again: replacing them). ``clients``, each with their amount, are
        the clients the SPM covers: they replace the list an earlier save of this SPM fixed."""
        await self._conn.execute(
            "INSERT INTO payments (proposal_id, spp_number, spp_date, spm_number, spm_date, recorded_by,"
            " created_at, spm_amount) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (proposal_id) DO UPDATE SET"
            " spp_number = excluded.spp_number, spp_date = excluded.spp_date,"
            " spm_number = excluded.spm_number, spm_date = excluded.spm_date,"
            " recorded_by = excluded.recorded_by, spm_amount = excluded.spm_amount",
            (
                proposal_id,
                spp_number,
                to_db_date(spp_date),
                spm_number,
                to_db_date(spm_date),
                by,
                to_db_time(now),
                spm_amount,
            ),
        )
        if clients is not None:
            await self._conn.execute("DELETE FROM order_clients WHERE proposal_id = ?", (proposal_id,))
            await self._conn.executemany(
                "INSERT INTO order_clients (proposal_id, client_id, amount) VALUES (?, ?, ?)",
                [(proposal_id, client_id, amount) for client_id, amount in sorted(clients.items())],
            )

    async def order_clients(self, proposal_id: int) -> dict[int, int] | None:
        """The clients the proposal's SPM covers, each with its amount; None for an SPM saved
        before the list was kept (migration 0026), or no SPM: the clients payable now stand in.
        (An SPM never covers nobody — an SK decreeing nobody is refused — so no rows means
        an older SPM.)"""
        rows = await self._conn.execute_fetchall(
            "SELECT client_id, amount FROM order_clients WHERE proposal_id = ? ORDER BY client_id", (proposal_id,)
        )
        return {r["client_id"]: r["amount"] for r in rows} or None

    async def lock_number(self, kind: str, number: str) -> None:
        """Serialise recording one SPP, SPM or SP2D number (``kind``): a second finance officer
        saving the same number for another proposal waits, then sees it held (PostgreSQL)."""
        await self._conn.lock(f"{kind}-number:{_number_key(number)}")

    async def number_holder(self, kind: str, number: str, *, besides: int) -> tuple[str, dt.date] | None:
        """The proposal (other than ``besides``) whose SPP, SPM or SP2D (``kind``) is ``number``,
        compared without case or surrounding spaces: its code and that document's date."""
        if kind not in _NUMBER_KINDS:
            raise ValueError(f"not a payment document: {kind!r}")
        rows = await self._conn.execute_fetchall(
            f"SELECT p.code, y.{kind}_date FROM payments y JOIN proposals p ON p.id = y.proposal_id"
            f" WHERE lower(trim(y.{kind}_number)) = ? AND y.proposal_id != ? ORDER BY y.proposal_id LIMIT 1",
            (_number_key(number), besides),
        )
        return (rows[0][0], from_db_date(rows[0][1])) if rows else None

    async def record_sp2d(self, proposal_id: int, *, number: str, on: dt.date, amount: int) -> bool:
        """The SP2D of a proposal's SPM, once: False if one is recorded already (a double tap)."""
        cursor = await self._conn.execute(
            "UPDATE payments SET sp2d_number = ?, sp2d_date = ?, sp2d_amount = ?"
            " WHERE proposal_id = ? AND sp2d_number IS NULL",
            (number, to_db_date(on), amount, proposal_id),
        )
        return cursor.rowcount == 1


class TransferRepository:
    """One transfer per client: pending, sent, failed or returned (the latest attempt)."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def of_proposal(self, proposal_id: int) -> dict[int, Transfer]:
        rows = await self._conn.execute_fetchall(
            "SELECT t.* FROM transfers t JOIN clients c ON c.id = t.client_id WHERE c.proposal_id = ?",
            (proposal_id,),
        )
        return {
            r["client_id"]: Transfer(
                r["client_id"],
                r["amount"],
                TransferStatus(r["status"]),
                from_db_date(r["transfer_on"]),
                r["note"],
                r["recorded_by"],
            )
            for r in rows
        }

    async def record(
        self,
        client_id: int,
        *,
        amount: int,
        status: TransferStatus,
        on: dt.date | None,
        note: str | None,
        by: int | None,
        now: dt.datetime,
    ) -> None:
        await self._conn.execute(
            "INSERT INTO transfers (client_id, amount, transfer_on, status, note, recorded_by, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (client_id) DO UPDATE SET amount = excluded.amount,"
            " transfer_on = excluded.transfer_on, status = excluded.status, note = excluded.note,"
            " recorded_by = excluded.recorded_by, updated_at = excluded.updated_at",
            (client_id, amount, to_db_date(on), status.value, note, by, to_db_time(now)),
        )
