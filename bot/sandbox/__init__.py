"""The offline sandbox: the real bot, a local Telegram, fictional data and a web chat.

``atensi-bot sandbox`` (or ``make run`` without a token) starts it. A new user, a trainer or a
reviewer picks a person — an IPWL operator, a PIC team member, finance, the head of centre, an
admin — and uses the bot as they would on their phone, at http://127.0.0.1:8080.

- :mod:`.runtime`  the sandbox's lifecycle (emulator + bot + demo data; reset; time travel)
- :mod:`.demo`     the fictional demo data, entered through the bot's own doors
- :mod:`.chats`    the emulator's world as JSON for one person
- :mod:`.web`      the web chat's routes; the page itself is in ``static/``
- :mod:`.server`   serving it all on 127.0.0.1
- :mod:`.clock`    real time plus time travel

Nothing happens at import.
"""

from .server import SandboxServer, serve

__all__ = ["SandboxServer", "serve"]
