"""Clients' personal data at rest (issue 17.1-4): sealed values, the blind index, keys over time.

The centre's database, its backups and its file store are copied, lost, handed to an IT vendor;
what they hold about the clients must read as nothing without the key file, on both engines.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from storage.files import FileStore
from storage.key_rotation import key_usage, retire_key, rotate
from storage.sealing import DataKey, Keyring, KeyringError, SealedValueError, key_id_of
from storage.unit import Storage, UnitOfWork
from tests.sealing_seeds import NOW, SITI, STAMP, plain_database, seed_clients


def test_a_sealed_value_names_its_key_and_opens_only_as_itself_in_its_own_column() -> None:
    keys = Keyring.generate()
    sealed = keys.seal("3201014501900001", "clients", "nik")
    assert sealed is not None and sealed.startswith("enc1:k0001:") and "3201" not in sealed
    assert keys.seal("3201014501900001", "clients", "nik") != sealed  # a fresh nonce each time
    assert keys.open(sealed, "clients", "nik") == "3201014501900001"
    with pytest.raises(SealedValueError):  # a NIK copied into the name column does not open there
        keys.open(sealed, "clients", "full_name")
    altered = sealed[:-2] + ("A" if sealed[-2] != "A" else "B") + sealed[-1]
    with pytest.raises(SealedValueError):
        keys.open(altered, "clients", "nik")
    with pytest.raises(KeyringError, match="k0001"):  # another centre's keys: says which key is missing
        Keyring.generate().open(sealed.replace("k0001", "k0009"), "clients", "nik")
    # The blind index: the same for the NIK however it was typed, different under another key.
    assert keys.blind("nik", "3201 0145 0190 0001") == keys.blind("nik", "3201014501900001")
    assert keys.blind("nik", "3201014501900001") != Keyring.generate().blind("nik", "3201014501900001")
    assert keys.blind("account", "123-456-7890") == keys.blind("account", "1234567890")


def test_a_key_file_round_trips_and_a_new_key_becomes_current(tmp_path: Path) -> None:
    path = tmp_path / "atensi.keys"
    keys = Keyring.load_or_create(path)
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    sealed = keys.seal("Siti Rahayu", "clients", "full_name")
    assert keys.add_key() == "k0002"
    keys.save()
    again = Keyring.load(path)
    assert again.current == "k0002" and again.open(sealed, "clients", "full_name") == "Siti Rahayu"
    assert key_id_of(again.seal("x", "clients", "full_name") or "") == "k0002"
    with pytest.raises(KeyringError, match="current"):
        again.retire("k0002")


async def test_what_storage_writes_is_sealed_and_what_it_reads_is_plain(storage: Storage) -> None:
    [client] = await seed_clients(storage)
    async with storage.db.reading() as conn:
        raw = await conn.fetchone(
            "SELECT full_name, nik, birth_date, address, phone, assessment, intervention_plan,"
            " nik_index FROM clients WHERE id = ?",
            (client,),
        )
        account = await conn.fetchone("SELECT account_number, holder_name, account_index FROM bank_accounts")
        snapshot = await conn.fetchval("SELECT snapshot FROM proposal_versions")
    assert all(str(v).startswith("enc1:k0001:") for v in (*raw[:7], *account[:2], snapshot))
    assert raw[7] == storage.keys.blind("nik", "3201014501900000") and account[2] == storage.keys.blind(
        "account", "009800000000"
    )
    async with storage.reading() as uow:
        record = await uow.clients.by_id(client)
        assert record is not None and (record.full_name, record.nik, record.address) == (
            "Klien Nomor 0",
            "3201014501900000",
            SITI["address"],
        )
        assert record.birth_date == SITI["birth_date"] and record.assessment == SITI["assessment"]
        assert (await uow.bank_accounts.by_client(client)).account_number == "009800000000"
        assert await uow.clients.nik_in_other_ipwl("3201014501900000", 2026, ipwl_id=999) == [("USL-2026-0001", "JB01")]
        assert [r.client_id for r in await uow.privacy.records("3201014501900000")] == [client]
        assert "Klien Nomor 0" in (await uow.proposals.version_snapshot(1, 1) or "")


@pytest.fixture
def plain_url(engine: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    if engine == "sqlite":
        return "sqlite:///" + str(tmp_path / "old.sqlite3")
    return request.getfixturevalue("pg_cluster").empty_database()


async def test_a_database_from_before_sealing_is_refused_without_keys_and_sealed_on_start_with_them(
    plain_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    await plain_database(plain_url)
    monkeypatch.delenv("ATENSI_KEY_FILE", raising=False)
    with pytest.raises(KeyringError, match="personal data .not sealed yet. and no keys"):
        await Storage.open(plain_url)

    keys = Keyring.generate()
    storage = await Storage.open(plain_url, keys=keys)
    try:
        async with storage.db.reading() as conn:
            raw = await conn.fetchone("SELECT full_name, nik, birth_date, address, phone, nik_index FROM clients")
            account = await conn.fetchone("SELECT account_number, holder_name, account_index FROM bank_accounts")
            snapshot = await conn.fetchval("SELECT snapshot FROM proposal_versions")
            assert await conn.fetchval("SELECT count(*) FROM sealing_state") == 0
        assert all(str(v).startswith("enc1:k0001:") for v in (*raw[:5], *account[:2], snapshot))
        assert raw[5] == keys.blind("nik", "3201014501900001") and account[2] == keys.blind("account", "0098765432")
        async with storage.reading() as uow:
            [client] = await uow.clients.of_proposal(1)
            assert (client.full_name, client.nik, client.birth_date) == (
                "Siti Rahayu",
                "3201014501900001",
                dt.date(1990, 1, 5),
            )
            assert await uow.clients.nik_in_other_ipwl("3201014501900001", 2026, ipwl_id=99) == [
                ("USL-2026-0001", "JB01")
            ]
            assert await uow.proposals.version_snapshot(1, 1) == '{"name": "Siti Rahayu"}'
    finally:
        await storage.close()
    # Sealed now: without its key it is refused, naming the key.
    with pytest.raises(KeyringError, match="sealed under k0001"):
        await Storage.open(plain_url)
    elsewhere = Keyring("k0002", {"k0002": DataKey("k0002", os.urandom(32), STAMP)}, os.urandom(32))
    with pytest.raises(KeyringError, match="sealed under k0001, which the key file"):
        await Storage.open(plain_url, keys=elsewhere)


class _Recording:
    """A connection that remembers the statements a repository sends (to explain their plans)."""

    def __init__(self, conn: object) -> None:
        self._conn = conn
        self.statements: list[tuple[str, tuple]] = []

    def __getattr__(self, name: str) -> object:
        return getattr(self._conn, name)

    async def execute_fetchall(self, sql: str, params: object = ()) -> list:
        self.statements.append((sql, tuple(params)))
        return await self._conn.execute_fetchall(sql, params)


async def test_nik_and_account_lookups_go_through_the_blind_index_by_an_index(storage: Storage) -> None:
    await seed_clients(storage, clients=30)
    await seed_clients(storage, clients=3, ipwl_code="JB02")
    async with storage.db.transaction() as conn:
        if conn.dialect == "postgresql":
            await conn.execute("ANALYZE")
            # A few dozen rows: the planner would scan anyway; what is checked is that an index serves the lookup.
            await conn.execute("SET LOCAL enable_seqscan = off")
        else:
            await conn.execute("ANALYZE")
        recording = _Recording(conn)
        uow = UnitOfWork(recording, storage.keys)
        assert await uow.clients.nik_in_other_ipwl("3201014501900001", 2026, ipwl_id=2) != []
        await uow.privacy.records("3201014501900001")
        await uow.bank_accounts.holders("009800000001", 2026, besides=0)
        lookups = [s for s in recording.statements if "_index = ?" in s[0]]
        assert len(lookups) == 3
        for sql, params in lookups:
            if conn.dialect == "sqlite":
                plan = " ".join(str(r[-1]) for r in await conn.execute_fetchall("EXPLAIN QUERY PLAN " + sql, params))
                # The table holding the blind index is searched by it (never scanned), whatever the
                # planner chooses to start from on a few rows.
                assert "nik_index=?" in plan or "account_index=?" in plan, plan
                assert "SCAN c " not in plan + " " and "SCAN o " not in plan + " ", plan
            else:
                plan = " ".join(r[0] for r in await conn.execute_fetchall("EXPLAIN " + sql, params))
                assert "_nik_index" in plan or "bank_accounts_by_account_index" in plan, plan
                assert "Seq Scan on clients" not in plan and "Seq Scan on bank_accounts" not in plan, plan


async def test_a_rotation_reseals_every_value_and_file_and_only_then_may_the_old_key_go(
    storage: Storage, tmp_path: Path
) -> None:
    keys = Keyring.load_or_create(tmp_path / "atensi.keys")
    storage.keys = keys
    storage.db.keys = keys
    async with storage.db.transaction() as conn:
        await conn.execute(
            "INSERT INTO sealing_keys (key_id, first_used_at) VALUES ('k0001', ?) ON CONFLICT (key_id) DO NOTHING",
            (STAMP,),
        )
    ids = await seed_clients(storage, clients=7)
    files = FileStore(tmp_path / "files", keys)
    kept = files.save("USL-2026-0001", "KTP Klien.jpg", b"\xff\xd8 KTP Klien Nomor 0")
    # A file stored before sealing (plain on disk) is sealed by the rotation too.
    old = files.root / "USL-2025-0009" / "0123abcd-surat.pdf"
    old.parent.mkdir(parents=True)
    old.write_bytes(b"%PDF-1.4 surat Klien Nomor 1")
    keys.add_key()
    keys.save()
    with pytest.raises(KeyringError, match="still sealed under k0001"):
        await retire_key(storage.db, keys, "k0001", files.root)

    seen: list[tuple[str, int, int]] = []
    report = await rotate(storage.db, keys, files_root=files.root, batch=3, progress=lambda *p: seen.append(p))
    assert report.key_id == "k0002" and report.rows["clients"] == 7 and report.files == 2
    assert old.read_bytes().startswith(b"ATF1k0002") and files.read(str(old)) == b"%PDF-1.4 surat Klien Nomor 1"
    assert ("clients", 7, 7) in seen  # progress, batch by batch
    usage = await key_usage(storage.db, files.root)
    assert "k0001" not in usage and "plain" not in usage and usage["k0002"] > 0
    async with storage.reading() as uow:
        assert (await uow.clients.by_id(ids[3])).full_name == "Klien Nomor 3"
    assert files.read(kept.path) == b"\xff\xd8 KTP Klien Nomor 0"

    await retire_key(storage.db, keys, "k0001", files.root)
    assert Keyring.load(keys.path).usable == ["k0002"]
    async with storage.db.reading() as conn:
        assert [r[0] for r in await conn.execute_fetchall("SELECT key_id FROM sealing_keys")] == ["k0002"]


def test_a_rotation_killed_half_way_resumes_where_it_stopped(tmp_path: Path, database_url: str) -> None:
    key_file = tmp_path / "centre.keys"
    keys = Keyring.load_or_create(key_file)

    async def seed() -> None:
        storage = await Storage.open(database_url, keys=keys)
        try:
            await seed_clients(storage, clients=150)
        finally:
            await storage.close()

    asyncio.run(seed())
    keys.add_key()
    keys.save()
    config = tmp_path / "config.toml"
    config.write_text(
        f'[storage]\nurl = "{database_url}"\nfiles_dir = "{tmp_path / "files"}"\nkey_file = "{key_file}"\n'
    )
    env = {k: v for k, v in os.environ.items() if k not in ("ATENSI_KEY_FILE", "ATENSI_KEYS")}
    command = [sys.executable, "-m", "bot.cli", "keys", "rotate", "--batch", "1", "--config", str(config)]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env) as first:
        assert first.stdout is not None
        for line in first.stdout:
            if line.startswith("clients: 20/"):
                first.send_signal(signal.SIGKILL)
                break
        first.wait(timeout=60)
    assert first.returncode == -signal.SIGKILL

    async def state() -> tuple[int, dict[str, int]]:
        storage = await Storage.open(database_url, keys=Keyring.load(key_file))
        try:
            async with storage.db.reading() as conn:
                done = await conn.fetchval("SELECT rows_done FROM key_rotation WHERE table_name = 'clients'")
            return int(done or 0), await key_usage(storage.db)
        finally:
            await storage.close()

    done, usage = asyncio.run(state())
    assert 20 <= done < 150 and usage.get("k0001") and usage.get("k0002")  # half-way, both keys in use

    second = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)
    assert second.returncode == 0, second.stderr
    first_line = second.stdout.splitlines()[0]
    assert first_line.startswith(f"clients: {done + 1}/150"), first_line  # on from the next row, not from the start
    assert "resumed where the last rotation stopped" in second.stdout
    done, usage = asyncio.run(state())
    assert done == 0 and "k0001" not in usage and "plain" not in usage


def test_the_bot_refuses_to_start_without_its_key_file_and_says_how_to_make_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.cli import main

    monkeypatch.delenv("ATENSI_KEY_FILE", raising=False)
    config = tmp_path / "config.toml"
    config.write_text(f'[storage]\ndatabase = "{tmp_path / "atensi.sqlite3"}"\n[telegram]\ntoken = "123456:TEST"\n')
    assert main(["run", "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert "no key file" in err and "atensi-bot keys new" in err and "Traceback" not in err

    key_file = tmp_path / "keys" / "atensi.keys"
    assert main(["keys", "new", "--file", str(key_file), "--config", str(config)]) == 0
    assert "Back it up now, apart from the database" in capsys.readouterr().out
    assert main(["keys", "new", "--file", str(key_file), "--config", str(config)]) == 0
    assert "new key k0002" in capsys.readouterr().out and Keyring.load(key_file).current == "k0002"


async def test_a_minors_guardian_on_the_consent_is_sealed_and_reads_back_plain(storage: Storage) -> None:
    """The guardian who signed a minor's consent form is personal data like the client's own."""
    [client] = await seed_clients(storage)
    async with storage.transaction() as uow:
        record = await uow.clients.by_id(client)
        assert record is not None
        await uow.consents.record(
            client,
            record.proposal_id,
            notice_version="2026-12",
            recorded_by=1,
            now=NOW,
            guardian_name="Siti Aminah",
            guardian_relation="ibu",
            form_attachment_id=0,
        )
    async with storage.db.reading() as conn:
        raw = await conn.fetchone(
            "SELECT guardian_name, guardian_relation FROM consents WHERE client_id = ?", (client,)
        )
    assert all(str(v).startswith("enc1:k0001:") for v in raw) and "Siti" not in str(tuple(raw))
    async with storage.reading() as uow:
        consent = await uow.consents.of_client(client)
    assert consent is not None and (consent.guardian_name, consent.guardian_relation) == ("Siti Aminah", "ibu")
