"""The sandbox's JSON API, over real HTTP on 127.0.0.1: what the web chat does, without a browser.

A trainer opens the sandbox, looks around as several people, prepares a proposal as an IPWL
operator, downloads the client template, uploads a document, moves time forward and resets.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import aiohttp
import pytest

from bot.config import ConfigError, Settings
from bot.domain.validation import parse_nik
from bot.sandbox.demo import PEOPLE, SUBMITTED_CLIENTS
from bot.sandbox.runtime import resolve_paths
from tests.helpers import png
from tests.sandbox.conftest import Client
from tests.sandbox.sandbox_cast import last_bot, person, say

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


async def test_the_demo_is_a_small_working_partnership(client: Client, sandbox_settings: Settings) -> None:
    state = await client.get("/api/state", lang="en")
    assert [p["key"] for p in state["people"]] == [p.key for p in PEOPLE]
    assert state["violations"] == [] and state["validated"] is True
    assert state["bot"]["username"] == "atensi_sandbox_bot"
    # Operators in three time zones; each reads the bot's welcome in their private chat.
    zones = {p["ipwl"]["code"]: p["zone"]["label"] for p in state["people"] if p["role"] == "operator"}
    assert zones == {"JB01": "WIB", "JB02": "WIB", "SS01": "WITA", "PA01": "WIT"}
    for p in state["people"]:
        private = p["chats"][0]
        if p["role"] == "guest":  # no invite: a member of the public has not written to the bot yet
            assert private["type"] == "private" and private["count"] == 0
            continue
        assert private["type"] == "private" and private["count"] >= 2, p["key"]
    # PIC members see their own team's group only; the admin who bound them sees both.
    groups = {p["key"]: [c["title"] for c in p["chats"][1:]] for p in state["people"]}
    assert groups["pic-tim1-a"] == ["Tim PIC 1 · ATENSI (TIM1)"]
    assert groups["pic-tim2-b"] == ["Tim PIC 2 · ATENSI (TIM2)"]
    assert len(groups["admin"]) == 2 and groups["finance"] == groups["head"] == groups["op-jb01"] == []

    assert await client.rows("SELECT code, group_chat_id < 0 FROM pic_teams ORDER BY code") == [
        ("TIM1", 1),
        ("TIM2", 1),
    ]
    assert await client.rows("SELECT count(*) FROM ipwl") == [(4,)]
    roles = await client.rows("SELECT role, count(*) FROM grants GROUP BY role ORDER BY role")
    assert roles == [("admin", 1), ("complaint_officer", 1), ("finance", 1), ("head", 1), ("operator", 4), ("pic", 4)]
    # One proposal waits for TIM2 since yesterday; its clients' NIKs are well-formed.
    [(status, submitted_at)] = await client.rows("SELECT status, submitted_at FROM proposals")
    assert status == "submitted"
    waited = dt.datetime.now(dt.UTC) - dt.datetime.fromisoformat(submitted_at).replace(tzinfo=dt.UTC)
    assert dt.timedelta(hours=20) < waited < dt.timedelta(days=2)
    niks = [nik for (nik,) in await client.rows("SELECT nik FROM clients ORDER BY position")]
    assert niks == [nik for _, nik, _ in SUBMITTED_CLIENTS]
    assert all(parse_nik(nik, today=dt.datetime.now(dt.UTC).date()).province_code == "73" for nik in niks)
    # The sandbox's own database, files and backups, never the configured ones.
    world = await client.world()
    paths = client.server.sandbox.paths
    assert paths.database.name == "sandbox.sqlite3" and not sandbox_settings.storage.database.exists()
    bot = world.deps.settings
    assert (bot.storage.database, bot.storage.files_dir, bot.admin.backups_dir) == (
        paths.database,
        paths.files_dir,
        paths.backups_dir,
    )


async def test_an_operator_uses_the_bot_through_the_web_api(client: Client) -> None:
    state = await client.get("/api/state")
    siti = person(state, "op-jb01")
    chat = siti["chats"][0]["id"]

    view = await say(client, "op-jb01", chat, "/ajukan")
    question = last_bot(view)
    assert question["buttons"] and question["entities"] is not None
    assert "<b>" not in question["text"]  # parsed text with entities, never the bot's HTML
    assert view["commands"] and any(c["command"] == "ajukan" for c in view["commands"])
    mine = [m for m in view["messages"] if m["out"]]
    assert mine[-1]["text"] == "/ajukan" and mine[-1]["from"]["name"] == "Siti Rahmawati"

    period = question["buttons"][0][0]["data"]  # the first period offered
    answer = await client.post("/api/press", {"as": "op-jb01", "chat": chat, "message": question["id"], "data": period})
    assert answer["answer"] is not None  # the spinner stops: the bot answered the press
    await client.settle()
    await say(client, "op-jb01", chat, "Dewi Lestari")
    view = await say(client, "op-jb01", chat, "3201015702950003")
    assert "1995" in last_bot(view)["text"]  # the bot read the birth date from the NIK
    assert await client.rows("SELECT status FROM proposals ORDER BY id") == [("submitted",), ("draft",)]


async def test_files_go_both_ways(client: Client) -> None:
    chat = person(await client.get("/api/state"), "op-jb01")["chats"][0]["id"]
    view = await say(client, "op-jb01", chat, "/templat")
    document = next(m["document"] for m in reversed(view["messages"]) if m["document"])
    assert document["name"].endswith(".xlsx")
    async with client.session.get(
        f"{client.base}/api/files/{document['file_id']}", params={"download": "1"}
    ) as response:
        assert response.status == 200
        assert response.headers["Content-Disposition"].startswith("attachment;")
        assert document["name"] in response.headers["Content-Disposition"]
        assert (await response.read())[:2] == b"PK"

    await say(client, "op-jb01", chat, "/ajukan")
    form = aiohttp.FormData()
    form.add_field("as", "op-jb01")
    form.add_field("chat", str(chat))
    form.add_field("file", PDF, filename="hasil-asesmen.pdf", content_type="application/pdf")
    async with client.session.post(f"{client.base}/api/upload", data=form, headers={"X-Sandbox": "1"}) as response:
        assert response.status == 200, await response.text()
    await client.settle()
    view = await client.get("/api/chat", **{"as": "op-jb01", "chat": chat})
    sent = [m for m in view["messages"] if m["out"] and m["document"]]
    assert sent and sent[-1]["document"]["name"] == "hasil-asesmen.pdf"
    # (the demo's waiting proposal holds its clients' signed consent forms: purpose "consent")
    assert await client.rows("SELECT file_name, mime_type FROM attachments WHERE purpose = 'proposal'") == [
        ("hasil-asesmen.pdf", "application/pdf")
    ]


async def test_time_travel_moves_the_bot_and_the_chats_forward(client: Client) -> None:
    before = dt.datetime.fromisoformat((await client.get("/api/state"))["clock"]["utc"])
    await client.post("/api/clock", {"days": 2})
    await client.post("/api/clock", {"hours": 3})
    state = await client.get("/api/state")
    assert state["clock"]["offset_seconds"] == 2 * 86400 + 3 * 3600
    now = dt.datetime.fromisoformat(state["clock"]["utc"])
    assert dt.timedelta(days=2, hours=3) <= now - before < dt.timedelta(days=2, hours=3, minutes=1)
    world = await client.world()
    assert world.deps.clock.now() - now < dt.timedelta(minutes=1)  # the bot shares the clock

    chat = person(state, "admin")["chats"][0]["id"]
    view = await say(client, "admin", chat, "/bantuan")
    newest = view["messages"][-1]
    assert newest["date"] >= int(now.timestamp()) - 1
    for bad in ({"days": -1}, {"hours": 0}, {"days": 400}, {"days": "soon"}):
        await client.post("/api/clock", bad, status=400)


async def test_reset_goes_back_to_the_demo_data(client: Client) -> None:
    state = await client.get("/api/state")
    chat = person(state, "op-pa01")["chats"][0]["id"]
    await say(client, "op-pa01", chat, "/ajukan")
    await client.post("/api/clock", {"days": 5})
    assert await client.rows("SELECT count(*) FROM proposals") == [(2,)]
    old_world = await client.world()
    assert old_world.emu.violations == [] and old_world.deps.errors == []

    await client.post("/api/reset", {})
    after = await client.get("/api/state")
    assert after["version"] > state["version"] and after["clock"]["offset_seconds"] == 0
    assert person(after, "op-pa01")["chats"][0]["count"] == person(state, "op-pa01")["chats"][0]["count"]
    assert await client.rows("SELECT status FROM proposals") == [("submitted",)]
    assert (await client.world()) is not old_world


async def test_the_page_is_told_about_changes_at_once(client: Client) -> None:
    state = await client.get("/api/state")
    chat = person(state, "head")["chats"][0]["id"]
    started = asyncio.get_running_loop().time()
    waiting = asyncio.create_task(client.get("/api/updates", since=str(state["version"]), timeout="20"))
    await asyncio.sleep(0.1)
    assert not waiting.done()
    await client.post("/api/send", {"as": "head", "chat": chat, "text": "/bantuan"})
    update = await asyncio.wait_for(waiting, 5)
    assert update["version"] > state["version"]
    assert asyncio.get_running_loop().time() - started < 5


async def test_the_page_needs_nothing_from_outside_and_builds_no_html_from_data(client: Client) -> None:
    async with client.session.get(client.base + "/") as response:
        page = await response.text()
    assert response.status == 200
    references = re.findall(r'(?:src|href)="([^"]*)"', page)
    assert references and all(ref.startswith("/static/") for ref in references), references
    assets = {}
    for asset in ("app.js", "app.css", "favicon.svg"):
        async with client.session.get(f"{client.base}/static/{asset}") as response:
            assert response.status == 200, asset
            assets[asset] = await response.text()
    assert "url(" not in assets["app.css"] and "@import" not in assets["app.css"]
    script = assets["app.js"]
    for unsafe in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert unsafe not in script, unsafe
    assert not re.search(r"fetch\(\s*[\"'`]https?:", script)


async def test_the_api_refuses_what_the_page_would_never_do(client: Client) -> None:
    state = await client.get("/api/state")
    group = person(state, "pic-tim1-a")["chats"][1]["id"]
    # Another site in the same browser cannot act: no X-Sandbox header, or not our host name.
    async with client.session.post(client.base + "/api/reset", json={}) as response:
        assert response.status == 403
    async with client.session.get(client.base + "/api/state", headers={"Host": "evil.example"}) as response:
        assert response.status == 403
    # An operator cannot write in a PIC team's group, nor act as someone unknown.
    await client.post("/api/send", {"as": "op-jb01", "chat": group, "text": "halo"}, status=400)
    await client.post("/api/send", {"as": "nobody", "chat": group, "text": "halo"}, status=400)
    await client.post("/api/send", {"as": "pic-tim1-a", "chat": group, "text": "   "}, status=400)
    await client.post("/api/send", {"as": "pic-tim1-a", "chat": group, "text": "x" * 4097}, status=400)
    welcome = person(state, "pic-tim1-a")["chats"][0]
    await client.post(
        "/api/press", {"as": "pic-tim1-a", "chat": welcome["id"], "message": 999, "data": "x"}, status=400
    )
    async with client.session.get(client.base + "/api/files/nope") as response:
        assert response.status == 404


def test_the_sandbox_never_uses_the_real_database(tmp_path: Path) -> None:
    real = tmp_path / "atensi.sqlite3"
    same = Settings.model_validate({"storage": {"database": str(real)}, "sandbox": {"database": str(real)}})
    with pytest.raises(ConfigError, match="same file"):
        resolve_paths(same)
    default = resolve_paths(Settings.model_validate({"storage": {"database": str(real)}}))
    assert default.database.name == "sandbox-8080.sqlite3" and default.database != real
    assert default.files_dir.name == "sandbox-8080-files" and default.backups_dir.name == "sandbox-8080-backups"
    # Two trainers, two ports: two databases (one sandbox would wipe the other's at its start).
    other = resolve_paths(Settings.model_validate({"storage": {"database": str(real)}, "sandbox": {"port": 9000}}))
    assert other.database.name == "sandbox-9000.sqlite3" and other.database.parent == default.database.parent


async def test_a_second_sandbox_on_the_same_database_refuses_to_start(sandbox_settings: Settings, server) -> None:
    from bot.sandbox import SandboxServer

    with pytest.raises(ConfigError, match="another sandbox is running"):
        async with SandboxServer(sandbox_settings):
            pass
    world = await server.sandbox.world()  # the first one is untouched
    async with world.storage.db.reading() as conn:
        assert (await conn.execute_fetchall("SELECT count(*) FROM proposals"))[0][0] == 1


async def test_the_next_working_morning_shows_what_became_due(client: Client) -> None:
    state = await client.get("/api/state")
    target = dt.datetime.fromisoformat(state["clock"]["working_morning"])
    local = target.astimezone(ZoneInfo(state["clock"]["zone"]))
    assert (local.hour, local.minute) == (8, 0) and local.weekday() < 5
    assert target > dt.datetime.fromisoformat(state["clock"]["utc"])
    report = await client.post("/api/clock", {"to": "working_morning"})
    assert dt.datetime.fromisoformat(report["utc"]) - target < dt.timedelta(minutes=1)
    assert report["working_hours"] is True and report["next_working"] is None
    # The morning digest reaches the team whose proposal waits (SS01's, for Tim PIC 2).
    titles = [m["title"] for m in report["sent"]]
    assert any("TIM2" in title for title in titles), report["sent"]
    world = await client.world()
    group = world.cast.groups["TIM2"]
    assert any(m["chat"] == group.id for m in report["sent"])


async def test_a_jump_outside_working_hours_says_why_nothing_came(client: Client) -> None:
    state = await client.get("/api/state")
    morning = dt.datetime.fromisoformat(state["clock"]["working_morning"])
    await client.post("/api/clock", {"to": "working_morning"})
    report = await client.post("/api/clock", {"hours": 10})  # 18.00: after working hours
    assert report["working_hours"] is False and report["sent"] == []
    assert dt.datetime.fromisoformat(report["next_working"]) > morning + dt.timedelta(hours=10)
    assert (report["work_start"], report["work_end"]) == ("08:00", "16:00")


async def test_time_travel_runs_the_repeating_jobs_at_once(client: Client) -> None:
    world = await client.world()
    runs: list[dt.datetime] = []

    async def hourly(context: object) -> None:
        runs.append(world.deps.clock.now())

    job = world.app.job_queue.run_repeating(hourly, interval=3600, first=3600, name="test-hourly")
    try:
        await client.post("/api/clock", {"hours": 6})
        # Without waiting an hour of real time, the job saw the new time (reminders do the same).
        assert len(runs) == 1 and runs[0] - dt.datetime.now(dt.UTC) > dt.timedelta(hours=5, minutes=59)
    finally:
        job.schedule_removal()


async def test_what_a_person_has_not_seen_yet_counts_as_unread(client: Client) -> None:
    state = await client.get("/api/state")
    world = await client.world()
    yusuf = person(state, "pic-tim2-a")
    private = next(c for c in yusuf["chats"] if c["type"] == "private")
    group = next(c for c in yusuf["chats"] if c["id"] == world.cast.groups["TIM2"].id)
    assert private["read"] == private["count"]  # his /start and the bot's welcome
    assert group["read"] == 0 and group["count"] >= 3  # the binding and the waiting card are news to him
    admin_group = next(c for c in person(state, "admin")["chats"] if c["id"] == group["id"])
    assert admin_group["read"] == 2  # Dimas bound the group and saw the bot's answer; the card came later


async def test_a_png_sent_with_the_paperclip_arrives_as_telegram_sends_a_photo(client: Client) -> None:
    """📎 with a PNG: Telegram sends a picture as a photo re-encoded as JPEG (the bot reads every
    photo as image/jpeg); the sandbox did not re-encode, and the bot refused it as a broken image."""
    chat = person(await client.get("/api/state"), "op-jb01")["chats"][0]["id"]
    await say(client, "op-jb01", chat, "/ajukan")
    form = aiohttp.FormData()
    form.add_field("as", "op-jb01")
    form.add_field("chat", str(chat))
    form.add_field("photo", "1")
    form.add_field("file", png(), filename="hasil-asesmen.png", content_type="image/png")
    async with client.session.post(f"{client.base}/api/upload", data=form, headers={"X-Sandbox": "1"}) as response:
        assert response.status == 200, await response.text()
    await client.settle()
    view = await client.get("/api/chat", **{"as": "op-jb01", "chat": chat})
    answer = last_bot(view)["text"]
    assert "tidak dapat dibuka" not in answer, answer
    sent = [m for m in view["messages"] if m["out"] and m["photo"]]
    assert sent and (sent[-1]["photo"]["width"], sent[-1]["photo"]["height"]) == (64, 48)
    assert await client.rows("SELECT mime_type FROM attachments WHERE purpose = 'proposal'") == [("image/jpeg",)]
    world = await client.world()
    assert world.emu.violations == [] and world.deps.errors == []
