"""The command menus Telegram shows, per scope (private chats, groups) and language."""

from __future__ import annotations

from telegram import Bot, BotCommand, BotCommandScopeAllGroupChats, BotCommandScopeAllPrivateChats

from bot.i18n import N_, Translations

PRIVATE_COMMANDS = (
    ("ajukan", N_("Prepare a new proposal")),
    ("lanjut", N_("Continue my draft")),
    ("status", N_("Where my proposals stand")),
    ("templat", N_("Client list template (XLSX)")),
    ("lpj", N_("Accountability report (LPJ)")),
    ("tugas", N_("What waits for me")),
    ("rekening", N_("Clients' bank accounts after the SK")),
    ("sk", N_("Head: issue an SK for validated proposals")),
    ("bayar", N_("Finance: record payments and transfers")),
    ("laporan", N_("Head and admins: the monthly report")),
    ("panduan", N_("Guide: SOP, ATENSI services, questions")),
    ("bantuan", N_("Help")),
    ("bahasa", N_("Change the language")),
    ("batal", N_("Cancel what I am doing")),
)
GROUP_COMMANDS = (
    ("bantuan", N_("Help")),
    ("panduan", N_("Guide: SOP, ATENSI services, questions")),
    ("tugas", N_("What waits for me")),
    ("hubungkan", N_("Admin: make this the PIC team's group")),
)


async def publish_command_menus(bot: Bot, translations: Translations, default_locale: str) -> None:
    for locale in translations.available:
        t = translations.for_locale(locale)
        language = None if locale == default_locale else locale
        for scope, commands in (
            (BotCommandScopeAllPrivateChats(), PRIVATE_COMMANDS),
            (BotCommandScopeAllGroupChats(), GROUP_COMMANDS),
        ):
            await bot.set_my_commands(
                [BotCommand(name, t.gettext(description)) for name, description in commands],
                scope=scope,
                language_code=language,
            )
