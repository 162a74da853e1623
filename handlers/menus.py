"""The command menus Telegram shows, per scope (private chats, groups) and language."""

from __future__ import annotations

from telegram import Bot, BotCommand, BotCommandScopeAllGroupChats, BotCommandScopeAllPrivateChats

from bot.i18n import N_, Translations

PRIVATE_COMMANDS = (
    ("ajukan", N_("Prepare a new proposal")),
    ("lanjut", N_("Continue my draft")),
    ("status", N_("Where my proposals stand")),
    ("templat", N_("Client list template (XLSX)")),
    ("bantuan", N_("Help")),
    ("bahasa", N_("Change the language")),
    ("batal", N_("Cancel what I am doing")),
)
GROUP_COMMANDS = (
    ("bantuan", N_("Help")),
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
