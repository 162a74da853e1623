"""The core decides, the adapters talk: bot/ core and storage/ never import telegram."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from tests.import_graph import ROOT, imported_modules, imported_packages, python_files

# The composition root, the CLI and the emulator are allowed to know about Telegram.
ADAPTER_MODULES = {"bot/app.py", "bot/cli.py", "bot/__main__.py"}
CORE_FILES = sorted(
    p
    for p in [*ROOT.glob("bot/**/*.py"), *ROOT.glob("storage/**/*.py")]
    if str(p.relative_to(ROOT)) not in ADAPTER_MODULES and "emulator" not in p.parts
)


@pytest.mark.parametrize("path", CORE_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_core_and_storage_modules_do_not_import_telegram(path: Path) -> None:
    assert "telegram" not in imported_packages(path)


def test_storage_does_not_import_handlers_and_core_does_not_import_sql() -> None:
    for path in ROOT.glob("storage/**/*.py"):
        assert "handlers" not in imported_packages(path), path
    for path in CORE_FILES:
        if "storage" in path.parts:
            continue
        assert not {"sqlite3", "aiosqlite"} & imported_packages(path), path


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


@pytest.mark.parametrize("path", python_files("bot/domain"), ids=lambda p: str(p.relative_to(ROOT)))
def test_the_domain_imports_only_the_standard_library_itself_and_i18n(path: Path) -> None:
    allowed = set(sys.stdlib_module_names) | {"bot"}
    for name in imported_modules(path):
        top = name.split(".")[0]
        assert top in allowed, f"{path.name} imports {name}"
        if top == "bot":
            assert name.startswith(("bot.domain", "bot.i18n")) or name == "bot", f"{path.name} imports {name}"


@pytest.mark.parametrize("path", python_files("handlers"), ids=lambda p: str(p.relative_to(ROOT)))
def test_handlers_import_nothing_from_storage(path: Path) -> None:
    reached = {n for n in imported_modules(path) if n == "storage" or n.startswith("storage.")}
    assert not reached, f"{path.name} imports {sorted(reached)}"


def test_only_the_composition_root_the_cli_and_the_sandbox_import_handlers() -> None:
    allowed = {"bot/app.py", "bot/cli.py"}
    for path in [*python_files("bot"), *python_files("storage")]:
        rel = str(path.relative_to(ROOT))
        if rel in allowed or rel.startswith("bot/sandbox/"):
            continue
        assert not any(n == "handlers" or n.startswith("handlers.") for n in imported_modules(path)), rel


def test_every_route_is_in_the_tables_of_handlers_init() -> None:
    """A reader finds every entry point in ``handlers/__init__.py``: each conversation kind has its
    text route, each notification kind its renderer, and no module registers one on import."""
    import handlers
    from bot.domain.kinds import ConversationKind, NotificationKind

    assert set(handlers.TEXT_ROUTES) == set(ConversationKind)
    assert set(handlers.NOTIFICATIONS) == set(NotificationKind)
    assert set(handlers.FILE_ROUTES) <= set(ConversationKind)
    assert set(handlers.CANCEL_ROUTES) <= set(ConversationKind)
    for path in python_files("handlers"):
        source = path.read_text(encoding="utf-8")
        assert "@notification(" not in source and "@on_text_in(" not in source, path


def test_buttons_are_built_routed_and_pressed_through_their_codec() -> None:
    """Each kind of button is one codec in handlers/buttons.py: no handler picks callback data apart
    by hand, and no test spells the wire format (except the forgery test, whose point that is)."""
    import handlers
    from handlers import buttons

    codecs = [v for v in vars(buttons).values() if isinstance(v, buttons.Button)]
    assert len({c.code for c in codecs}) == len(codecs)
    assert set(handlers.BUTTONS) == set(codecs)
    for path in python_files("handlers"):
        if path.name != "callback_data.py":  # the one decoder
            assert 'split("|")' not in path.read_text(encoding="utf-8"), path
    for path in ROOT.glob("tests/**/*.py"):
        if path.name in {"test_forged_callbacks.py", "test_architecture.py"}:
            continue
        assert '"v1|' not in path.read_text(encoding="utf-8"), path


def test_every_button_handler_answers_refusals_and_unanswered_presses() -> None:
    """The one wrapper renders refusals and answers a press its handler left unanswered."""
    import handlers
    from handlers import common

    for button, handler in handlers.BUTTONS.items():
        assert hasattr(handler, "__wrapped__"), (button.code, handler.__qualname__)
    assert hasattr(common.on_stale_button, "__wrapped__")


# --- the tests themselves ------------------------------------------------------------------------------------------
#
# The rule: a test module (``test_*.py``) holds its stories — test functions and the pytest fixtures they ask for —
# and nothing any other module needs. What the stories use besides (casts, steps, seeds, input builders, readers of
# what the bot wrote, the checks a refusal must pass) lives in a helper module named for what it holds:
# tests/helpers.py, tests/seeds.py, tests/report_seed.py, tests/client_sheets.py, tests/lpj_contents.py,
# tests/reminder_items.py, tests/races.py, tests/import_graph.py, tests/fuzz/inputs.py, tests/security/matrix.py
# and tests/scenarios/*_cast.py, among others. So no module imports from a test module, no test calls another test
# (a story two tests tell is a step in a helper module that both call), and a test module defines no module-level
# function that is neither a test nor a fixture (classes and nested functions are its own business).
TEST_MODULES = sorted(p for p in ROOT.glob("tests/**/test_*.py"))


def test_no_module_imports_from_a_test_module() -> None:
    importers = [*ROOT.glob("tests/**/*.py"), *ROOT.glob("bench/**/*.py")]
    found = sorted(
        f"{path.relative_to(ROOT)} imports {module}"
        for path in importers
        for module in imported_modules(path)
        if module.startswith("tests.") and any(part.startswith("test_") for part in module.split("."))
    )
    assert found == [], "shared helpers belong in a helper module (see the rule above)"


def test_no_test_calls_another_test() -> None:
    calls = sorted(
        f"{path.relative_to(ROOT)}:{node.lineno} calls {name}"
        for path in ROOT.glob("tests/**/*.py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call)
        and (name := getattr(node.func, "id", None) or getattr(node.func, "attr", "")).startswith("test_")
    )
    assert calls == [], "a story two tests tell is a step in a helper module that both call"


def test_test_modules_define_only_tests_and_fixtures() -> None:
    def is_fixture(decorator: ast.expr) -> bool:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        return getattr(target, "attr", getattr(target, "id", None)) == "fixture"

    helpers: dict[str, list[str]] = {}
    for path in TEST_MODULES:
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if (
                isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
                and not node.name.startswith("test_")
                and not any(is_fixture(d) for d in node.decorator_list)
            ):
                helpers.setdefault(str(path.relative_to(ROOT / "tests")), []).append(node.name)
    assert TEST_MODULES and helpers == {}, "a helper goes in a helper module, not in a test module"
