"""One process still works (issue 15.4): ``atensi-bot run --webhook`` is intake, worker and leader in
one process, on either engine; on SQLite the several-process commands refuse with the reason.

Rina (a stranger) writes to the bot while it takes webhooks; the admin at the terminal tries to
start a worker on a SQLite centre.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest

from bot.cli import main
from bot.emulator import BotApiEmulator, default_spec_path
from tests.emulator.helpers import call
from tests.faults.conftest import ROOT, TOKEN, rows
from tests.faults.crash_cast import _free_port
from tests.waiting import until

SECRET = "one-Process_secret"


@pytest.mark.sqlite_only
@pytest.mark.parametrize("command", ["worker", "webhook"])
def test_several_processes_are_refused_on_sqlite_with_the_reason(
    tmp_path: Path, capsys, command: str, engine: str
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'[storage]\ndatabase = "{tmp_path / "atensi.sqlite3"}"\n[webhook]\nsecret = "{SECRET}"\n')
    assert main([command, "--config", str(config)]) == 2
    said = capsys.readouterr().err
    assert "PostgreSQL" in said and "one process" in said and "atensi-bot run --webhook" in said
    assert not (tmp_path / "atensi.sqlite3").exists()  # nothing was opened


def test_webhook_mode_needs_a_secret(tmp_path: Path, capsys, database_url: str) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'[storage]\nurl = "{database_url}"\n[telegram]\ntoken = "{TOKEN}"\n')
    assert main(["run", "--webhook", "--config", str(config)]) == 2
    assert "[webhook] secret is not set" in capsys.readouterr().err
    config.write_text(f'[storage]\nurl = "{database_url}"\n[webhook]\nsecret = "has spaces"\n')
    assert main(["run", "--webhook", "--config", str(config)]) == 2
    assert "secret" in capsys.readouterr().err


async def test_run_webhook_is_intake_worker_and_leader_in_one_process(tmp_path: Path, database_url: str) -> None:
    port = _free_port()
    async with BotApiEmulator(TOKEN, spec_path=default_spec_path()) as emu:
        config = tmp_path / "config.toml"
        config.write_text(
            f'[telegram]\nbase_url = "{emu.base_url}"\nbase_file_url = "{emu.base_file_url}"\n'
            f'[storage]\nurl = "{database_url}"\ndatabase = "{tmp_path / "atensi.sqlite3"}"\n'
            f'files_dir = "{tmp_path / "files"}"\n'
            f'[webhook]\nport = {port}\nurl = "http://127.0.0.1:{port}/telegram/webhook"\n'
            "leader_check_seconds = 0.3\n"
        )
        env = {**os.environ, "ATENSI_BOT_TOKEN": TOKEN, "ATENSI_WEBHOOK__SECRET": SECRET, "PYTHONPATH": str(ROOT)}
        log = tmp_path / "bot.log"
        with open(log, "wb") as out:
            proc = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot",
                "run",
                "--webhook",
                "--register",
                "--config",
                str(config),
                env=env,
                cwd=tmp_path,
                stdout=out,
                stderr=out,
                stdin=asyncio.subprocess.DEVNULL,
            )
        try:
            await until(lambda: emu.webhook is not None, timeout=60)
            rina = emu.add_user("Rina", started=True)
            await emu.send_text(rina, "/start")
            await emu.send_text(rina, "/bantuan")
            await emu.wait_for(lambda: len(emu.chat_messages(rina)) >= 2, timeout=30)
            # polling is off while the webhook is set (Telegram answers getUpdates with 409)
            status, _ = await call(emu, "getUpdates", {"timeout": "0"})
            assert status == 409
            await until(
                lambda: (
                    rows(
                        database_url if database_url.startswith("postgresql") else tmp_path / "atensi.sqlite3",
                        "SELECT count(*) FROM inbox WHERE status = 'done'",
                    )
                    == [(2,)]
                ),
                timeout=30,
            )
            assert "leads: the outbox sender" in log.read_text()
        finally:
            if proc.returncode is None:
                proc.send_signal(signal.SIGTERM)
            code = await asyncio.wait_for(proc.wait(), timeout=60)
        assert code == 0, log.read_text()[-2000:]
        assert "Traceback" not in log.read_text() and TOKEN not in log.read_text()
        assert emu.violations == []
