"""What every refusal in the domain carries: an N_-marked English msgid and its placeholders' values.

``validation.Problem`` (an input) and ``regions.RegionsFileProblem`` (a row of the regions file) add
where the problem is; the text, its read-only parameters and its English rendering are this one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType


@dataclass(frozen=True)
class ProblemText:
    """An N_-marked English msgid with ``{named}`` placeholders, all of them keys of ``params``."""

    message: str
    # hash=False: a dict is unhashable, and equal problems still hash equal without it.
    params: Mapping[str, object] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        # A read-only copy: a problem is a value, and callers must not change it after it is raised.
        object.__setattr__(self, "params", MappingProxyType(dict(self.params)))

    def render(self) -> str:
        """The English text, for tests, logs and the command line (bots translate ``message``)."""
        return self.message.format(**self.params)
