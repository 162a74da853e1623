"""A programme seeded for the report, export, retention, audit and admin tests, and its figures reckoned apart.

The seed (``build_seed`` and ``seed_program``) writes proposals in every status with clients, budget lines,
transfers, LPJ and audit events straight into the database, and keeps the same facts as plain Python data;
``expected`` recomputes every figure from those facts alone, never from SQL."""

from __future__ import annotations

import datetime as dt
import random
import statistics
from dataclasses import dataclass, field

from bot.domain.models import ProposalStatus
from storage.db import to_db_time
from storage.unit import Storage
from tests.conftest import START

PNG = b"\x89PNG\r\n\x1a\n"
TARGET = 4700
DECREED_PLUS = {
    "decreed",
    "accounts_submitted",
    "accounts_verified",
    "paid",
    "lpj_submitted",
    "lpj_returned",
    "lpj_verified",
    "closed",
}


PAID_PLUS = {"paid", "lpj_submitted", "lpj_returned", "lpj_verified", "closed"}
LPJ_DONE = {"lpj_submitted", "lpj_returned", "lpj_verified", "closed"}
CHAIN = [
    "submit",
    "claim",
    "verify",
    "validate",
    "issue_sk",
    "submit_accounts",
    "verify_accounts",
    "record_payment",
    "submit_lpj",
    "verify_lpj",
    "validate_lpj",
]


STEPS_DONE = {
    "draft": 0,
    "submitted": 1,
    "in_review": 2,
    "verified": 3,
    "validated": 4,
    "decreed": 5,
    "accounts_submitted": 6,
    "accounts_verified": 7,
    "paid": 8,
    "lpj_submitted": 9,
    "lpj_verified": 10,
    "closed": 11,
}


IPWL_CODES = ("JB01", "JB02", "SS01", "PA01", "JK01")  # JK01 (Jakarta) has no PIC team


@dataclass
class SeedClient:
    nik: str
    lines: list[int]
    transfer: tuple[str, int] | None = None
    realized: list[int] | None = None

    @property
    def budget(self) -> int:
        return sum(self.lines)


@dataclass
class SeedProposal:
    code: str
    ipwl: str
    status: str
    year: int
    clients: list[SeedClient]
    events: list[tuple[str, dt.datetime]] = field(default_factory=list)
    lpj_late: bool | None = None  # None: no LPJ submitted


def _events(status: str, start: dt.datetime, rng: random.Random, resubmitted: bool) -> list[tuple[str, dt.datetime]]:
    if status == "returned":
        actions = ["submit", "claim", "return"]
    elif status == "rejected":
        actions = ["submit", "claim", "reject"]
    elif status == "withdrawn":
        actions = ["submit", "withdraw"]
    elif status == "lpj_returned":
        actions = CHAIN[:9] + ["return_lpj"]
    else:
        actions = CHAIN[: STEPS_DONE[status]]
    if resubmitted and len(actions) >= 3:
        actions = actions[:2] + ["return", "resubmit", "claim"] + actions[2:]
    moment, found = start, []
    for action in actions:
        moment += dt.timedelta(hours=rng.randint(6, 140))
        found.append((action, moment))
    return found


def build_seed() -> list[SeedProposal]:
    """Forty-odd proposals over five IPWL, every status, one earlier year, and two flow-edge events."""
    rng = random.Random(6)
    statuses = [s.value for s in ProposalStatus]  # every status, in the order the model declares them
    proposals: list[SeedProposal] = []
    nik = 3201010101900001
    for index in range(44):
        status = statuses[index % len(statuses)]
        ipwl = IPWL_CODES[index % len(IPWL_CODES)]
        year = 2025 if index == 43 else 2026
        clients = []
        for _ in range(rng.randint(1, 4)):
            nik += 1
            client = SeedClient(str(nik), [rng.randint(1, 60) * 50_000 for _ in range(rng.randint(1, 2))])
            if status in PAID_PLUS:
                client.transfer = ("failed", client.budget) if rng.random() < 0.15 else ("sent", client.budget)
            elif status == "accounts_verified":
                client.transfer = ("pending", client.budget)
            if status in LPJ_DONE:
                client.realized = [line - rng.randint(0, 4) * 10_000 for line in client.lines]
            clients.append(client)
        start = dt.datetime(year, 1, 5, 1, tzinfo=dt.UTC) + dt.timedelta(days=5.5 * index)
        proposal = SeedProposal(
            f"USL-{year}-{index + 1:04d}",
            ipwl,
            status,
            year,
            clients,
            _events(status, start, rng, resubmitted=index % 5 == 3),
        )
        if status in LPJ_DONE:
            proposal.lpj_late = rng.random() < 0.4
        proposals.append(proposal)
    # Month edges (WIB): 1 Nov 00:30 WIB counts for November, 31 Oct 23:30 WIB does not.
    for number, moment in (
        (90, dt.datetime(2026, 10, 31, 17, 30, tzinfo=dt.UTC)),
        (91, dt.datetime(2026, 10, 31, 16, 30, tzinfo=dt.UTC)),
    ):
        nik += 1
        proposals.append(
            SeedProposal(
                f"USL-2026-{number:04d}",
                "JB01",
                "submitted",
                2026,
                [SeedClient(str(nik), [1_000_000])],
                [("submit", moment)],
            )
        )
    # Decreed in November, after a return and a resubmission in the same month.
    november = [
        ("submit", 2),
        ("claim", 3),
        ("return", 3.5),
        ("resubmit", 4.25),
        ("claim", 5),
        ("verify", 6),
        ("validate", 6.5),
        ("issue_sk", 10),
    ]
    proposals.append(
        SeedProposal(
            "USL-2026-0092",
            "SS01",
            "decreed",
            2026,
            [SeedClient(str(nik + 1), [2_000_000, 500_000]), SeedClient(str(nik + 2), [750_000])],
            [(a, dt.datetime(2026, 11, 1, 2, tzinfo=dt.UTC) + dt.timedelta(days=d)) for a, d in november],
        )
    )
    return proposals


# The status each seeded lifecycle event leaves the proposal in (what the services record as to_status).
TARGET_STATUS = {
    "create_draft": "draft",
    "submit": "submitted",
    "resubmit": "submitted",
    "claim": "in_review",
    "return": "returned",
    "reject": "rejected",
    "withdraw": "withdrawn",
    "verify": "verified",
    "validate": "validated",
    "issue_sk": "decreed",
    "submit_accounts": "accounts_submitted",
    "verify_accounts": "accounts_verified",
    "record_payment": "paid",
    "submit_lpj": "lpj_submitted",
    "return_lpj": "lpj_returned",
    "verify_lpj": "lpj_verified",
    "validate_lpj": "closed",
}


def event_at(p: SeedProposal, action: str) -> dt.datetime | None:
    found = [at for a, at in p.events if a == action]
    return found[-1] if found else None


async def seed_program(storage: Storage, proposals: list[SeedProposal]) -> None:
    """Write the seed into the database, rows exactly as the services would leave them: each
    proposal created before its first event, every status change audited with its target, the
    transfer and the LPJ stamped when they were recorded."""
    stamp = to_db_time(START)
    async with storage.db.transaction() as conn:
        await conn.execute(
            "INSERT INTO ipwl (code, name, province_code, created_at, updated_at)"
            " VALUES ('JK01', 'Yayasan Jakarta Pulih', '31', ?, ?)",
            (stamp, stamp),
        )
        seeder = await conn.fetchval(
            "INSERT INTO people (telegram_user_id, full_name, created_at) VALUES (777, 'Seeder', ?) RETURNING id",
            (stamp,),
        )
        ipwl = {code: i for i, code in await conn.execute_fetchall("SELECT id, code FROM ipwl")}
        for p in proposals:
            created = (p.events[0][1] if p.events else dt.datetime(p.year, 1, 2, tzinfo=dt.UTC)) - dt.timedelta(hours=1)
            proposal_id = await conn.fetchval(
                "INSERT INTO proposals (code, ipwl_id, status, period_year, period_month, created_by, created_at,"
                " updated_at, status_since) VALUES (?, ?, ?, ?, 3, ?, ?, ?, ?) RETURNING id",
                # created_at stays the seed's moment (the exports' date ranges select on it); the
                # draft's own audit event comes before the proposal's first step.
                (p.code, ipwl[p.ipwl], p.status, p.year, seeder, stamp, stamp, stamp),
            )
            await conn.execute(
                "INSERT INTO audit_events (at, actor_id, actor_role, entity, entity_id, action, to_status)"
                " VALUES (?, ?, 'operator', 'proposal', ?, 'create_draft', 'draft')",
                (to_db_time(created), seeder, p.code),
            )
            lpj_id = None
            if p.lpj_late is not None:
                filed = to_db_time(event_at(p, "submit_lpj"))
                validated = event_at(p, "validate_lpj")
                lpj_id = await conn.fetchval(
                    "INSERT INTO lpj (proposal_id, submitted_at, first_submitted_at, late, validated_at, created_at,"
                    " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                    (
                        proposal_id,
                        filed,
                        filed,
                        int(p.lpj_late),
                        to_db_time(validated) if validated else None,
                        stamp,
                        stamp,
                    ),
                )
            for position, c in enumerate(p.clients, start=1):
                client_id = await conn.fetchval(
                    "INSERT INTO clients (proposal_id, position, full_name, nik, nik_index, address, phone)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                    # Sealed as the bot writes them (issue 17), looked up by the blind index.
                    (
                        proposal_id,
                        position,
                        storage.keys.seal(f"Klien {c.nik[-4:]}", "clients", "full_name"),
                        storage.keys.seal(c.nik, "clients", "nik"),
                        storage.keys.blind("nik", c.nik),
                        storage.keys.seal("Jl. Melati 3", "clients", "address"),
                        storage.keys.seal("081234567890", "clients", "phone"),
                    ),
                )
                for number, total in enumerate(c.lines):
                    line_id = await conn.fetchval(
                        "INSERT INTO budget_lines (client_id, component, description, quantity, unit_cost, total)"
                        " VALUES (?, '1', 'Paket', 1, ?, ?) RETURNING id",
                        (client_id, total, total),
                    )
                    if lpj_id is not None and c.realized is not None:
                        await conn.execute(
                            "INSERT INTO lpj_realizations (lpj_id, budget_line_id, amount) VALUES (?, ?, ?)",
                            (lpj_id, line_id, c.realized[number]),
                        )
                if c.transfer is not None:
                    recorded = event_at(p, "record_payment") or event_at(p, "verify_accounts")
                    await conn.execute(
                        "INSERT INTO transfers (client_id, amount, status, updated_at) VALUES (?, ?, ?, ?)",
                        (client_id, c.transfer[1], c.transfer[0], to_db_time(recorded)),
                    )
            for action, moment in p.events:
                await conn.execute(
                    "INSERT INTO audit_events (at, actor_id, actor_role, entity, entity_id, action, to_status)"
                    " VALUES (?, ?, 'pic', 'proposal', ?, ?, ?)",
                    (to_db_time(moment), seeder, p.code, action, TARGET_STATUS.get(action)),
                )


def days_between(start: dt.datetime, end: dt.datetime) -> float:
    return (end - start).total_seconds() / 86400


def stage_days(events: list[tuple[str, dt.datetime]]) -> dict[str, float]:
    """Written apart from bot.domain.report_figures: for each stage, the first end and the latest start before it."""
    spans = {
        "review": ({"submit", "resubmit"}, "verify"),
        "decree": ({"verify"}, "issue_sk"),
        "payment": ({"issue_sk"}, "record_payment"),
        "lpj": ({"record_payment"}, "submit_lpj"),
    }
    found = {}
    for key, (starts, end) in spans.items():
        ends = [at for action, at in events if action == end]
        if not ends:
            continue
        before = [at for action, at in events if action in starts and at <= ends[0]]
        if before:
            found[key] = days_between(max(before), ends[0])
    return found


def expected(proposals: list[SeedProposal], group: set[str], year: int = 2026) -> dict[str, object]:
    """Every figure of the IPWL in ``group`` from the seed's facts alone."""
    mine = [p for p in proposals if p.ipwl in group and p.year == year]
    durations: dict[str, list[float]] = {}
    for p in mine:
        for key, value in stage_days(p.events).items():
            durations.setdefault(key, []).append(value)
    return {
        "proposals": len(mine),
        "proposed": sum(len(p.clients) for p in mine if p.status not in ("draft", "withdrawn")),
        "decreed": sum(len(p.clients) for p in mine if p.status in DECREED_PLUS),
        "served": sum(1 for p in mine for c in p.clients if c.transfer and c.transfer[0] == "sent"),
        "funds_decreed": sum(c.budget for p in mine if p.status in DECREED_PLUS for c in p.clients),
        "funds_transferred": sum(
            c.transfer[1] for p in mine for c in p.clients if c.transfer and c.transfer[0] == "sent"
        ),
        # Accounted for means validated (closed); an LPJ filed and not yet validated is its own figure.
        "funds_accounted": sum(sum(c.realized or []) for p in mine if p.status == "closed" for c in p.clients),
        "funds_filed": sum(
            sum(c.realized or []) for p in mine if p.lpj_late is not None and p.status != "closed" for c in p.clients
        ),
        "lpj_on_time": sum(1 for p in mine if p.lpj_late is False),
        "lpj_late": sum(1 for p in mine if p.lpj_late is True),
        "lpj_validated": sum(1 for p in mine if p.status == "closed"),
        "lpj_filed": sum(1 for p in mine if p.lpj_late is not None and p.status != "closed"),
        "target": TARGET * len(group) // len(IPWL_CODES),  # 940 whole clients each
        "medians": {k: round(statistics.median(v), 1) for k, v in durations.items()},
        "counts": {k: len(v) for k, v in durations.items()},
    }


def figures_of(f) -> dict[str, object]:
    return {
        "proposals": f.proposal_count,
        "proposed": f.clients_proposed,
        "decreed": f.clients_decreed,
        "served": f.clients_served,
        "funds_decreed": f.funds_decreed,
        "funds_transferred": f.funds_transferred,
        "funds_accounted": f.funds_accounted,
        "funds_filed": f.funds_filed,
        "lpj_on_time": f.lpj_on_time,
        "lpj_late": f.lpj_late,
        "lpj_validated": f.lpj_validated,
        "lpj_filed": f.lpj_filed,
        "target": f.target,
        "medians": {
            k: f.median_days(k) for k in ("review", "decree", "payment", "lpj") if f.median_days(k) is not None
        },
        "counts": {k: f.stage_count(k) for k in ("review", "decree", "payment", "lpj") if f.stage_count(k)},
    }
