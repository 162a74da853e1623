"""Test data builders shared by service and scenario tests."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Callable

import pytest

from bot.domain.client_changes import ChangeKind, ChangeRequest
from bot.domain.models import ProposalStatus
from bot.files.ipwl_csv import parse_ipwl_csv
from bot.files.problems import ImportRejected
from bot.services import FileUpload, Identity, Services
from storage import migrate as migrations
from storage.db import Database
from storage.unit import Storage

# A small registry: two PIC teams, IPWL in Jawa Barat (WIB), Sulawesi Selatan (WITA), Papua (WIT).
IPWL_CSV = (
    "code,name,province_code,regency,address,pks_number,pks_valid_from,pks_valid_until,team\n"
    "JB01,Yayasan Harapan Bogor,32,Kabupaten Bogor,Jl. Raya Cibinong 1,PKS-001/2026,2026-01-01,2027-12-31,TIM1\n"
    "JB02,Rumah Pulih Bandung,32,Kota Bandung,Jl. Asia Afrika 2,PKS-002/2026,2026-01-01,2027-12-31,TIM1\n"
    "SS01,Lembaga Sehati Makassar,73,Kota Makassar,Jl. Somba Opu 3,PKS-003/2026,2026-01-01,2027-12-31,TIM2\n"
    "PA01,Yayasan Fajar Jayapura,91,Kota Jayapura,Jl. Ahmad Yani 4,PKS-004/2026,2026-01-01,2027-12-31,TIM2\n"
)


async def seed_registry(services: Services) -> None:
    await services.onboarding.create_team("TIM1", "Tim PIC 1")
    await services.onboarding.create_team("TIM2", "Tim PIC 2")
    rows = parse_ipwl_csv(IPWL_CSV.encode(), today=services.clock.now().date())
    await services.onboarding.import_ipwl(rows)


async def person(services: Services, telegram_user_id: int, name: str) -> Identity:
    return await services.onboarding.identify(telegram_user_id, name, private_chat=True, language="id")


async def enrol(services: Services, telegram_user_id: int, name: str, role, **scope: str) -> Identity:
    """Invite and redeem in one go: the person ends up holding the role."""
    invite = await services.onboarding.create_invite(role, ipwl_code=scope.get("ipwl"), team_code=scope.get("team"))
    who = await person(services, telegram_user_id, name)
    await services.onboarding.redeem_invite(who, invite.token)
    return await person(services, telegram_user_id, name)


def days(n: float) -> dt.timedelta:
    return dt.timedelta(days=n)


def pdf(note: str = "surat") -> bytes:
    """The smallest file that opens as a PDF for the bot's check: header, one object, trailer."""
    return f"%PDF-1.4\n% {note}\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n".encode()


def jpeg(note: bytes = b"", *, size: int = 12_000) -> bytes:
    """A structurally whole JPEG (SOI, JFIF, a comment, a 1×1 frame, a scan, EOI); ``note`` inside
    the scan makes two photos differ. The comment pads it to about ``size`` bytes: as large as a
    phone's photo of a page (the bot refuses a signed form of a few hundred bytes)."""
    app0 = b"\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    padding = b"." * min(max(size - 64, 0), 65_000)
    com = b"\xff\xfe" + (len(padding) + 2).to_bytes(2, "big") + padding if padding else b""
    sof0 = b"\xff\xc0\x00\x11\x08\x00\x01\x00\x01\x03\x01\x11\x00\x02\x11\x00\x03\x11\x00"
    sos = b"\xff\xda\x00\x0c\x03\x01\x00\x02\x11\x03\x11\x00\x3f\x00"
    return b"\xff\xd8" + app0 + com + sof0 + sos + note.replace(b"\xff", b"\xfe") + b"\x00\xff\xd9"


def opened(keys: object, value: object) -> object:
    """A value as a reader with the keys sees it: a sealed one (storage/sealing.py) opened under
    whichever sealed column it belongs to; anything else as it is. Tests asserting on what the
    database *means* read through this; the scan tests read the raw bytes instead."""
    from storage.sealing import SEALED_COLUMNS, SealedValueError, is_sealed

    if not is_sealed(value):
        return value
    for table, columns in SEALED_COLUMNS.items():
        for column in columns:
            try:
                return keys.open(value, table, column)
            except SealedValueError:
                continue
    raise AssertionError(f"a sealed value that opens under no sealed column: {value!r}")


async def consent_all(services: Services, who: Identity, guardian: str = "Siti Aminah, ibu") -> None:
    """Each client of the operator's open draft without consent gets one, with a signed form (a
    client under 18 with ``guardian``), as the operator records them before sending (issue 17.6)."""
    from bot.domain.consent import is_minor, parse_guardian
    from bot.services.proposals import FileUpload

    state = await services.proposals.current(who)
    assert state is not None, "no draft open"
    for client in state.without_consent:
        upload = FileUpload(
            f"consent-{client.id}", f"u-consent-{client.id}", f"persetujuan-{client.position}.jpg", "image/jpeg", 1024
        )
        minor = is_minor(client.nik, services.clock.now().date())
        await services.proposals.record_consent(
            who,
            client.id,
            upload,
            sha256=f"{client.id:064x}",
            stored_path=None,
            guardian=parse_guardian(guardian) if minor else None,
        )


async def submit_with_consent(services: Services, who: Identity, proposal_id: int):
    """Record the consents the draft still lacks, then send it (what most stories take as given)."""
    await consent_all(services, who)
    return await services.proposals.submit(who, proposal_id)


def png(width: int = 64, height: int = 48) -> bytes:
    """A real PNG with transparency, as a screenshot or a scan saved from a phone is."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGBA", (width, height), (30, 120, 200, 128)).save(out, format="PNG")
    return out.getvalue()


def picture(kind: str, **options: object) -> bytes:
    """A 64x48 picture in ``kind`` (a PIL format: "JPEG", "PNG"), saved with ``options``."""
    from PIL import Image  # (matplotlib's dependency; only the test draws pictures)

    out = io.BytesIO()
    Image.new("RGB", (64, 48), "teal").save(out, kind, **options)
    return out.getvalue()


async def someone_waits_for_a_lock(monitor: Storage) -> bool:
    async with monitor.db.reading() as conn:
        return bool(
            await conn.fetchval(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
        )


async def migrated_before(db: Database, version: int, monkeypatch) -> None:
    """``db`` as a centre that has run the bot since before migration ``version``: the migrations before it
    applied, with one IPWL (id 1, JB01) and its operator Siti (person 1); ``migrations.migrate`` applies the rest."""
    every = migrations.available_migrations()
    monkeypatch.setattr(
        migrations, "available_migrations", lambda dialect="sqlite": [m for m in every if m.version < version]
    )
    await migrations.migrate(db)
    now = "2026-11-28T03:00:00+00:00"
    async with db.transaction() as conn:
        await conn.execute(
            "INSERT INTO ipwl (id, code, name, province_code, created_at, updated_at)"
            " VALUES (1, 'JB01', 'Yayasan Harapan', '32', ?, ?)",
            (now, now),
        )
        await conn.execute(
            "INSERT INTO people (id, telegram_user_id, full_name, created_at) VALUES (1, 1001, 'Siti', ?)", (now,)
        )
    monkeypatch.setattr(migrations, "available_migrations", lambda dialect="sqlite": every)


async def status_of(services: Services, proposal_id: int) -> ProposalStatus:
    """The proposal's status as stored now."""
    async with services.storage.reading() as uow:
        proposal = await uow.proposals.by_id(proposal_id)
    assert proposal is not None
    return proposal.status


def zip_of(files: dict[str, str]) -> bytes:
    """A ZIP archive holding ``files`` (name: text): the container of every Office file."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return out.getvalue()


def docx() -> bytes:
    """A Word document that opens and holds nothing (no signature in it, no sheet)."""
    return zip_of(
        {
            "[Content_Types].xml": '<?xml version="1.0"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
            "word/document.xml": '<?xml version="1.0"?>'
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"/>',
        }
    )


def telegram_file(name: str, mime: str = "application/pdf", size: int = 50_000) -> FileUpload:
    """A file as Telegram describes it to the bot (its ids made from its name)."""
    return FileUpload(f"file-{name}", f"u-{name}", name, mime, size)


async def client_ids(services: Services, proposal_id: int) -> list[int]:
    """The proposal's clients' ids, in their order."""
    async with services.storage.reading() as uow:
        return [c.id for c in await uow.clients.of_proposal(proposal_id)]


async def file_death_notice(
    services: Services, who: Identity, client_id: int, kind: ChangeKind = ChangeKind.DEATH
) -> ChangeRequest:
    """An operator files a change for a client (a death, unless ``kind`` says otherwise), with its letter."""
    await services.client_changes.start(who, client_id, kind)
    await services.client_changes.answer(who, "Klien meninggal dunia pada 25 November 2026")
    return await services.client_changes.evidence(who, telegram_file("surat.pdf", size=200), pdf("akta"))


def first_refusal(read: Callable[[bytes], object], data: bytes) -> str:
    """The msgid of the first problem ``read`` refuses ``data`` with (an ImportRejected)."""
    with pytest.raises(ImportRejected) as refused:
        read(data)
    return refused.value.problems[0].message
