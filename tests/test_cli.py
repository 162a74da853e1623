"""The atensi-bot command: what an admin at a terminal sees."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from storage.backup import verify_archive
from storage.unit import Storage
from tests.helpers import IPWL_CSV
from tests.terminal import rows, run


@pytest.fixture
def config(tmp_path: Path, database_url: str) -> Path:
    """A centre's config on this test's engine (SQLite file or PostgreSQL URL)."""
    path = tmp_path / "config.toml"
    path.write_text(f'[storage]\nurl = "{database_url}"\n[telegram]\nbot_username = "atensi_bot"\n')
    return path


def test_setting_up_a_centre_from_the_terminal(tmp_path: Path, config: Path, database_url: str, capsys) -> None:
    assert run(capsys, "db", "migrate", "--config", str(config))[0] == 0
    code, out, _ = run(capsys, "db", "status", "--config", str(config))
    assert code == 0 and "applied  0001_initial.sql" in out

    assert run(capsys, "admin", "teams", "add", "TIM1", "Tim PIC 1", "--config", str(config))[0] == 0
    assert run(capsys, "admin", "teams", "add", "TIM2", "Tim PIC 2", "--config", str(config))[0] == 0
    csv = tmp_path / "ipwl.csv"
    csv.write_text(IPWL_CSV)
    code, out, _ = run(capsys, "admin", "import-ipwl", str(csv), "--config", str(config))
    assert (code, out.strip()) == (0, f"4 IPWL imported from {csv}")

    code, out, _ = run(capsys, "admin", "teams", "--config", str(config))
    assert "TIM1" in out and "2 IPWL" in out

    code, out, _ = run(capsys, "admin", "invite", "--ipwl", "JB01", "--config", str(config))
    assert code == 0
    link = out.splitlines()[0]
    assert link.startswith("https://t.me/atensi_bot?start=")
    token = link.split("=", 1)[1]
    assert len(token) <= 64 and f"token: {token}" in out

    code, out, _ = run(capsys, "admin", "invite", "--role", "pic", "--team", "TIM1", "--config", str(config))
    assert code == 0

    backup = tmp_path / "backup.tar"
    code, out, _ = run(capsys, "admin", "backup", str(backup), "--config", str(config))
    assert code == 0 and "verified" in out
    if "postgresql://" in config.read_text():  # a pg_dump in the archive, and how to restore it
        assert "database.pgdump" in verify_archive(backup)["members"] and "pg_restore" in out
        code, _, err = run(capsys, "db", "restore", str(backup), "--config", str(config))
        assert code != 0 and "PostgreSQL" in err and "Nothing was changed" in err and "apply-erasures" in err
        code, out, _ = run(capsys, "db", "apply-erasures", "--config", str(config))
        assert code == 0 and "0 client record(s) erased again" in out  # nobody erased yet
    else:
        assert f"atensi-bot db restore {backup}" in out
        assert "database.sqlite3" in verify_archive(backup)["members"]
    # Audited like /cadangan (issue 18.7), by the command line.
    assert rows(
        database_url, "SELECT actor_role, entity, entity_id, action FROM audit_events WHERE action = 'backup'"
    ) == [("cli", "database", "backup.tar", "backup")]
    code, out, _ = run(capsys, "admin", "invite", "--role", "auditor", "--config", str(config))
    assert code == 0 and "role: auditor" in out


def test_a_bad_csv_is_rejected_row_by_row_and_nothing_is_imported(tmp_path: Path, config: Path, capsys) -> None:
    run(capsys, "admin", "teams", "add", "TIM1", "Tim PIC 1", "--config", str(config))
    csv = tmp_path / "ipwl.csv"
    csv.write_text(
        IPWL_CSV.splitlines()[0] + "\nJB01,Yayasan,32,Bogor,Jl,PKS,2026-01-01,2027-01-01,TIM1\n"
        "JB02,,77,Bogor,Jl,PKS,32/13/2026,2027-01-01,TIM1\n"
    )
    code, _, err = run(capsys, "admin", "import-ipwl", str(csv), "--config", str(config))
    assert code == 2
    assert "nothing imported" in err
    assert "row 3: name must be 1–200 characters" in err
    assert "row 3: unknown province code 77" in err
    assert "row 3, column pks_valid_from: not a date" in err
    assert "Traceback" not in err
    code, out, _ = run(capsys, "admin", "teams", "--config", str(config))
    assert "0 IPWL" in out


def test_unknown_codes_and_missing_files_get_clear_messages(tmp_path: Path, config: Path, capsys) -> None:
    code, _, err = run(capsys, "admin", "invite", "--ipwl", "NOPE", "--config", str(config))
    assert code == 2 and "There is no IPWL with code NOPE." in err
    code, _, err = run(capsys, "admin", "invite", "--role", "pic", "--config", str(config))
    assert code == 2 and "--team" in err
    code, _, err = run(capsys, "admin", "import-ipwl", str(tmp_path / "missing.csv"), "--config", str(config))
    assert code == 2 and "cannot be read" in err


def test_a_malformed_config_exits_2_naming_file_and_key(tmp_path: Path, capsys) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[storage]\ndatabse = 'x.sqlite3'\n")
    code, _, err = run(capsys, "db", "status", "--config", str(bad))
    assert code == 2
    assert str(bad) in err and "storage.databse: unknown key" in err


def test_run_without_a_token_starts_the_sandbox_and_says_how_to_get_one(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ATENSI_")}
    env.update(
        PYTHONPATH=str(Path(__file__).resolve().parents[1]),
        ATENSI_SANDBOX__PORT="0",
        ATENSI_SANDBOX__DATABASE=str(tmp_path / "sandbox.sqlite3"),
    )
    log = tmp_path / "log.txt"
    with log.open("w") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "run"],
            cwd=tmp_path,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 60
            while not (url := re.search(r"open (http://127\.0\.0\.1:\d+/)", log.read_text())):
                assert process.poll() is None and time.monotonic() < deadline, log.read_text()
                time.sleep(0.1)
            with urllib.request.urlopen(url.group(1), timeout=10) as page:
                assert b"ATENSI" in page.read()
        finally:
            process.send_signal(signal.SIGINT)
            code = process.wait(timeout=30)
    output = log.read_text()
    assert code == 0, output
    assert "@BotFather" in output and "ATENSI_BOT_TOKEN" in output and "sandbox" in output
    assert "Traceback" not in output


# The CLI runs on the machine's clock: a last day two years from now (a role ends within 5 years).
LAST_DAY = (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=730)).isoformat()


def test_audit_verify_names_the_edited_row_and_an_expiring_invite_from_the_terminal(
    tmp_path: Path, config: Path, database_url: str, capsys
) -> None:
    """Issue 17.8: Dewi, the admin, checks the trail from the terminal; a row edited by hand is named."""
    mirror = tmp_path / "audit-mirror.jsonl"
    config.write_text(config.read_text() + f'[audit]\nmirror = "{mirror}"\n')
    assert run(capsys, "admin", "teams", "add", "TIM1", "Tim PIC 1", "--config", str(config))[0] == 0
    code, out, _ = run(capsys, "admin", "invite", "--role", "head", "--valid-until", LAST_DAY, "--config", str(config))
    assert code == 0 and f"the role it grants lapses at the end of {LAST_DAY}" in out
    code, _, err = run(capsys, "admin", "invite", "--role", "head", "--valid-until", "30-06", "--config", str(config))
    assert code == 2 and "a date as 2027-06-30" in err
    assert rows(database_url, "SELECT grant_valid_until IS NOT NULL FROM invites") == [(True,)] or rows(
        database_url, "SELECT grant_valid_until IS NOT NULL FROM invites"
    ) == [(1,)]

    code, out, _ = run(capsys, "audit", "verify", "--config", str(config))
    assert code == 0 and "2 audit event(s) checked" in out and "intact" in out and "2 event(s) match" in out

    (event_id,) = rows(database_url, "SELECT id FROM audit_events WHERE action = 'create_invite'")[0]

    async def edit() -> None:
        storage = await Storage.open(database_url, apply_migrations=False)
        try:
            async with storage.db.transaction() as conn:
                await conn.execute("UPDATE audit_events SET actor_role = 'admin' WHERE id = ?", (event_id,))
        finally:
            await storage.close()

    asyncio.run(edit())
    code, out, _ = run(capsys, "audit", "verify", "--config", str(config))
    assert code == 1 and f"altered: event {event_id} (seq 2)" in out, out


def test_the_budget_ceiling_is_set_and_shown_from_the_terminal_and_audited(
    config: Path, database_url: str, capsys
) -> None:
    year = str(dt.datetime.now(ZoneInfo("Asia/Jakarta")).year)  # the centre's year, as the CLI takes it
    code, out, _ = run(capsys, "admin", "ceiling", "set", year, "Rp 5.000.000.000", "--config", str(config))
    assert code == 0 and f"ceiling {year} whole year: none -> Rp5.000.000.000" in out
    code, out, _ = run(
        capsys, "admin", "ceiling", "set", year, "750000000", "--component", "3", "--config", str(config)
    )
    assert code == 0 and "none -> Rp750.000.000" in out
    code, out, _ = run(capsys, "admin", "ceiling", "show", year, "--config", str(config))
    assert code == 0 and "Rp5.000.000.000" in out and "committed" in out and "Rp750.000.000" in out
    assert rows(database_url, "SELECT year, component, amount FROM budget_ceilings ORDER BY component") == [
        (int(year), "", 5_000_000_000),
        (int(year), "3", 750_000_000),
    ]
    assert rows(
        database_url,
        "SELECT actor_role, entity_id, to_status FROM audit_events WHERE action = 'set_ceiling' ORDER BY id",
    ) == [("cli", f"{year}:all", "5000000000"), ("cli", f"{year}:3", "750000000")]
    # A wrong amount, component or year: a clear message, nothing changed.
    for argv, says in (
        (("set", year, "lima miliar"), "lima miliar: "),
        (("set", year, "1000", "--component", "9"), "--component 9"),
        (("set", "1999", "1000"), "1999"),
        (("set", year), "the amount in rupiah"),
    ):
        code, _, err = run(capsys, "admin", "ceiling", *argv, "--config", str(config))
        assert code == 2 and says in err, err
    assert len(rows(database_url, "SELECT * FROM budget_ceilings")) == 2
