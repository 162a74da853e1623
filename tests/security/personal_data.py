"""What a leak of personal data would be, for the privacy and at-rest scans: the secrets no group chat or log line
may show (tests/security/test_privacy.py), and the needles no file on disk may hold
(tests/security/test_at_rest.py), found in text, in bytes (and an XLSX's members) and in a folder."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from tests.scenarios import change_cast as changes
from tests.scenarios.conftest import TOKEN
from tests.scenarios.review_cast import CLIENTS

# What no group chat, log line or audit mirror may show: the clients, their accounts, a guardian, a complaint, the
# bot's token.
SECRETS = [
    *[name for name, _, _ in CLIENTS],  # client names
    *[nik for _, nik, _ in CLIENTS],  # NIK in full…
    *[f"{nik[:4]}••••••••{nik[-4:]}" for _, nik, _ in CLIENTS],  # …and masked (private chats only)
    *[address.split(" RT")[0] for _, _, address in CLIENTS],  # "Jl. Melati 3", …
    "123456789012345",
    "0123456789",
    "1234567890123",
    "5550001112",
    "0987654321",  # bank accounts
    "Joko Susilo",  # an account holder
    "Siti Aminah",  # a guardian who signed a consent form (tests/helpers.consent_all)
    "memotong Rp700.000",  # a complaint's description (issue 16.5)…
    "mengembalikan Rp700.000",  # …and its outcome
    "ADU-",  # a complaint's ticket: never in a group
    changes.CORRECTED_NIK,  # a NIK corrected after the SK (issue 16.6)…
    f"{changes.CORRECTED_NIK[:4]}••••••••{changes.CORRECTED_NIK[-4:]}",
    TOKEN,
    TOKEN.split(":")[1],
]


def secrets_in(text: str) -> list[str]:
    return [secret for secret in SECRETS if secret in text]


# Each client's name, NIK, bank account number and street address (what a leak would be).
NEEDLES = [
    *[name for name, _, _ in CLIENTS],
    *[nik for _, nik, _ in CLIENTS],
    *[address.split(" RT")[0] for _, _, address in CLIENTS],  # "Jl. Melati 3", …
    "123456789012345",
    "0123456789",
    "1234567890123",  # the accounts typed and uploaded in the story
    # A complaint (issue 16.5): what she wrote, her photo, the officer's action and the outcome. (Her
    # Telegram name is in ``people``, as everyone's who pressed Start; which complaint is hers is sealed.)
    "kuitansi Wulan",
    "memotong Rp700.000",
    "rumah Bu Wulan",
    "mengembalikan Rp700.000",
    changes.CORRECTED_NIK,  # a NIK corrected after the SK (issue 16.6), its old value kept in the request
]


def needles_in(data: bytes) -> set[str]:
    """The needles in ``data`` (and in every member of it, when it is a zip: an XLSX)."""
    found = {n for n in NEEDLES if n.encode() in data}
    if data[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(data)) as book:
            for name in book.namelist():
                found |= {n for n in NEEDLES if n.encode() in book.read(name)}
    return found


def needles_in_folder(folder: Path) -> dict[str, set[str]]:
    return {str(p): hit for p in sorted(folder.rglob("*")) if p.is_file() and (hit := needles_in(p.read_bytes()))}
