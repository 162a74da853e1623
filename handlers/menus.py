"""The command menus Telegram shows: general ones per scope (private chats, groups) and language,
and each person's own in their private chat — only the commands their roles may use.

A cheap phone's "/" menu is the first map of the bot people see: an operator should not be offered
the head's /sk, and an admin should find /ipwl there. Personal menus are kept in step by a job
(roles or language changed → republished once, remembered by a fingerprint in the database), and
a refresh is asked for right after an invitation is redeemed, a language chosen or access revoked.
"""

from __future__ import annotations

import hashlib
import json
import logging
from typing import cast

from telegram import Bot, BotCommand, BotCommandScopeAllGroupChats, BotCommandScopeAllPrivateChats, BotCommandScopeChat
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import Application, JobQueue

from bot.domain.models import Role
from bot.i18n import N_, Translations
from bot.services import StorageBusy
from bot.services.onboarding import MenuOwner
from handlers.context import BotContext, Deps

log = logging.getLogger("atensi.menus")

OPERATOR, PIC, FINANCE, HEAD, ADMIN, AUDITOR, COMPLAINT_OFFICER = (
    frozenset({r})
    for r in (Role.OPERATOR, Role.PIC, Role.FINANCE, Role.HEAD, Role.ADMIN, Role.AUDITOR, Role.COMPLAINT_OFFICER)
)
ANY_ROLE = frozenset(Role)
EVERYONE: frozenset[Role] = frozenset()  # (no role needed)

# Every private command, in menu order, with the roles it serves (EVERYONE: no role needed).
PRIVATE_COMMANDS: tuple[tuple[str, str, frozenset[Role]], ...] = (
    ("ajukan", N_("Prepare a new proposal"), OPERATOR),
    ("lanjut", N_("Continue my draft"), OPERATOR),
    ("status", N_("Where my proposals stand"), OPERATOR),
    ("templat", N_("Client list template (XLSX)"), OPERATOR),
    ("lpj", N_("Accountability report (LPJ)"), OPERATOR),
    ("rekening", N_("Clients' bank accounts after the SK"), OPERATOR),
    ("persetujuan", N_("Clients' consent, and a withdrawal"), OPERATOR | PIC | ADMIN),
    ("perubahan", N_("A client's change after the SK (drop-out, death, move, name/NIK)"), OPERATOR),
    ("tugas", N_("What waits for me"), ANY_ROLE),
    ("sk", N_("Head: issue an SK for validated proposals"), HEAD),
    ("skperubahan", N_("Head: SK perubahan for verified client changes"), HEAD),
    ("bayar", N_("Finance: record payments and transfers"), FINANCE),
    ("laporan", N_("Head and admins: the monthly report"), HEAD | ADMIN | AUDITOR),
    ("audit", N_("A proposal's history"), PIC | HEAD | ADMIN | AUDITOR),
    ("ipwl", N_("Admin: the IPWL registry"), ADMIN),
    ("tim", N_("Admin: PIC teams"), ADMIN),
    ("pengguna", N_("Admin: people and their access"), ADMIN),
    ("undang", N_("Admin: invitation links"), ADMIN),
    ("siaran", N_("Admin: broadcast to IPWL"), ADMIN),
    ("ekspor", N_("Admin: export data (XLSX/CSV)"), ADMIN | AUDITOR),
    ("datapribadi", N_("Admin: clients' personal data"), ADMIN),
    ("cadangan", N_("Admin: database backup"), ADMIN),
    ("pagu", N_("Admin: the year's budget ceiling (pagu)"), ADMIN),
    ("panduan", N_("Guide: SOP, ATENSI services, questions"), EVERYONE),
    ("pengaduan", N_("A complaint to the centre (anonymous if you wish)"), EVERYONE),
    ("bantuan", N_("Help"), EVERYONE),
    ("bahasa", N_("Change the language"), EVERYONE),
    ("batal", N_("Cancel what I am doing"), EVERYONE),
)
GROUP_COMMANDS = (
    ("bantuan", N_("Help")),
    ("panduan", N_("Guide: SOP, ATENSI services, questions")),
    ("tugas", N_("What waits for me")),
    ("hubungkan", N_("Admin: make this the PIC team's group")),
)
# Whose menu the general private menu is, until a person's own is published: most people are
# operators (and a stranger's command is answered with how to get an invitation).
GENERAL_ROLES = OPERATOR

MENUS_PER_RUN = 60  # personal menus published per job run: a backlog drains at about one a second
MENU_JOB_SECONDS = 60
REFRESH_JOB = "menus-now"
PAGE = 500

Menu = list[tuple[str, str]]  # (command, description) in one language


def private_menu(roles: frozenset[Role]) -> list[tuple[str, str]]:
    """The private commands (name, English description) a person with these roles may use."""
    return [(name, text) for name, text, serves in PRIVATE_COMMANDS if not serves or serves & roles]


def _render(translations: Translations, locale: str, entries: list[tuple[str, str]]) -> Menu:
    t = translations.for_locale(locale)
    return [(name, t.gettext(text)) for name, text in entries]


async def publish_command_menus(bot: Bot, translations: Translations, default_locale: str) -> None:
    """The general menus, per scope, in the service's language (at start-up).

    Not per app language: the service speaks Indonesian until a person chooses otherwise with
    /bahasa, so lists published for other app languages by an earlier version are removed."""
    for scope, entries in (
        (BotCommandScopeAllPrivateChats(), private_menu(GENERAL_ROLES)),
        (BotCommandScopeAllGroupChats(), list(GROUP_COMMANDS)),
    ):
        await bot.set_my_commands(
            [BotCommand(n, d) for n, d in _render(translations, default_locale, entries)], scope=scope
        )
        for locale in translations.available:
            if locale != default_locale:
                await bot.delete_my_commands(scope=scope, language_code=locale)


def personal_plan(owner: MenuOwner, translations: Translations, default_locale: str) -> dict[str, Menu | None]:
    """What the person's private chat should carry, per language code ("" = any language); None
    removes a list. No role: nothing of their own (the general menu applies). Otherwise one list,
    in the language chosen with /bahasa or else the service's, whatever their app's language — as
    the bot answers them (lists per app language, published by an earlier version, are removed)."""
    others = [locale for locale in translations.available if locale != default_locale]
    if not owner.roles:
        return {"": None, **{locale: None for locale in others}}
    entries = private_menu(owner.roles)
    plan: dict[str, Menu | None] = {"": _render(translations, owner.locale or default_locale, entries)}
    for locale in others:
        plan[locale] = None
    return plan


def fingerprint(plan: dict[str, Menu | None]) -> str | None:
    """A short digest of a plan; None when it carries nothing of the person's own."""
    if all(menu is None for menu in plan.values()):
        return None
    return hashlib.sha256(json.dumps(plan, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:16]


async def publish_personal_menu(bot: Bot, deps: Deps, owner: MenuOwner) -> bool:
    """Bring one person's menu up to date; False when it already was."""
    plan = personal_plan(owner, deps.translations, deps.settings.locale.default)
    digest = fingerprint(plan)
    if digest == owner.published:
        return False
    scope = BotCommandScopeChat(owner.chat_id)
    for language, menu in plan.items():
        if menu is None:
            await bot.delete_my_commands(scope=scope, language_code=language or None)
        else:
            await bot.set_my_commands([BotCommand(n, d) for n, d in menu], scope=scope, language_code=language or None)
    await deps.services.onboarding.menu_published(owner.person_id, digest)
    return True


async def job_publish_menus(context: BotContext) -> None:
    """Publish the personal menus that are out of date, at most ``MENUS_PER_RUN`` a run."""
    try:
        await _publish_due_menus(context)
    except StorageBusy as error:  # menus can wait: the next run (a minute) tries again
        log.warning("menus: storage busy (%s); the next run tries again", type(error).__name__)


async def _publish_due_menus(context: BotContext) -> None:
    deps = context.deps
    after, published = 0, 0
    while published < MENUS_PER_RUN:
        owners = await deps.services.onboarding.menu_owners(after, PAGE)
        for owner in owners:
            try:
                if await publish_personal_menu(context.bot, deps, owner):
                    published += 1
            except (BadRequest, Forbidden) as error:
                # The chat is gone (deleted account, never reachable): nothing to keep in step.
                log.info("menu of person %s not published: %s", owner.person_id, type(error).__name__)
                await deps.services.onboarding.menu_published(owner.person_id, "unreachable")
            except TelegramError as error:  # Telegram unavailable: the next run tries again
                log.warning("menus: stopped at person %s: %s", owner.person_id, type(error).__name__)
                return
            if published >= MENUS_PER_RUN:
                return
        if len(owners) < PAGE:
            return
        after = owners[-1].person_id


def schedule_menus(app: Application) -> None:
    """The repeating job that keeps personal menus in step (call before ``app.start()``)."""
    if app.job_queue is not None:
        app.job_queue.run_repeating(
            job_publish_menus,
            interval=MENU_JOB_SECONDS,
            first=2,
            name="menus",
            job_kwargs={"max_instances": 1, "coalesce": True},
        )


def refresh_menus_soon(context: BotContext) -> None:
    """Someone's roles or language just changed: publish now rather than at the next run (one run
    for many changes at once: a run brings every menu that is out of date up to date)."""
    # PTB types CallbackContext.job_queue as JobQueue[ST], a type variable the class does not bind,
    # so no job callback matches it; the jobs of this application get its BotContext.
    queue = cast("JobQueue[BotContext] | None", context.job_queue)
    if queue is not None and not queue.get_jobs_by_name(REFRESH_JOB):
        queue.run_once(job_publish_menus, when=0.5, name=REFRESH_JOB)
