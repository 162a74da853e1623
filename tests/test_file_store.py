"""The file store keeps uploads atomically and deletes only its own files."""

from __future__ import annotations

from pathlib import Path

from storage.files import FileStore


def test_a_discarded_file_is_deleted_and_nothing_outside_the_store_ever_is(tmp_path: Path) -> None:
    store = FileStore(tmp_path / "files")
    kept = store.save("USL-2026-0001-lpj", "foto kegiatan.jpg", b"\xff\xd8 photo")
    assert store.read(kept.path) == b"\xff\xd8 photo" and kept.path.endswith(".jpg")

    outside = tmp_path / "atensi.sqlite3"
    outside.write_bytes(b"the database")
    assert store.discard(str(outside)) is False and outside.exists()
    assert store.discard(str(tmp_path / "files" / ".." / "atensi.sqlite3")) is False and outside.exists()
    assert store.discard(str(tmp_path / "files" / "USL-2026-0001-lpj")) is False  # a folder, not a file

    assert store.discard(kept.path) is True and not Path(kept.path).exists()
    assert store.discard(kept.path) is False  # already gone: said, not raised


def test_a_stored_file_is_sealed_on_disk_named_by_its_digest_and_hashed_as_uploaded(tmp_path: Path) -> None:
    import hashlib

    store = FileStore(tmp_path / "files")
    content = b"\xff\xd8 KTP Budi Santoso 3201010101010001"
    kept = store.save("USL-2026-0001", "KTP Budi Santoso.jpg", content)
    raw = Path(kept.path).read_bytes()
    assert raw.startswith(b"ATF1") and b"Budi" not in raw and b"3201010101010001" not in raw
    assert "Budi" not in kept.path and kept.sha256 == hashlib.sha256(content).hexdigest() and kept.size == len(content)
    assert store.read(kept.path) == content
    # A byte changed on disk: the file does not open (never read back as something else).
    Path(kept.path).write_bytes(raw[:-1] + bytes([raw[-1] ^ 1]))
    import pytest

    from storage.sealing import SealedValueError

    with pytest.raises(SealedValueError):
        store.read(kept.path)
