"""The backup archive and its restore, below the chat: a damaged archive is refused with nothing
changed, a file outside the store is never written, and the ledger holds no personal data."""

from __future__ import annotations

import datetime as dt
import io
import sqlite3
import tarfile
from pathlib import Path

import pytest

from bot.services.backups import backup_made_at, backup_name
from storage.backup import BackupFailed, RestoreRefused, restore, verify_archive, write_backup
from storage.erasures import ErasureLedger
from storage.files import FileStore
from storage.migrate import available_migrations
from storage.unit import Storage
from tests.backup_archives import tampered

NOW = dt.datetime(2026, 11, 28, 3, tzinfo=dt.UTC)


@pytest.fixture
async def archive(tmp_path: Path) -> Path:
    storage = await Storage.open(tmp_path / "live" / "atensi.sqlite3")
    try:
        FileStore(tmp_path / "live" / "files").save("USL-2026-0001", "kuitansi.pdf", b"%PDF-1.4 kuitansi")
        made = await write_backup(storage.db, tmp_path / "live" / "files", tmp_path / "b.tar", ledger=None, now=NOW)
    finally:
        await storage.close()
    assert made.files == 1 and made.missing_files == 0
    return made.path


async def test_a_tampered_archive_is_refused_and_nothing_changes(archive: Path, tmp_path: Path) -> None:
    member = next(name for name in verify_archive(archive)["members"] if name.startswith("files/"))
    bad = tampered(archive, tmp_path / "bad.tar", member, b"%PDF-1.4 KUITANSI")
    with pytest.raises(BackupFailed, match="checksum"):
        verify_archive(bad)
    target = tmp_path / "second"
    target.mkdir()
    database = target / "atensi.sqlite3"
    sqlite3.connect(database).close()  # an existing (empty) database that must stay as it is
    with pytest.raises(RestoreRefused, match="nothing was changed"):
        restore(
            bad,
            database,
            target / "files",
            ErasureLedger(target / "ledger.jsonl"),
            known_schema={m.version for m in available_migrations()},
            now=NOW,
        )
    assert sorted(p.name for p in target.iterdir()) == ["atensi.sqlite3"]


async def test_a_backup_of_a_newer_schema_is_refused(archive: Path, tmp_path: Path) -> None:
    target = tmp_path / "second"
    with pytest.raises(RestoreRefused, match="newer version"):
        restore(
            archive,
            target / "atensi.sqlite3",
            target / "files",
            ErasureLedger(target / "ledger.jsonl"),
            known_schema={1, 2},
            now=NOW,
        )
    assert list(target.iterdir()) == []  # (the folder made for it stays empty)


def test_the_ledger_holds_no_personal_data_and_matches_only_under_its_key(tmp_path: Path) -> None:
    ledger = ErasureLedger(tmp_path / "ledger.jsonl")
    entry = ledger.record(
        action="anonymize", client_id=7, proposal_id=3, proposal_code="USL-2026-0003", nik="3201014508900004", at=NOW
    )
    text = ledger.path.read_text()
    assert "3201014508900004" not in text and "USL-2026-0003" in text
    assert ledger.entries() == [entry] and ledger.subject("3201014508900004") == entry.subject
    assert ErasureLedger(tmp_path / "other.jsonl").subject("3201014508900004") is None  # no key, no match
    assert (ledger.key_path.stat().st_mode & 0o777) == 0o600


async def test_a_member_pointing_outside_the_file_store_is_never_written(archive: Path, tmp_path: Path) -> None:
    import hashlib
    import json

    evil = b"not yours"
    with tarfile.open(archive) as old, tarfile.open(tmp_path / "evil.tar", "w") as new:
        manifest = json.loads(old.extractfile("manifest.json").read())
        manifest["members"]["files/../../outside.txt"] = {"sha256": hashlib.sha256(evil).hexdigest(), "size": len(evil)}
        for info in old:
            if info.name != "manifest.json":
                new.addfile(info, old.extractfile(info))
        for name, data in (("files/../../outside.txt", evil), ("manifest.json", json.dumps(manifest).encode())):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            new.addfile(info, io.BytesIO(data))
    target = tmp_path / "second" / "srv"
    with pytest.raises(BackupFailed, match="outside the file store"):
        restore(
            tmp_path / "evil.tar",
            target / "atensi.sqlite3",
            target / "files",
            ErasureLedger(target / "ledger.jsonl"),
            known_schema={m.version for m in available_migrations()},
            now=NOW,
        )
    assert not (tmp_path / "second" / "outside.txt").exists() and not (target / "atensi.sqlite3").exists()


def test_backups_are_named_in_the_centres_zone_and_old_utc_names_still_sort_by_when_they_were_made(
    tmp_path: Path,
) -> None:
    """/cadangan at 05.01 WIB (22.01 UTC the day before) names the file 05.01 WIB, not the UTC time with
    nothing saying so; pruning orders old (UTC) and new names by the moment they stand for."""
    made = dt.datetime(2026, 12, 1, 22, 1, 28, tzinfo=dt.UTC)
    assert backup_name(made, "Asia/Jakarta") == "atensi-20261202-050128-WIB.tar"
    assert backup_name(made, "Asia/Makassar") == "atensi-20261202-060128-WITA.tar"
    old_utc = tmp_path / "atensi-20261202-000000.tar"  # made 07.00 WIB on 2 Dec: after the new one
    new = tmp_path / backup_name(made, "Asia/Jakarta")
    older = tmp_path / "atensi-20261130-120000.tar"
    assert backup_made_at(old_utc, "Asia/Jakarta") == dt.datetime(2026, 12, 2, 0, 0, tzinfo=dt.UTC)
    assert backup_made_at(new, "Asia/Jakarta") == made
    assert sorted([old_utc, new, older], key=lambda p: backup_made_at(p, "Asia/Jakarta")) == [older, new, old_utc]
