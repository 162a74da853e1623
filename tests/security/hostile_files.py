"""Client lists made to hurt, for the hostile-file tests (tests/security/test_files.py): a zip bomb (with honest
or forged sizes), the template cut in half, and a CSV with too many rows."""

from __future__ import annotations

import io
import struct
import zipfile

from bot.files.client_sheet import build_template


def zip_bomb(size: int, *, forge: bool) -> bytes:
    """A workbook whose first sheet inflates to ``size`` bytes (with ``forge``: declared as 1 KB)."""
    template = zipfile.ZipFile(io.BytesIO(build_template("id")))
    out = io.BytesIO()
    row = b'<row r="9"><c r="A9" t="inlineStr"><is><t>Siti</t></is></c></row>'
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in template.infolist():
            if info.filename == "xl/worksheets/sheet1.xml":
                body = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
                body += row * (size // len(row)) + b"</sheetData></worksheet>"
                archive.writestr(info.filename, body)
            else:
                archive.writestr(info.filename, template.read(info.filename))
    data = bytearray(out.getvalue())
    if forge:  # the directory lies about the inflated size (local header +22, central directory +24)
        with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
            info = archive.getinfo("xl/worksheets/sheet1.xml")
        struct.pack_into("<I", data, info.header_offset + 22, 1024)
        central = data.find(b"PK\x01\x02" + data[info.header_offset + 4 : info.header_offset + 6])
        while central != -1:
            name_length = struct.unpack_from("<H", data, central + 28)[0]
            if data[central + 46 : central + 46 + name_length] == b"xl/worksheets/sheet1.xml":
                struct.pack_into("<I", data, central + 24, 1024)
                break
            central = data.find(b"PK\x01\x02", central + 4)
    return bytes(data)


def truncated_template() -> bytes:
    data = build_template("id")
    return data[: len(data) // 2]


def many_rows(count: int) -> bytes:
    header = "Nama lengkap;NIK;Jenis kelamin;Tanggal lahir;Provinsi;Kabupaten/Kota;Alamat;Pendekatan;Komponen\n"
    line = "Siti Rahayu;3201014508900004;P;05-08-1990;32;Kabupaten Bogor;Jl. Melati 3;keluarga;1\n"
    return (header + line * count).encode()
