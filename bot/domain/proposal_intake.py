"""The proposal conversation as one readable states table. Pure: no I/O, no Telegram.

An operator answers one question at a time. The cursor (which question, and the client being
typed) is a small JSON document stored on the draft after every answer, so a restart or a phone
that drops off loses nothing and ``/lanjut`` asks the same question again.

``answer(cursor, reply, ctx)`` validates one reply and returns the next cursor plus the *effects*
the service must write (save the client, add a budget line, …). A rejected reply raises
``ValidationError`` and the cursor does not move: nothing half-saved.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from bot.domain.consent import is_minor, parse_guardian
from bot.domain.conversation import Reply, block, need_choice, typed
from bot.domain.models import CLIENT_DETAILS, Approach, Client, Component, Sex
from bot.domain.regions import PROVINCES, Regency, RegionsCatalog, province_search
from bot.domain.validation import (
    Problem,
    ValidationError,
    nik_warnings,
    parse_birth_date,
    parse_free_text,
    parse_money,
    parse_name,
    parse_nik,
    parse_period,
    parse_phone,
    parse_quantity,
    parse_sex,
)
from bot.i18n import N_, format_money


class Step(StrEnum):
    PERIOD = "period"
    NAME = "name"
    NIK = "nik"
    NIK_CONFIRM = "nik_confirm"
    NIK_MISMATCH = "nik_mismatch"  # the birth date or sex typed contradicts the NIK: which holds?
    SEX = "sex"
    BIRTH_DATE = "birth_date"
    REGION = "region"
    PROVINCE = "province"
    REGENCY = "regency"
    ADDRESS = "address"
    PHONE = "phone"
    APPROACH = "approach"
    COMPONENTS = "components"
    ASSESSMENT = "assessment"
    PLAN = "plan"
    BUDGET = "budget"
    BUDGET_LINE = "budget_line"
    REVIEW = "review"
    EDIT = "edit"
    # Before sending (issue 17.6): each client's consent, one client after the other.
    CONSENT_GUARDIAN = "consent_guardian"  # a client under 18: who signed for them
    CONSENT_FORM = "consent_form"  # the signed form, as a photo or PDF


# Fields of a saved client an operator may correct from the review, one at a time (the province
# is not one: it follows from the regency).
EDITABLE_FIELDS = tuple(f for f in CLIENT_DETAILS if f != "province_code")


@dataclass(frozen=True)
class Cursor:
    """Where the conversation is. ``client`` holds the answers of the client being typed."""

    step: Step = Step.PERIOD
    client: Mapping[str, Any] = field(default_factory=dict)
    client_id: int | None = None  # the saved client budget lines and edits apply to
    component: str | None = None  # the component of the budget line being typed
    edit_field: str | None = None
    choices: tuple[str, ...] = ()  # options offered as buttons (province/regency matches)

    def to_json(self) -> dict[str, Any]:
        return {
            "step": self.step.value,
            "client": dict(self.client),
            "client_id": self.client_id,
            "component": self.component,
            "edit_field": self.edit_field,
            "choices": list(self.choices),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> Cursor:
        if not data:
            return cls()
        return cls(
            step=Step(data.get("step", Step.PERIOD)),
            client=dict(data.get("client") or {}),
            client_id=data.get("client_id"),
            component=data.get("component"),
            edit_field=data.get("edit_field"),
            choices=tuple(data.get("choices") or ()),
        )


@dataclass(frozen=True)
class IntakeContext:
    """What the rules need to know beyond the cursor."""

    today: dt.date
    unit_cost_ceilings: Mapping[str, int]
    regions: RegionsCatalog
    niks_in_proposal: frozenset[str] = frozenset()
    previous: Client | None = None  # the client typed before this one, for one-tap defaults
    editing: Client | None = None  # the saved client being corrected or budgeted
    home_province: str | None = None  # the IPWL's province, offered as a one-tap answer


# --- effects the service writes ------------------------------------------------------------------


@dataclass(frozen=True)
class SetPeriod:
    year: int
    month: int


@dataclass(frozen=True)
class SaveClient:
    fields: Mapping[str, Any]
    flags: tuple[str, ...] = ()  # e.g. NIK_MISMATCH: kept on the client, shown to operator and PIC


@dataclass(frozen=True)
class AddBudgetLine:
    client_id: int
    component: Component
    description: str
    quantity: int
    unit_cost: int


@dataclass(frozen=True)
class CopyBudget:
    from_client_id: int
    to_client_id: int


@dataclass(frozen=True)
class UpdateClient:
    client_id: int
    fields: Mapping[str, Any]


@dataclass(frozen=True)
class CheckNik:
    """The service checks the NIK against the database (same IPWL's proposal, other IPWL)."""

    nik: str


Effect = SetPeriod | SaveClient | AddBudgetLine | CopyBudget | UpdateClient | CheckNik


@dataclass(frozen=True)
class Outcome:
    cursor: Cursor
    effects: tuple[Effect, ...] = ()
    warnings: tuple[Problem, ...] = ()


# The flag a client carries when the birth date or sex kept contradicts the NIK (the operator
# chose to keep them): shown on the client card, in the summary and in the PIC team's Detail.
NIK_MISMATCH = "nik_mismatch"

# Typed where the next client's name is asked, these mean "no more clients": go to the summary
# instead of creating a client named "Selesai".
FINISH_WORDS = frozenset(
    {"selesai", "sudah", "cukup", "ringkasan", "kirim", "done", "finish", "finished", "review", "summary", "send"}
)

# Steps while a new client is being typed (nothing of it is saved before the plan is answered).
CLIENT_STEPS = frozenset(
    {
        Step.NAME,
        Step.NIK,
        Step.NIK_CONFIRM,
        Step.NIK_MISMATCH,
        Step.SEX,
        Step.BIRTH_DATE,
        Step.REGION,
        Step.PROVINCE,
        Step.REGENCY,
        Step.ADDRESS,
        Step.PHONE,
        Step.APPROACH,
        Step.COMPONENTS,
        Step.ASSESSMENT,
        Step.PLAN,
    }
)


def _looks_like_nik(text: str) -> bool:
    """Typed where a button is expected after a NIK: a corrected NIK (digits, any script)?"""
    digits = re.sub(r"[\s.\-]", "", text)
    return len(digits) >= 10 and all(ch.isdigit() for ch in digits)


# --- one handler per step -----------------------------------------------------------------------


def _on_period(c: Cursor, r: Reply, ctx: IntakeContext) -> Outcome:
    if r.choice in ("this", "next"):
        year, month = ctx.today.year, ctx.today.month
        if r.choice == "next":
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    elif r.text is not None:
        # A proposal asks for the funds of services still to come: never a month already past.
        year, month = parse_period(r.text, today=ctx.today, from_this_month=True)
    else:
        raise need_choice()
    return Outcome(replace(c, step=Step.NAME, client={}), (SetPeriod(year, month),))


def _on_name(c: Cursor, r: Reply, ctx: IntakeContext) -> Outcome:
    if r.text is not None and r.text.strip().strip(".!").lower() in FINISH_WORDS:
        return Outcome(Cursor(step=Step.REVIEW))  # the blank client is dropped, nothing was saved
    name = parse_name(typed(r), field="full_name")
    return Outcome(replace(c, step=Step.NIK, client={**c.client, "full_name": name}))


def _on_nik(c: Cursor, r: Reply, ctx: IntakeContext) -> Outcome:
    info = parse_nik(typed(r), today=ctx.today)
    if info.nik in ctx.niks_in_proposal:
        raise block(N_("This NIK is already in this proposal. Each client appears once."), "nik")
    client = {
        **c.client,
        "nik": info.nik,
        "sex": info.sex.value,
        "birth_date": info.birth_date.isoformat(),
        "nik_province": info.province_code,
        "nik_regency": info.regency_code,
        "nik_sex": info.sex.value,
        "nik_birth_date": info.birth_date.isoformat(),  # (what the NIK says)
    }
    return Outcome(replace(c, step=Step.NIK_CONFIRM, client=client), (CheckNik(info.nik),))


def _on_nik_confirm(c: Cursor, r: Reply, ctx: IntakeContext) -> Outcome:
    # One tap confirms the NIK's birth date and sex *and* says where the client lives.
    if r.choice in ("here", "prev"):
        return _on_region(replace(c, step=Step.REGION), Reply(choice="nik" if r.choice == "here" else "prev"), ctx)
    if r.choice in ("elsewhere", "ok"):  # ("ok": the button of earlier versions, which asked again)
        return Outcome(replace(c, step=Step.PROVINCE, choices=()))
    if r.choice == "change":
        return Outcome(replace(c, step=Step.SEX))
    if r.text is not None and _looks_like_nik(r.text):
        return _on_nik(replace(c, step=Step.NIK), r, ctx)  # a corrected NIK replaces the one typed
    if r.text is not None:
        raise block(N_("Please choose one of the buttons below, or type the corrected NIK."))
    raise need_choice()


def _on_sex(c: Cursor, r: Reply, ctx: IntakeContext) -> Outcome:
    sex = Sex(r.choice) if r.choice in ("L", "P") else parse_sex(typed(r))
    return Outcome(replace(c, step=Step.BIRTH_DATE, client={**c.client, "sex": sex.value}))


def _on_birth_date(c: Cursor, r: Reply, ctx: IntakeContext) -> Outcome:
    born = parse_birth_date(typed(r), today=ctx.today)
    client = {**c.client, "birth_date": born.isoformat()}
    warnings = tuple(_nik_mismatch(client, ctx))
    if warnings:  # not kept silently: the operator says which holds, or corrects the NIK
        return Outcome(replace(c, step=Step.NIK_MISMATCH, client=client), warnings=warnings)
    return Outcome(replace(c, step=Step.REGION, client={**client, NIK_MISMATCH: False}))


def _on_nik_mismatch(c: Cursor, r: Reply, ctx: IntakeContext) -> Outcome:
    if r.choice == "keep":  # the data typed is right (the NIK may have been issued with an error)
        return Outcome(replace(c, step=Step.REGION, client={**c.client, NIK_MISMATCH: True}))
    if r.choice == "nik":  # the NIK is right: take its birth date and sex
        info = parse_nik(c.client["nik"], today=ctx.today)
        client = {**c.client, "sex": info.sex.value, "birth_date": info.birth_date.isoformat(), NIK_MISMATCH: False}
        return Outcome(replace(c, step=Step.REGION, client=client))
    if r.text is not None and _looks_like_nik(r.text):
        return _on_nik(replace(c, step=Step.NIK), r, ctx)
    if r.text is not None:
        raise block(N_("Please choose one of the buttons below, or type the corrected NIK."))
    raise need_choice()


def _nik_mismatch(client: Mapping[str, Any], ctx: IntakeContext) -> list[Problem]:
    info = parse_nik(client["nik"], today=ctx.today)
    return nik_warnings(info, birth_date=dt.date.fromisoformat(client["birth_date"]), sex=Sex(client["sex"]))


def mismatch_of(nik: str, sex: str | Sex | None, birth_date: str | dt.date | None, *, today: dt.date) -> list[Problem]:
    """The warnings when a client's sex or birth date contradicts the NIK (empty when they agree)."""
    try:
        info = parse_nik(nik, today=today)
    except ValidationError:
        return []
    born = dt.date.fromisoformat(birth_date) if isinstance(birth_date, str) else birth_date
    return nik_warnings(info, birth_date=born, sex=Sex(sex) if sex else None)


def nik_region(client: Mapping[str, Any], regions: RegionsCatalog) -> tuple[str, str | None]:
    """The province code and, when the regions file knows it, the regency the NIK was issued in."""
    regency = regions.regency(client.get("nik_regency", "")) if client.get("nik_regency") else None
    return client.get("nik_province", ""), regency.name if regency else None


def _on_region(c: Cursor, r: Reply, ctx: IntakeContext) -> Outcome:
    if r.choice == "nik":
        province, regency = nik_region(c.client, ctx.regions)
        client = {**c.client, "province_code": province}
        if regency:
            return Outcome(replace(c, step=Step.ADDRESS, client={**client, "regency": regency}))
        return Outcome(replace(c, step=Step.REGENCY, client=client, choices=()))
    if r.choice == "prev" and ctx.previous is not None:
        client = {**c.client, "province_code": ctx.previous.province_code, "regency": ctx.previous.regency}
        return Outcome(replace(c, step=Step.ADDRESS, client=client))
    if r.choice == "other":
        return Outcome(replace(c, step=Step.PROVINCE, choices=()))
    if r.text is not None:  # typing a province straight away is fine too
        return _on_province(replace(c, step=Step.PROVINCE), r, ctx)
    raise need_choice()


def _chosen_province(c: Cursor, r: Reply) -> str | Outcome:
    """The province a reply names (its button, or the one province whose name the typed text is
    part of); the same question with the matches as buttons when several fit."""
    if r.choice and r.choice in PROVINCES:
        return r.choice
    matches = province_search(typed(r))
    if not matches:
        raise block(
            N_("No province matches “{text}”. Type part of its name, e.g. {example}."),
            "province_code",
            text=typed(r)[:40],
            example="Jawa Barat",
        )
    if len(matches) > 1:
        return Outcome(replace(c, choices=tuple(code for code, _ in matches[:8])))
    return matches[0][0]


def _on_province(c: Cursor, r: Reply, ctx: IntakeContext) -> Outcome:
    code = _chosen_province(c, r)
    if isinstance(code, Outcome):
        return code
    return Outcome(replace(c, step=Step.REGENCY, client={**c.client, "province_code": code}, choices=()))


def _chosen_regency(c: Cursor, r: Reply, ctx: IntakeContext, province: str) -> Regency | Outcome:
    """The regency of ``province`` a reply names (its button, or the one regency whose name the
    typed text is part of); the same question with the matches as buttons when several fit."""
    if r.choice:
        regency = ctx.regions.regency(r.choice)
        if regency is None or regency.province_code != province:
            raise need_choice()
        return regency
    matches = ctx.regions.find(province, typed(r))
    if not matches:
        raise block(
            N_("No regency or city in {province} matches “{text}”. Type part of its name."),
            "regency",
            province=PROVINCES.get(province, province),
            text=typed(r)[:40],
        )
    if len(matches) > 1:
        return Outcome(replace(c, choices=tuple(m.code for m in matches[:8])))
    return matches[0]


def _on_regency(c: Cursor, r: Reply, ctx: IntakeContext) -> Outcome:
    province = c.client.get("province_code", "")
    if ctx.regions.has_regencies:
        regency = _chosen_regency(c, r, ctx, province)
        if isinstance(regency, Outcome):
            return regency
        name = regency.name
    else:
        name = parse_free_text(typed(r), field="regency", min_length=3, max_length=100)
    return Outcome(replace(c, step=Step.ADDRESS, client={**c.client, "regency": name}, choices=()))


# A phone number at the end of the address message: "…, Desa Cibinong, 0812-3456-7890".
_TRAILING_PHONE = re.compile(
    r"^(?P<address>.*?)[\s,;/]*(?:\b(?:telp|tlp|telepon|hp|wa|phone)\b\.?:?\s*)?"
    r"(?P<phone>(?:\+\s?62|0062|62|0)[\d\s\-.()]{7,20}\d)\s*$",
    re.I | re.S,
)


def split_address_phone(text: str) -> tuple[str, str | None]:
    """The address and, when the message ends with one, the phone number (normalized)."""
    match = _TRAILING_PHONE.match(text.strip())
    if match and match["address"].strip():
        try:
            phone = parse_phone(match["phone"])
        except ValidationError:
            phone = None
        if phone is not None:
            return match["address"].strip().rstrip(",;/ "), phone
    return text.strip(), None


def _on_address(c: Cursor, r: Reply, ctx: IntakeContext) -> Outcome:
    # One message for the address and the (optional) phone number.
    text, phone = split_address_phone(typed(r))
    address = parse_free_text(text, field="address", min_length=5, max_length=300)
    return Outcome(replace(c, step=Step.APPROACH, client={**c.client, "address": address, "phone": phone}))


def _on_phone(c: Cursor, r: Reply, ctx: IntakeContext) -> Outcome:
    phone = None if r.choice == "skip" else parse_phone(typed(r))
    return Outcome(replace(c, step=Step.APPROACH, client={**c.client, "phone": phone}))


def _on_approach(c: Cursor, r: Reply, ctx: IntakeContext) -> Outcome:
    if r.choice == "same" and ctx.previous is not None and ctx.previous.approach:
        client = {
            **c.client,
            "approach": ctx.previous.approach.value,
            "components": [x.value for x in ctx.previous.components],
        }
        return Outcome(replace(c, step=Step.ASSESSMENT, client=client))
    if r.choice in {a.value for a in Approach}:
        # The picker starts empty: only "same as previous" carries the previous client's choice.
        return Outcome(replace(c, step=Step.COMPONENTS, client={**c.client, "approach": r.choice, "components": []}))
    raise need_choice()


def toggle_components(selected: Sequence[str], choice: str) -> list[str]:
    chosen = set(selected) ^ {choice}
    return sorted(chosen)


def parse_component_numbers(text: str) -> list[str]:
    """``"1, 3"`` / ``"1 dan 3"`` → ``["1", "3"]``: the components typed instead of tapped."""
    cleaned = re.sub(r"\b(?:dan|and)\b", " ", text.lower())
    numbers = re.findall(r"\d+", cleaned)
    valid = {x.value for x in Component}
    if not numbers or any(n not in valid for n in numbers) or re.search(r"[^\d\s,;.&+/]", cleaned):
        raise block(
            N_("Tap the components, or type their numbers (1 to 7), e.g. {example}."), "components", example="1, 3"
        )
    return sorted(set(numbers))


def _on_components(c: Cursor, r: Reply, ctx: IntakeContext) -> Outcome:
    selected = list(c.client.get("components", []))
    if r.choice and r.choice in {x.value for x in Component}:
        return Outcome(replace(c, client={**c.client, "components": toggle_components(selected, r.choice)}))
    if r.choice == "done":
        if not selected:
            raise block(N_("Choose at least one ATENSI component, then press Done."), "components")
        return Outcome(replace(c, step=Step.ASSESSMENT))
    if r.text is not None:  # "1, 3": exactly these, in one message
        return Outcome(
            replace(c, step=Step.ASSESSMENT, client={**c.client, "components": parse_component_numbers(r.text)})
        )
    raise need_choice()


def _on_assessment(c: Cursor, r: Reply, ctx: IntakeContext) -> Outcome:
    text = parse_free_text(typed(r), field="assessment", min_length=10, max_length=2000)
    return Outcome(replace(c, step=Step.PLAN, client={**c.client, "assessment": text}))


def _on_plan(c: Cursor, r: Reply, ctx: IntakeContext) -> Outcome:
    plan = parse_free_text(typed(r), field="intervention_plan", min_length=10, max_length=2000)
    client = {**c.client, "intervention_plan": plan}
    saved = {k: v for k, v in client.items() if not k.startswith("nik_")}
    flags = (NIK_MISMATCH,) if client.get(NIK_MISMATCH) else ()
    # Straight to the first component's budget line (the service fills in the saved client's id).
    first = sorted(client.get("components") or ["1"])[0]
    return Outcome(replace(c, step=Step.BUDGET_LINE, client={}, component=first), (SaveClient(saved, flags),))


# An example budget line per component (item, quantity × unit cost, each within the default
# ceilings), so the example fits what the component pays for.
BUDGET_EXAMPLES: Mapping[str, str] = {
    "1": "Paket sembako, 3 x 500.000",
    "2": "Perlengkapan kebersihan diri, 3 x 150.000",
    "3": "Pertemuan konseling keluarga, 4 x 200.000",
    "4": "Sesi konseling psikososial, 6 x 250.000",
    "5": "Pelatihan menjahit, 1 x 1.500.000",
    "6": "Transportasi ke puskesmas, 4 x 100.000",
    "7": "Kursi roda, 1 x 1.500.000",
}

_LINE = re.compile(r"^(?P<desc>.+?)[,;:]?\s+(?P<qty>\d{1,4})\s*(?:x|×|\*)\s*(?P<cost>.+)$", re.I | re.S)


def parse_budget_line(text: str, component: str, ceilings: Mapping[str, int]) -> tuple[str, int, int]:
    """``"Paket sembako, 3 x 500.000"`` → (description, quantity, unit cost)."""
    match = _LINE.match(text.strip())
    if not match:
        raise block(
            N_("Write the item, the quantity and the unit cost, e.g. {example}."),
            "budget",
            example=BUDGET_EXAMPLES.get(component, BUDGET_EXAMPLES["1"]),
        )
    description = parse_free_text(match["desc"], field="description", min_length=3, max_length=200)
    quantity = parse_quantity(match["qty"], maximum=1000)
    ceiling = ceilings.get(component)
    unit_cost = parse_money(match["cost"], field="unit_cost", minimum=1)
    if ceiling is not None and unit_cost > ceiling:
        # Said as what it is — the unit cost, against this component's ceiling — in Rupiah.
        raise block(
            N_(
                "The unit cost {amount} is above the highest unit cost for component {number}, {ceiling}. "
                "Write the cost of one unit, e.g. {example}."
            ),
            "unit_cost",
            amount=format_money(unit_cost),
            number=component,
            ceiling=format_money(ceiling),
            example=BUDGET_EXAMPLES.get(component, BUDGET_EXAMPLES["1"]),
        )
    return description, quantity, unit_cost


def _on_budget(c: Cursor, r: Reply, ctx: IntakeContext) -> Outcome:
    client = ctx.editing
    if client is None:
        raise need_choice()
    if r.choice and r.choice in {x.value for x in client.components}:
        return Outcome(replace(c, step=Step.BUDGET_LINE, component=r.choice))
    if r.choice == "copy" and ctx.previous is not None:
        return Outcome(replace(c, step=Step.BUDGET, component=None), (CopyBudget(ctx.previous.id, client.id),))
    if r.choice == "next":
        return Outcome(Cursor(step=Step.NAME))
    if r.choice == "review":
        return Outcome(Cursor(step=Step.REVIEW))
    raise need_choice()


def _on_budget_line(c: Cursor, r: Reply, ctx: IntakeContext) -> Outcome:
    if r.choice == "back":
        return Outcome(replace(c, step=Step.BUDGET, component=None))
    if r.choice is not None:  # another component, copy, next client, summary: as on the budget
        return _on_budget(c, r, ctx)
    assert c.component is not None and c.client_id is not None
    description, quantity, unit_cost = parse_budget_line(typed(r), c.component, ctx.unit_cost_ceilings)
    line = AddBudgetLine(c.client_id, Component(c.component), description, quantity, unit_cost)
    # Then the next component that has no line yet; when every one has, the budget and its choices.
    budgeted = {x.component.value for x in ctx.editing.budget} if ctx.editing else set()
    budgeted.add(c.component)
    todo = [x.value for x in (ctx.editing.components if ctx.editing else ()) if x.value not in budgeted]
    if todo:
        return Outcome(replace(c, step=Step.BUDGET_LINE, component=sorted(todo)[0]), (line,))
    return Outcome(replace(c, step=Step.BUDGET, component=None), (line,))


def _on_review(c: Cursor, r: Reply, ctx: IntakeContext) -> Outcome:
    if r.choice == "add":
        return Outcome(Cursor(step=Step.NAME))
    raise need_choice()


def parse_field(name: str, r: Reply, ctx: IntakeContext) -> dict[str, Any]:
    """Validate a new value for one field of a saved client, as the step that first asked it."""
    if name == "full_name":
        return {"full_name": parse_name(typed(r), field="full_name")}
    if name == "nik":
        info = parse_nik(typed(r), today=ctx.today)
        current = ctx.editing.nik if ctx.editing else None
        if info.nik != current and info.nik in ctx.niks_in_proposal:
            raise block(N_("This NIK is already in this proposal. Each client appears once."), "nik")
        # Only the NIK changes: the birth date and sex entered stay (the service warns and flags
        # the client if they now contradict it) — no value the person did not choose.
        return {"nik": info.nik}
    if name == "sex":
        sex = Sex(r.choice) if r.choice in ("L", "P") else parse_sex(typed(r))
        return {"sex": sex.value}
    if name == "birth_date":
        born = parse_birth_date(typed(r), today=ctx.today)
        return {"birth_date": born.isoformat()}
    if name == "regency":
        return {"regency": parse_free_text(typed(r), field="regency", min_length=3, max_length=100)}
    if name == "address":
        # As first asked: a phone number at the end is the client's phone, not part of the address
        # (and without one, the phone already saved stays).
        text, phone = split_address_phone(typed(r))
        fields: dict[str, Any] = {"address": parse_free_text(text, field="address", min_length=5, max_length=300)}
        return fields | ({"phone": phone} if phone else {})
    if name == "phone":
        return {"phone": None if r.choice == "skip" else parse_phone(typed(r))}
    if name == "approach":
        if r.choice not in {a.value for a in Approach}:
            raise need_choice()
        return {"approach": r.choice}
    if name in ("assessment", "intervention_plan"):
        return {name: parse_free_text(typed(r), field=name, min_length=10, max_length=2000)}
    raise need_choice()


def _edit_place(c: Cursor, r: Reply, ctx: IntakeContext) -> Outcome:
    """Where the client lives, corrected as first asked: a regency of the regions file (buttons or
    part of its name), in the client's province or — "another province" — in one chosen first."""
    assert c.client_id is not None
    if c.edit_field == "province":
        code = _chosen_province(c, r)
        if isinstance(code, Outcome):
            return code
        return Outcome(replace(c, edit_field="regency", client={"province_code": code}, choices=()))
    if r.choice == "province":
        return Outcome(replace(c, edit_field="province", choices=()))
    province = c.client.get("province_code") or (ctx.editing.province_code if ctx.editing else "") or ""
    regency = _chosen_regency(c, r, ctx, province)
    if isinstance(regency, Outcome):
        return regency
    fields = {"regency": regency.name, "province_code": province}
    return Outcome(Cursor(step=Step.REVIEW), (UpdateClient(c.client_id, fields),))


def _on_edit(c: Cursor, r: Reply, ctx: IntakeContext) -> Outcome:
    if r.choice == "back":
        return Outcome(Cursor(step=Step.REVIEW))
    assert c.client_id is not None and c.edit_field is not None
    if c.edit_field in ("regency", "province") and ctx.regions.has_regencies:
        return _edit_place(c, r, ctx)
    if c.edit_field == "components":
        selected = list(c.client.get("components", []))
        if r.choice and r.choice in {x.value for x in Component}:
            return Outcome(replace(c, client={"components": toggle_components(selected, r.choice)}))
        if r.choice == "done" and selected:
            return Outcome(Cursor(step=Step.REVIEW), (UpdateClient(c.client_id, {"components": selected}),))
        if r.choice == "done":
            raise block(N_("Choose at least one ATENSI component, then press Done."), "components")
        raise need_choice()
    fields = parse_field(c.edit_field, r, ctx)
    effects: list[Effect] = [UpdateClient(c.client_id, fields)]
    if "nik" in fields:
        effects.insert(0, CheckNik(fields["nik"]))
    return Outcome(Cursor(step=Step.REVIEW), tuple(effects))


def _on_consent_guardian(c: Cursor, r: Reply, ctx: IntakeContext) -> Outcome:
    if r.choice == "back":
        return Outcome(Cursor(step=Step.REVIEW))
    if r.text is None:
        raise need_choice()
    minor = ctx.editing if ctx.editing is not None and ctx.editing.id == c.client_id else None
    guardian = parse_guardian(r.text, minor.full_name if minor else None)
    return Outcome(
        replace(
            c, step=Step.CONSENT_FORM, client={"guardian_name": guardian.name, "guardian_relation": guardian.relation}
        )
    )


def _on_consent_form(c: Cursor, r: Reply, ctx: IntakeContext) -> Outcome:
    if r.choice == "back":
        return Outcome(Cursor(step=Step.REVIEW))
    # The answer here is a file (ProposalService.keep_file): typed text says what is expected.
    raise block(
        N_(
            "Send the signed consent form as a photo or a PDF (a clear photo of the whole page). "
            "Typed text cannot replace the signature."
        ),
        "consent",
    )


def start_consent(client: Client, today: dt.date) -> Cursor:
    """The cursor asking for one client's consent: first the guardian of a client under 18 (as the
    NIK's birth date shows), then the signed form."""
    step = Step.CONSENT_GUARDIAN if is_minor(client.nik, today, client.birth_date) else Step.CONSENT_FORM
    return Cursor(step=step, client_id=client.id)


# THE table: each step, the handler of its answer.
STEPS: Mapping[Step, Callable[[Cursor, Reply, IntakeContext], Outcome]] = {
    Step.PERIOD: _on_period,
    Step.NAME: _on_name,
    Step.NIK: _on_nik,
    Step.NIK_CONFIRM: _on_nik_confirm,
    Step.NIK_MISMATCH: _on_nik_mismatch,
    Step.SEX: _on_sex,
    Step.BIRTH_DATE: _on_birth_date,
    Step.REGION: _on_region,
    Step.PROVINCE: _on_province,
    Step.REGENCY: _on_regency,
    Step.ADDRESS: _on_address,
    Step.PHONE: _on_phone,
    Step.APPROACH: _on_approach,
    Step.COMPONENTS: _on_components,
    Step.ASSESSMENT: _on_assessment,
    Step.PLAN: _on_plan,
    Step.BUDGET: _on_budget,
    Step.BUDGET_LINE: _on_budget_line,
    Step.REVIEW: _on_review,
    Step.EDIT: _on_edit,
    Step.CONSENT_GUARDIAN: _on_consent_guardian,
    Step.CONSENT_FORM: _on_consent_form,
}


def answer(cursor: Cursor, reply: Reply, ctx: IntakeContext) -> Outcome:
    """Validate one reply at the cursor; raise ValidationError (cursor unchanged) when it is wrong."""
    return STEPS[cursor.step](cursor, reply, ctx)


def start_edit(client: Client, field_name: str) -> Cursor:
    """The cursor for correcting one field of a saved client."""
    if field_name not in EDITABLE_FIELDS:
        raise need_choice()
    preset = {"components": [x.value for x in client.components]} if field_name == "components" else {}
    return Cursor(step=Step.EDIT, client=preset, client_id=client.id, edit_field=field_name)


def start_budget(client: Client) -> Cursor:
    """The cursor for adding budget lines to a saved client (from the review)."""
    return Cursor(step=Step.BUDGET, client_id=client.id)
