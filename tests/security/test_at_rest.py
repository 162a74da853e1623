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

import subprocess
import tarfile
from pathlib import Path

from bot.i18n import Translator
from storage.pg_backup import client_tool
from tests.helpers import pdf
from tests.scenarios import change_cast as changes
from tests.scenarios import double_assistance_cast as double_assistance
from tests.scenarios import payment_cast as payments
from tests.scenarios.admin_cast import admin
from tests.scenarios.complaint_cast import named_complaint_with_a_photo_closed
from tests.scenarios.review_cast import CLIENTS
from tests.security.personal_data import NEEDLES, needles_in, needles_in_folder


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
    await named_complaint_with_a_photo_closed(world)
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
            if path.exists() and (hit := needles_in(path.read_bytes())):
                leaks[str(path)] = hit
        assert database.stat().st_size > 0
    else:
        plain_dump = subprocess.run(
            [client_tool("pg_dump"), "--format=plain", "--no-owner", f"--dbname={settings.storage.url}"],
            capture_output=True,
            check=True,
        ).stdout
        assert b"COPY public.clients" in plain_dump
        if hit := needles_in(plain_dump):
            leaks["pg_dump --format=plain"] = hit

    backups = sorted(Path(settings.admin.backups_dir).glob("*.tar"))
    assert backups, "the /cadangan archive"
    with tarfile.open(backups[-1]) as archive:
        for member in archive.getmembers():
            if not member.isfile():
                continue
            content = archive.extractfile(member).read()
            if hit := needles_in(content):
                leaks[f"backup:{member.name}"] = hit
            if member.name.endswith(".pgdump"):
                dumped = tmp_path / "backup.pgdump"
                dumped.write_bytes(content)
                as_sql = subprocess.run(
                    [client_tool("pg_restore"), "--file=-", str(dumped)], capture_output=True, check=True
                ).stdout
                assert b"COPY public.clients" in as_sql
                if hit := needles_in(as_sql):
                    leaks["backup dump as pg_restore writes it"] = hit

    files = Path(settings.storage.files_dir)
    assert any(files.rglob("*")), "the file store holds the uploads"
    leaks |= needles_in_folder(files)

    who = await world.services.onboarding.identify(rina.id, rina.full_name, private_chat=True, language="en")
    span = world.services.reports.export_range("y0")
    for kind in ("proposals", "clients", "payments", "lpj", "audit"):
        book = await world.services.reports.export(who, kind, span, Translator("en"), unmasked=False)
        if hit := needles_in(book.content):
            leaks[f"export:{kind}"] = hit
    assert leaks == {}, leaks

    # The scan finds what is there: the full client export (meant for the admin who asked) names them.
    full = await world.services.reports.export(who, "clients", span, Translator("en"), unmasked=True)
    # (with Siti Rahayu's NIK as corrected by the SK perubahan)
    niks = {c[1] for c in CLIENTS} - {changes.CLIENT_NIK} | {changes.CORRECTED_NIK}
    assert {c[0] for c in CLIENTS} | niks <= needles_in(full.content)


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
