"""The report and export files the head's and the admin's stories get back, read: an export's rows by its header,
the monthly workbook's rows by IPWL code, and a chart's width in pixels."""

from __future__ import annotations

import io
import struct

import openpyxl


def sheet_rows(content: bytes) -> list[dict[str, object]]:
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    header = [c.value for c in sheet[1]]
    return [dict(zip(header, r, strict=True)) for r in sheet.iter_rows(min_row=2, values_only=True)]


def ipwl_rows(content: bytes, sheet_name: str = "IPWL") -> dict[str, dict[str, object]]:
    sheet = openpyxl.load_workbook(io.BytesIO(content))[sheet_name]
    header = [c.value for c in sheet[1]]
    return {r[0]: dict(zip(header, r, strict=True)) for r in sheet.iter_rows(min_row=2, values_only=True)}


def png_width(content: bytes) -> int:
    return struct.unpack(">I", content[16:20])[0]
