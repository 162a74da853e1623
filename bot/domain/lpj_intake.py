"""The LPJ (accountability report) as data, its rules, and its conversation as one states table.

Pure: no I/O, no Telegram. After the funds are transferred (status ``paid``) the IPWL operator
reports, per client, the ATENSI services actually delivered (components, first and last day),
the money actually spent on every budget line of the RAB (the variance against the RAB is
computed, and spending above the RAB needs a note), and the evidence: receipts (kuitansi, each
with its amount; one above the stamp-duty threshold must bear a meterai), activity photos, and
the signed recipient list (BAST).

Like ``bot.domain.proposal_intake``, the operator answers one question at a time; the cursor is a small JSON
document stored on the LPJ draft after every answer, so a restart loses nothing and ``/lpj``
asks the same question again. ``answer(cursor, reply, ctx)`` validates one reply and returns
the next cursor plus the *effects* the service writes; a rejected reply raises
``ValidationError`` and the cursor does not move.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from bot.domain.conversation import Reply, block, need_choice, typed
from bot.domain.models import BudgetLine, Client, Component
from bot.domain.validation import Problem, parse_date, parse_free_text, parse_money
from bot.i18n import N_, format_money

# --- records -------------------------------------------------------------------------------------


class EvidenceKind(StrEnum):
    RECEIPT = "receipt"  # kuitansi, with its amount
    PHOTO = "photo"  # a photo of the activities
    BAST = "bast"  # the signed recipient list (berita acara serah terima)


@dataclass(frozen=True)
class Lpj:
    """The LPJ of one proposal (one per proposal; ``version`` grows with each resubmission)."""

    id: int
    proposal_id: int
    version: int
    late: bool
    submitted_at: dt.datetime | None = None
    first_submitted_at: dt.datetime | None = None
    verified_by: int | None = None
    verified_at: dt.datetime | None = None
    validated_by: int | None = None
    validated_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None


@dataclass(frozen=True)
class ServicePeriod:
    """One ATENSI component delivered to one client, from its first to its last day."""

    client_id: int
    component: Component
    served_from: dt.date
    served_to: dt.date


@dataclass(frozen=True)
class Realization:
    """The money actually spent on one budget line."""

    budget_line_id: int
    amount: int
    note: str | None = None


@dataclass(frozen=True)
class Evidence:
    id: int
    kind: EvidenceKind
    attachment_id: int
    file_name: str | None
    size: int
    amount: int | None = None  # receipts only
    stamped: bool | None = None  # receipts above the threshold: the operator confirmed the meterai


@dataclass(frozen=True)
class NumberedLine:
    """A budget line with its running number in the LPJ (1…N over all clients) and its client."""

    number: int
    line: BudgetLine
    client: Client


@dataclass(frozen=True)
class LpjContent:
    """Everything reported so far, with the proposal's clients and RAB to compare against."""

    clients: tuple[Client, ...]
    services: Mapping[int, tuple[ServicePeriod, ...]] = field(default_factory=dict)  # by client id
    realizations: Mapping[int, Realization] = field(default_factory=dict)  # by budget line id
    evidence: tuple[Evidence, ...] = ()

    @property
    def lines(self) -> tuple[NumberedLine, ...]:
        ordered = [(c, line) for c in self.clients for line in c.budget]
        return tuple(NumberedLine(n, line, c) for n, (c, line) in enumerate(ordered, start=1))

    def line(self, line_id: int | None) -> NumberedLine | None:
        return next((n for n in self.lines if n.line.id == line_id), None)

    def client(self, client_id: int | None) -> Client | None:
        return next((c for c in self.clients if c.id == client_id), None)

    @property
    def budget_total(self) -> int:
        return sum(c.total for c in self.clients)

    @property
    def realized_total(self) -> int:
        return sum(r.amount for r in self.realizations.values())

    @property
    def realized_budget(self) -> int:
        """The RAB of the lines reported so far (so a half-filled LPJ compares like with like)."""
        return sum(n.line.total for n in self.lines if n.line.id in self.realizations)

    def of_kind(self, kind: EvidenceKind) -> tuple[Evidence, ...]:
        return tuple(e for e in self.evidence if e.kind == kind)

    @property
    def receipts_total(self) -> int:
        return sum(e.amount or 0 for e in self.of_kind(EvidenceKind.RECEIPT))


def variance(line: BudgetLine, amount: int) -> int:
    """Spent minus budgeted: negative = under the RAB, positive = above it (needs a note)."""
    return amount - line.total


def needs_note(line: BudgetLine, amount: int) -> bool:
    return amount > line.total


def needs_meterai(amount: int, threshold: int) -> bool:
    """A receipt *above* the threshold (UU 10/2020: documents of more than Rp5.000.000)."""
    return amount > threshold


# --- completeness: what must be there before the LPJ can be submitted ---------------------------


@dataclass(frozen=True)
class LpjRules:
    meterai_above: int = 5_000_000
    meterai_amount: int = 10_000
    receipts_cover_realization: bool = True


# Problems are capped: a list of 120 unfilled lines helps nobody; counts and the first few do.
_SHOW = 3


def check_complete(content: LpjContent, rules: LpjRules) -> list[Problem]:
    """Every reason the LPJ cannot be submitted yet (empty: it can)."""
    problems: list[Problem] = []
    unserved = [c for c in content.clients if not content.services.get(c.id)]
    if unserved:
        first = unserved[0]
        problems.append(
            Problem(
                N_("{count} client(s) have no service dates yet, e.g. client {number} ({name})."),
                {"count": len(unserved), "number": first.position, "name": first.full_name[:40]},
                "block",
                "services",
            )
        )
    lines = content.lines
    missing = [n for n in lines if n.line.id not in content.realizations]
    if missing:
        problems.append(
            Problem(
                N_("{count} budget line(s) have no realization yet, e.g. line {number}."),
                {"count": len(missing), "number": missing[0].number},
                "block",
                "realization",
            )
        )
    for n in [n for n in lines if _above_without_note(n.line, content.realizations.get(n.line.id))][:_SHOW]:
        amount = content.realizations[n.line.id].amount
        problems.append(
            Problem(
                N_("Line {number} ({description}) is {excess} above the RAB and needs a note."),
                {
                    "number": n.number,
                    "description": n.line.description[:40],
                    "excess": format_money(variance(n.line, amount)),
                },
                "block",
                "note",
            )
        )
    receipts = content.of_kind(EvidenceKind.RECEIPT)
    if not receipts:
        problems.append(Problem(N_("Add the receipts (kuitansi) of the money spent."), {}, "block", "receipts"))
    if any(r.amount is None for r in receipts):
        problems.append(Problem(N_("A receipt still needs its amount."), {}, "block", "receipts"))
    for receipt in [
        r for r in receipts if r.amount is not None and needs_meterai(r.amount, rules.meterai_above) and not r.stamped
    ][:_SHOW]:
        problems.append(
            Problem(
                N_("The receipt of {amount} needs a {meterai} meterai."),
                {"amount": format_money(receipt.amount or 0), "meterai": format_money(rules.meterai_amount)},
                "block",
                "meterai",
            )
        )
    if receipts and rules.receipts_cover_realization and content.receipts_total < content.realized_total:
        problems.append(
            Problem(
                N_("The receipts add up to {receipts} but {spent} was spent: add the missing receipts."),
                {"receipts": format_money(content.receipts_total), "spent": format_money(content.realized_total)},
                "block",
                "receipts",
            )
        )
    if not content.of_kind(EvidenceKind.PHOTO):
        problems.append(Problem(N_("Add at least one photo of the activities."), {}, "block", "photos"))
    if not content.of_kind(EvidenceKind.BAST):
        problems.append(Problem(N_("Add the signed recipient list (BAST)."), {}, "block", "bast"))
    return problems


def _above_without_note(line: BudgetLine, realization: Realization | None) -> bool:
    return realization is not None and needs_note(line, realization.amount) and not realization.note


# --- the conversation ----------------------------------------------------------------------------


class Step(StrEnum):
    SERVICES = "services"  # first and last day of the services of the client at ``client_id``
    SERVICE_COMPONENTS = "service_components"  # which components that client actually received
    REALIZATION = "realization"  # money spent on the budget line at ``line_id``
    REALIZATION_NOTE = "realization_note"  # why ``amount`` is above that line's RAB
    EVIDENCE = "evidence"  # files: receipts, photos, the BAST
    EVIDENCE_REMOVE = "evidence_remove"  # which file sent by mistake to take back
    RECEIPT_AMOUNT = "receipt_amount"  # the amount on the receipt ``evidence_id`` just sent
    METERAI = "meterai"  # does that receipt bear a meterai?
    REVIEW = "review"


@dataclass(frozen=True)
class Cursor:
    step: Step = Step.SERVICES
    client_id: int | None = None
    line_id: int | None = None
    components: tuple[str, ...] = ()  # chosen for ``client_id``; empty = as planned in the proposal
    amount: int | None = None  # a realization above the RAB, waiting for its note
    kind: EvidenceKind = EvidenceKind.RECEIPT  # what the next file is
    evidence_id: int | None = None  # the receipt waiting for its amount or meterai answer

    def to_json(self) -> dict[str, Any]:
        return {
            "step": self.step.value,
            "client_id": self.client_id,
            "line_id": self.line_id,
            "components": list(self.components),
            "amount": self.amount,
            "kind": self.kind.value,
            "evidence_id": self.evidence_id,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> Cursor:
        if not data:
            return cls(step=Step.REVIEW)
        return cls(
            step=Step(data.get("step", Step.REVIEW)),
            client_id=data.get("client_id"),
            line_id=data.get("line_id"),
            components=tuple(data.get("components") or ()),
            amount=data.get("amount"),
            kind=EvidenceKind(data.get("kind") or EvidenceKind.RECEIPT),
            evidence_id=data.get("evidence_id"),
        )


@dataclass(frozen=True)
class LpjContext:
    today: dt.date  # in the IPWL's zone
    content: LpjContent
    earliest: dt.date  # services cannot start before the proposal's period
    rules: LpjRules = LpjRules()


# --- effects the service writes -------------------------------------------------------------------


@dataclass(frozen=True)
class SetServices:
    client_id: int
    components: tuple[Component, ...]
    served_from: dt.date
    served_to: dt.date


@dataclass(frozen=True)
class SetRealization:
    line_id: int
    amount: int
    note: str | None = None


@dataclass(frozen=True)
class FillAsBudgeted:
    """Every line without a realization is reported as spent exactly as budgeted."""


@dataclass(frozen=True)
class AddEvidence:
    """Link the file just received; the service puts the new evidence id into the cursor."""

    kind: EvidenceKind


@dataclass(frozen=True)
class SetReceiptAmount:
    evidence_id: int
    amount: int


@dataclass(frozen=True)
class SetStamped:
    evidence_id: int


@dataclass(frozen=True)
class DiscardEvidence:
    evidence_id: int


Effect = SetServices | SetRealization | FillAsBudgeted | AddEvidence | SetReceiptAmount | SetStamped | DiscardEvidence


@dataclass(frozen=True)
class Outcome:
    cursor: Cursor
    effects: tuple[Effect, ...] = ()
    warnings: tuple[Problem, ...] = ()


# --- where to go next -------------------------------------------------------------------------------


def _rotate(ids: Sequence[int], after: int | None) -> list[int]:
    """``ids`` starting just after ``after`` and wrapping around, without ``after`` itself."""
    if after not in ids:
        return list(ids)
    i = ids.index(after)
    return [*ids[i + 1 :], *ids[:i]]


def _next_client(content: LpjContent, after: int | None) -> int | None:
    ids = [c.id for c in content.clients]
    return next((cid for cid in _rotate(ids, after) if not content.services.get(cid)), None)


def _next_line(content: LpjContent, after: int | None) -> int | None:
    ids = [n.line.id for n in content.lines]
    return next((lid for lid in _rotate(ids, after) if lid not in content.realizations), None)


def _evidence_or_review(content: LpjContent) -> Cursor:
    return Cursor(step=Step.REVIEW if content.evidence else Step.EVIDENCE)


def _after_realization(content: LpjContent, done: int | None) -> Cursor:
    line_id = _next_line(content, done)
    if line_id is not None:
        return Cursor(step=Step.REALIZATION, line_id=line_id)
    return _evidence_or_review(content)


def _after_services(content: LpjContent, done: int | None) -> Cursor:
    client_id = _next_client(content, done)
    if client_id is not None:
        return Cursor(step=Step.SERVICES, client_id=client_id)
    return _after_realization(content, None)


def start(content: LpjContent) -> Cursor:
    """Where a new LPJ draft begins: the first thing still missing."""
    return _after_services(content, None)


def go_to(content: LpjContent, section: str) -> Cursor:
    """From the review to a section: its first missing item, else its first item."""
    if section == "services" and content.clients:
        return Cursor(step=Step.SERVICES, client_id=_next_client(content, None) or content.clients[0].id)
    if section == "realization" and content.lines:
        return Cursor(step=Step.REALIZATION, line_id=_next_line(content, None) or content.lines[0].line.id)
    if section == "evidence":
        return Cursor(step=Step.EVIDENCE)
    return Cursor(step=Step.REVIEW)


# --- one handler per step ---------------------------------------------------------------------------

_DASH_RANGE = re.compile(
    r"\s+-\s+|\s*[–—]\s*|\s*\bs\s*[./]?\s*d\b\.?\s*|\s+(?:sampai(?:\s+dengan)?|hingga|until|to)\s+", re.I
)


def served_example(earliest: dt.date, today: dt.date) -> str:
    """An example range that would be accepted: from the period's first day (or this month's) to
    today — never a date in the future, which the answer itself may not hold."""
    first = earliest if earliest <= today else today.replace(day=1)
    return f"{first:%d-%m-%Y} s/d {today:%d-%m-%Y}"


def parse_served(text: str, *, today: dt.date, earliest: dt.date) -> tuple[dt.date, dt.date]:
    """``"01-12-2026 s/d 28-02-2027"`` (or ``- / sampai / to``) → first and last day; one date = one day."""
    parts = [p for p in _DASH_RANGE.split(text.strip()) if p and p.strip()]
    if not 1 <= len(parts) <= 2:
        raise block(
            N_("Write the first and the last day of the services, e.g. {example}."),
            "served",
            example=served_example(earliest, today),
        )
    first = parse_date(parts[0], today=today, field="served_from", earliest=earliest)
    last = parse_date(parts[-1], today=today, field="served_to", earliest=earliest)
    if last < first:
        raise block(
            N_("The last day ({last}) is before the first day ({first})."),
            "served",
            last=last.strftime("%d-%m-%Y"),
            first=first.strftime("%d-%m-%Y"),
        )
    return first, last


def _planned(client: Client, chosen: Sequence[str]) -> tuple[Component, ...]:
    if chosen:
        return tuple(Component(c) for c in sorted(chosen))
    return client.components


def _previous_dates(ctx: LpjContext, client_id: int) -> tuple[dt.date, dt.date] | None:
    """The dates of the client typed just before this one (one tap for a whole cohort)."""
    ids = [c.id for c in ctx.content.clients]
    index = ids.index(client_id) if client_id in ids else 0
    for cid in reversed(ids[:index]):
        periods = ctx.content.services.get(cid)
        if periods:
            return periods[0].served_from, periods[0].served_to
    return None


def _on_services(c: Cursor, r: Reply, ctx: LpjContext) -> Outcome:
    client = ctx.content.client(c.client_id)
    if client is None:
        return Outcome(start(ctx.content))
    if r.choice == "components":
        chosen = c.components or tuple(x.value for x in client.components)
        return Outcome(replace(c, step=Step.SERVICE_COMPONENTS, components=chosen))
    if r.choice == "same":
        dates = _previous_dates(ctx, client.id)
        if dates is None:
            raise need_choice()
        first, last = dates
    elif r.choice == "review":
        return Outcome(Cursor(step=Step.REVIEW))
    else:
        first, last = parse_served(typed(r), today=ctx.today, earliest=ctx.earliest)
    components = _planned(client, c.components)
    if not components:  # nothing planned (an old proposal): ask which were delivered
        return Outcome(replace(c, step=Step.SERVICE_COMPONENTS))
    effect = SetServices(client.id, components, first, last)
    served = {**ctx.content.services, client.id: (ServicePeriod(client.id, effect.components[0], first, last),)}
    return Outcome(_after_services(replace(ctx.content, services=served), client.id), (effect,))


def _on_service_components(c: Cursor, r: Reply, ctx: LpjContext) -> Outcome:
    if r.choice and r.choice in {x.value for x in Component}:
        return Outcome(replace(c, components=tuple(sorted(set(c.components) ^ {r.choice}))))
    if r.choice == "done":
        if not c.components:
            raise block(N_("Choose at least one ATENSI component, then press Done."), "components")
        return Outcome(replace(c, step=Step.SERVICES))
    raise need_choice()


def _with_realization(content: LpjContent, line_id: int, amount: int) -> LpjContent:
    return replace(content, realizations={**content.realizations, line_id: Realization(line_id, amount)})


def _on_realization(c: Cursor, r: Reply, ctx: LpjContext) -> Outcome:
    numbered = ctx.content.line(c.line_id)
    if numbered is None:
        return Outcome(_after_realization(ctx.content, None))
    line = numbered.line
    if r.choice == "all":
        return Outcome(_evidence_or_review(ctx.content), (FillAsBudgeted(),))
    if r.choice == "review":
        return Outcome(Cursor(step=Step.REVIEW))
    amount = line.total if r.choice == "rab" else parse_money(typed(r), field="realization", minimum=0)
    if needs_note(line, amount):
        return Outcome(replace(c, step=Step.REALIZATION_NOTE, amount=amount))
    content = _with_realization(ctx.content, line.id, amount)
    return Outcome(_after_realization(content, line.id), (SetRealization(line.id, amount),))


def _on_realization_note(c: Cursor, r: Reply, ctx: LpjContext) -> Outcome:
    if r.choice == "back":
        return Outcome(replace(c, step=Step.REALIZATION, amount=None))
    numbered = ctx.content.line(c.line_id)
    if numbered is None or c.amount is None:
        return Outcome(_after_realization(ctx.content, None))
    note = parse_free_text(typed(r), field="note", min_length=10, max_length=500)
    content = _with_realization(ctx.content, numbered.line.id, c.amount)
    return Outcome(_after_realization(content, numbered.line.id), (SetRealization(numbered.line.id, c.amount, note),))


def _on_evidence(c: Cursor, r: Reply, ctx: LpjContext) -> Outcome:
    if r.choice in {k.value for k in EvidenceKind}:
        return Outcome(replace(c, kind=EvidenceKind(r.choice)))
    if r.choice == "review":
        return Outcome(Cursor(step=Step.REVIEW))
    if r.choice == "remove":
        if not ctx.content.evidence:
            raise block(N_("No file has been sent yet, so there is nothing to remove."))
        return Outcome(replace(c, step=Step.EVIDENCE_REMOVE))
    if (r.choice or "").startswith(REMOVE_PREFIX):  # a second tap on the list, already answered
        return _on_evidence_remove(c, r, ctx)
    if r.text is not None:
        raise block(N_("Send the file itself (a photo or a PDF), or choose below."))
    raise need_choice()


REMOVE_PREFIX = "rm"  # the choice ``rm<evidence id>`` takes that file back


def _on_evidence_remove(c: Cursor, r: Reply, ctx: LpjContext) -> Outcome:
    back = replace(c, step=Step.EVIDENCE)
    if r.choice == "back":
        return Outcome(back)
    chosen = r.choice or ""
    number = chosen.removeprefix(REMOVE_PREFIX)
    if not chosen.startswith(REMOVE_PREFIX) or not number.isdigit():
        raise need_choice()
    if not any(e.id == int(number) for e in ctx.content.evidence):
        # (Removed already — a double tap, or an old list — or not a file of this LPJ at all.)
        raise block(N_("That file is no longer in this LPJ. Choose another one, or go back."))
    return Outcome(back, (DiscardEvidence(int(number)),))


def _on_receipt_amount(c: Cursor, r: Reply, ctx: LpjContext) -> Outcome:
    if c.evidence_id is None:
        return Outcome(Cursor(step=Step.EVIDENCE))
    amount = parse_money(typed(r), field="receipt_amount", minimum=1)
    effect = SetReceiptAmount(c.evidence_id, amount)
    if needs_meterai(amount, ctx.rules.meterai_above):
        return Outcome(replace(c, step=Step.METERAI), (effect,))
    return Outcome(replace(c, step=Step.EVIDENCE, evidence_id=None), (effect,))


_RESEND_STAMPED = N_(
    "A receipt above {threshold} is valid only with a {meterai} meterai. It was not kept: "
    "put the meterai on it, sign across it, and send the photo again."
)


def _on_meterai(c: Cursor, r: Reply, ctx: LpjContext) -> Outcome:
    if c.evidence_id is None:
        return Outcome(Cursor(step=Step.EVIDENCE))
    back = replace(c, step=Step.EVIDENCE, evidence_id=None)
    if r.choice == "yes":
        return Outcome(back, (SetStamped(c.evidence_id),))
    if r.choice == "no":
        warning = Problem(
            _RESEND_STAMPED,
            {"threshold": format_money(ctx.rules.meterai_above), "meterai": format_money(ctx.rules.meterai_amount)},
            "warn",
            "meterai",
        )
        return Outcome(back, (DiscardEvidence(c.evidence_id),), (warning,))
    raise need_choice()


def _on_review(c: Cursor, r: Reply, ctx: LpjContext) -> Outcome:
    if r.choice in ("services", "realization", "evidence"):
        return Outcome(go_to(ctx.content, r.choice))
    if r.choice == "all":
        return Outcome(c, (FillAsBudgeted(),))
    raise need_choice()


# THE table: each step, the handler of its answer.
STEPS: Mapping[Step, Callable[[Cursor, Reply, LpjContext], Outcome]] = {
    Step.SERVICES: _on_services,
    Step.SERVICE_COMPONENTS: _on_service_components,
    Step.REALIZATION: _on_realization,
    Step.REALIZATION_NOTE: _on_realization_note,
    Step.EVIDENCE: _on_evidence,
    Step.EVIDENCE_REMOVE: _on_evidence_remove,
    Step.RECEIPT_AMOUNT: _on_receipt_amount,
    Step.METERAI: _on_meterai,
    Step.REVIEW: _on_review,
}


def answer(cursor: Cursor, reply: Reply, ctx: LpjContext) -> Outcome:
    """Validate one reply at the cursor; raise ValidationError (cursor unchanged) when it is wrong."""
    return STEPS[cursor.step](cursor, reply, ctx)


def receive_file(cursor: Cursor, *, is_image: bool) -> Outcome:
    """A file arrived: it is evidence of the chosen kind (a receipt then asks for its amount)."""
    if cursor.step in (Step.RECEIPT_AMOUNT, Step.METERAI):
        raise block(N_("First finish the receipt you sent before: answer the question above."))
    kind = cursor.kind
    if cursor.step != Step.EVIDENCE:
        # Sent in the middle of another question: a photo is most likely of the activities, a
        # document a receipt. In the evidence step the operator's choice of kind decides.
        kind = EvidenceKind.PHOTO if is_image else EvidenceKind.RECEIPT
    after = (
        Cursor(step=Step.RECEIPT_AMOUNT, kind=kind)
        if kind == EvidenceKind.RECEIPT
        else Cursor(step=Step.EVIDENCE, kind=kind)
    )
    return Outcome(after, (AddEvidence(kind),))
