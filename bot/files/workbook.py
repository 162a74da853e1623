"""The one way every reader opens an uploaded XLSX: checked as an archive before openpyxl sees it.

An upload is untrusted bytes. Before openpyxl parses anything, the archive must be a readable zip
that holds a workbook, and its members must not inflate past :data:`MAX_UNCOMPRESSED` (a zip bomb
of a few kilobytes can expand to gigabytes; openpyxl would try). openpyxl then opens it read-only,
values only, with external links off. Each reader words the refusal for its own file; this module
only says which refusal it is (:class:`WorkbookRefused`).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from bot.files.problems import ImportRejected

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

# Far above any honest upload (5,000 clients with every field inflate to a few MB), far below what
# would exhaust the machine.
MAX_UNCOMPRESSED = 150 * 1024 * 1024

ZIP_MAGIC = b"PK\x03\x04"
EMPTY_ZIP_MAGIC = b"PK\x05\x06"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls, or an encrypted (password) .xlsx
ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")


class Refusal(StrEnum):
    NOT_XLSX = "not_xlsx"  # not a zip, not a workbook, or openpyxl could not read it
    TOO_BIG = "too_big"  # members inflate past MAX_UNCOMPRESSED
    WORD_DOCUMENT = "word_document"  # a .docx sent instead
    PASSWORD = "password"  # an encrypted workbook
    OLD_XLS = "old_xls"  # Excel 97–2003


class WorkbookRefused(Exception):
    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.value)
        self.refusal = refusal


def first_sheet(workbook: Workbook) -> Worksheet:
    """The worksheet a new ``Workbook()`` is made with, to fill in. (openpyxl types ``active`` as
    any kind of sheet or none, for a workbook whose sheets were all removed.)"""
    from openpyxl.worksheet.worksheet import Worksheet

    sheet = workbook.active
    assert isinstance(sheet, Worksheet)
    return sheet


def looks_like_xlsx(data: bytes) -> bool:
    """The bytes start as a zip archive does (the first thing an XLSX is)."""
    return data.startswith((ZIP_MAGIC, EMPTY_ZIP_MAGIC))


def refuse_legacy(data: bytes) -> None:
    """Refuse an OLE file (an old .xls or a password-protected workbook) with the right reason."""
    if data.startswith(OLE_MAGIC):
        raise WorkbookRefused(Refusal.PASSWORD if ENCRYPTED_PACKAGE in data else Refusal.OLD_XLS)


def check_archive(data: bytes) -> set[str]:
    """The archive's member names, once it is known to be a workbook that inflates to a safe size."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except Exception:  # BadZipFile, but also struct and value errors on garbage
        raise WorkbookRefused(Refusal.NOT_XLSX) from None
    names = {info.filename for info in infos}
    if "word/document.xml" in names:
        raise WorkbookRefused(Refusal.WORD_DOCUMENT)
    if not any(name == "xl/workbook.xml" or name.endswith("/workbook.xml") for name in names):
        raise WorkbookRefused(Refusal.NOT_XLSX)
    if sum(info.file_size for info in infos) > MAX_UNCOMPRESSED:
        raise WorkbookRefused(Refusal.TOO_BIG)
    return names


def sheet_names(data: bytes) -> list[str]:
    """The workbook's sheet names, read from workbook.xml without parsing any sheet."""
    check_archive(data)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            xml = archive.read("xl/workbook.xml").decode("utf-8", "replace")
    except Exception:
        raise WorkbookRefused(Refusal.NOT_XLSX) from None
    return re.findall(r"<(?:\w+:)?sheet\b[^>]*\bname=\"([^\"]+)\"", xml)


@contextmanager
def open_workbook(data: bytes) -> Iterator[Any]:
    """An openpyxl workbook (read-only, values, no external links), closed on leaving.

    Reading rows can still fail on malformed XML inside a valid archive; that too surfaces as
    ``WorkbookRefused(NOT_XLSX)``, unless the reader raised its own refusal.
    """
    refuse_legacy(data)
    check_archive(data)
    import openpyxl  # heavy: imported on the first upload, not at start

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    except Exception:  # openpyxl raises anything from KeyError to XML errors on broken files
        raise WorkbookRefused(Refusal.NOT_XLSX) from None
    try:
        yield workbook
    except (WorkbookRefused, ImportRejected):
        raise  # the reader's own refusal, worded for its file
    except Exception:  # malformed XML inside a valid zip surfaces only while reading rows
        raise WorkbookRefused(Refusal.NOT_XLSX) from None
    finally:
        workbook.close()
