"""What an operator reads while preparing, reviewing and following a proposal (private chat)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from bot.domain.consent import NOTICE_VERSION
from bot.domain.models import Approach, BudgetLine, Client, Component
from bot.domain.proposal_intake import BUDGET_EXAMPLES, NIK_MISMATCH, Step, nik_region
from bot.domain.regions import PROVINCES, RegionsCatalog
from bot.domain.validation import BIRTH_DATE_EXAMPLE, Problem, mask_nik
from bot.domain.workflow import next_step
from bot.i18n import N_, FileSize, Translator, format_date, format_money
from bot.services import DraftState
from handlers.views import STATUS_LABELS, _, clip, esc, team_label

COMPONENT_LABELS: Mapping[Component, str] = {
    Component.LIVING_NEEDS: N_("Decent living needs"),
    Component.CARE: N_("Social care and/or childcare"),
    Component.FAMILY: N_("Family support"),
    Component.THERAPY: N_("Physical, psychosocial and mental-spiritual therapy"),
    Component.VOCATIONAL: N_("Vocational training and/or entrepreneurship"),
    Component.SOCIAL_AID: N_("Social aid and social assistance"),
    Component.ACCESSIBILITY: N_("Accessibility support"),
}

APPROACH_LABELS: Mapping[Approach, str] = {
    Approach.KELUARGA: N_("Family"),
    Approach.KOMUNITAS: N_("Community"),
    Approach.RESIDENSIAL: N_("Residential"),
}

FIELD_LABELS: Mapping[str, str] = {
    "full_name": N_("full name"),
    "nik": N_("NIK"),
    "sex": N_("sex"),
    "birth_date": N_("birth date"),
    "regency": N_("regency/city"),
    "province": N_("province"),
    "address": N_("address"),
    "phone": N_("phone number"),
    "approach": N_("approach"),
    "components": N_("ATENSI components"),
    "assessment": N_("assessment summary"),
    "intervention_plan": N_("intervention plan"),
}

PAGE_SIZE = 8


def month_label(t: Translator, year: int, month: int) -> str:
    # "November 2026": the date formatter's month name, without the day.
    return format_date(dt.date(year, month, 1), t.locale).split(" ", 1)[1]


def sex_label(t: Translator, sex: str | None) -> str:
    if sex == "L":
        return t.gettext(N_("male"))
    if sex == "P":
        return t.gettext(N_("female"))
    return "-"


def components_label(t: Translator, components: Sequence[str]) -> str:
    """The components by number and name, e.g. "1 Kebutuhan hidup layak, 3 Dukungan keluarga"."""
    if not components:
        return "-"
    return ", ".join(f"{x} {t.gettext(COMPONENT_LABELS[Component(x)])}" for x in sorted(components))


def region_label(province_code: str | None, regency: str | None) -> str:
    province = PROVINCES.get(province_code or "", province_code or "")
    return ", ".join(part for part in (regency, province) if part)


def warnings_block(t: Translator, warnings: Sequence[Problem]) -> str:
    return "\n".join("⚠️ " + _(t, w.message, **w.params) for w in warnings)


def draft_warnings(t: Translator, state: DraftState) -> str:
    """The doubts of the last answer, and those of a client list each with its row and client
    (the draft is in the operator's private chat: the client may be named)."""
    lines = [warnings_block(t, state.warnings)] if state.warnings else []
    lines += [
        "⚠️ "
        + (
            _(t, N_("Row {row} (client {number}, {name}):"), row=w.row, number=w.position, name=w.name)
            if w.position is not None
            else _(t, N_("Row {row} ({name}):"), row=w.row, name=w.name)
        )
        + " "
        + _(t, w.problem.message, **w.problem.params)
        for w in state.row_warnings
    ]
    return "\n".join(lines)


# --- the question at the cursor --------------------------------------------------------------------


def question(
    t: Translator, state: DraftState, regions: RegionsCatalog, ceilings: Mapping[str, int], today: dt.date
) -> str:
    """The text that asks for the answer the cursor waits for."""
    c = state.cursor
    # The number the new client gets: after the highest in use (a removed client's number is not
    # given again, so the numbers the operator knows stay true).
    next_number = max((client.position for client in state.clients), default=0) + 1
    number = next_number if c.step not in (Step.BUDGET, Step.BUDGET_LINE) else None
    name = c.client.get("full_name", "")
    step = c.step
    if step == Step.PERIOD:
        text = _(
            t,
            N_(
                "📝 New proposal <b>{code}</b>.\n\n📅 Which month is this proposal for? "
                "Tap one, or type it like {example}."
            ),
            code=state.proposal.code,
            example=_next_month(today),
        )
    elif step == Step.NAME:
        text = _(t, N_("👤 <b>Client {number}</b>: full name as on the ID card (KTP)?"), number=number)
    elif step == Step.NIK:
        text = _(t, N_("🪪 NIK of {name}? (16 digits)"), name=name)
    elif step == Step.NIK_CONFIRM:
        province, regency = nik_region(c.client, regions)
        born = dt.date.fromisoformat(c.client["birth_date"])
        text = _(
            t,
            N_(
                "From the NIK: born {date}, {sex}, registered in {region}. "
                "Is that right, and where does {name} live now?\n"
                "If the NIK itself is wrong, type the correct one."
            ),
            date=format_date(born, t.locale),
            sex=sex_label(t, c.client.get("sex")),
            region=region_label(province, regency),
            name=name,
        )
    elif step == Step.NIK_MISMATCH:
        text = nik_mismatch_prompt(t, c.client)
    elif step == Step.SEX:
        text = _(t, N_("Sex of {name}?"), name=name)
    elif step == Step.BIRTH_DATE:
        text = _(t, N_("Birth date of {name}? e.g. {example}"), name=name, example=BIRTH_DATE_EXAMPLE)
    elif step == Step.REGION:
        text = _(t, N_("🏠 Where does {name} live now?"), name=name)
    elif step == Step.PROVINCE:
        text = _(t, N_("Type the province (part of its name is enough), e.g. {example}."), example="Jawa Barat")
        if c.choices:
            text = _(t, N_("Several provinces match. Choose one:"))
    elif step == Step.REGENCY:
        code = c.client.get("province_code", "")
        known = regions.regencies_of(code)
        # An example from the province asked about (Bogor, the centre's own, in Jawa Barat; without a
        # regions file the other provinces keep it too: no name is known there).
        example = "Bogor" if code == "32" or not known else known[0].name
        text = _(
            t,
            N_("Type the regency or city in {province}, e.g. {example}."),
            province=PROVINCES.get(code, ""),
            example=example,
        )
        if c.choices:
            text = _(t, N_("Several places match. Choose one:"))
    elif step == Step.ADDRESS:
        text = _(
            t,
            N_(
                "🏠 Address of {name}: street, RT/RW and village (desa/kelurahan) — and, if there is one, "
                "the phone number at the end, e.g.\n<code>{example}</code>"
            ),
            name=name,
            example="Jl. Melati 3 RT 01/02, Desa Cibinong, 0812-3456-7890",
        )
    elif step == Step.PHONE:
        text = _(t, N_("Phone number of {name}? (optional)"), name=name)
    elif step == Step.APPROACH:
        text = _(t, N_("Which ATENSI approach for {name}?"), name=name)
        if "address" in c.client:  # read back how the one message was understood
            text = (
                _(
                    t,
                    N_("🏠 {address}\n📞 {phone}"),
                    address=c.client["address"],
                    phone=c.client.get("phone") or t.gettext(N_("no phone number")),
                )
                + "\n\n"
                + text
            )
    elif step == Step.COMPONENTS:
        text = components_prompt(t, c.client.get("components", []), name)
    elif step == Step.ASSESSMENT:
        text = _(t, N_("📋 Summary of the assessment of {name} (a few sentences)?"), name=name)
    elif step == Step.PLAN:
        text = _(t, N_("🎯 Intervention plan for {name}: which services, for how long?"), name=name)
    elif step == Step.BUDGET:
        text = budget_prompt(t, state)
    elif step == Step.BUDGET_LINE:
        component = Component(c.component or "1")
        text = _(
            t,
            N_(
                "Component {number} – {label}.\nWrite the item, the quantity and the unit cost, e.g.\n"
                "<code>{example}</code>\nHighest unit cost: {ceiling}."
            ),
            number=component.value,
            label=t.gettext(COMPONENT_LABELS[component]),
            example=BUDGET_EXAMPLES.get(component.value, BUDGET_EXAMPLES["1"]),
            ceiling=format_money(ceilings.get(component.value, 0)),
        )
        if state.editing is not None:
            text = budget_lines(t, state.editing) + "\n\n" + text
    elif step == Step.EDIT:
        text = edit_prompt(t, state)
    elif step in (Step.CONSENT_GUARDIAN, Step.CONSENT_FORM):
        text = consent_prompt(t, state)
    else:
        return review(t, state)
    if (state.warnings or state.row_warnings) and step != Step.NIK_MISMATCH:  # (that question says it in full)
        text = draft_warnings(t, state) + "\n\n" + text
    return text


def consent_prompt(t: Translator, state: DraftState) -> str:
    """Before sending: the consent of one client (the guardian first for a client under 18)."""
    client = state.editing
    if client is None:
        return _(t, N_("Choose a client first."))
    waiting = len(state.without_consent)
    lines = [
        _(
            t,
            N_("✍️ <b>Consent of client {number}, {name}</b> ({waiting} of {total} still without consent)."),
            number=client.position,
            name=client.full_name,
            waiting=waiting,
            total=len(state.clients),
        )
    ]
    if waiting == len(state.clients):  # said once, before the first client's form, not for each
        lines.append(
            _(
                t,
                N_(
                    "Before the proposal is sent, each client (for a client under 18: a parent or guardian) "
                    "signs your IPWL's consent form after being told the privacy notice, version {version} "
                    "(/panduan → Privacy notice)."
                ),
                version=NOTICE_VERSION,
            )
        )
    lines.append("")
    if state.cursor.step == Step.CONSENT_GUARDIAN:
        lines.append(
            _(
                t,
                N_(
                    "{name} is under 18 (by the NIK or the birth date entered): the consent is signed by a "
                    "parent or guardian. "
                    "Type the guardian's name and relation, separated by a comma, e.g. "
                    "<code>{example}</code>"
                ),
                name=client.full_name,
                example="Siti Aminah, ibu",
            )
        )
    else:
        guardian = state.cursor.client.get("guardian_name")
        if guardian:
            lines.append(
                _(
                    t,
                    N_("Guardian: {name} ({relation})."),
                    name=guardian,
                    relation=state.cursor.client.get("guardian_relation", ""),
                )
            )
        lines.append(_(t, N_("📷 Send a photo (or PDF) of the consent form signed for {name}."), name=client.full_name))
    return "\n".join(lines)


def consent_saved(t: Translator, client: Client, state: DraftState) -> str:
    """A signed form arrived: whose consent it recorded, and what comes next."""
    text = _(
        t,
        N_("✅ Consent of client {number} ({name}) recorded, with the form."),
        number=client.position,
        name=client.full_name,
    )
    if not state.without_consent:
        text += "\n" + _(t, N_("Every client has consent now. Press Send in the summary to send the proposal."))
    return text


def nik_mismatch_prompt(t: Translator, client: Mapping[str, object]) -> str:
    """The birth date or sex typed contradicts the NIK: say both, ask which holds."""
    return _(
        t,
        N_(
            "⚠️ The NIK says born {nik_date}, {nik_sex}; you entered born {date}, {sex}. Which is right?\n"
            "If you keep what you entered, the client is marked for the PIC team to check. "
            "If the NIK itself is wrong, type the correct one."
        ),
        nik_date=format_date(dt.date.fromisoformat(str(client["nik_birth_date"])), t.locale),
        nik_sex=sex_label(t, str(client.get("nik_sex"))),
        date=format_date(dt.date.fromisoformat(str(client["birth_date"])), t.locale),
        sex=sex_label(t, str(client.get("sex"))),
    )


def components_prompt(t: Translator, selected: Sequence[str], name: str) -> str:
    lines = [
        _(
            t,
            N_(
                "Which ATENSI components will {name} receive? Tap to select, then Done — "
                "or type their numbers, e.g. {example}."
            ),
            name=name,
            example="1, 3",
        )
    ]
    for component in Component:
        mark = "✅" if component.value in selected else "▫️"
        lines.append(f"{mark} {component.value}. {esc(t.gettext(COMPONENT_LABELS[component]))}")
    return "\n".join(lines)


def budget_line(t: Translator, line: BudgetLine) -> str:
    """One line of a client's budget (RAB): its component, what it is, quantity × unit = total."""
    return _(
        t,
        N_("• [{component}] {description}: {quantity} × {unit} = {total}"),
        component=line.component.value,
        description=line.description,
        quantity=line.quantity,
        unit=format_money(line.unit_cost),
        total=format_money(line.total),
    )


def budget_lines(t: Translator, client: Client) -> str:
    """The budget (RAB) of one client so far, with its total."""
    lines = [_(t, N_("💰 Budget (RAB) for {name}:"), name=client.full_name)]
    if not client.budget:
        lines.append(_(t, N_("No lines yet.")))
    lines.extend(budget_line(t, line) for line in client.budget)
    lines.append(_(t, N_("Total: <b>{total}</b>"), total=format_money(client.total)))
    return "\n".join(lines)


def budget_prompt(t: Translator, state: DraftState) -> str:
    client = state.editing
    if client is None:
        return _(t, N_("Choose a client first."))
    lines = [budget_lines(t, client), ""]
    if client.budget:
        lines.append(
            _(t, N_("Add another line with a component button, or go on: the next client, or the summary to send."))
        )
    else:
        lines.append(_(t, N_("Choose the component of the first line.")))
    return "\n".join(lines)


def edit_prompt(t: Translator, state: DraftState) -> str:
    client = state.editing
    field_name = state.cursor.edit_field or ""
    label = t.gettext(FIELD_LABELS.get(field_name, field_name))
    if field_name == "components":
        return components_prompt(t, state.cursor.client.get("components", []), client.full_name if client else "")
    if state.cursor.choices:
        return _(t, N_("Several places match. Choose one:"))
    if field_name == "regency" and client is not None:
        province = PROVINCES.get(state.cursor.client.get("province_code") or client.province_code or "", "")
        if province:
            return _(
                t,
                N_("New regency/city for {name}, in {province} (tap it, or type part of its name):"),
                name=client.full_name,
                province=province,
            )
    if field_name == "birth_date" and client is not None:
        # The format is said here as when the question was first asked: day, month, year.
        return _(
            t,
            N_("New birth date for {name} (now {current}), day-month-year, e.g. {example}:"),
            name=client.full_name,
            current=format_date(client.birth_date, t.locale) if client.birth_date else "-",
            example=BIRTH_DATE_EXAMPLE,
        )
    if field_name == "nik":
        return _(t, N_("New NIK for {name} (16 digits):"), name=client.full_name if client else "")
    if field_name in _EDIT_EXAMPLES:
        return _(
            t,
            N_("New {field} for {name}, e.g. {example}:"),
            field=label,
            name=client.full_name if client else "",
            example=_EDIT_EXAMPLES[field_name],
        )
    return _(t, N_("New {field} for {name}:"), field=label, name=client.full_name if client else "")


# What a typed answer looks like, for the fields with a format (said again when one is edited).
_EDIT_EXAMPLES: Mapping[str, str] = {"phone": "0812-3456-7890"}


# --- review ----------------------------------------------------------------------------------------


def nik_read_back(t: Translator, state: DraftState, regions: RegionsCatalog) -> str:
    """The NIK just corrected, as it decodes: born, sex, where issued (the card masks the middle
    digits, so a fix of one of them is checked here, as the first NIK was at its question)."""
    info = state.edited_nik
    assert info is not None
    client = next((c for c in state.clients if c.nik == info.nik), None)
    regency = regions.regency(info.regency_code)
    return _(
        t,
        N_(
            "✅ The NIK of client {number} ({name}) is now {nik}: born {date}, {sex}, registered in "
            "{region}. If that is not right, correct the NIK again from the client's card."
        ),
        number=client.position if client else "-",
        name=client.full_name if client else "",
        nik=mask_nik(info.nik),
        date=format_date(info.birth_date, t.locale),
        sex=sex_label(t, info.sex.value),
        region=region_label(info.province_code, regency.name if regency else None),
    )


def review(t: Translator, state: DraftState, page: int = 0) -> str:
    p = state.proposal
    lines = [_(t, N_("📋 <b>Proposal {code}</b> – {ipwl}"), code=p.code, ipwl=state.ipwl.name)]
    if p.period_year and p.period_month:
        lines.append(_(t, N_("Period: {period}"), period=month_label(t, p.period_year, p.period_month)))
    lines.append(_(t, N_("Status: {status}"), status=t.gettext(STATUS_LABELS[p.status])))
    approaches: dict[str, int] = {}
    components: set[str] = set()
    on_list = [c for c in state.clients if c.id not in state.left]  # (an SK perubahan took the rest off)
    for client in on_list:
        if client.approach:
            label = t.gettext(APPROACH_LABELS[client.approach])
            approaches[label] = approaches.get(label, 0) + 1
        components.update(x.value for x in client.components)
    if state.left:  # after an SK perubahan: the amended list, and what it amended
        lines.append(
            _(
                t,
                N_("Clients: {count} ({left} left the list, SK perubahan {sk})"),
                count=len(state.clients) - len(state.left),
                left=len(state.left),
                sk=", ".join(sorted(set(state.left.values()))),
            )
        )
    else:
        lines.append(_(t, N_("Clients: {count}"), count=len(state.clients)))
    if approaches:
        lines.append(_(t, N_("Approaches: {list}"), list=", ".join(f"{k} {v}" for k, v in sorted(approaches.items()))))
    if components:
        lines.append(_(t, N_("Components: {list}"), list=components_label(t, sorted(components))))
    if state.left:
        lines.append(
            _(
                t,
                N_("Total budget: <b>{total}</b> (on the SK: {original})"),
                total=format_money(state.amended_total),
                original=format_money(state.decreed_total),
            )
        )
    else:
        lines.append(_(t, N_("Total budget: <b>{total}</b>"), total=format_money(state.total)))
    lines.append(_(t, N_("Attachments: {count}"), count=len([a for a in state.attachments if a.supporting])))
    if on_list:
        waiting = [c for c in state.without_consent if c.id not in state.left]
        lines.append(
            _(
                t,
                N_("Consent: {done} of {total} clients")
                if not waiting
                else N_("⚠️ Consent: {done} of {total} clients (asked for when you press Send)"),
                done=len(on_list) - len(waiting),
                total=len(on_list),
            )
        )
    flagged = [c for c in state.clients if "dup_nik" in c.flags]
    if flagged:
        lines.append(
            _(t, N_("⚠️ {count} client(s) also appear in another IPWL's proposal this year."), count=len(flagged))
        )
    contradicted = [c for c in state.clients if NIK_MISMATCH in c.flags]
    if contradicted:
        lines.append(
            _(
                t,
                N_("⚠️ Birth date or sex differs from the NIK: {list} (the PIC team will check)."),
                list=", ".join(str(c.position) for c in contradicted),
            )
        )
    if state.confirmed - state.left.keys():  # decided: they stay out; the operator's next step is their removal
        lines.append(
            _(
                t,
                N_(
                    "⛔ Double assistance confirmed: client(s) {list}. A PIC or the head decided they are the same "
                    "person as a client of another IPWL in the same budget year. They stay out of the SK annex and "
                    "get no transfer; ask for their removal with /perubahan."
                ),
                list=", ".join(
                    str(c.position) for c in state.clients if c.id in state.confirmed and c.id not in state.left
                ),
            )
        )
    if state.held - state.confirmed:  # the operator is told who is held, why, and what happens next
        lines.append(
            _(
                t,
                N_(
                    "🛑 Held (ditahan): client(s) {list}. The same NIK is already in an SK or was paid at another "
                    "IPWL this year. They are not in the SK annex and get no transfer, and no bank account is "
                    "needed for them, until a PIC of your team or the head checks that it is not the same "
                    "person. You will be told when they are cleared."
                ),
                list=", ".join(str(c.position) for c in state.clients if c.id in state.held - state.confirmed),
            )
        )
    no_budget = [c for c in state.clients if not c.budget]
    if no_budget:
        lines.append(_(t, N_("⚠️ {count} client(s) have no budget line yet."), count=len(no_budget)))
    if state.reasons:
        lines.append("")
        lines.append(_(t, N_("<b>Returned by the PIC team because:</b>")))
        lines.extend(reason_lines(t, state))
    if state.clients:
        lines.append("")
        start = page * PAGE_SIZE
        for client in state.clients[start : start + PAGE_SIZE]:
            lines.append(
                _(
                    t,
                    N_("{number}. {name} · {approach} · components {components} · {total}"),
                    number=client.position,
                    name=client.full_name,
                    approach=t.gettext(APPROACH_LABELS[client.approach]) if client.approach else "-",
                    components=", ".join(x.value for x in client.components) or "-",
                    total=format_money(client.total),
                )
                + (" ⚠️" if client.flags else "")
                + (
                    " · " + _(t, N_("⛔ double assistance"))
                    if client.id in state.confirmed
                    else " · " + _(t, N_("🛑 held"))
                    if client.id in state.held
                    else ""
                )
                + (
                    " · " + _(t, N_("left the list (SK perubahan {sk})"), sk=state.left[client.id])
                    if client.id in state.left
                    else ""
                )
            )
    if state.warnings or state.row_warnings:
        lines.append("")
        lines.append(draft_warnings(t, state))
    return clip("\n".join(lines))


def reason_lines(t: Translator, state: DraftState) -> list[str]:
    by_id = {c.id: c for c in state.clients}
    lines = []
    for reason in state.reasons:
        client = by_id.get(reason.client_id) if reason.client_id else None
        prefix = ""
        if client is not None:
            prefix = _(t, N_("client {number} ({name})"), number=client.position, name=client.full_name)
            if reason.field:
                prefix += ", " + t.gettext(FIELD_LABELS.get(reason.field, reason.field))
            prefix += ": "
        lines.append("• " + prefix + esc(reason.reason))
    return lines


def client_card(t: Translator, client: Client) -> str:
    lines = [
        _(t, N_("<b>{number}. {name}</b>"), number=client.position, name=client.full_name),
        _(t, N_("NIK: {nik}"), nik=mask_nik(client.nik)),
        _(
            t,
            N_("Sex: {sex} · born {date}"),
            sex=sex_label(t, client.sex),
            date=format_date(client.birth_date, t.locale) if client.birth_date else "-",
        ),
        _(
            t,
            N_("Address: {address}, {region}"),
            address=client.address or "-",
            region=region_label(client.province_code, client.regency),
        ),
        _(t, N_("Phone: {phone}"), phone=client.phone or "-"),
        _(
            t,
            N_("Approach: {approach} · components {components}"),
            approach=t.gettext(APPROACH_LABELS[client.approach]) if client.approach else "-",
            components=components_label(t, [x.value for x in client.components]),
        ),
        _(t, N_("Assessment: {text}"), text=(client.assessment or "-")[:300]),
        _(t, N_("Plan: {text}"), text=(client.intervention_plan or "-")[:300]),
    ]
    if NIK_MISMATCH in client.flags:
        lines.insert(2, nik_mismatch_flag(t))
    if "dup_nik" in client.flags:
        lines.insert(2, _(t, N_("⚠️ Also in another IPWL's proposal this year.")))
    lines.extend(budget_line(t, line) for line in client.budget)
    lines.append(_(t, N_("Budget total: <b>{total}</b>"), total=format_money(client.total)))
    return clip("\n".join(lines))


def nik_mismatch_flag(t: Translator) -> str:
    """The flag of a client whose birth date or sex was kept against the NIK (operator and PIC)."""
    return _(t, N_("⚠️ Birth date or sex differs from the NIK (kept as entered by the operator)."))


# --- outcomes --------------------------------------------------------------------------------------


def submitted(t: Translator, state: DraftState, team_name: str | None) -> str:
    text = _(
        t,
        N_("📤 Proposal <b>{code}</b> (version {version}) has been sent: {count} client(s), {total}."),
        code=state.proposal.code,
        version=state.proposal.version,
        count=len(state.clients),
        total=format_money(state.total),
    )
    if team_name:
        text += "\n" + _(
            t, N_("{team} will check it. You will be told here when anything changes."), team=team_label(t, team_name)
        )
    return text


def withdrawn(t: Translator, code: str, *, was_draft: bool) -> str:
    if was_draft:
        return _(t, N_("Draft {code} has been discarded."), code=code)
    return _(t, N_("Proposal {code} has been withdrawn."), code=code)


def confirm_withdraw(t: Translator, code: str, *, is_draft: bool) -> str:
    # A draft never sent is discarded, not withdrawn: the question says what the button said.
    if is_draft:
        return _(t, N_("Discard draft {code} and everything in it? This cannot be undone."), code=code)
    return _(t, N_("Withdraw proposal {code}? This cannot be undone."), code=code)


def confirm_discard(t: Translator, code: str) -> str:
    return _(
        t,
        N_(
            "You are in the middle of draft {code}. Stop here? The draft is kept; "
            "continue any time with /lanjut. Or discard it for good."
        ),
        code=code,
    )


def stopped(t: Translator) -> str:
    return _(t, N_("Stopped. Your draft is kept; continue with /lanjut."))


def choose_ipwl(t: Translator) -> str:
    return _(t, N_("You operate more than one IPWL. <b>Which one is this proposal for?</b>"))


def draft_exists(t: Translator, code: str) -> str:
    return _(t, N_("Your IPWL already has a draft, {code}. Continue it or discard it first."), code=code)


def attachment_saved(t: Translator, name: str, size: int, count: int) -> str:
    return _(
        t,
        N_("📎 Saved: {name} ({size}). This proposal has {count} attachment(s)."),
        name=name,
        size=FileSize(size),
        count=count,
    )


def attachments(t: Translator, state: DraftState, *, removed: str | None = None) -> str:
    """The draft's attachments, numbered as the buttons below them, each with its true size."""
    lines = []
    if removed is not None:
        lines += [_(t, N_("🗑 Removed: {name}. It is no longer part of this proposal."), name=removed), ""]
    files = state.documents
    if not files:
        lines.append(
            _(
                t,
                N_("📎 Proposal {code} has no attachments. Send a PDF or a photo here to add one."),
                code=state.proposal.code,
            )
        )
        return "\n".join(lines)
    lines.append(_(t, N_("📎 <b>Attachments of proposal {code}</b>"), code=state.proposal.code))
    for number, attachment in enumerate(files, start=1):
        lines.append(
            _(
                t,
                N_("{number}. {name} · {size}"),
                number=number,
                name=attachment.file_name or "-",
                size=FileSize(attachment.size),
            )
        )
    lines += ["", _(t, N_("Tap a file below to remove it (for a file sent by mistake); the others stay."))]
    return clip("\n".join(lines))


def clients_added(t: Translator, count: int) -> str:
    return _(t, N_("✅ {count} client(s) added."), count=count)


def clients_listed(t: Translator, listed: int, new: int) -> str:
    """A client list naming clients already in the draft: what updating them does, before it is done."""
    lines = [_(t, N_("📋 {listed} client(s) in this file are already in the proposal (same NIK)."), listed=listed)]
    if new:
        lines.append(_(t, N_("{new} client(s) in it are new and will be added."), new=new))
    lines += [
        "",
        _(
            t,
            N_(
                "<b>Update the clients already entered from this file?</b> Their data becomes the file's, "
                "and their budget lines are replaced by the file's lines (a client with no line in the "
                "file keeps theirs). Nothing changes until you tap the button."
            ),
        ),
    ]
    return "\n".join(lines)


def clients_updated(t: Translator, added: int, updated: int) -> str:
    return _(t, N_("✅ {updated} client(s) updated and {added} added from the file."), updated=updated, added=added)


def send_client_list(t: Translator, code: str, count: int) -> str:
    return _(
        t,
        N_(
            "The clients of {code} ({count}) with their budget lines. Add lines or correct data, keep the "
            "NIK, and send the file back here: the bot offers to update the clients already entered."
        ),
        code=code,
        count=count,
    )


def send_template(t: Translator) -> str:
    return _(
        t,
        N_(
            "Fill in this template (one row per client; budget lines on the second sheet) "
            "and send it back here while your draft is open."
        ),
    )


def operator_detail(t: Translator, state: DraftState, now: dt.datetime) -> str:
    text = review(t, state)
    return clip(text + "\n\n" + _(t, next_step(state.proposal.status)))


def _next_month(today: dt.date) -> str:
    """The period example: the month after ``today`` (the second button), never one already past."""
    year, month = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
    return f"{month:02d}-{year}"
