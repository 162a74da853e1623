"""The file store keeps uploads atomically and deletes only its own files."""

from __future__ import annotations

from pathlib import Path

from storage.files import FileStore


def test_a_discarded_file_is_deleted_and_nothing_outside_the_store_ever_is(tmp_path: Path) -> None:
    store = FileStore(tmp_path / "files")
    kept = store.save("USL-2026-0001-lpj", "foto kegiatan.jpg", b"\xff\xd8 photo")
    assert Path(kept.path).read_bytes() == b"\xff\xd8 photo" and kept.path.endswith("-foto_kegiatan.jpg")

    outside = tmp_path / "atensi.sqlite3"
    outside.write_bytes(b"the database")
    assert store.discard(str(outside)) is False and outside.exists()
    assert store.discard(str(tmp_path / "files" / ".." / "atensi.sqlite3")) is False and outside.exists()
    assert store.discard(str(tmp_path / "files" / "USL-2026-0001-lpj")) is False  # a folder, not a file

    assert store.discard(kept.path) is True and not Path(kept.path).exists()
    assert store.discard(kept.path) is False  # already gone: said, not raised
