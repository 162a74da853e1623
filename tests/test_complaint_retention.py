"""Retention of complaints (issue 16.5 with 17.7): a closed complaint's personal data is erased
[admin] complaint_retention_years after it was closed, announced to the admins first, as a closed
proposal's clients are; an open complaint, or one closed more recently, is kept.

Lestari (complaint officer) closed Budi's named complaint in 2021, with a note and a photo; another
in 2024; one from 2020 is still open. On 28 November 2026 the job announces the 2021 one only; a
week later it erases who filed it, what it said, the outcome, the note and the photo (the file
too), once, even when run twice; the ticket, category and dates stay.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.config import Settings
from bot.services import Services
from storage.complaints import Complainant
from storage.unit import Storage
from tests.conftest import START
from tests.seeds import utc_at_3


@pytest.fixture
def retention_settings(tmp_path: Path) -> Settings:
    return Settings.model_validate(
        {
            "storage": {"database": str(tmp_path / "atensi.sqlite3"), "files_dir": str(tmp_path / "files")},
            "access": {"admin_user_ids": [9001]},
            "admin": {
                "complaint_retention_years": 5,
                "retention_notice_days": 7,
                "backups_dir": str(tmp_path / "backups"),
            },
        }
    )


async def test_a_closed_complaint_is_erased_after_its_retention_and_only_then(
    storage: Storage, retention_settings: Settings
) -> None:
    clock = ManualClock(START)
    services = Services(storage, clock, retention_settings)
    await services.onboarding.identify(9001, "Dewi Admin", private_chat=True, language="id")  # an admin to tell
    photo = services.retention.files.save("pengaduan", "bukti.jpg", b"\xff\xd8 photo of Budi's receipt")
    async with storage.transaction() as uow:
        lestari = (await uow.people.upsert(7001, "Lestari", START, started=True)).id
        budi = (await uow.people.upsert(7002, "Budi Warga", START, started=True)).id
        ids = {}
        for ticket, filed, closed in (
            ("USL-2021-0001", utc_at_3(2021, 10, 1), utc_at_3(2021, 11, 1)),
            ("USL-2024-0001", utc_at_3(2024, 5, 1), utc_at_3(2024, 6, 1)),
            ("USL-2020-0001", utc_at_3(2020, 1, 6), None),
        ):
            complaint_id = await uow.complaints.create(
                ticket=ticket,
                category="levy",
                complainant=Complainant(budi, 7002, "Budi Warga"),
                secret_digest=None,
                proposal_id=None,
                ipwl_id=None,
                description="Pak Joko memotong Rp500.000 dari bantuan saya",
                now=filed,
                due_at=filed + dt.timedelta(days=14),
            )
            assert complaint_id is not None
            ids[ticket] = complaint_id
            await uow.complaints.add_action(complaint_id, "note", "Ditelepon Budi, 0812-1111-2222", lestari, filed)
            await uow.complaints.add_file(
                complaint_id,
                telegram_file_id=f"tg-{ticket}",
                file_name="kuitansi-budi.jpg",
                mime_type="image/jpeg",
                is_photo=True,
                size=20,
                stored_path=photo.path if ticket == "USL-2021-0001" else None,
                now=filed,
            )
            if closed is not None:
                assert await uow.complaints.close(complaint_id, "Dana dikembalikan kepada Budi", lestari, closed)

    # 28 November 2026: announced (the 2021 one only), nothing erased yet; a second run announces nothing.
    report = await services.retention.run()
    assert (report.complaints_announced, report.complaints_erased) == (1, 0)
    assert (await services.retention.run()).complaints_announced == 0
    async with storage.db.reading() as conn:
        notices = [
            json.loads(str(r[0]))
            for r in await conn.execute_fetchall("SELECT params FROM outbox WHERE kind = 'retention' ORDER BY id")
        ]
    assert [(n["stage"], n["count"], n["codes"]) for n in notices] == [("complaints_notice", 1, ["USL-2021-0001"])]
    async with storage.reading() as uow:
        assert (await uow.complaints.by_id(ids["USL-2021-0001"])).description.startswith("Pak Joko")

    # A week later: erased, once, even run twice; the others untouched.
    clock.advance(days=7)
    assert (await services.retention.run()).complaints_erased == 1
    assert (await services.retention.run()).complaints_erased == 0
    async with storage.reading() as uow:
        gone = await uow.complaints.by_id(ids["USL-2021-0001"])
        assert gone is not None and (gone.ticket, gone.category, gone.status) == ("USL-2021-0001", "levy", "closed")
        assert (gone.description, gone.outcome, gone.anonymous) == ("", None, False)
        assert await uow.complaints.complainant(gone.id) is None
        assert [a.text for a in await uow.complaints.actions(gone.id)] == [""]
        assert await uow.complaints.files(gone.id) == [] and gone.files == 0
        for kept in ("USL-2024-0001", "USL-2020-0001"):
            row = await uow.complaints.by_id(ids[kept])
            assert row is not None and row.description.startswith("Pak Joko") and row.files == 1
            assert await uow.complaints.complainant(row.id) == Complainant(budi, 7002, "Budi Warga")
    assert not Path(photo.path).exists()
    async with storage.db.reading() as conn:
        audited = await conn.execute_fetchall(
            "SELECT entity, entity_id, action FROM audit_events WHERE entity = 'complaint' ORDER BY id"
        )
        assert [tuple(r) for r in audited] == [("complaint", str(ids["USL-2021-0001"]), "retention_erase")]
        stages = [
            json.loads(str(r[0]))["stage"]
            for r in await conn.execute_fetchall("SELECT params FROM outbox WHERE kind = 'retention' ORDER BY id")
        ]
    assert stages == ["complaints_notice", "complaints_done"]
