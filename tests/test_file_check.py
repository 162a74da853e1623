"""The structural check that keeps empty and broken files out of the records (issue 11.2)."""

from __future__ import annotations

import pytest

from bot.domain.validation import ValidationError
from bot.files.client_sheet import build_template
from bot.files.file_check import check_readable
from bot.i18n import format_file_size
from tests.helpers import jpeg, pdf, picture

PDF, JPEG, PNG = "application/pdf", "image/jpeg", "image/png"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.mark.parametrize(
    ("content", "mime"),
    [
        (pdf(), PDF),
        (b"\n\n%PDF-1.7\n" + b"stream" * 50 + b"\n%%EOF\n\x00\x00", PDF),  # junk before the header, padding after
        (jpeg(), JPEG),
        (picture("JPEG"), JPEG),
        (picture("JPEG", progressive=True) + b"MotionPhoto_Data" * 64, JPEG),  # a phone's data after the image
        (picture("PNG"), PNG),
        (build_template(), XLSX),
        (b"nama;nik\nSiti;3201014508900004\n", "text/csv"),
    ],
)
def test_real_files_pass(content: bytes, mime: str) -> None:
    check_readable(content, mime, "berkas")


@pytest.mark.parametrize(
    ("content", "mime", "said"),
    [
        (b"", PDF, "empty"),
        (b"\x00" * 512, JPEG, "empty"),
        (b"%PDF-1.4 surat", PDF, "as a PDF"),  # cut off: no %%EOF
        (b"<html>%%EOF</html>", PDF, "as a PDF"),  # a web page saved as .pdf
        (picture("PNG"), JPEG, "as a picture"),  # not what it says it is
        (picture("JPEG")[:40], JPEG, "as a picture"),  # cut off before the scan
        (b"\xff\xd8\xff\xe0" + b"0" * 100, JPEG, "as a picture"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 30, PNG, "as a picture"),
        (b"PK\x03\x04 broken", DOCX, "Word or Excel"),
        (pdf(), XLSX, "Word or Excel"),
    ],
)
def test_empty_or_broken_files_are_refused_with_what_to_send(content: bytes, mime: str, said: str) -> None:
    with pytest.raises(ValidationError) as refused:
        check_readable(content, mime, "kuitansi.pdf")
    (problem,) = refused.value.problems
    assert said in problem.message and "Nothing was saved" in problem.message
    assert problem.params == {"name": "kuitansi.pdf"}


@pytest.mark.parametrize(
    ("size", "id_text", "en_text"),
    [
        (0, "0 B", "0 B"),
        (193, "193 B", "193 B"),
        (1023, "1023 B", "1023 B"),
        (4608, "4,5 KB", "4.5 KB"),
        (430_000, "420 KB", "420 KB"),
        (1023 * 1024, "1,0 MB", "1.0 MB"),
        (int(0.44 * 1024 * 1024) + 1024 * 1024, "1,4 MB", "1.4 MB"),
        (25 * 1024 * 1024, "25,0 MB", "25.0 MB"),
    ],
)
def test_sizes_read_as_people_write_them(size: int, id_text: str, en_text: str) -> None:
    assert format_file_size(size, "id") == id_text
    assert format_file_size(size, "en") == en_text
