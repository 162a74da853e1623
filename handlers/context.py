"""What every handler gets: the services, the translator for the person, the settings.

``BotContext`` is PTB's ``CallbackContext`` with typed access to the dependencies that
``bot.app.build_application`` put in ``bot_data`` — the one place they are wired.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import Application, CallbackContext, ExtBot

from bot.clock import Clock
from bot.config import Settings
from bot.i18n import Translations, Translator
from bot.services import Identity, Services
from bot.update_scope import RecentUpdates

if TYPE_CHECKING:
    from bot.domain.regions import RegionsCatalog
    from handlers.outbox import OutboxSender

DEPS_KEY = "atensi"


@dataclass
class Deps:
    settings: Settings
    services: Services
    translations: Translations
    clock: Clock
    regions: RegionsCatalog | None = None
    sender: OutboxSender | None = None
    # Tests set a list here to collect the exceptions that reached the error handler (and assert
    # it stays empty); in production it stays None: tracebacks hold frames, frames hold personal data.
    errors: list[BaseException] | None = None
    # The update ids this process handled lately: a duplicate is dropped before any handler.
    recent_updates: RecentUpdates = field(default_factory=RecentUpdates)


def deps_of(app: Application) -> Deps:
    """The dependencies ``bot.app.build_application`` wired into ``app``."""
    return app.bot_data[DEPS_KEY]


class BotContext(CallbackContext[ExtBot, dict, dict, dict]):
    def __init__(self, application: Application, chat_id: int | None = None, user_id: int | None = None) -> None:
        super().__init__(application=application, chat_id=chat_id, user_id=user_id)
        self._identity: tuple[int, Identity] | None = None

    @property
    def deps(self) -> Deps:
        return deps_of(self.application)

    @property
    def services(self) -> Services:
        return self.deps.services

    async def identify(self, update: Update) -> Identity:
        """The person behind this update, with the roles they hold at this moment.

        Loaded fresh for every update (a revoked role stops working at the next press), once:
        the handler, the router and the refusal wrapper of one update share it.
        """
        if self._identity is not None and self._identity[0] == update.update_id:
            return self._identity[1]
        user = update.effective_user
        assert user is not None
        chat = update.effective_chat
        private = chat is not None and chat.type == ChatType.PRIVATE
        who = await self.services.onboarding.identify(
            user.id, user.full_name, private_chat=private, language=user.language_code
        )
        self._identity = (update.update_id, who)
        return who

    async def identify_reader(self, update: Update) -> tuple[Identity, Translator]:
        """The person behind this update (:meth:`identify`) and the translator they read in: what
        nearly every handler starts with."""
        who = await self.identify(update)
        return who, self.translator(who)

    def translator(self, who: Identity | None = None, locale: str | None = None) -> Translator:
        """The person's language (or ``locale``, just chosen) and the zone they read times in here
        (``who.zone``: an operator's IPWL's in a private chat; without a person, the centre's)."""
        zone = who.zone if who else self.deps.settings.locale.timezone
        return self.deps.translations.for_reader(locale or (who.locale if who else None), zone)
