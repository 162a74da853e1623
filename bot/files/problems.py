"""How every file reader reports what is wrong: problems by row (and sheet and column), all at once.

A file is either accepted whole or rejected with every problem by row number, so a half-imported
registry, client list, LPJ or transfer list never exists.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.i18n import N_


@dataclass(frozen=True)
class ImportProblem:
    row: int  # 1 = the header line, as a spreadsheet shows it
    message: str  # msgid with named params
    params: Mapping[str, object] = field(default_factory=dict)


class ImportRejected(Exception):
    """Nothing was imported: every problem, by row number."""

    def __init__(self, problems: Sequence[ImportProblem]) -> None:
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = list(problems)


_AT_ROW = N_("row {row}:")
_AT_ROW_COLUMN = N_("row {row}, column {column}:")
_AT_SHEET = N_("sheet {sheet}:")
_AT_SHEET_ROW = N_("sheet {sheet}, row {row}:")
_AT_SHEET_ROW_COLUMN = N_("sheet {sheet}, row {row}, column {column}:")


def problem_location(problem: ImportProblem) -> tuple[str, dict[str, object]] | None:
    """The msgid and params of the prefix that says where ``problem`` is, or None (whole file).

    ``("row {row}, column {column}:", {...})``, ``("sheet {sheet}, row {row}:", {...})``, …
    """
    params = problem.params
    sheet, column = params.get("sheet"), params.get("column")
    if problem.row <= 0:
        return (_AT_SHEET, {"sheet": sheet}) if sheet is not None else None
    where: dict[str, object] = {"row": problem.row}
    if sheet is not None:
        where["sheet"] = sheet
    if column is not None:
        where["column"] = column
        return (_AT_SHEET_ROW_COLUMN if sheet is not None else _AT_ROW_COLUMN), where
    return (_AT_SHEET_ROW if sheet is not None else _AT_ROW), where


def _english(msgid: str, **params: Any) -> str:
    return msgid.format(**params) if params else msgid


def render_problem(problem: ImportProblem, gettext: Callable[..., str] | None = None) -> str:
    """One line: location prefix and message, e.g. ``row 7, column NIK: A NIK has 16 digits…``.

    ``gettext(msgid, **params)`` translates and formats (``Translator.gettext`` fits); without
    it the English msgids are formatted.
    """
    tr = gettext or _english
    body = tr(problem.message, **problem.params)
    location = problem_location(problem)
    if location is None:
        return body
    msgid, params = location
    return f"{tr(msgid, **params)} {body}"
