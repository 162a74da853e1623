"""The ``bot`` domain's catalogs: Babel's own ``pybabel`` with the project's pinned options, and the
checks Babel lacks.

Run from the repository root (the Makefile does)::

    python -m bot.i18n.catalogs extract   # pybabel extract: code (bot/, handlers/) -> locales/bot.pot
    python -m bot.i18n.catalogs update    # pybabel update: bot.pot -> locales/{id,en}/LC_MESSAGES/bot.po
    python -m bot.i18n.catalogs compile   # pybabel compile: .po -> .mo (fuzzy entries left out)
    python -m bot.i18n.catalogs check     # exit 1 with a list of problems (the CI / test gate)

``extract``, ``update`` and ``compile`` only run Babel's command line with the options below, kept
here so that the Makefile, the tests and a developer all run the same thing: file locations
without line numbers (only real message changes show in git), no fuzzy matching (a changed msgid
is a new, empty entry, never a silently reused old one), obsolete entries dropped, the POT
creation date ignored. ``bot.pot`` is generated and not kept in git. After adding or changing a
msgid: ``extract``, ``update``, translate the new empty ``msgstr`` in
``locales/id/LC_MESSAGES/bot.po`` (``en`` may stay empty: English falls back to the msgid), then
``check``.

What ``check`` (also :func:`check_catalogs` for tests) reports, which Babel's checkers do not: a
catalog out of date with the code (a msgid in the code missing from a ``.po``, an entry the code
no longer has, ``#~`` obsolete entries left in), an empty or fuzzy ``id`` entry (fuzzy in ``en``
too), named ``{placeholders}`` that differ between msgid and msgstr (``id`` and ``en``, every
plural form), and positional ``{}``/``{0}`` placeholders in a msgid. (Babel's reader pads or trims
plural forms to the locale's ``nplurals``; a missing ``id`` form is reported as untranslated.)

Placeholder rules for plurals: each form may use only the placeholders of the msgid and
msgid_plural and must use all of them except ``{n}``; the last form (the only one in ``id``)
must use ``{n}`` when the msgid_plural does.
"""

from __future__ import annotations

import argparse
import os
import re
import string
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import CommandLineInterface, parse_mapping_cfg
from babel.messages.pofile import read_po

from bot.i18n import DEFAULT_LOCALE, DOMAIN, SUPPORTED_LOCALES

__all__ = [
    "KEYWORDS",
    "REPO_ROOT",
    "check_catalogs",
    "extract_messages",
    "main",
    "placeholders",
    "pybabel",
    "pybabel_commands",
]

REPO_ROOT = Path(__file__).resolve().parents[2]

#: One keyword's arguments as Babel takes them: the positions of the msgid(s), ``(1, "c")`` for the
#: context; None for the first argument alone.
KeywordSpec = tuple[int | tuple[int, str], ...] | None

#: Extraction keywords, in Babel's spec form (``ngettext:1,2``, ``pgettext:1c,2``, ...).
KEYWORDS: dict[str, KeywordSpec] = {
    "N_": None,
    "gettext": None,
    "_": None,
    "ngettext": (1, 2),
    "pgettext": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
}
COMMENT_TAGS = ("TRANSLATORS:",)


def _keyword_options() -> list[str]:
    """KEYWORDS as pybabel's ``-k`` options (``pgettext:1c,2``)."""
    options = ["--no-default-keywords"]
    for name, spec in KEYWORDS.items():
        if spec is None:
            options += ["-k", name]
            continue
        parts = [f"{p[0]}{p[1]}" if isinstance(p, tuple) else str(p) for p in spec]
        options += ["-k", f"{name}:{','.join(parts)}"]
    return options


def pybabel_commands(root: Path = REPO_ROOT) -> dict[str, list[str]]:
    """The pybabel command lines (without ``pybabel``) of extract, update and compile."""
    root = Path(root).resolve()
    locales, cfg, pot = _paths(root)
    # The whole checkout, relative: babel.cfg's patterns (bot/**.py, handlers/**.py) choose the
    # files, and Babel skips hidden folders such as .venv.
    return {
        "extract": [
            "extract",
            "-F",
            str(cfg),
            *_keyword_options(),
            *sum((["-c", t] for t in COMMENT_TAGS), []),
            "--add-location=file",
            "--project=atensi-bot",
            "--version=1",
            "-o",
            str(pot),
            ".",
        ],
        "update": [
            "update",
            "-i",
            str(pot),
            "-d",
            str(locales),
            "-D",
            DOMAIN,
            "--no-fuzzy-matching",
            "--ignore-obsolete",
            "--ignore-pot-creation-date",
        ],
        "compile": ["compile", "-d", str(locales), "-D", DOMAIN, "--statistics"],
    }


def pybabel(command: str, root: Path = REPO_ROOT) -> None:
    """Run one of Babel's commands with the project's options (see the module docstring)."""
    # (A new language starts with ``pybabel init -l LANG -i locales/bot.pot -d locales -D bot``.)
    here = os.getcwd()
    os.chdir(root)  # locations relative to the checkout
    try:
        CommandLineInterface().run(["pybabel", "--quiet", *pybabel_commands(root)[command]])
    finally:
        os.chdir(here)


MessageKey = tuple[str, str | None]  # (singular msgid, context)


def _paths(root: Path) -> tuple[Path, Path, Path]:
    locales = root / "locales"
    return locales, locales / "babel.cfg", locales / f"{DOMAIN}.pot"


def _po_path(root: Path, lang: str) -> Path:
    return root / "locales" / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def _rel(root: Path, path: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


# --------------------------------------------------------------------------------------------
# extract


def extract_messages(root: Path = REPO_ROOT) -> Catalog:
    """Extract the msgids from the code into a template :class:`Catalog` (nothing written)."""
    root = Path(root).resolve()
    _, cfg, _ = _paths(root)
    with cfg.open(encoding="utf-8") as fh:
        method_map, options_map = parse_mapping_cfg(fh, str(cfg))

    tops = {pattern.split("/", 1)[0] for pattern, _ in method_map}
    restrict = not any("*" in top for top in tops)

    def directory_filter(dirpath: str) -> bool:
        parts = Path(os.path.relpath(dirpath, root)).parts
        if any(p.startswith(".") or p == "__pycache__" for p in parts):
            return False
        return not restrict or parts[0] in tops

    template = Catalog(domain=DOMAIN, charset="utf-8", fuzzy=False)
    for filename, lineno, message, comments, context in extract_from_dir(
        str(root),
        method_map,
        options_map,
        keywords=KEYWORDS,
        comment_tags=COMMENT_TAGS,
        strip_comment_tags=True,
        directory_filter=directory_filter,
    ):
        location = (Path(filename).as_posix(), lineno)
        template.add(message, None, [location], auto_comments=comments, context=context)
    return template


def _read_po(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as fh:
        return read_po(fh, locale=locale, domain=DOMAIN)


# --------------------------------------------------------------------------------------------
# check

_FORMATTER = string.Formatter()


def placeholders(text: str) -> set[str] | None:
    """The replacement fields of a :meth:`str.format` string, by name (``{amount:,}`` -> amount).

    Positional fields appear as ``""`` or their index (``"0"``). Escaped ``{{ }}`` are ignored.
    Returns ``None`` when the braces are unbalanced (the text cannot be formatted).
    """
    names: set[str] = set()
    try:
        for _literal, field, spec, _conv in _FORMATTER.parse(text):
            if field is None:
                continue
            names.add(re.split(r"[.\[]", field, maxsplit=1)[0])
            if spec and "{" in spec:
                nested = placeholders(spec)
                if nested is None:
                    return None
                names |= nested
    except ValueError:
        return None
    return names


def _is_positional(name: str) -> bool:
    return name == "" or name.isdigit()


def _describe(message: Message) -> str:
    msgid = message.id[0] if isinstance(message.id, (list, tuple)) else message.id
    text = f"msgid {msgid!r}"
    if message.context:
        text += f" (context {message.context!r})"
    return text


def _key(message: Message) -> MessageKey:
    msgid = message.id[0] if isinstance(message.id, (list, tuple)) else message.id
    return msgid, message.context


def _plural_id(message: Message) -> str | None:
    return message.id[1] if isinstance(message.id, (list, tuple)) else None


def _forms(message: Message) -> list[str]:
    """The translated text: one form for a singular entry, one per plural form otherwise."""
    if isinstance(message.string, (list, tuple)):
        return list(message.string)
    return [message.string or ""]


def _messages(catalog: Catalog) -> dict[MessageKey, Message]:
    return {_key(m): m for m in catalog if m.id}


def _fmt_names(names: Iterable[str]) -> str:
    return ", ".join("{" + n + "}" for n in sorted(names)) or "none"


def _placeholder_problems(message: Message) -> list[str]:
    """Placeholder mismatches between a message's msgid(s) and its translated form(s)."""
    problems: list[str] = []
    plural = _plural_id(message)
    singular_names = placeholders(_key(message)[0])
    plural_names = placeholders(plural) if plural is not None else set()
    if singular_names is None or plural_names is None:
        return problems  # literal braces in a msgid: it is never formatted, nothing to compare

    forms = _forms(message)
    for index, form in enumerate(forms):
        if not form:
            continue
        label = f"msgstr[{index}]" if plural is not None else "msgstr"
        names = placeholders(form)
        if names is None:
            problems.append(f"{label} has unbalanced braces (use {{{{ }}}} for a literal brace)")
            continue
        if plural is None:
            expected = singular_names
            if names != expected:
                problems.append(
                    f"{label} placeholders {_fmt_names(names)} differ from the msgid's {_fmt_names(expected)}"
                )
            continue
        allowed = singular_names | plural_names
        required = allowed - {"n"}
        if index == len(forms) - 1 and "n" in plural_names:
            required = required | {"n"}
        unknown, missing = names - allowed, required - names
        if unknown:
            problems.append(f"{label} uses unknown placeholders {_fmt_names(unknown)}")
        if missing:
            problems.append(f"{label} is missing placeholders {_fmt_names(missing)}")
    return problems


def _compare_with_code(label: str, code: dict[MessageKey, Message], catalog: dict[MessageKey, Message]) -> list[str]:
    problems = []
    for key, message in code.items():
        if key not in catalog:
            problems.append(f"{label}: {_describe(message)} is in the code but missing here")
        elif _plural_id(catalog[key]) != _plural_id(message):
            problems.append(
                f"{label}: {_describe(message)} has plural {_plural_id(catalog[key])!r} here "
                f"but {_plural_id(message)!r} in the code"
            )
    for key, message in catalog.items():
        if key not in code:
            problems.append(f"{label}: {_describe(message)} is no longer in the code (obsolete)")
    return problems


def check_catalogs(root: Path = REPO_ROOT, locales: Sequence[str] = SUPPORTED_LOCALES) -> list[str]:
    """Every problem with the catalogs under ``root``, as readable lines; empty when all is well."""
    root = Path(root).resolve()
    problems: list[str] = []

    try:
        code = _messages(extract_messages(root))
    except Exception as exc:  # a syntax error in someone's file, a missing babel.cfg, ...
        return [f"cannot extract messages from the code: {type(exc).__name__}: {exc}"]

    for message in code.values():
        for text in message.id if isinstance(message.id, (list, tuple)) else [message.id]:
            names = placeholders(text) or set()
            if any(_is_positional(n) for n in names):
                where = ", ".join(sorted({loc[0] for loc in message.locations}))
                problems.append(
                    f"{where}: {_describe(message)} uses positional placeholders; use named ones like {{amount}}"
                )

    for lang in locales:
        path = _po_path(root, lang)
        label = _rel(root, path)
        if not path.is_file():
            problems.append(f"{label}: missing (run update)")
            continue
        catalog = _read_po(path, lang)
        entries = _messages(catalog)
        problems += _compare_with_code(label, code, entries)
        if catalog.obsolete:
            problems.append(f"{label}: {len(catalog.obsolete)} obsolete (#~) entries left in (run update)")
        for message in entries.values():
            what = f"{label}: {_describe(message)}"
            forms = _forms(message)
            if message.fuzzy:
                problems.append(f"{what} is fuzzy (check the translation, remove the flag)")
            if lang == DEFAULT_LOCALE and not all(forms):
                problems.append(f"{what} is not translated")
            problems += [f"{what}: {p}" for p in _placeholder_problems(message)]
    return problems


def _stats(root: Path) -> str:
    parts = []
    for lang in SUPPORTED_LOCALES:
        path = _po_path(root, lang)
        if path.is_file():
            entries = list(_messages(_read_po(path, lang)).values())
            done = sum(1 for m in entries if all(_forms(m)))
            parts.append(f"{lang} {done}/{len(entries)} translated")
    return ", ".join(parts)


# --------------------------------------------------------------------------------------------
# command line


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bot.i18n.catalogs", description="Message catalog tooling (domain 'bot')."
    )
    parser.add_argument("command", choices=("extract", "update", "compile", "check"))
    parser.add_argument("--root", type=Path, default=REPO_ROOT, help="repository root")
    args = parser.parse_args(argv)
    root = args.root.resolve()

    if args.command in ("extract", "update", "compile"):
        if args.command == "update" and not _paths(root)[2].is_file():
            print("locales/bot.pot is missing: run `extract` first", file=sys.stderr)
            return 1
        pybabel(args.command, root)
        if args.command == "update":
            print(_stats(root))
    else:
        problems = check_catalogs(root)
        if problems:
            print(f"{len(problems)} catalog problem(s):", file=sys.stderr)
            for problem in problems:
                print(f"  - {problem}", file=sys.stderr)
            print(
                "Fix: python -m bot.i18n.catalogs extract && python -m bot.i18n.catalogs update, "
                "then translate the empty entries in locales/id/LC_MESSAGES/bot.po.",
                file=sys.stderr,
            )
            return 1
        print(f"catalogs OK ({_stats(root)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
