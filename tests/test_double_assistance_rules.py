"""The double-assistance rule (bot.domain.double_assistance.classify): what another IPWL's client
with the same NIK means for a client of budget year 2026, from each side."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.domain.double_assistance import ConflictKind, Counterpart, classify, is_held, names_a_nik
from bot.domain.models import ProposalStatus as S
from tests.double_assistance_records import conflict, elsewhere

HARD, SOFT = ConflictKind.HARD, ConflictKind.SOFT


@pytest.mark.parametrize(
    ("counterpart", "expected"),
    [
        # still on its way this year: a warning on both sides
        (elsewhere(S.SUBMITTED), SOFT),
        (elsewhere(S.IN_REVIEW), SOFT),
        (elsewhere(S.VERIFIED), SOFT),
        (elsewhere(S.VALIDATED), SOFT),
        (elsewhere(S.RETURNED), SOFT),
        # nothing: not sent, withdrawn, rejected
        (elsewhere(S.DRAFT), None),
        (elsewhere(S.WITHDRAWN), None),
        (elsewhere(S.REJECTED), None),
        # in an SK of this year, or paid this year: this client is held
        (elsewhere(S.DECREED, sk_on=dt.date(2026, 3, 2)), HARD),
        (elsewhere(S.ACCOUNTS_VERIFIED, sk_on=dt.date(2026, 3, 2)), HARD),
        (elsewhere(S.CLOSED, sk_on=dt.date(2026, 3, 2)), HARD),
        (elsewhere(S.PAID, sk_on=dt.date(2026, 3, 2), paid_on=dt.date(2026, 4, 1)), HARD),
        (elsewhere(S.DECREED), HARD),  # no SK date recorded (seeded, imported): its period's year
        # held in its own SK (waiting for its adjudication): not a beneficiary yet, a warning
        (elsewhere(S.DECREED, sk_on=dt.date(2026, 3, 2), held=True), SOFT),
        # another budget year: nothing
        (elsewhere(S.DECREED, year=2025, sk_on=dt.date(2025, 12, 30)), None),
        (elsewhere(S.PAID, year=2025, sk_on=dt.date(2025, 11, 1), paid_on=dt.date(2025, 12, 1)), None),
        (elsewhere(S.SUBMITTED, year=2027), None),
        # last year's period, paid late (in January): last year's assistance, not a second one now
        (elsewhere(S.PAID, year=2025, sk_on=dt.date(2025, 12, 20), paid_on=dt.date(2026, 1, 5)), None),
        # no period recorded (seeded, imported): the SK's or the payment's year
        (elsewhere(S.PAID, year=None, sk_on=dt.date(2026, 3, 2), paid_on=dt.date(2026, 4, 1)), HARD),
        (elsewhere(S.DECREED, year=None, sk_on=dt.date(2025, 3, 2)), None),
    ],
)
def test_what_the_same_nik_elsewhere_means(counterpart: Counterpart, expected: ConflictKind | None) -> None:
    assert classify(counterpart, 2026) == expected


def test_an_sk_issued_in_december_for_a_january_period_counts_for_the_period_year() -> None:
    """The newcomer's case: JB01's client in an SK of 2 Dec 2026 for January 2027, paid on 2 Dec;
    the same NIK proposed by SS01 for January 2027 must be held, not let through."""
    decreed = elsewhere(S.DECREED, year=2027, sk_on=dt.date(2026, 12, 2))
    paid = elsewhere(S.PAID, year=2027, sk_on=dt.date(2026, 12, 2), paid_on=dt.date(2026, 12, 2))
    assert classify(decreed, 2027) == HARD
    assert classify(paid, 2027) == HARD
    assert classify(elsewhere(S.DECREED, year=2027, sk_on=dt.date(2026, 12, 2), held=True), 2027) == SOFT
    # From the other side: a December client decreed in 2026 is not held because of a January one.
    assert classify(decreed, 2026) is None
    assert classify(paid, 2026) is None


def test_a_client_is_held_while_a_hard_conflict_waits_for_a_decision() -> None:
    assert not is_held([])
    assert not is_held([conflict(SOFT)])
    assert is_held([conflict(SOFT), conflict(HARD)])
    assert not is_held([conflict(HARD, decided=True)])


def test_a_client_who_left_elsewhere_by_an_sk_perubahan_counts_only_if_paid_this_year() -> None:
    from dataclasses import replace

    decreed = elsewhere(S.DECREED, sk_on=dt.date(2026, 3, 2))
    assert classify(replace(decreed, left=True), 2026) is None  # dropped out, died, moved: not assisted there
    assert classify(replace(elsewhere(S.IN_REVIEW), left=True), 2026) is None
    paid = elsewhere(S.PAID, sk_on=dt.date(2026, 3, 2), paid_on=dt.date(2026, 4, 1))
    assert classify(replace(paid, left=True), 2026) == ConflictKind.HARD  # paid is paid
    last_year = replace(paid, left=True, period_year=2025, sk_on=dt.date(2025, 3, 2), paid_on=dt.date(2025, 12, 1))
    assert classify(last_year, 2026) is None  # another year's money


@pytest.mark.parametrize(
    ("reason", "named"),
    [
        ("Beda orang, NIK 3201014508900004", True),
        ("NIK 3201 0145 0890 0004 dicek", True),
        ("KK 3201.0145.0890.0004", True),
        ("Tanggal lahir dan nama ibu berbeda, dicek ke Dukcapil", False),
        ("Dicek 28-11-2026 dengan Tim PIC 2, usulan SS01-2026-0001", False),
        ("Nomor 320101450890000412 terlalu panjang", False),  # 18 digits: not a NIK
    ],
)
def test_a_reason_naming_a_nik_is_told_apart(reason: str, named: bool) -> None:
    assert names_a_nik(reason) is named
