"""/bantuan names every command a person's role gives them (the menu and the help must not drift:
a newcomer found /perubahan missing from an operator's help and /skperubahan from the head's)."""

from __future__ import annotations

import pytest

from bot.domain.models import Actor, Grant, Person, Role
from bot.i18n import Translator
from bot.services import Identity
from handlers import views
from handlers.menus import EVERYONE, PRIVATE_COMMANDS


@pytest.mark.parametrize("role", list(Role))
def test_the_help_of_each_role_names_its_commands(role: Role) -> None:
    who = Identity(Person(1, 100, "Dewi"), Actor(1, frozenset({Grant(role, ipwl_id=1, team_id=1)})), "en")
    shown = views.help_text(Translator("en"), who, in_group=False)
    theirs = [command for command, _label, roles in PRIVATE_COMMANDS if roles != EVERYONE and role in roles]
    missing = [command for command in theirs if f"/{command}" not in shown]
    assert not missing, f"{role}: /bantuan does not name {missing}"
