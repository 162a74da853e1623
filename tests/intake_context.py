"""The proposal intake's context in the tests: the test day, the programme's unit-cost ceilings, the
regions, and Siti as a stored client (the intake's states table and the client sheet tests)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from bot.config import IntakeSettings
from bot.domain.models import Approach, BudgetLine, Client, Component, Sex
from bot.domain.proposal_intake import IntakeContext
from bot.domain.regions import RegionsCatalog, load_regions
from tests.conftest import SHARED

TODAY = dt.date(2026, 11, 28)
CEILINGS = IntakeSettings().unit_cost_ceilings  # the programme's, as the default configuration has them

# Siti, born 5 August 1990 (a woman: day + 40), registered in Kabupaten Bogor (32.01).
SITI_NIK = "3201014508900004"


def regions() -> RegionsCatalog:
    """Kemendagri's regencies from ../shared (none where the file is absent)."""
    path = SHARED / "wilayah" / "regencies.csv"
    return load_regions(path) if path.exists() else RegionsCatalog.empty()


def ctx(**changes: Any) -> IntakeContext:
    """The intake's context on the test day, with the ceilings and the regions."""
    base = dict(today=TODAY, unit_cost_ceilings=CEILINGS, regions=regions())
    return IntakeContext(**{**base, **changes})


def partial_siti() -> dict[str, Any]:
    """Siti's answers as a cursor holds them once her NIK and components are in (the any-step properties)."""
    return {
        "full_name": "Siti",
        "nik": SITI_NIK,
        "sex": "P",
        "birth_date": "1990-08-05",
        "nik_province": "32",
        "nik_regency": "3201",
        "province_code": "32",
        "components": ["1"],
    }


def saved_client(**changes: Any) -> Client:
    """Siti as she is stored: client 7 of proposal 1, with one budget line."""
    base = dict(
        id=7,
        proposal_id=1,
        position=1,
        full_name="Siti Rahayu",
        nik=SITI_NIK,
        sex=Sex.FEMALE,
        birth_date=dt.date(1990, 8, 5),
        province_code="32",
        regency="Kabupaten Bogor",
        address="Jl. Melati 3, Cibinong",
        approach=Approach.KELUARGA,
        components=(Component.LIVING_NEEDS, Component.FAMILY),
        budget=(BudgetLine(1, 7, Component.LIVING_NEEDS, "Paket sembako", 3, 500_000),),
    )
    return Client(**{**base, **changes})
