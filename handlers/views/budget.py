"""The year's budget ceiling (pagu): what an admin reads after ``/pagu``, and the head's refusal."""

from __future__ import annotations

from collections.abc import Sequence

from bot.domain.budget import WHOLE_YEAR, Overrun
from bot.domain.models import Component
from bot.i18n import N_, Translator, format_money
from bot.services.budget import BudgetPosition, CeilingChange, CeilingProposal
from handlers.views import _, clip
from handlers.views.proposals import COMPONENT_LABELS


def _scope(t: Translator, component: str) -> str:
    if component == WHOLE_YEAR:
        return _(t, N_("Whole year (every component)"))
    return _(
        t, N_("Component {number} ({name})"), number=component, name=t.gettext(COMPONENT_LABELS[Component(component)])
    )


def position(t: Translator, p: BudgetPosition) -> str:
    """``/pagu``: each ceiling of the year with what the SKs committed and what remains."""
    lines = [_(t, N_("💰 <b>Budget ceiling (pagu) {year}</b>"), year=p.year)]
    if not p.ceilings:
        lines.append(_(t, N_("No ceiling is set for {year}: SKs are not checked against one."), year=p.year))
    for ceiling in p.ceilings:
        committed = p.committed_to(ceiling.component)
        lines += [
            "",
            f"<b>{_scope(t, ceiling.component)}</b>",
            _(
                t,
                N_("Ceiling {ceiling} · committed (SK) {committed} · remaining {remaining}"),
                ceiling=format_money(ceiling.amount),
                committed=format_money(committed),
                remaining=format_money(ceiling.amount - committed),
            ),
        ]
        if p.held_in(ceiling.component):
            lines.append(held_note(t, p.held_in(ceiling.component)))
    lines += [
        "",
        _(
            t,
            N_("To set or change a ceiling: {example}, or for one component {component_example}."),
            example=f"/pagu {p.year} Rp 5.000.000.000",
            component_example=f"/pagu {p.year} komponen 3 Rp 750.000.000",
        ),
    ]
    return clip("\n".join(lines))


def changed(t: Translator, change: CeilingChange) -> str:
    """The ceiling just set, then the year's position."""
    if change.before is None:
        head = _(
            t,
            N_("✅ Ceiling set: {scope} {year}, {amount}."),
            scope=_scope(t, change.component),
            year=change.position.year,
            amount=format_money(change.after),
        )
    elif change.before == change.after:
        head = _(t, N_("The ceiling is already {amount}: nothing changed."), amount=format_money(change.after))
    else:
        head = _(
            t,
            N_("✅ Ceiling changed: {scope} {year}, from {before} to {amount}."),
            scope=_scope(t, change.component),
            year=change.position.year,
            before=format_money(change.before),
            amount=format_money(change.after),
        )
    return clip(head + "\n\n" + position(t, change.position))


def confirm(t: Translator, p: CeilingProposal) -> str:
    """The change read back before it is saved: the old and the new figure, and what it leaves."""
    committed = p.position.committed_to(p.component)
    lines = [
        _(t, N_("💰 <b>Change the budget ceiling?</b> {scope} {year}"), scope=_scope(t, p.component), year=p.year),
        "",
        _(t, N_("Now: {amount}"), amount=format_money(p.before) if p.before is not None else _(t, N_("none set"))),
        _(t, N_("New: <b>{amount}</b>"), amount=format_money(p.after)),
        _(
            t,
            N_("Committed (SKs issued): {committed} · remaining after the change: {remaining}"),
            committed=format_money(committed),
            remaining=format_money(p.after - committed),
        ),
    ]
    if p.after < committed:
        lines.append(_(t, N_("⚠️ The new ceiling is below what the SKs already committed: no further SK will fit.")))
    lines += ["", _(t, N_("Nothing is saved until you press ✅ Save."))]
    return clip("\n".join(lines))


def kept(t: Translator, p: BudgetPosition, component: str, before: int | None) -> str:
    """✖️: nothing changed, and the ceiling that stays."""
    amount = format_money(before) if before is not None else _(t, N_("none set"))
    return _(
        t,
        N_("✖️ Cancelled: nothing changed. The ceiling {scope} {year} stays {amount}."),
        scope=_scope(t, component),
        year=p.year,
        amount=amount,
    )


def held_note(t: Translator, amount: int) -> str:
    """Why committed is more than the SKs' annexes add up to: the held clients' budget in reserve."""
    return _(
        t,
        N_(
            "(Committed includes {amount} for clients held for double assistance: kept in reserve until a PIC "
            "or the head decides, so clearing them never takes the year above the ceiling.)"
        ),
        amount=format_money(amount),
    )


def selection_over(t: Translator, year: int, overruns: Sequence[Overrun]) -> list[str]:
    """On the head's SK card, before "Issue": the ticked proposals do not fit the ceiling."""
    lines = [_(t, N_("⚠️ <b>This selection is above the budget ceiling of {year}.</b>"), year=year)]
    for over in overruns:
        lines.append(
            _(
                t,
                N_(
                    "{scope}: ceiling {ceiling} · committed {committed} · this selection {this_sk} · "
                    "remaining {remaining} ({excess} over)"
                ),
                scope=_scope(t, over.component),
                ceiling=format_money(over.ceiling),
                committed=format_money(over.committed),
                this_sk=format_money(over.this_sk),
                remaining=format_money(over.remaining),
                excess=format_money(over.excess),
            )
        )
    if any(over.held for over in overruns):
        lines.append(held_note(t, max(over.held for over in overruns)))
    lines.append(
        _(t, N_("An SK above the ceiling is refused: untick proposals, or ask an admin to check the ceiling (/pagu)."))
    )
    return lines


def over_ceiling(t: Translator, years: Sequence[tuple[int, Sequence[Overrun]]]) -> str:
    """The head's SK refused: for each budget year it charges and each ceiling of that year it
    would exceed, the four figures (an SK spanning two budget years: each year's apart)."""
    several = len(years) > 1
    lines = [
        _(
            t,
            N_("⛔ <b>The SK was not issued</b>: it is above the budget ceiling of {year}."),
            year=", ".join(str(year) for year, _o in years),
        )
    ]
    for year, overruns in years:
        for over in overruns:
            scope = _scope(t, over.component)
            lines += ["", f"<b>{year} · {scope}</b>" if several else f"<b>{scope}</b>", *_figures(t, over)]
            if over.held:
                lines.append(held_note(t, over.held))
    lines += [
        "",
        _(
            t,
            N_(
                "Nothing was recorded. Untick proposals until the SK fits in what remains, or ask an admin "
                "to check the ceiling (/pagu)."
            ),
        ),
    ]
    return clip("\n".join(lines))


def _figures(t: Translator, over: Overrun) -> list[str]:
    return [
        _(t, N_("Ceiling: {amount}"), amount=format_money(over.ceiling)),
        _(t, N_("Committed (SKs issued): {amount}"), amount=format_money(over.committed)),
        _(t, N_("This SK: {amount}"), amount=format_money(over.this_sk)),
        _(
            t,
            N_("Remaining: {amount} (this SK is {excess} over)"),
            amount=format_money(over.remaining),
            excess=format_money(over.excess),
        ),
    ]
