"""Regions files as an admin might give them, for the regions tests (tests/test_regions.py): a file written with
the given content, and the errors loading a broken one gives (each a message a person can read)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.domain.regions import RegionsFileError, load_regions
from tests.well_formed import placeholders


def regions_file(tmp_path: Path, content: str | bytes, name: str = "regions.csv") -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8", newline="")
    return path


def regions_file_errors(path: Path) -> RegionsFileError:
    with pytest.raises(RegionsFileError) as info:
        load_regions(path)
    error = info.value
    assert error.problems
    for problem in error.problems:
        assert problem.message.strip()
        assert placeholders(problem.message) <= set(problem.params)
        assert problem.render()
    return error
