"""The domain: records, rules and conversation tables. Pure: the standard library and bot.domain/bot.i18n only."""
