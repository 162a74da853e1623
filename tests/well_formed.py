"""What a message a person can be shown must be: a non-empty msgid whose every named placeholder
is supplied (the validation, regions, sheet and fuzz tests check their refusals with these)."""

from __future__ import annotations

import string


def placeholders(message: str) -> set[str]:
    """The fields of a ``str.format`` template (an unnamed ``{}`` counts as the name "")."""
    return {name for _, name, _, _ in string.Formatter().parse(message) if name is not None}
