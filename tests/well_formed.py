"""What a message a person can be shown must be: a non-empty msgid whose every named placeholder
is supplied, a short echo of what they typed (the validation, regions, sheet and fuzz tests check
their refusals with these)."""

from __future__ import annotations

import string
from collections.abc import Callable

import pytest

from bot.domain.validation import ECHO_LIMIT, Problem, ValidationError


def placeholders(message: str) -> set[str]:
    """The fields of a ``str.format`` template (an unnamed ``{}`` counts as the name "")."""
    return {name for _, name, _, _ in string.Formatter().parse(message) if name is not None}


def assert_problem_well_formed(problem: Problem) -> None:
    """A problem a handler can render: non-empty msgid, every placeholder supplied, short echo."""
    assert isinstance(problem.message, str) and problem.message.strip()
    names = placeholders(problem.message)
    assert all(name and name.isidentifier() for name in names), problem.message
    assert names <= set(problem.params), (problem.message, dict(problem.params))
    # Renders without KeyError/IndexError (echoed input may itself contain braces: harmless).
    assert problem.render().strip()
    assert problem.severity in ("block", "warn")
    for value in problem.params.values():
        if isinstance(value, str):
            assert len(value) <= ECHO_LIMIT + 30  # examples and dates are short; echoes are capped


def rejected(call: Callable[[], object]) -> ValidationError:
    """Run ``call``, expect a ValidationError, check its problems and return it."""
    with pytest.raises(ValidationError) as info:
        call()
    error = info.value
    assert error.problems
    for problem in error.problems:
        assert problem.severity == "block"
        assert_problem_well_formed(problem)
    return error


def rendered(error: ValidationError) -> str:
    return " | ".join(p.render() for p in error.problems)


def only_rejected(call: Callable[[], object]) -> None:
    """``call`` either returns or refuses with problems a person can read (never anything else)."""
    try:
        call()
    except ValidationError as error:
        assert error.problems
        for problem in error.problems:
            assert problem.severity == "block"
            assert_problem_well_formed(problem)
