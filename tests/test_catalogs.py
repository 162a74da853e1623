"""The message catalogs: the repository gate, pybabel with the project's options, and the checks in
bot/i18n/catalogs.py that Babel lacks."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

from bot.i18n import load_translations
from bot.i18n.catalogs import check_catalogs, extract_messages, main, placeholders, pybabel
from tests.catalogs import ID_TRANSLATIONS, SAMPLE, edit_po, extract, only_one, set_message, update, write_code

REPO_ROOT = Path(__file__).resolve().parents[1]
ALL_CATALOGS = ("locales/id/LC_MESSAGES/bot.po", "locales/en/LC_MESSAGES/bot.po")


# --------------------------------------------------------------------------------------------
# The gate


def test_repository_catalogs_are_complete_and_up_to_date() -> None:
    problems = check_catalogs(REPO_ROOT)
    assert problems == [], (
        "catalog problems (run `python -m bot.i18n.catalogs extract && python -m bot.i18n.catalogs update`"
        " and translate locales/id/LC_MESSAGES/bot.po):\n" + "\n".join(problems)
    )


class _Any:
    """A stand-in value for any placeholder: any format spec, attribute or index works."""

    def __format__(self, spec: str) -> str:
        return "X"

    def __getattr__(self, name: str) -> _Any:
        return self

    def __getitem__(self, key: object) -> _Any:
        return self


def test_every_translation_formats_with_the_msgid_placeholders() -> None:
    """Belt and braces: format every msgstr with its msgid's names (no KeyError at runtime)."""
    for lang in ("id", "en"):
        with (REPO_ROOT / "locales" / lang / "LC_MESSAGES" / "bot.po").open("rb") as fh:
            catalog = read_po(fh, locale=lang, domain="bot")
        for message in catalog:
            ids = [message.id] if isinstance(message.id, str) else list(message.id)
            forms = [message.string] if isinstance(message.id, str) else list(message.string)
            names: set[str] = set()
            for text in ids:
                names |= placeholders(text) or set()
            if not message.id or not names:
                continue  # never formatted when the code passes no params
            params = {name: _Any() for name in names}
            for form in filter(None, forms):
                form.format(**params)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project with extracted, updated and fully translated (id) catalogs."""
    (tmp_path / "locales").mkdir()
    shutil.copy(REPO_ROOT / "locales" / "babel.cfg", tmp_path / "locales" / "babel.cfg")
    (tmp_path / "bot").mkdir()
    (tmp_path / "bot" / "sample.py").write_text(SAMPLE, encoding="utf-8")
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_x.py").write_text('gettext("Not extracted from tests")\n')
    extract(tmp_path)
    for lang in ("id", "en"):  # a new language starts from the template (pybabel init)
        CommandLineInterface().run(
            [
                "pybabel",
                "--quiet",
                "init",
                "-l",
                lang,
                "-D",
                "bot",
                "-i",
                str(tmp_path / "locales" / "bot.pot"),
                "-d",
                str(tmp_path / "locales"),
            ]
        )

    def translate(catalog: Catalog) -> None:
        for (msgid, context), string in ID_TRANSLATIONS.items():
            set_message(catalog, msgid, string, context)

    edit_po(tmp_path, "id", translate)
    return tmp_path


def test_clean_project_passes(project: Path) -> None:
    assert check_catalogs(project) == []
    assert main(["check", "--root", str(project)]) == 0


def test_extract_finds_the_keywords_and_only_configured_dirs(project: Path) -> None:
    messages = [m for m in extract_messages(project) if m.id]
    keys = {(m.id if isinstance(m.id, str) else m.id[0], m.context) for m in messages}
    assert keys == set(ID_TRANSLATIONS)
    plural = extract_messages(project).get("{n} client")
    assert plural is not None and plural.id == ("{n} client", "{n} clients")


def test_extract_writes_file_locations_without_line_numbers(project: Path) -> None:
    text = (project / "locales" / "bot.pot").read_text()
    assert "#: bot/sample.py\n" in text  # only real message changes show in git


def test_update_adds_empty_entries_drops_obsolete_and_never_fuzzy_matches(project: Path) -> None:
    # "Hello {name}" becomes "Hello, {name}": a new empty entry, the old one dropped.
    sample = project / "bot" / "sample.py"
    sample.write_text(sample.read_text().replace('"Hello {name}"', '"Hello, {name}"'))
    extract(project)
    update(project)
    id_po = (project / "locales" / "id" / "LC_MESSAGES" / "bot.po").read_text()
    assert 'msgid "Hello {name}"' not in id_po and "#~" not in id_po
    with (project / "locales" / "id" / "LC_MESSAGES" / "bot.po").open("rb") as fh:
        catalog = read_po(fh)
    new = catalog.get("Hello, {name}")
    assert new is not None and new.string == "" and not new.fuzzy
    assert catalog.get("Plain text").string == "Teks biasa"  # kept
    problems = check_catalogs(project)
    only_one(problems, "id/LC_MESSAGES/bot.po", "'Hello, {name}'", "not translated")
    assert len(problems) == 1, problems  # en may stay empty


def test_check_catches_an_empty_id_entry(project: Path) -> None:
    edit_po(project, "id", lambda c: set_message(c, "Plain text", ""))
    only_one(check_catalogs(project), "id/LC_MESSAGES/bot.po", "'Plain text'", "not translated")
    assert main(["check", "--root", str(project)]) == 1


def test_check_catches_an_empty_id_plural(project: Path) -> None:
    edit_po(project, "id", lambda c: set_message(c, "{n} client", ("",)))
    only_one(check_catalogs(project), "id/LC_MESSAGES/bot.po", "'{n} client'", "not translated")


def test_check_catches_a_fuzzy_entry(project: Path) -> None:
    edit_po(project, "id", lambda c: set_message(c, "Plain text", "Teks", flags={"fuzzy"}))
    only_one(check_catalogs(project), "id/LC_MESSAGES/bot.po", "'Plain text'", "fuzzy")
    edit_po(project, "en", lambda c: set_message(c, "Plain text", "Plain", flags={"fuzzy"}))
    only_one(check_catalogs(project), "en/LC_MESSAGES/bot.po", "'Plain text'", "fuzzy")


def test_check_catches_placeholder_mismatches_in_id(project: Path) -> None:
    edit_po(project, "id", lambda c: set_message(c, "Hello {name}", "Halo {nama}"))
    problem = only_one(check_catalogs(project), "id/LC_MESSAGES/bot.po", "'Hello {name}'")
    assert "{nama}" in problem and "{name}" in problem


def test_check_catches_a_dropped_placeholder(project: Path) -> None:
    edit_po(project, "id", lambda c: set_message(c, "Hello {name}", "Halo"))
    only_one(check_catalogs(project), "id/LC_MESSAGES/bot.po", "'Hello {name}'", "differ")


def test_check_catches_placeholder_mismatches_in_en(project: Path) -> None:
    edit_po(project, "en", lambda c: set_message(c, "Hello {name}", "Hi {who}"))
    only_one(check_catalogs(project), "en/LC_MESSAGES/bot.po", "'Hello {name}'", "differ")


def test_check_catches_placeholder_mismatches_in_plural_forms(project: Path) -> None:
    edit_po(project, "id", lambda c: set_message(c, "{n} client", ("banyak klien",)))
    only_one(check_catalogs(project), "id/LC_MESSAGES/bot.po", "msgstr[0] is missing placeholders {n}")
    edit_po(project, "id", lambda c: set_message(c, "{n} client", ("{n} klien {extra}",)))
    only_one(check_catalogs(project), "id/LC_MESSAGES/bot.po", "msgstr[0] uses unknown placeholders")
    # en: the singular may say "One client", the plural form must keep {n}
    edit_po(project, "id", lambda c: set_message(c, "{n} client", ("{n} klien",)))
    edit_po(project, "en", lambda c: set_message(c, "{n} client", ("One client", "{n} clients")))
    assert check_catalogs(project) == []
    edit_po(project, "en", lambda c: set_message(c, "{n} client", ("One client", "many clients")))
    only_one(check_catalogs(project), "en/LC_MESSAGES/bot.po", "msgstr[1] is missing placeholders {n}")


def test_check_catches_unbalanced_braces_in_a_translation(project: Path) -> None:
    edit_po(project, "id", lambda c: set_message(c, "Hello {name}", "Halo {name"))
    only_one(check_catalogs(project), "'Hello {name}'", "unbalanced braces")


def test_missing_plural_forms_count_as_untranslated_in_id(project: Path) -> None:
    po = project / "locales" / "id" / "LC_MESSAGES" / "bot.po"
    text = po.read_text()
    assert 'msgstr[0] "{n} klien"\n' in text
    po.write_text(text.replace('msgstr[0] "{n} klien"\n', ""))
    only_one(check_catalogs(project), "id/LC_MESSAGES/bot.po", "'{n} client'", "not translated")


def test_check_catches_a_msgid_missing_from_the_catalogs(project: Path) -> None:
    write_code(project, 'def f(t):\n    return t.gettext("Brand new")\n')
    problems = check_catalogs(project)
    for label in ALL_CATALOGS:
        only_one(problems, label + ":", "'Brand new'", "missing here")
    extract(project)
    update(project)
    assert check_catalogs(project) == ["locales/id/LC_MESSAGES/bot.po: msgid 'Brand new' is not translated"]
    edit_po(project, "id", lambda c: set_message(c, "Brand new", "Baru"))
    assert check_catalogs(project) == []


def test_check_catches_a_new_context_and_a_changed_plural(project: Path) -> None:
    write_code(project, 'def f(t):\n    return t.pgettext("menu", "Approve")\n')
    sample = project / "bot" / "sample.py"
    sample.write_text(sample.read_text().replace('"{n} clients"', '"{n} people"'))
    problems = check_catalogs(project)
    only_one(problems, "locales/id/LC_MESSAGES/bot.po:", "'Approve' (context 'menu')", "missing here")
    only_one(problems, "locales/id/LC_MESSAGES/bot.po:", "'{n} client'", "'{n} people' in the code")


def test_check_catches_an_entry_no_longer_in_the_code(project: Path) -> None:
    sample = project / "bot" / "sample.py"
    sample.write_text(sample.read_text().replace('t.gettext("Plain text"),', ""))
    problems = check_catalogs(project)
    for label in ALL_CATALOGS:
        only_one(problems, label + ":", "'Plain text'", "no longer in the code")
    extract(project)
    update(project)
    assert check_catalogs(project) == []


def test_check_catches_obsolete_entries_left_in(project: Path) -> None:
    po = project / "locales" / "id" / "LC_MESSAGES" / "bot.po"
    po.write_text(po.read_text() + '\n#~ msgid "Old text"\n#~ msgstr "Teks lama"\n')
    only_one(check_catalogs(project), "id/LC_MESSAGES/bot.po", "1 obsolete (#~) entries")
    update(project)
    assert "#~" not in po.read_text()
    assert check_catalogs(project) == []


def test_check_catches_positional_placeholders(project: Path) -> None:
    write_code(project, 'def f(t):\n    return t.gettext("Total {} of {0}", 1)\n')
    extract(project)
    update(project)
    edit_po(project, "id", lambda c: set_message(c, "Total {} of {0}", "Total {} dari {0}"))
    only_one(check_catalogs(project), "handlers/extra.py", "positional placeholders")


def test_check_reports_missing_files_and_unreadable_code(project: Path) -> None:
    (project / "locales" / "en" / "LC_MESSAGES" / "bot.po").unlink()
    problems = check_catalogs(project)
    only_one(problems, "locales/en/LC_MESSAGES/bot.po: missing")
    (project / "locales" / "babel.cfg").unlink()
    assert check_catalogs(project) == [
        "cannot extract messages from the code: FileNotFoundError: "
        f"[Errno 2] No such file or directory: '{project / 'locales' / 'babel.cfg'}'"
    ]


def test_compile_writes_mo_files_without_fuzzy_entries(project: Path) -> None:
    edit_po(project, "id", lambda c: set_message(c, "Plain text", "Teks kabur", flags={"fuzzy"}))
    pybabel("compile", project)
    assert sorted(p.relative_to(project).as_posix() for p in project.glob("locales/*/LC_MESSAGES/bot.mo")) == [
        "locales/en/LC_MESSAGES/bot.mo",
        "locales/id/LC_MESSAGES/bot.mo",
    ]
    t = load_translations(project / "locales").for_locale("id")
    assert t.gettext("Hello {name}", name="Ani") == "Halo Ani"
    assert t.gettext("Plain text") == "Plain text"  # fuzzy is not used
    assert t.ngettext("{n} client", "{n} clients", 3) == "3 klien"
    assert t.pgettext("button", "Approve") == "Setujui"
    assert main(["compile", "--root", str(project)]) == 0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("plain", set()),
        ("{a} and {b}", {"a", "b"}),
        ("{{literal}} {a}", {"a"}),
        ("{amount:,} {user.name} {items[0]}", {"amount", "user", "items"}),
        ("{x:>{width}}", {"x", "width"}),
        ("{} {0}", {"", "0"}),
        ("lone {", None),
        ("lone }", None),
    ],
)
def test_placeholders(text: str, expected: set[str] | None) -> None:
    assert placeholders(text) == expected
