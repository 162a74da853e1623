"""Inputs shared by the fuzz tests and the sealing bench: text as keyboards and copy-paste produce it, and a tour
of answers that walks one client through every question of the proposal draft, and the draft's choices."""

from __future__ import annotations

from hypothesis import strategies as st

# What keyboards and copy-paste produce, weighted toward what the parsers look at.
_CHARS = st.sampled_from(list("0123456789 .,-/+()RrPpJjTtKkAaGgUuSsDd:'’\"\u00a0\u200b\n\t\x00\u202e٣²ⅷ<>&{}%"))
TEXT = st.one_of(
    st.text(max_size=80),
    st.text(_CHARS, max_size=40),
    st.from_regex(r"\A(Rp\.? ?)?-?[0-9]{1,16}([.,][0-9]{1,4}){0,4}( ?(juta|jt|rb|ribu|k|miliar))?,?-?\Z"),
    st.from_regex(r"\A[0-9]{1,4}[-/. ]([0-9]{1,4}|[A-Za-z]{3,9})[-/., ]{1,2}[0-9]{0,6}\Z"),
    st.from_regex(r"\A\+?(62|0)?[0-9 ()-]{0,20}\Z"),
    st.from_regex(r"\A[0-9]{14,18}\Z"),
    st.from_regex(r"\A[A-Za-z .,'-]{0,40}[,;x×*]? ?[0-9 .x×*Rp]{0,25}\Z"),
    st.text(max_size=5000).map(lambda s: s * 3),  # very long
)


TOUR = [  # (text, choice) answers that walk one client through every question
    (None, "this"),
    ("Siti Rahayu", None),
    ("3201014508900004", None),
    (None, "change"),
    (None, "P"),
    ("06-08-1990", None),
    (None, "keep"),
    (None, "other"),
    ("Jawa Barat", None),
    ("Kabupaten Bogor", None),
    ("Jl. Melati 3 RT 01/02, Desa Cibinong, 0812-3456-7890", None),
    (None, "keluarga"),
    (None, "1"),
    (None, "3"),
    (None, "done"),
    ("Pengguna sabu 3 tahun, sudah detoks.", None),
    ("Konseling keluarga dan sembako 3 bulan.", None),
    ("Paket sembako, 3 x 500.000", None),
    ("Pertemuan konseling keluarga, 4 x 200.000", None),
]


# The choices a proposal draft's buttons carry (and some they do not), typed text, or none: what the
# conversation and step fuzz tests answer with.
DRAFT_CHOICES = st.one_of(
    st.none(),
    st.text(max_size=12),
    st.sampled_from(
        [
            "this",
            "next",
            "ok",
            "here",
            "other",
            "change",
            "L",
            "P",
            "skip",
            "same",
            "keluarga",
            "komunitas",
            "residensial",
            "1",
            "3",
            "7",
            "8",
            "done",
            "back",
            "copy",
            "review",
            "add",
            "nik",
            "prev",
            "32",
            "32.01",
            "-1",
            "",
            "3201",
            "0",
            "99",
        ]
    ),
)
