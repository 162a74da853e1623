"""The sandbox in a real browser: Siti prepares a proposal, then a PIC of her team looks at it.

Headless Debian Chromium (/usr/bin/chromium), driven by Playwright — never ``playwright
install``. Screenshots of every step go to ``test-artifacts/sandbox/``. Where Chromium or
Playwright is missing the test is skipped with what to install, except in CI, where it fails
(``make test`` installs Chromium there).

``SANDBOX_README_SCREENSHOT=1`` also saves the README's picture, ``docs/sandbox.png``.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.sandbox import SandboxServer
from handlers import buttons
from tests.sandbox.conftest import Client
from tests.sandbox.sandbox_cast import _unavailable
from tests.scenarios.intake_cast import CLIENTS, add_client

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "sandbox"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
async def page(tmp_path: Path, server: SandboxServer) -> AsyncIterator[object]:
    try:
        from playwright.async_api import async_playwright
    except ImportError:
        _unavailable("Playwright (pip package 'playwright') is not installed")
    if not CHROMIUM.exists():
        _unavailable(f"Chromium is not installed at {CHROMIUM}")
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    async with async_playwright() as playwright:
        # A persistent context is how Playwright takes a user-data-dir: a fresh one per run.
        context = await playwright.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1120, "height": 900},
            locale="id-ID",
            accept_downloads=True,
        )
        page = context.pages[0] if context.pages else await context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        try:
            yield page
        finally:
            await context.close()
        assert errors == [], errors


class Phone:
    """The web chat in the browser, plus the sandbox behind it to know when the bot is done."""

    def __init__(self, page, client: Client) -> None:
        self.page, self.client, self.shots = page, client, 0

    async def caught_up(self) -> None:
        """The bot has answered everything and the page shows it."""
        await self.client.settle()
        version = self.client.server.sandbox.changes.version
        await self.page.wait_for_function("v => Number(document.body.dataset.version) >= v", arg=version)

    async def shot(self, name: str) -> Path:
        self.shots += 1
        path = ARTIFACTS / f"{self.shots:02d}-{name}.png"
        await self.page.screenshot(path=str(path))
        return path

    async def type(self, text: str) -> None:
        await self.page.fill("#composer-input", text)
        await self.page.press("#composer-input", "Enter")
        await self.caught_up()

    def last_bot_message(self):
        return self.page.locator('#messages [data-from="bot"]').last

    async def tap(self, data: str, message: object = None) -> None:
        """Press the button whose callback data is ``data`` (its codec's) on the bot's last message."""
        button = self.last_bot_message().locator(f'[data-callback="{data}"]')
        try:
            await button.click(timeout=10_000)
        except Exception:
            await self.shot(f"no-button-{data.replace('|', '-')}")
            raise
        await self.caught_up()

    async def open_chat(self, chat_id: int) -> None:
        """Tap a chat in the list and wait until the page shows that chat (drawing it moves no version)."""
        await self.page.click(f'[data-chat="{chat_id}"]')
        shown = "id => document.getElementById('messages').dataset.chat === id"
        await self.page.wait_for_function(shown, arg=str(chat_id))
        await self.caught_up()

    async def act_as(self, persona: str) -> None:
        await self.page.click(f'[data-persona="{persona}"]')
        # (The list marks the person once their chat is drawn; the version alone does not move.)
        await self.page.wait_for_selector(f'[data-persona="{persona}"].active')
        await self.caught_up()


async def test_an_operator_submits_a_proposal_and_her_pic_team_sees_it(page, client: Client) -> None:
    phone = Phone(page, client)
    await page.goto(client.server.url)
    await page.wait_for_selector('[data-persona="op-jb01"].active')
    await phone.caught_up()
    await phone.shot("siti-opens-the-sandbox")
    phone.page.set_default_timeout(15_000)

    # Yusuf, PIC of TIM2, opens where the news is: the demo's waiting proposal (SS01) in his team's
    # group, not his private chat. This is the README's picture.
    await phone.act_as("pic-tim2-a")
    group2 = (await client.world()).cast.groups["TIM2"]
    assert await page.get_attribute("#messages", "data-chat") == str(group2.id)
    assert "SS01" in await phone.last_bot_message().inner_text()
    readme_picture = await phone.shot("yusuf-sees-the-waiting-proposal")
    await phone.act_as("op-jb01")
    assert await page.get_attribute("#messages", "data-chat") == str((await client.world()).cast.users["op-jb01"].id)

    # Siti, operator of Yayasan Harapan Bogor (JB01), downloads the client list template…
    await phone.type("/templat")
    template = page.locator("#messages a.file").last
    async with page.expect_download() as download_info:
        await template.click()
    download = await download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    assert Path(await download.path()).read_bytes()[:2] == b"PK"

    # …and prepares a one-client proposal in the chat, answering
    # exactly as in the intake scenario (its helper drives this page through Phone.type/tap).
    await phone.type("/ajukan")
    await phone.tap(buttons.INTAKE_ANSWER.data("next"))
    name, nik = CLIENTS[0]
    await add_client(phone, name, nik, first=True)
    await phone.tap(buttons.INTAKE_ANSWER.data("review"))
    review = phone.last_bot_message()
    assert "Rp1.500.000" in await review.inner_text()
    # The bot's HTML arrives as text + entities and is rebuilt as elements, never as markup.
    assert await review.locator(".text strong").count() > 0 and "<b>" not in await review.inner_text()
    await phone.shot("siti-reviews-her-proposal")

    await review.locator('[data-callback*="|sub|"]').click()
    await phone.caught_up()
    # Send asks first for the client's signed consent form (issue 17.6): she sends a scan of it.
    assert "Persetujuan klien 1" in await phone.last_bot_message().inner_text()
    await page.set_input_files(
        "#file-input",
        files=[
            {
                "name": "persetujuan.pdf",
                "mimeType": "application/pdf",
                "buffer": b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
            }
        ],
    )
    await phone.caught_up()
    await phone.last_bot_message().locator('[data-callback*="|sub|"]').click()
    await phone.caught_up()
    [(code, status)] = await client.rows(
        "SELECT code, status FROM proposals WHERE ipwl_id = (SELECT id FROM ipwl WHERE code = 'JB01')"
    )
    assert status == "submitted"
    assert code in await page.locator("#messages").inner_text()
    await phone.shot("siti-has-submitted")
    # A button of the finished draft is refused with an alert, as Telegram shows a popup.
    old_buttons = page.locator("#messages [data-callback]")
    if await old_buttons.count():
        await old_buttons.first.click()
        await page.wait_for_selector("#modal:not([hidden])")
        assert (await page.inner_text("#modal-text")).strip()
        await phone.shot("an-old-button-is-refused")
        await page.click("#modal-ok")

    # Andi, PIC of TIM1, opens his team's group.
    await phone.act_as("pic-tim1-a")
    await page.click("#back")
    await page.wait_for_selector("#screen-list:not([hidden])")
    await phone.shot("andi-chat-list")
    # In his private chat: a file nobody asked for gets an answer; /bahasa edits its own message.
    andi = (await client.world()).cast.users["pic-tim1-a"]
    await phone.open_chat(andi.private_chat_id)
    await page.set_input_files(
        "#file-input", files=[{"name": "catatan.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n%%EOF\n"}]
    )
    await phone.caught_up()
    assert await page.locator('#messages [data-from="me"] .file-name').last.inner_text() == "catatan.pdf"
    assert await page.locator('#messages [data-from="me"] .file-size').last.inner_text() == "15 B"
    assert await page.locator('#messages [data-from="bot"]').last.locator(".file").count() == 0
    await phone.type("/bahasa")
    await phone.tap(buttons.LANGUAGE.data("en"))
    assert await phone.last_bot_message().locator(".meta").inner_text() != ""
    assert "edited" in (await phone.last_bot_message().inner_text()) or "diedit" in (
        await phone.last_bot_message().inner_text()
    )
    await phone.shot("andi-switches-to-english")
    await page.click("#back")
    group = (await client.world()).cast.groups["TIM1"]
    await phone.open_chat(group.id)
    # The card arrives in the group, and Andi presses its first button (Claim).
    card = phone.last_bot_message()
    await card.wait_for()
    assert code in await card.inner_text()
    await phone.shot("the-card-in-the-group")
    await card.locator("[data-callback]").first.click()
    await phone.caught_up()
    await phone.shot("andi-in-the-team-group")

    # Time travel: a day later, as a trainer would show a reminder.
    before = await page.inner_text("#clock-centre")
    await page.click("[data-travel-days='1']")
    await page.wait_for_function("t => document.getElementById('clock-centre').textContent !== t", arg=before)
    await phone.caught_up()
    await phone.shot("a-day-later")

    world = await client.world()
    assert world.emu.violations == []
    if os.environ.get("SANDBOX_README_SCREENSHOT") == "1":
        shutil.copyfile(readme_picture, ROOT / "docs" / "sandbox.png")


NARROW = {"width": 360, "height": 740}

# Every visible button at least 44 px tall (the usual touch minimum), with its whole label, on
# the screen; nothing wider than the viewport (no sideways scrolling on a phone).
LAYOUT_PROBLEMS = """() => {
  const problems = [];
  const width = window.innerWidth;
  if (document.documentElement.scrollWidth > width)
    problems.push(`page is ${document.documentElement.scrollWidth}px wide`);
  for (const el of document.querySelectorAll(".chat-list, .messages, .phone, .side")) {
    if (el.offsetParent && el.getBoundingClientRect().right > width + 0.5) problems.push(`${el.className} sticks out`);
  }
  for (const b of document.querySelectorAll("button")) {
    const r = b.getBoundingClientRect();
    if (!b.offsetParent || r.width === 0) continue;
    const label = (b.dataset.callback || b.id || b.textContent).trim().slice(0, 40);
    if (r.height < 44) problems.push(`${label}: ${Math.round(r.height)}px tall`);
    if (b.scrollWidth > b.clientWidth + 1) problems.push(`${label}: label cut`);
    if (r.right > width + 0.5 || r.left < -0.5) problems.push(`${label}: off the screen`);
  }
  return problems;
}"""

IN_VIEW = """([selector, tallest]) => {
  const r = document.querySelector(selector).getBoundingClientRect();
  return r.top >= 0 && r.bottom <= window.innerHeight && r.height >= tallest;
}"""


async def test_at_360_px_the_phone_fits_buttons_are_big_and_time_travel_teaches(page, client: Client) -> None:
    phone = Phone(page, client)
    await page.set_viewport_size(NARROW)
    page.set_default_timeout(15_000)
    await page.goto(client.server.url)
    await page.wait_for_selector('[data-persona="op-jb01"].active')
    await phone.caught_up()
    world = await client.world()
    group2 = world.cast.groups["TIM2"]

    # Yusuf (PIC, TIM2) is chosen: the card waiting in his team's group opens, fully in view.
    await phone.act_as("pic-tim2-a")
    assert await page.get_attribute("#messages", "data-chat") == str(group2.id)
    assert await page.evaluate("document.activeElement.id") == "composer-input"
    assert await page.evaluate(IN_VIEW, ["#messages", 300]), "the chat scrolled out of view when the box got focus"
    assert await page.evaluate(IN_VIEW, ["#composer", 44])
    card = phone.last_bot_message()
    assert "Kembalikan" in await card.locator('[data-callback*="|pdc|"]').first.inner_text()
    await phone.shot("narrow-yusuf-sees-the-card")
    assert await page.evaluate(LAYOUT_PROBLEMS) == []
    await page.click("#back")
    await page.wait_for_selector("#screen-list:not([hidden])")
    await phone.shot("narrow-chat-list")
    assert await page.evaluate(LAYOUT_PROBLEMS) == []

    # His private chat: "/" suggests commands, Escape closes them; a command in the bot's text is tappable.
    await phone.open_chat(world.cast.users["pic-tim2-a"].private_chat_id)
    await page.fill("#composer-input", "")
    await page.type("#composer-input", "/ba")
    await page.wait_for_selector("#commands:not([hidden]) [data-command]")  # (his menu may come a moment later)
    suggested = await page.locator("#commands [data-command]").all_inner_texts()
    assert suggested and all(text.startswith("/ba") for text in suggested), suggested
    await page.keyboard.press("Escape")
    await page.wait_for_selector("#commands", state="hidden")
    await page.fill("#composer-input", "")
    command = page.locator('#messages [data-from="bot"] .command').first
    typed = (await command.inner_text()).strip()
    await command.click()
    await phone.caught_up()
    assert (await page.locator('#messages [data-from="me"] .text').last.inner_text()).startswith(typed)

    # Too long for Telegram: the text stays, and the limit is said in Indonesian.
    before = len(world.emu.transcript)
    await page.fill("#composer-input", "x" * 4097)
    await page.press("#composer-input", "Enter")
    await page.wait_for_selector("#toast:not([hidden])")
    assert "4096" in await page.inner_text("#toast") and "terlalu panjang" in await page.inner_text("#toast")
    assert len(await page.input_value("#composer-input")) == 4097
    assert len(world.emu.transcript) == before
    await page.fill("#composer-input", "")

    # Time travel: the clock says the weekday; "next working morning" brings the digest, and says so.
    assert (await page.inner_text("#clock-centre")).split(",")[0] in (
        "Senin",
        "Selasa",
        "Rabu",
        "Kamis",
        "Jumat",
        "Sabtu",
        "Minggu",
    )
    await page.click("#travel-morning")
    await page.wait_for_selector("#travel-report:not([hidden])")
    await phone.caught_up()
    report = await page.inner_text("#travel-report")
    assert "Bot mengirim" in report and group2.title in report, report
    assert "08.00" in await page.inner_text("#clock-centre")
    await phone.shot("narrow-next-working-morning")
    assert await page.evaluate(LAYOUT_PROBLEMS) == []
    await page.click(f'#travel-report [data-chat="{group2.id}"]')  # the message in the report opens its chat
    await page.wait_for_function("id => document.getElementById('messages').dataset.chat === id", arg=str(group2.id))
    newest = world.emu.last_message(group2)
    assert newest is not None and (newest.text or "").split("\n", 1)[0][:60] in report  # what the report named
