"""The core decides, the adapters talk: bot/ core and storage/ never import telegram."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# The composition root, the CLI and the emulator are allowed to know about Telegram.
ADAPTER_MODULES = {"bot/app.py", "bot/cli.py", "bot/__main__.py"}
CORE_FILES = sorted(
    p for p in [*ROOT.glob("bot/**/*.py"), *ROOT.glob("storage/**/*.py")]
    if str(p.relative_to(ROOT)) not in ADAPTER_MODULES and "emulator" not in p.parts
)


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("path", CORE_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_core_and_storage_modules_do_not_import_telegram(path: Path) -> None:
    assert "telegram" not in _imports(path)


def test_storage_does_not_import_handlers_and_core_does_not_import_sql() -> None:
    for path in ROOT.glob("storage/**/*.py"):
        assert "handlers" not in _imports(path), path
    for path in CORE_FILES:
        if "storage" in path.parts:
            continue
        assert not {"sqlite3", "aiosqlite"} & _imports(path), path


def test_importing_the_core_loads_no_telegram_module() -> None:
    code = (
        "import sys, bot.services, bot.domain.workflow, bot.domain.validation, bot.i18n, bot.domain.regions,"
        " storage.unit;"
        "print(sorted(m for m in sys.modules if m == 'telegram' or m.startswith('telegram.')))"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_nothing_happens_at_import_of_the_composition_root() -> None:
    code = "import bot.app, handlers; print('ok')"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "ok" and result.stderr == ""


def _modules(path: Path) -> set[str]:
    """Every module ``path`` imports (full dotted names, absolute imports)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _python(folder: str) -> list[Path]:
    return sorted(ROOT.glob(f"{folder}/**/*.py"))


@pytest.mark.parametrize("path", _python("bot/domain"), ids=lambda p: str(p.relative_to(ROOT)))
def test_the_domain_imports_only_the_standard_library_itself_and_i18n(path: Path) -> None:
    allowed = set(sys.stdlib_module_names) | {"bot"}
    for name in _modules(path):
        top = name.split(".")[0]
        assert top in allowed, f"{path.name} imports {name}"
        if top == "bot":
            assert name.startswith(("bot.domain", "bot.i18n")) or name == "bot", f"{path.name} imports {name}"


@pytest.mark.parametrize("path", _python("handlers"), ids=lambda p: str(p.relative_to(ROOT)))
def test_handlers_import_nothing_from_storage(path: Path) -> None:
    reached = {n for n in _modules(path) if n == "storage" or n.startswith("storage.")}
    assert not reached, f"{path.name} imports {sorted(reached)}"


def test_only_the_composition_root_the_cli_and_the_sandbox_import_handlers() -> None:
    allowed = {"bot/app.py", "bot/cli.py"}
    for path in [*_python("bot"), *_python("storage")]:
        rel = str(path.relative_to(ROOT))
        if rel in allowed or rel.startswith("bot/sandbox/"):
            continue
        assert not any(n == "handlers" or n.startswith("handlers.") for n in _modules(path)), rel
