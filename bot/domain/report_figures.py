"""The monthly report: figures per IPWL, province and PIC team, against the yearly target.

The read side (``storage/reports.py``) hands over SQL aggregates per IPWL; this module rolls them
up to provinces, teams and the centre and derives what people ask about: progress to target and
pace, the funds pipeline, LPJ punctuality and the median days each stage takes. Everything but
:func:`collect` is pure, so the arithmetic is tested without a database.

Definitions (also written on the workbook's "Notes" sheet):

* scope: proposals whose period is in the report's year, year to date: the position at the end of
  the report's month in the centre's time zone (:attr:`MonthlyReport.as_of`; the moment the report
  is made, for the month still running). A status, a transfer or an LPJ check recorded after that
  moment does not count, so a month's report made again later says what it said at the time;
* clients proposed: clients of proposals sent to the centre (not draft, not withdrawn);
  decreed: of proposals with an SK (status ``decreed`` or later); served: clients whose transfer
  was sent;
* target: the yearly target in whole clients, shared over active IPWL (the remainder goes one each
  to the first IPWL by code); pace: the target × month ÷ 12, rounded half up to whole clients —
  what should be decreed by the month's end;
* funds decreed: the budget of decreed clients; transferred: transfers sent; accounted for: the
  realizations of validated LPJ (an auditor's "accounted for"); filed: of LPJ submitted but not
  validated yet — their own figure, never counted as accounted;
* refunds: money sent to a client of the year's proposals who then left the list (an SK
  perubahan), for finance to get back: the cases opened by ``as_of``, what was recorded as received
  by then, and what is still out; received in the month: receipts recorded in the month (each
  receipt keeps its own day of receipt);
* stage times: calendar days, per proposal, from the latest start event up to the first end event
  (submit/resubmit → verify, verify → issue_sk, issue_sk → record_payment, record_payment →
  submit_lpj), the median over the year's proposals.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import functools
import json
import statistics
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from bot.domain.double_assistance import DECREED_STATUSES
from bot.domain.models import ProposalStatus
from bot.domain.regions import PROVINCES
from bot.i18n import N_

S = ProposalStatus
NOT_PROPOSED: frozenset[ProposalStatus] = frozenset({S.DRAFT, S.WITHDRAWN})
NO_TEAM = "-"
NO_TEAM_LABEL = N_("No PIC team")  # the label of IPWL not assigned to a team (a msgid)


@dataclass(frozen=True)
class Period:
    """A calendar month, in the centre's time zone."""

    year: int
    month: int

    @property
    def key(self) -> str:
        return f"{self.year}-{self.month:02d}"

    def bounds(self, timezone: str) -> tuple[dt.datetime, dt.datetime]:
        """The month as UTC instants: [first day 00:00, next month's first day 00:00) local time."""
        zone = ZoneInfo(timezone)
        start = dt.datetime(self.year, self.month, 1, tzinfo=zone)
        nxt = self.following()
        end = dt.datetime(nxt.year, nxt.month, 1, tzinfo=zone)
        return start.astimezone(dt.UTC), end.astimezone(dt.UTC)

    def following(self) -> Period:
        return Period(self.year + self.month // 12, self.month % 12 + 1)

    def previous(self) -> Period:
        return Period(self.year - (self.month == 1), (self.month - 2) % 12 + 1)

    @classmethod
    def of(cls, moment: dt.datetime, timezone: str) -> Period:
        local = moment.astimezone(ZoneInfo(timezone))
        return cls(local.year, local.month)


@dataclass(frozen=True)
class Stage:
    key: str
    label: str  # msgid
    starts: tuple[str, ...]
    end: str


STAGES: tuple[Stage, ...] = (
    Stage("review", N_("Submitted → verified"), ("submit", "resubmit"), "verify"),
    Stage("decree", N_("Verified → SK"), ("verify",), "issue_sk"),
    Stage("payment", N_("SK → transfer"), ("issue_sk",), "record_payment"),
    Stage("lpj", N_("Transfer → LPJ"), ("record_payment",), "submit_lpj"),
)

# What the month's flow counts, by audit action (submit and resubmit are both "submitted").
FLOWS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("submitted", N_("Proposals submitted"), ("submit", "resubmit")),
    ("returned", N_("Proposals returned for revision"), ("return",)),
    ("verified", N_("Proposals verified"), ("verify",)),
    ("decreed", N_("SK issued"), ("issue_sk",)),
    ("paid", N_("Payments recorded"), ("record_payment",)),
    ("lpj", N_("LPJ submitted"), ("submit_lpj",)),
    ("closed", N_("LPJ validated (closed)"), ("validate_lpj",)),
)


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


def whole(value: float) -> int:
    """Clients are whole: the one rounding rule of the report (half up), for targets and the pace."""
    return int(value + 0.5) if value >= 0 else -int(-value + 0.5)


def shares(total: int, count: int) -> list[int]:
    """``total`` split into ``count`` whole shares that add up to it (the first ones take the remainder)."""
    if count <= 0:
        return []
    base, extra = divmod(total, count)
    return [base + (index < extra) for index in range(count)]


@dataclass
class Figures:
    """The numbers of one IPWL, province, team, or the whole centre."""

    key: str
    label: str
    ipwl_count: int = 0
    target: int = 0
    proposals: dict[ProposalStatus, int] = field(default_factory=dict)
    clients_proposed: int = 0
    clients_decreed: int = 0
    clients_served: int = 0
    funds_decreed: int = 0
    funds_transferred: int = 0
    funds_accounted: int = 0  # realizations of validated LPJ
    funds_filed: int = 0  # realizations of LPJ submitted but not validated yet
    lpj_on_time: int = 0
    lpj_late: int = 0
    lpj_validated: int = 0
    lpj_filed: int = 0  # submitted, not validated yet (in review or returned)
    durations: dict[str, list[float]] = field(default_factory=dict)
    medians: dict[str, float | None] = field(default_factory=dict)  # filled by seal()
    counts: dict[str, int] = field(default_factory=dict)  # filled by seal()

    @property
    def proposal_count(self) -> int:
        return sum(self.proposals.values())

    @property
    def progress(self) -> float:
        """Clients decreed as a share of the target (0 when there is no target)."""
        return self.clients_decreed / self.target if self.target else 0.0

    def expected(self, month: int) -> int:
        """Clients this group should have decreed by the end of ``month`` (whole clients)."""
        return whole(pace(self.target, month))

    def median_days(self, stage: str) -> float | None:
        if stage in self.medians:
            return self.medians[stage]
        return _median(self.durations.get(stage, []))

    def seal(self) -> None:
        """Compute the medians once (sorting 100,000 durations is not free; views ask repeatedly)."""
        self.medians = {stage.key: _median(self.durations.get(stage.key, [])) for stage in STAGES}
        self.counts = {stage.key: len(self.durations.get(stage.key, ())) for stage in STAGES}

    def stage_count(self, stage: str) -> int:
        if stage in self.counts:
            return self.counts[stage]
        return len(self.durations.get(stage, ()))

    def absorb(self, other: Figures) -> None:
        """Add another group's numbers into this one (a roll-up)."""
        self.ipwl_count += other.ipwl_count
        self.target += other.target
        for status, count in other.proposals.items():
            self.proposals[status] = self.proposals.get(status, 0) + count
        for name in _SUMMED:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for stage, values in other.durations.items():
            self.durations.setdefault(stage, []).extend(values)


_SUMMED = (
    "clients_proposed",
    "clients_decreed",
    "clients_served",
    "funds_decreed",
    "funds_transferred",
    "funds_accounted",
    "funds_filed",
    "lpj_on_time",
    "lpj_late",
    "lpj_validated",
    "lpj_filed",
)


@dataclass(frozen=True)
class RefundReceipt:
    """Money of a refund case recorded as back: its day, amount and proof (a reference number, or
    the number of the proof file kept with the proposal's records), and who recorded it."""

    received_on: dt.date
    amount: int
    recorded_at: dt.datetime
    recorded_by: str | None = None
    reference: str | None = None
    proof_id: int | None = None


@dataclass(frozen=True)
class RefundLine:
    """One refund case as the report's moment saw it: codes and the client's number, never a name."""

    id: int
    proposal_code: str
    ipwl_code: str
    position: int
    kind: str  # bot.domain.client_changes.ChangeKind's value (the reason the client left)
    amendment_number: str | None
    amount: int
    opened_at: dt.datetime
    settled_at: dt.datetime | None = None  # None: not settled by the report's moment
    receipts: tuple[RefundReceipt, ...] = ()

    @property
    def received(self) -> int:
        return sum(r.amount for r in self.receipts)

    @property
    def outstanding(self) -> int:
        return max(0, self.amount - self.received)

    @property
    def settled(self) -> bool:
        return self.settled_at is not None or self.outstanding == 0

    def to_dict(self) -> dict[str, object]:
        data = dataclasses.asdict(self)
        data["opened_at"] = self.opened_at.isoformat()
        data["settled_at"] = self.settled_at.isoformat() if self.settled_at else None
        data["receipts"] = [
            {
                **dataclasses.asdict(r),
                "received_on": r.received_on.isoformat(),
                "recorded_at": r.recorded_at.isoformat(),
            }
            for r in self.receipts
        ]
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RefundLine:
        values = dict(data)
        values["opened_at"] = dt.datetime.fromisoformat(values["opened_at"])
        values["settled_at"] = dt.datetime.fromisoformat(values["settled_at"]) if values.get("settled_at") else None
        values["receipts"] = tuple(
            RefundReceipt(
                **{
                    **r,
                    "received_on": dt.date.fromisoformat(r["received_on"]),
                    "recorded_at": dt.datetime.fromisoformat(r["recorded_at"]),
                }
            )
            for r in values.get("receipts", ())
        )
        return cls(**values)


@dataclass(frozen=True)
class RefundTotals:
    """The refunds' control totals at the report's moment."""

    cases: int
    open: int
    amount: int
    received: int
    outstanding: int
    received_in_month: int
    receipts: int


@dataclass(frozen=True)
class MonthlyReport:
    period: Period
    generated_at: dt.datetime
    timezone: str
    yearly_target: int
    centre: Figures
    ipwl: list[Figures]
    provinces: list[Figures]
    teams: list[Figures]
    flows: dict[str, int]
    # Per IPWL code: its province's name and its team's code (the IPWL sheet's scope columns).
    ipwl_province: dict[str, str] = field(default_factory=dict)
    ipwl_team: dict[str, str] = field(default_factory=dict)
    # The moment the figures stand at: the month's end (centre time), or when the report was made
    # for the month still running.
    as_of: dt.datetime | None = None
    # Set when the report is the one kept as it was sent on schedule (see storage.reports).
    sent_at: dt.datetime | None = None
    late: bool = False  # the scheduled report went out late (the bot was not running when it was due)
    # The year's budget ceiling (pagu, bot.domain.budget.year_ceiling); 0: none set. Committed
    # against it is ``centre.funds_decreed`` (the budget of decreed proposals).
    ceiling: int = 0
    # What the SKs dated in the year committed against it by ``as_of`` (the ceiling check's own
    # figure: by the SK's date, whatever the proposals' period).
    committed: int = 0
    # The refund cases of the year's proposals opened by ``as_of``, with their receipts recorded by then.
    refunds: tuple[RefundLine, ...] = ()

    @property
    def refund_totals(self) -> RefundTotals:
        """Cases, open cases, amounts to recover, received and still out; received in the month:
        the receipts recorded from the month's first day up to the report's moment."""
        start = self.period.bounds(self.timezone)[0]
        return RefundTotals(
            cases=len(self.refunds),
            open=sum(1 for r in self.refunds if not r.settled),
            amount=sum(r.amount for r in self.refunds),
            received=sum(r.received for r in self.refunds),
            outstanding=sum(r.outstanding for r in self.refunds),
            received_in_month=sum(x.amount for r in self.refunds for x in r.receipts if x.recorded_at >= start),
            receipts=sum(len(r.receipts) for r in self.refunds),
        )

    @property
    def expected(self) -> int:
        """Clients that should be decreed by the end of the month, at an even pace (whole clients)."""
        return whole(pace(self.yearly_target, self.period.month))

    @property
    def month_complete(self) -> bool:
        """True when the figures stand at the month's end (the month is over)."""
        return self.as_of is not None and self.as_of >= self.period.bounds(self.timezone)[1]

    def to_json(self) -> str:
        """The report as kept when it is sent (per-proposal durations left out: medians and counts stay)."""

        def figures(f: Figures) -> dict[str, object]:
            data = {name: getattr(f, name) for name in ("key", "label", "ipwl_count", "target", *_SUMMED)}
            data["proposals"] = {status.value: count for status, count in f.proposals.items()}
            data["medians"] = {stage.key: f.median_days(stage.key) for stage in STAGES}
            data["counts"] = {stage.key: f.stage_count(stage.key) for stage in STAGES}
            return data

        return json.dumps(
            {
                "period": self.period.key,
                "generated_at": self.generated_at.isoformat(),
                "timezone": self.timezone,
                "yearly_target": self.yearly_target,
                "centre": figures(self.centre),
                "ipwl": [figures(f) for f in self.ipwl],
                "provinces": [figures(f) for f in self.provinces],
                "teams": [figures(f) for f in self.teams],
                "flows": self.flows,
                "ipwl_province": self.ipwl_province,
                "ipwl_team": self.ipwl_team,
                "as_of": self.as_of.isoformat() if self.as_of else None,
                "ceiling": self.ceiling,
                "committed": self.committed,
                "refunds": [r.to_dict() for r in self.refunds],
            },
            ensure_ascii=False,
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, text: str, *, sent_at: dt.datetime | None = None, late: bool = False) -> MonthlyReport:
        data = json.loads(text)

        def figures(d: dict[str, Any]) -> Figures:  # one figures object as to_json wrote it
            values = {k: v for k, v in d.items() if k not in ("proposals", "medians", "counts")}
            f = Figures(**values)
            f.proposals = {ProposalStatus(s): int(n) for s, n in d["proposals"].items()}
            f.medians = dict(d["medians"])
            f.counts = dict(d["counts"])
            return f

        year, month = (int(x) for x in data["period"].split("-"))
        return cls(
            period=Period(year, month),
            generated_at=dt.datetime.fromisoformat(data["generated_at"]),
            timezone=data["timezone"],
            yearly_target=data["yearly_target"],
            centre=figures(data["centre"]),
            ipwl=[figures(f) for f in data["ipwl"]],
            provinces=[figures(f) for f in data["provinces"]],
            teams=[figures(f) for f in data["teams"]],
            flows=dict(data["flows"]),
            ipwl_province=dict(data["ipwl_province"]),
            ipwl_team=dict(data["ipwl_team"]),
            as_of=dt.datetime.fromisoformat(data["as_of"]) if data.get("as_of") else None,
            sent_at=sent_at,
            ceiling=int(data.get("ceiling", 0)),  # (reports kept before issue 16 have none)
            committed=int(data.get("committed", 0)),
            # (reports kept before the refunds sheet have none: they said nothing of refunds then)
            refunds=tuple(RefundLine.from_dict(r) for r in data.get("refunds", ())),
            late=late,
        )

    def kept(self, sent_at: dt.datetime, late: bool) -> MonthlyReport:
        """This report marked as the one sent on schedule."""
        return dataclasses.replace(self, sent_at=sent_at, late=late)


def pace(target: float, month: int) -> float:
    return target * month / 12


# --- inputs from the read side ---------------------------------------------------------------------


@dataclass(frozen=True)
class RegistryRow:
    id: int
    code: str
    name: str
    province_code: str
    team_id: int | None
    active: bool
    team_code: str | None
    team_name: str | None


@dataclass(frozen=True)
class StatusRow:
    """Proposals of one IPWL in one status, with their clients and budget."""

    ipwl_id: int
    status: str
    proposals: int
    clients: int
    budget: int


@dataclass(frozen=True)
class TransferRow:
    """Clients of one IPWL whose transfer was sent, and the amount."""

    ipwl_id: int
    clients: int
    amount: int


@dataclass(frozen=True)
class LpjRow:
    """LPJ of one IPWL submitted by the report's moment: on time, late, validated (with the amounts
    they account for) and filed but not validated yet (with theirs)."""

    ipwl_id: int
    on_time: int
    late: int
    accounted: int
    validated: int = 0
    filed: int = 0
    filed_amount: int = 0


@dataclass(frozen=True)
class StageEvent:
    ipwl_id: int
    proposal_id: int
    action: str
    at: str  # UTC text as stored: sortable; parsed only where a duration is needed


class ReportSource(Protocol):
    """What :func:`collect` needs from the read side (``storage.reports.ReportReader``)."""

    async def registry(self) -> Sequence[RegistryRow]: ...
    async def proposals(self, year: int, until: dt.datetime) -> Sequence[StatusRow]: ...
    async def transfers(self, year: int, until: dt.datetime) -> Sequence[TransferRow]: ...
    async def lpj(self, year: int, until: dt.datetime) -> Sequence[LpjRow]: ...
    def stage_events(self, year: int, until: dt.datetime) -> AsyncIterator[Sequence[StageEvent]]: ...
    async def month_flows(self, start: dt.datetime, end: dt.datetime) -> dict[str, int]: ...
    async def refunds(self, year: int, until: dt.datetime) -> Sequence[RefundLine]: ...


# --- stage durations ---------------------------------------------------------------------------------


def _parse_utc(text: str) -> dt.datetime:
    # fromisoformat reads storage's "…T02:00:00.000000Z" (Python 3.11+) a dozen times faster than
    # strptime: it runs twice per stage of every proposal of the year.
    return dt.datetime.fromisoformat(text)


def proposal_durations(events: Sequence[tuple[str, str]]) -> dict[str, float]:
    """Days per stage for one proposal's ``(action, at)`` events in time order.

    Each stage runs from the latest start event at or before the first end event to that end
    event (a proposal returned and resubmitted is timed from its resubmission).
    """
    found: dict[str, float] = {}
    for stage in STAGES:
        start: str | None = None
        for action, at in events:
            if action == stage.end:
                if start is not None:
                    found[stage.key] = (_parse_utc(at) - _parse_utc(start)).total_seconds() / 86400
                break
            if action in stage.starts:
                start = at
    return found


class DurationCollector:
    """Feeds pages of stage events (grouped by proposal, in time order) into per-IPWL durations."""

    def __init__(self) -> None:
        self.by_ipwl: dict[int, dict[str, list[float]]] = {}
        self._current: tuple[int, int] | None = None
        self._events: list[tuple[str, str]] = []

    def feed(self, page: Iterable[StageEvent]) -> None:
        for event in page:
            key = (event.ipwl_id, event.proposal_id)
            if key != self._current:
                self._flush()
                self._current = key
            self._events.append((event.action, event.at))

    def finish(self) -> dict[int, dict[str, list[float]]]:
        self._flush()
        return self.by_ipwl

    def _flush(self) -> None:
        if self._current is not None and self._events:
            target = self.by_ipwl.setdefault(self._current[0], {})
            for stage, days in proposal_durations(self._events).items():
                target.setdefault(stage, []).append(days)
        self._events = []


# --- the roll-up -------------------------------------------------------------------------------------


def build_report(
    period: Period,
    *,
    generated_at: dt.datetime,
    timezone: str,
    yearly_target: int,
    registry: Sequence[RegistryRow],
    proposals: Iterable[StatusRow],
    transfers: Iterable[TransferRow],
    lpj: Iterable[LpjRow],
    durations: Mapping[int, Mapping[str, list[float]]],
    flows: Mapping[str, int],
    as_of: dt.datetime | None = None,
    ceiling: int = 0,
    refunds: Sequence[RefundLine] = (),
) -> MonthlyReport:
    """Per-IPWL figures from the aggregates, rolled up to provinces, teams and the centre."""
    active = [entry.id for entry in registry if entry.active]
    targets = dict(zip(active, shares(yearly_target, len(active)), strict=True))
    by_id: dict[int, Figures] = {}
    for entry in registry:
        by_id[entry.id] = Figures(
            entry.code,
            entry.name,
            ipwl_count=1,
            target=targets.get(entry.id, 0),
            durations={k: list(v) for k, v in durations.get(entry.id, {}).items()},
        )
    for row in proposals:
        figures = by_id.get(row.ipwl_id)
        if figures is None:
            continue
        status = ProposalStatus(row.status)
        figures.proposals[status] = figures.proposals.get(status, 0) + row.proposals
        if status not in NOT_PROPOSED:
            figures.clients_proposed += row.clients
        if status in DECREED_STATUSES:  # the SK fixed these clients and their funds
            figures.clients_decreed += row.clients
            figures.funds_decreed += row.budget
    for transfer in transfers:
        if (figures := by_id.get(transfer.ipwl_id)) is not None:
            figures.clients_served += transfer.clients
            figures.funds_transferred += transfer.amount
    for lpj_row in lpj:
        if (figures := by_id.get(lpj_row.ipwl_id)) is not None:
            figures.lpj_on_time += lpj_row.on_time
            figures.lpj_late += lpj_row.late
            figures.funds_accounted += lpj_row.accounted
            figures.lpj_validated += lpj_row.validated
            figures.lpj_filed += lpj_row.filed
            figures.funds_filed += lpj_row.filed_amount

    provinces: dict[str, Figures] = {}
    teams: dict[str, Figures] = {}
    centre = Figures("*", "")
    for entry in registry:
        figures = by_id[entry.id]
        province = provinces.setdefault(
            entry.province_code, Figures(entry.province_code, PROVINCES.get(entry.province_code, entry.province_code))
        )
        team_key = entry.team_code or NO_TEAM
        team = teams.setdefault(team_key, Figures(team_key, entry.team_name or NO_TEAM_LABEL))
        for group in (province, team, centre):
            group.absorb(figures)
    for figures in (*by_id.values(), *provinces.values(), *teams.values(), centre):
        figures.seal()
    flow_counts = {key: sum(flows.get(action, 0) for action in actions) for key, _, actions in FLOWS}
    return MonthlyReport(
        period=period,
        generated_at=generated_at,
        timezone=timezone,
        yearly_target=yearly_target,
        centre=centre,
        ipwl=[by_id[entry.id] for entry in registry],
        provinces=sorted(provinces.values(), key=lambda f: f.label),
        teams=sorted(teams.values(), key=lambda f: (f.key == NO_TEAM, f.key)),
        flows=flow_counts,
        ipwl_province={e.code: PROVINCES.get(e.province_code, e.province_code) for e in registry},
        ipwl_team={e.code: e.team_code or NO_TEAM for e in registry},
        as_of=as_of,
        ceiling=ceiling,
        refunds=tuple(refunds),
    )


async def collect(
    source: ReportSource, period: Period, *, now: dt.datetime, timezone: str, yearly_target: int, ceiling: int = 0
) -> MonthlyReport:
    """Read the aggregates of ``period``'s year from ``source`` and build the report: the position
    at the month's end (or now, for the month still running)."""
    start, end = period.bounds(timezone)
    as_of = min(now, end)
    registry = await source.registry()
    proposals = await source.proposals(period.year, as_of)
    transfers = await source.transfers(period.year, as_of)
    lpj = await source.lpj(period.year, as_of)
    collector = DurationCollector()
    async for page in source.stage_events(period.year, as_of):
        collector.feed(page)
    flows = await source.month_flows(start, end)
    refunds = tuple(await source.refunds(period.year, as_of))
    # The roll-up and the medians take a few hundred milliseconds at national scale: off the loop.
    return await asyncio.to_thread(
        functools.partial(
            build_report,
            period,
            generated_at=now,
            timezone=timezone,
            yearly_target=yearly_target,
            registry=registry,
            proposals=proposals,
            transfers=transfers,
            lpj=lpj,
            durations=collector.finish(),
            flows=flows,
            as_of=as_of,
            ceiling=ceiling,
            refunds=refunds,
        )
    )
