"""Message catalogs for the i18n tests: small ones in memory for the translator (tests/test_i18n.py),
and a small project on disk for the catalog tooling (tests/test_catalogs.py)."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from io import BytesIO
from pathlib import Path

import babel.support
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from bot.i18n import Translator
from bot.i18n.catalogs import pybabel

# --------------------------------------------------------------------------------------------
# In memory, for the translator


def id_catalog() -> Catalog:
    catalog = Catalog(locale="id", domain="bot", fuzzy=False)
    catalog.add("Proposal", "Proposal")
    catalog.add("Hello {name}", "Halo {name}")
    catalog.add("Use {braces} literally", "Pakai {braces} apa adanya")
    catalog.add(("{n} client", "{n} clients"), ("{n} klien",))
    catalog.add(("One proposal from {ipwl}", "{n} proposals from {ipwl}"), ("{n} proposal dari {ipwl}",))
    catalog.add("Approve", "Setujui", context="button")
    catalog.add("Approve", "Persetujuan")
    catalog.add(("{n} file", "{n} files"), ("{n} berkas",), context="button")
    catalog.add("Broken {name}", "Rusak {nama}")  # a translator's typo: unknown placeholder
    catalog.add("Fuzzy entry", "Entri kabur", flags=["fuzzy"])
    catalog.add("Untranslated", "")
    return catalog


def translator_of(catalog: Catalog | None = None) -> Translator:
    buf = BytesIO()
    write_mo(buf, catalog or id_catalog())
    buf.seek(0)
    return Translator("id", babel.support.Translations(buf, domain="bot"))


def write_po_file(path: Path, catalog: Catalog) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        write_po(fh, catalog)


def po_catalog(text: str) -> Catalog:
    catalog = Catalog(locale="id", domain="bot", fuzzy=False)
    catalog.add("Proposal", text)
    catalog.add(("{n} client", "{n} clients"), ("{n} klien",))
    catalog.add("Approve", "Setujui", context="button")
    return catalog


# --------------------------------------------------------------------------------------------
# A small project to exercise the tooling

SAMPLE = """\
from bot.i18n import N_

LABEL = N_("Marked for later")


def view(t, n, name):
    return [
        t.gettext("Hello {name}", name=name),
        t.gettext("Plain text"),
        t.ngettext("{n} client", "{n} clients", n),
        t.pgettext("button", "Approve"),
        t._("Underscore"),
    ]
"""

ID_TRANSLATIONS: dict[tuple[str, str | None], str | tuple[str, ...]] = {
    ("Marked for later", None): "Ditandai untuk nanti",
    ("Hello {name}", None): "Halo {name}",
    ("Plain text", None): "Teks biasa",
    ("{n} client", None): ("{n} klien",),
    ("Approve", "button"): "Setujui",
    ("Underscore", None): "Garis bawah",
}


def edit_po(root: Path, lang: str, edit: Callable[[Catalog], None]) -> None:
    path = root / "locales" / lang / "LC_MESSAGES" / "bot.po"
    with path.open("rb") as fh:
        catalog = read_po(fh, locale=lang, domain="bot")
    edit(catalog)
    with path.open("wb") as fh:
        write_po(fh, catalog)


def set_message(catalog: Catalog, msgid: str, string: str | tuple[str, ...], context: str | None = None,
         flags: set[str] | None = None) -> None:  # fmt: skip
    message = catalog.get(msgid, context=context)
    assert message is not None, msgid
    message.string = string
    if flags is not None:
        message.flags = set(flags)


def extract(root: Path) -> None:
    pybabel("extract", root)


def update(root: Path) -> None:
    pybabel("update", root)


def write_code(root: Path, extra: str) -> None:
    (root / "handlers").mkdir(exist_ok=True)
    (root / "handlers" / "extra.py").write_text(textwrap.dedent(extra), encoding="utf-8")


def only_one(problems: list[str], *needles: str) -> str:
    hits = [p for p in problems if all(n in p for n in needles)]
    assert len(hits) == 1, problems
    return hits[0]
