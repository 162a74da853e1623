"""The national deployment as kept in deploy/: the systemd units' own command lines, started.

Each unit's ``ExecStart`` and ``Environment`` are read from ``deploy/systemd/*.service`` and run as
they stand — only the install prefix (``/opt/atensi-bot/.venv``) becomes this checkout's virtual
environment and the config file a test one (the same keys as ``deploy/config.national.toml``, pointed
at the emulator and a throwaway PostgreSQL). The secrets come from the environment, as the units'
``EnvironmentFile`` provides them. Then: the intakes answer ``/healthz`` and registered the webhook,
a person's message is answered by a worker, one worker leads, each worker logs a heartbeat,
``atensi-bot db status`` tells the inbox depth, the oldest pending update and who leads, and every
process stops cleanly on SIGTERM (as ``systemctl stop`` sends).
"""

from __future__ import annotations

import asyncio
import os
import shlex
import signal
import subprocess
import tomllib
from pathlib import Path

import aiohttp
import pytest

from bot.config import load_settings
from bot.emulator import BotApiEmulator, default_spec_path
from tests.emulator.helpers import call
from tests.faults.conftest import TOKEN, rows
from tests.faults.crash_cast import DEPLOY, _free_port, command_line, db_status, unit
from tests.waiting import until

pytestmark = [pytest.mark.postgresql_only, pytest.mark.multiprocess]

SECRET = "deployment-Secret_2"


def test_the_procfile_runs_the_same_commands_as_the_units() -> None:
    units = {
        shlex.split(unit(name)["ExecStart"][0])[1] for name in ("atensi-intake@.service", "atensi-worker@.service")
    }
    procfile = [
        line.split(":", 1)[1].split() for line in (DEPLOY / "Procfile").read_text().splitlines() if line.strip()
    ]
    commands = [next(word for word in argv if word in {"webhook", "worker"}) for argv in procfile]
    assert set(commands) == units == {"webhook", "worker"}
    assert commands.count("webhook") == 2 and commands.count("worker") == 3
    # The national config example is valid, and speaks of the same webhook path as the proxy's.
    settings = load_settings(DEPLOY / "config.national.toml", environ={"ATENSI_WEBHOOK__SECRET": SECRET})
    assert settings.storage.engine == "postgresql"
    assert f"location = {settings.webhook.path} " in (DEPLOY / "nginx-atensi.conf").read_text()


async def test_the_units_command_lines_serve_a_deployment(tmp_path: Path, database_url: str) -> None:
    intake_ports = [_free_port(), _free_port()]
    async with BotApiEmulator(TOKEN, spec_path=default_spec_path()) as emu:
        national = tomllib.loads((DEPLOY / "config.national.toml").read_text())
        config = tmp_path / "config.toml"
        config.write_text(
            f'[telegram]\nbase_url = "{emu.base_url}"\nbase_file_url = "{emu.base_file_url}"\n'
            f'bot_username = "{national["telegram"]["bot_username"]}"\n'
            f'[storage]\nurl = "{database_url}"\npool_size = 4\nfiles_dir = "{tmp_path / "files"}"\n'
            f'[admin]\nbackups_dir = "{tmp_path / "backups"}"\n'
            f'[webhook]\nlisten = "127.0.0.1"\npath = "{national["webhook"]["path"]}"\n'
            f'url = "http://127.0.0.1:{intake_ports[0]}{national["webhook"]["path"]}"\n'
            "heartbeat_seconds = 1\nleader_check_seconds = 0.3\nidle_poll_seconds = 0.5\n"
        )
        secrets = {"ATENSI_BOT_TOKEN": TOKEN, "ATENSI_WEBHOOK__SECRET": SECRET}  # the EnvironmentFile's
        intake, worker = unit("atensi-intake@.service"), unit("atensi-worker@.service")
        lines = [command_line(intake, str(port), config) for port in intake_ports]
        lines += [command_line(worker, str(n), config) for n in (1, 2)]
        procs: list[subprocess.Popen[bytes]] = []
        logs = [tmp_path / f"unit{n}.log" for n in range(len(lines))]
        try:
            for (argv, env), log in zip(lines, logs, strict=True):
                with open(log, "wb") as out:
                    procs.append(
                        subprocess.Popen(
                            argv,
                            env={**os.environ, **secrets, **env},
                            cwd=tmp_path,
                            stdout=out,
                            stderr=subprocess.STDOUT,
                        )
                    )

            async def healthy(port: int) -> bool:
                try:
                    async with (
                        aiohttp.ClientSession() as session,
                        session.get(f"http://127.0.0.1:{port}/healthz") as response,
                    ):
                        return response.status == 200
                except aiohttp.ClientError:
                    return False

            for port in intake_ports:
                for _ in range(600):
                    if await healthy(port):
                        break
                    await asyncio.sleep(0.1)
                else:
                    raise AssertionError(f"intake on {port} never healthy: {logs[0].read_text()[-2000:]}")
            # --register: the emulator now posts to the configured URL with the secret.
            await until(lambda: emu.webhook is not None, timeout=30)
            _, info = await call(emu, "getWebhookInfo")
            assert info["result"]["url"].endswith(f":{intake_ports[0]}/telegram/webhook")
            assert emu.webhook.settings.secret_token == SECRET
            await until(lambda: rows(database_url, "SELECT count(*) FROM leadership") == [(1,)], timeout=60)

            # A person writes; a worker answers (through the intake and the inbox).
            rina = emu.add_user("Rina", started=True)
            await emu.send_text(rina, "/bantuan")
            await emu.wait_for(lambda: len(emu.chat_messages(rina)) == 1, timeout=60)
            await until(lambda: all("heartbeat worker@" in log.read_text() for log in logs[2:]), timeout=30)

            status = db_status(lines[0][0][0], config, secrets)
            assert status.returncode == 0, status.stderr
            assert "inbox: 0 update(s) pending, 0 parked; oldest pending: none" in status.stdout
            [(holder,)] = rows(database_url, "SELECT holder FROM leadership")
            assert f"leader: {holder} since " in status.stdout

            # With the workers stopped, what comes in waits in the inbox, and db status says so.
            for proc in procs[2:]:
                proc.send_signal(signal.SIGTERM)
                assert proc.wait(timeout=60) == 0
            await emu.send_text(rina, "/status")
            await until(
                lambda: rows(database_url, "SELECT count(*) FROM inbox WHERE status = 'pending'") == [(1,)], timeout=30
            )
            [(pending_id,)] = rows(database_url, "SELECT update_id FROM inbox WHERE status = 'pending'")
            status = db_status(lines[0][0][0], config, secrets)
            assert (
                f"inbox: 1 update(s) pending, 0 parked; oldest pending: update {pending_id}, received " in status.stdout
            )
        finally:
            for proc in procs:
                if proc.poll() is None:
                    proc.send_signal(signal.SIGTERM)
            codes = [proc.wait(timeout=60) for proc in procs]
        assert codes == [0, 0, 0, 0], [log.read_text()[-1500:] for log in logs]
        text = "".join(log.read_text() for log in logs)
        assert "Traceback" not in text and TOKEN not in text and SECRET not in text
        assert emu.violations == []
