"""Is an uploaded file what it says it is? A light structural check before it counts as evidence.

A 0-byte "PDF" was once kept as a proposal attachment and accepted as an LPJ receipt. Telegram only
reports the name and MIME type the sender's phone chose, so the bytes are looked at here:

* PDF: the ``%PDF-`` header (within the first 1 KB, as readers allow) and an ``%%EOF`` marker after
  it — a file cut off in transfer, or a renamed Word/HTML file, lacks one of them.
* JPEG: the SOI marker, then well-formed marker segments up to a frame header (SOF) and the start
  of scan, and an EOI marker after the scan. Not "EOI at the very end": phones (e.g. motion photos)
  append data after the image, and that image is still fine.
* PNG: the signature, the IHDR chunk first, and an IEND chunk.
* XLSX/DOCX: a ZIP archive whose central directory reads and that holds ``[Content_Types].xml``.

Why not decode the image with Pillow or parse the PDF with a library: a full decode of a 20 MB
scan on the event loop costs far more than the question deserves ("is this a real file of that
kind, not empty or garbage?"), Pillow is only a transitive dependency (through matplotlib), and
no PDF library is in the dependencies. The markers above are what every reader checks first.

Pure module: no Telegram, no storage.
"""

from __future__ import annotations

import io
import zipfile

from bot.domain.validation import Problem, ValidationError
from bot.i18n import N_

__all__ = ["check_readable"]

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

_EMPTY = N_("The file {name} is empty: there is nothing in it to keep. Nothing was saved; send the file itself again.")
_NOT_PDF = N_(
    "The file {name} could not be opened as a PDF (it may be damaged, cut off while sending, "
    "or another kind of file renamed to .pdf). Nothing was saved; save it again as PDF and send it again."
)
_NOT_IMAGE = N_(
    "The file {name} could not be opened as a picture (it may be damaged or cut off while "
    "sending). Nothing was saved; take the photo again or send it as JPG/PNG."
)
_NOT_OFFICE = N_(
    "The file {name} could not be opened as a Word or Excel document (it may be damaged or "
    "another kind of file renamed). Nothing was saved; save it again, or send it as PDF."
)

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Frame headers: SOF0–SOF15 except DHT (C4), JPG (C8) and DAC (CC), which share the range.
_SOF = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
# Markers that stand alone (no length field): TEM, RST0–7.
_STANDALONE = frozenset({0x01, *range(0xD0, 0xD8)})


def check_readable(data: bytes, mime_type: str | None, file_name: str | None = None) -> None:
    """Raise a ValidationError (in the sender's words: what is wrong and what to send) when ``data``
    is empty or does not open as the kind of file ``mime_type`` says; return quietly otherwise."""
    name = file_name or "-"
    if not data.strip(b"\x00 \t\r\n"):  # 0 bytes, or only blanks/padding: nothing to read
        raise ValidationError(Problem(_EMPTY, {"name": name}, "block", "file"))
    kind = (mime_type or "").lower()
    if kind == PDF and not _is_pdf(data):
        raise ValidationError(Problem(_NOT_PDF, {"name": name}, "block", "file"))
    if kind == JPEG and not _is_jpeg(data):
        raise ValidationError(Problem(_NOT_IMAGE, {"name": name}, "block", "file"))
    if kind == PNG and not _is_png(data):
        raise ValidationError(Problem(_NOT_IMAGE, {"name": name}, "block", "file"))
    if kind in (XLSX, DOCX) and not _is_office(data):
        raise ValidationError(Problem(_NOT_OFFICE, {"name": name}, "block", "file"))


def _is_pdf(data: bytes) -> bool:
    header = data.find(b"%PDF-", 0, 1024)
    return header >= 0 and data.rfind(b"%%EOF") > header


def _is_jpeg(data: bytes) -> bool:
    if not data.startswith(b"\xff\xd8\xff"):
        return False
    position, frame = 2, False
    while position + 4 <= len(data):
        if data[position] != 0xFF:
            return False
        marker = data[position + 1]
        if marker == 0xFF:  # fill bytes before a marker are allowed
            position += 1
            continue
        if marker in _STANDALONE:
            position += 2
            continue
        if marker == 0xD9:  # EOI before any scan: no image in it
            return False
        length = int.from_bytes(data[position + 2 : position + 4], "big")
        if length < 2 or position + 2 + length > len(data):
            return False
        if marker in _SOF:
            frame = True
        if marker == 0xDA:  # start of scan: the compressed image follows, up to an EOI
            scan = position + 2 + length
            return frame and data.find(b"\xff\xd9", scan) > scan
        position += 2 + length
    return False


def _is_png(data: bytes) -> bool:
    return data.startswith(_PNG_SIGNATURE) and data[12:16] == b"IHDR" and data.find(b"IEND", 16) > 16


def _is_office(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "[Content_Types].xml" in archive.namelist()
    except Exception:  # BadZipFile, but also struct and value errors on garbage
        return False
