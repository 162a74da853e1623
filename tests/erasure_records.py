"""The personal-data erasure in the tests: a client's record as the erasure rule sees it (tests/test_reports.py),
and whether the erasure ledger kept beside the backups has a proposal anonymized (tests/test_retention.py)."""

from __future__ import annotations

import datetime as dt

from bot.config import Settings
from bot.domain.models import ProposalStatus
from bot.domain.records import ClientRecord
from bot.services.backups import erasure_ledger


def client_record(status: ProposalStatus, since: dt.datetime, erased: bool = False) -> ClientRecord:
    """Client 1 of JB01's USL-2026-0001, in ``status`` since ``since``."""
    return ClientRecord(1, 1, "USL-2026-0001", status, since, "JB01", 1, erased)


def erasure_ledger_has(settings: Settings, code: str) -> bool:
    return any(e.proposal_code == code and e.action == "anonymize" for e in erasure_ledger(settings).entries())
