"""`atensi-bot run` as a real process against a Bot API server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from bot.emulator import BotApiEmulator, default_spec_path
from tests.conftest import SHARED

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "123456:PROCESS-TOKEN"


async def test_the_installed_command_runs_the_bot_and_answers_in_indonesian(tmp_path: Path) -> None:
    async with BotApiEmulator(TOKEN, spec_path=default_spec_path()) as emu:
        config = tmp_path / "config.toml"
        config.write_text(
            "[telegram]\n"
            f'base_url = "{emu.base_url}"\nbase_file_url = "{emu.base_file_url}"\npoll_timeout = 1\n'
            f'[storage]\ndatabase = "{tmp_path / "atensi.sqlite3"}"\nfiles_dir = "{tmp_path / "files"}"\n'
            f'[regions]\nregencies_file = "{SHARED / "wilayah" / "regencies.csv"}"\n'
        )
        # The token comes from the environment, as the README recommends; it must never be logged.
        env = {**os.environ, "ATENSI_BOT_TOKEN": TOKEN, "PYTHONPATH": str(ROOT)}
        for cmd in (["admin", "teams", "add", "TIM1", "Tim PIC 1"],):
            proc = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot",
                *cmd,
                "--config",
                str(config),
                env=env,
                cwd=tmp_path,
                stdin=asyncio.subprocess.DEVNULL,
            )
            assert await proc.wait() == 0
        csv = tmp_path / "ipwl.csv"
        csv.write_text(
            "code,name,province_code,regency,address,pks_number,pks_valid_from,pks_valid_until,team\n"
            "JB01,Yayasan Harapan Bogor,32,Kabupaten Bogor,Jl. 1,PKS-1,2026-01-01,2027-12-31,TIM1\n"
        )
        invite = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "admin",
            "import-ipwl",
            str(csv),
            "--config",
            str(config),
            env=env,
            cwd=tmp_path,
            stdin=asyncio.subprocess.DEVNULL,
        )
        assert await invite.wait() == 0
        invite = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "admin",
            "invite",
            "--ipwl",
            "JB01",
            "--config",
            str(config),
            env=env,
            cwd=tmp_path,
            stdout=asyncio.subprocess.PIPE,
            stdin=asyncio.subprocess.DEVNULL,
        )
        out, _ = await invite.communicate()
        token = out.decode().split("token: ")[1].split()[0]

        bot = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            "--config",
            str(config),
            env=env,
            cwd=tmp_path,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            stdin=asyncio.subprocess.DEVNULL,
        )
        try:
            await emu.wait_for(lambda: any(m == "getUpdates" for m, _ in emu.requests), timeout=20)
            siti = emu.add_user("Siti")
            for text in (f"/start {token}", "/bantuan", "/status"):
                before = len(emu.chat_messages(siti))
                await emu.send_text(siti, text)
                await emu.wait_for(lambda before=before: len(emu.chat_messages(siti)) > before, timeout=10)
            texts = [m.text for m in emu.chat_messages(siti)]
            assert "Yayasan Harapan Bogor" in texts[0] and "operator IPWL" in texts[0]
            assert "/ajukan" in texts[1]
            assert "Tim PIC 1" in texts[2]
        finally:
            bot.send_signal(signal.SIGTERM)
            log, _ = await asyncio.wait_for(bot.communicate(), timeout=20)
        assert bot.returncode == 0, log.decode()[-2000:]
        assert TOKEN not in log.decode() and "PROCESS-TOKEN" not in log.decode()
        assert emu.violations == []
