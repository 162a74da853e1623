"""Databases for the sealing tests (tests/test_sealing.py): the test moment, Siti's personal data, clients with their
accounts seeded through the repositories (sealed as the services would write them), and a centre's database from
before sealing holding the same kind of data in plain text."""

from __future__ import annotations

import datetime as dt

from storage import migrate as migrations
from storage.db import Database
from storage.unit import Storage

NOW = dt.datetime(2026, 11, 28, 3, 0, tzinfo=dt.UTC)
STAMP = "2026-11-28T03:00:00.000000Z"
SITI = {
    "full_name": "Siti Rahayu",
    "nik": "3201014501900001",
    "address": "Jl. Melati 5, Cibinong",
    "phone": "081234567890",
    "birth_date": dt.date(1990, 1, 5),
    "assessment": "Pengguna sabu 3 tahun",
    "intervention_plan": "Rawat jalan 6 bulan",
}


async def seed_clients(storage: Storage, clients: int = 1, *, ipwl_code: str = "JB01") -> list[int]:
    """An IPWL, an operator, a submitted proposal and its clients, with accounts."""
    ids = []
    async with storage.transaction() as uow:
        conn = uow.people._conn
        ipwl = await conn.fetchval(
            "INSERT INTO ipwl (code, name, province_code, created_at, updated_at)"
            " VALUES (?, 'Yayasan Harapan', '32', ?, ?) RETURNING id",
            (ipwl_code, STAMP, STAMP),
        )
        person = await conn.fetchval(
            "INSERT INTO people (telegram_user_id, full_name, created_at) VALUES (?, 'Operator', ?) RETURNING id",
            (1000 + ipwl, STAMP),
        )
        proposal = await conn.fetchval(
            "INSERT INTO proposals (code, ipwl_id, status, period_year, period_month, created_by, created_at,"
            " updated_at, status_since) VALUES (?, ?, 'submitted', 2026, 12, ?, ?, ?, ?) RETURNING id",
            (f"USL-2026-{ipwl:04d}", ipwl, person, STAMP, STAMP, STAMP),
        )
        for number in range(clients):
            nik = f"32010145019{number:05d}"
            client = await uow.clients.add(
                proposal,
                f"Klien Nomor {number}",
                nik,
                **{k: v for k, v in SITI.items() if k not in ("full_name", "nik")},
            )
            await uow.bank_accounts.save(
                client,
                bank_code="BRI",
                account_number=f"0098{number:08d}",
                holder_name=f"Klien Nomor {number}",
                passbook_id=None,
                now=NOW,
            )
            ids.append(client)
        await uow.proposals.save_version(proposal, 1, '{"clients": [{"full_name": "Klien Nomor 0"}]}', person, NOW)
    return ids


async def plain_database(url: str) -> None:
    """A centre's database from before sealing (migrations 1-13) holding plain personal data."""
    every = migrations.available_migrations
    db = await Database.open(url)
    try:
        original = migrations.available_migrations
        migrations.available_migrations = lambda dialect="sqlite": [m for m in every(dialect) if m.version < 14]
        try:
            await migrations.migrate(db)
        finally:
            migrations.available_migrations = original
        async with db.transaction() as conn:
            ipwl = await conn.fetchval(
                "INSERT INTO ipwl (code, name, province_code, created_at, updated_at)"
                " VALUES ('JB01', 'Yayasan Harapan', '32', ?, ?) RETURNING id",
                (STAMP, STAMP),
            )
            person = await conn.fetchval(
                "INSERT INTO people (telegram_user_id, full_name, created_at)"
                " VALUES (1001, 'Operator', ?) RETURNING id",
                (STAMP,),
            )
            proposal = await conn.fetchval(
                "INSERT INTO proposals (code, ipwl_id, status, period_year, created_by, created_at, updated_at,"
                " status_since) VALUES ('USL-2026-0001', ?, 'submitted', 2026, ?, ?, ?, ?) RETURNING id",
                (ipwl, person, STAMP, STAMP, STAMP),
            )
            client = await conn.fetchval(
                "INSERT INTO clients (proposal_id, position, full_name, nik, birth_date, address, phone)"
                " VALUES (?, 1, 'Siti Rahayu', '3201014501900001', '1990-01-05', 'Jl. Melati 5', '0812') RETURNING id",
                (proposal,),
            )
            await conn.execute(
                "INSERT INTO bank_accounts (client_id, bank_code, account_number, holder_name, status,"
                " updated_at) VALUES (?, 'BRI', '0098765432', 'Siti Rahayu', 'submitted', ?)",
                (client, STAMP),
            )
            await conn.execute(
                "INSERT INTO proposal_versions (proposal_id, version, snapshot, submitted_by,"
                ' submitted_at) VALUES (?, 1, \'{"name": "Siti Rahayu"}\', ?, ?)',
                (proposal, person, STAMP),
            )
    finally:
        await db.close()
