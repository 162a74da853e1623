"""The clients at rest (issue 17.5): a copied disk, backup or dump reveals nobody.

The story is the whole of steps b–d (tests/scenarios/test_payments_flow.py: submit, review, the
SK, bank accounts typed and uploaded, a returned account, the payment), with the KTP-like assessment
attached. Then Rina (admin) makes a backup with /cadangan, and everything the centre keeps on disk
is read byte by byte for each client's name, NIK, bank account number and address: the SQLite file
and its WAL, the backup archive (and, on PostgreSQL, its dump as pg_restore writes it out, and a
plain-SQL pg_dump of the live database), the file store, and each export not meant to carry
personal data. None of them may hold any of it; the full client export (meant to) does, which
shows the scan finds what is there.
"""

from __future__ import annotations

import io
import subprocess
import tarfile
import zipfile
from pathlib import Path

from bot.i18n import Translator
from storage.pg_backup import client_tool
from tests.helpers import pdf
from tests.scenarios import change_cast as changes
from tests.scenarios import double_assistance_cast as double_assistance
from tests.scenarios import payment_cast as payments
from tests.scenarios.admin_cast import admin
from tests.scenarios.review_cast import CLIENTS

# Each client's name, NIK, bank account number and street address (what a leak would be).
NEEDLES = [
    *[name for name, _, _ in CLIENTS],
    *[nik for _, nik, _ in CLIENTS],
    *[address.split(" RT")[0] for _, _, address in CLIENTS],  # "Jl. Melati 3", …
    "123456789012345",
    "0123456789",
    "1234567890123",  # the accounts typed and uploaded in the story
    # A complaint (issue 16.5): what she wrote, her photo, the officer's action and the outcome. (Her
    # Telegram name is in ``people``, as everyone's who pressed Start; which complaint is hers is sealed.)
    "kuitansi Wulan",
    "memotong Rp700.000",
    "rumah Bu Wulan",
    "mengembalikan Rp700.000",
    changes.CORRECTED_NIK,  # a NIK corrected after the SK (issue 16.6), its old value kept in the request
]


def _hits(data: bytes) -> set[str]:
    """The needles in ``data`` (and in every member of it, when it is a zip: an XLSX)."""
    found = {n for n in NEEDLES if n.encode() in data}
    if data[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(data)) as book:
            for name in book.namelist():
                found |= {n for n in NEEDLES if n.encode() in book.read(name)}
    return found


def _folder_hits(folder: Path) -> dict[str, set[str]]:
    return {str(p): hit for p in sorted(folder.rglob("*")) if p.is_file() and (hit := _hits(p.read_bytes()))}


async def _complaint_story(world) -> None:  # noqa: ANN001
    """Wulan complains by name with a photo; the officer records a visit and closes with an outcome."""
    from bot.domain.conversation import Reply
    from bot.domain.models import Role
    from tests.helpers import jpeg

    wulan = world.emu.add_user("Wulan", last_name="Kusumawati")
    await world.say(wulan, "/start")
    officer = world.emu.add_user("Dewi", last_name="Pengaduan")
    await world.enrol(officer, Role.COMPLAINT_OFFICER)
    services = world.services.complaints
    who = await world.services.onboarding.identify(wulan.id, wulan.full_name, private_chat=True, language="id")
    await services.start(who)
    for reply in (Reply(choice="levy"), Reply(choice="named"), Reply(choice="skip")):
        await services.answer(who, reply)
    await services.answer(who, Reply(text="Pengurus yayasan memotong Rp700.000 dari bantuan anak saya."))
    await world.emu.send_photo(wulan, content=jpeg(b"kuitansi Wulan Kusumawati"))
    await world.emu.settle()
    await services.answer(who, Reply(choice="done"))
    await services.submit(who)
    dewi = await world.services.onboarding.identify(officer.id, officer.full_name, private_chat=True, language="id")
    [(complaint_id,)] = await world.rows("SELECT id FROM complaints")
    await services.begin_action(dewi, complaint_id, "note")
    await services.action_text(dewi, "Kunjungan ke rumah Bu Wulan pada 3 Desember.")
    await services.begin_action(dewi, complaint_id, "close")
    await services.action_text(dewi, "Yayasan wajib mengembalikan Rp700.000 kepada klien.")
    await services.close(dewi, complaint_id)
    await world.drain()
    assert await world.rows("SELECT count(*) FROM complaint_files") == [(1,)]


async def test_no_client_is_readable_in_the_database_files_backups_dumps_file_store_or_plain_exports(
    world, tmp_path: Path
) -> None:
    await payments.sk_accounts_and_payment_until_paid(world)
    await changes.nik_corrected_after_payment(world)  # issue 16.6: values, reasons and a KTP scan kept
    t = world.team
    # The assessment as a file that names its client, as scanned KTPs and letters do.
    name, nik, _ = CLIENTS[0]
    assessment = pdf(f"asesmen {name} NIK {nik}")
    await world.say(t.op, "/lpj")  # any open conversation: the upload is kept (or refused) either way
    await world.emu.send_document(
        t.op, file_name=f"asesmen {name}.pdf", content=assessment, mime_type="application/pdf"
    )
    await world.emu.settle()
    await _complaint_story(world)
    rina = await admin(world)
    await world.say(rina, "/cadangan")
    await world.drain()

    # What the bot reads is the clients, in full (the keys open it).
    assert [r[0] for r in await world.rows("SELECT full_name FROM clients ORDER BY position")] == [
        c[0] for c in CLIENTS
    ]
    assert len(await world.rows("SELECT 1 FROM attachments WHERE stored_path IS NOT NULL")) >= 1

    leaks: dict[str, set[str]] = {}
    settings = world.settings
    if world.storage.db.dialect == "sqlite":
        database = Path(settings.storage.database)
        for path in (database, Path(f"{database}-wal")):
            if path.exists() and (hit := _hits(path.read_bytes())):
                leaks[str(path)] = hit
        assert database.stat().st_size > 0
    else:
        plain_dump = subprocess.run(
            [client_tool("pg_dump"), "--format=plain", "--no-owner", f"--dbname={settings.storage.url}"],
            capture_output=True,
            check=True,
        ).stdout
        assert b"COPY public.clients" in plain_dump
        if hit := _hits(plain_dump):
            leaks["pg_dump --format=plain"] = hit

    backups = sorted(Path(settings.admin.backups_dir).glob("*.tar"))
    assert backups, "the /cadangan archive"
    with tarfile.open(backups[-1]) as archive:
        for member in archive.getmembers():
            if not member.isfile():
                continue
            content = archive.extractfile(member).read()  # type: ignore[union-attr]
            if hit := _hits(content):
                leaks[f"backup:{member.name}"] = hit
            if member.name.endswith(".pgdump"):
                dumped = tmp_path / "backup.pgdump"
                dumped.write_bytes(content)
                as_sql = subprocess.run(
                    [client_tool("pg_restore"), "--file=-", str(dumped)], capture_output=True, check=True
                ).stdout
                assert b"COPY public.clients" in as_sql
                if hit := _hits(as_sql):
                    leaks["backup dump as pg_restore writes it"] = hit

    files = Path(settings.storage.files_dir)
    assert any(files.rglob("*")), "the file store holds the uploads"
    leaks |= _folder_hits(files)

    who = await world.services.onboarding.identify(rina.id, rina.full_name, private_chat=True, language="en")
    span = world.services.reports.export_range("y0")
    for kind in ("proposals", "clients", "payments", "lpj", "audit"):
        book = await world.services.reports.export(who, kind, span, Translator("en"), unmasked=False)
        if hit := _hits(book.content):
            leaks[f"export:{kind}"] = hit
    assert leaks == {}, leaks

    # The scan finds what is there: the full client export (meant for the admin who asked) names them.
    full = await world.services.reports.export(who, "clients", span, Translator("en"), unmasked=True)
    # (with Siti Rahayu's NIK as corrected by the SK perubahan)
    niks = {c[1] for c in CLIENTS} - {changes.CLIENT_NIK} | {changes.CORRECTED_NIK}
    assert {c[0] for c in CLIENTS} | niks <= _hits(full.content)


async def test_double_assistance_leaves_no_client_readable_in_the_database(world) -> None:
    """Issue 16.1: the conflicts, the adjudication and its audit hold ids, codes and the typed reason;
    the clients of both IPWL stay sealed (matched by the NIK's blind index)."""
    await double_assistance.held_until_adjudicated(world)
    needles = [*NEEDLES, *[x for row in double_assistance.SS01_CLIENT for x in row[:2]]]
    assert await world.rows("SELECT count(*) FROM nik_conflicts WHERE adjudicated_at IS NOT NULL") == [(2,)]
    if world.storage.db.dialect == "sqlite":
        database = Path(world.settings.storage.database)
        data = b"".join(p.read_bytes() for p in (database, Path(f"{database}-wal")) if p.exists())
    else:
        data = subprocess.run(
            [client_tool("pg_dump"), "--format=plain", "--no-owner", f"--dbname={world.settings.storage.url}"],
            capture_output=True,
            check=True,
        ).stdout
        assert b"COPY public.nik_conflicts" in data
    assert {n for n in needles if n.encode() in data} == set()
