"""What people read about double assistance (issue 16.1): one line per same-NIK pair, the other
side named by its proposal and IPWL codes only, and the adjudication in the private chat.

At a glance: 🛑 held (out of the SK annex and the transfers until someone decides), ⚠️ check (the
other is still under review), ✅ decided (not the same person: by whom, when).
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.domain.double_assistance import HeldClient, NikConflict
from bot.i18n import N_, Translator
from bot.services.double_assistance import Adjudication
from handlers.views import _, clip

MAX_CARD_LINES = 8  # a group card stays short: the rest is counted


def conflict_line(t: Translator, c: NikConflict, *, private: bool = False) -> str:
    """One pair, for the group card (``private`` False: no reason, which a person typed freely)."""
    params = {"number": c.position, "code": c.other_proposal_code, "ipwl": c.other_ipwl_code}
    if c.adjudicated:
        line = _(
            t,
            N_("✅ Client {number}: not the same person as in {code} ({ipwl}), decided by {name}, {when}."),
            name=c.adjudicated_by_name or "-",
            when=c.adjudicated_at,
            **params,
        )
        if private and c.reason:
            line += "\n   " + _(t, N_("Reason: {reason}"), reason=c.reason)
        return line
    if c.holds:
        return _(
            t,
            N_(
                "🛑 Client {number}: the same NIK is already in an SK or paid in {code} ({ipwl}). "
                "Held out of the SK annex and the transfers until a PIC or the head decides."
            ),
            **params,
        )
    return _(
        t,
        N_("⚠️ Client {number}: the same NIK is in {code} ({ipwl}), still under review there. Check both."),
        **params,
    )


def card_lines(t: Translator, conflicts: Sequence[NikConflict]) -> list[str]:
    """The group card's lines: held first, then warnings, then decisions; at most a few."""
    if not conflicts:
        return []
    ordered = sorted(conflicts, key=lambda c: (0 if c.holds else 2 if c.adjudicated else 1, c.position))
    held = len({c.client_id for c in conflicts if c.holds})
    lines = []
    if held:
        lines.append(
            _(
                t,
                N_("🛑 <b>{count} client(s) held for double assistance</b>: a PIC decides in 🔎 Detail."),
                count=held,
            )
        )
    lines.extend(conflict_line(t, c) for c in ordered[:MAX_CARD_LINES])
    if len(ordered) > MAX_CARD_LINES:
        lines.append(_(t, N_("… and {count} more in 🔎 Detail."), count=len(ordered) - MAX_CARD_LINES))
    return lines


def adjudication_prompt(t: Translator, a: Adjudication) -> str:
    lines = [
        _(
            t,
            N_("⚖️ <b>Double assistance: {code}, client {number}. {name}</b>"),
            code=a.proposal.code,
            number=a.client.position,
            name=a.client.full_name,
        )
    ]
    lines.extend(conflict_line(t, c, private=True) for c in a.conflicts)
    lines.append("")
    lines.append(
        _(
            t,
            N_(
                "Check that this is not the same person (KTP, KK, birth date, mother's name; the other IPWL's "
                "PIC team through the centre). Then type <b>why they are not the same person</b> (at least 10 "
                "characters), e.g. “different birth date and mother's name, checked with Dukcapil”. Do not "
                "type the NIK. If it is the same person, do not decide: the client stays held and receives "
                "nothing from this proposal. /batal to stop."
            ),
        )
    )
    return clip("\n".join(lines))


def adjudicated(t: Translator, a: Adjudication) -> str:
    if not a.decided_now:  # someone was faster: say who and when; nothing was recorded now
        earlier = a.earlier
        return _(
            t,
            N_("Already decided by {name} on {when}: not the same person."),
            name=(earlier.adjudicated_by_name if earlier else None) or "-",
            when=earlier.adjudicated_at if earlier else "-",
        )
    codes = ", ".join(f"{c.other_proposal_code} ({c.other_ipwl_code})" for c in a.decided_now)
    decided = a.decided_now[0] if a.decided_now else None
    lines = [
        _(
            t,
            N_("✅ Recorded: client {number}. {name} of {code} is not the same person as in {codes}."),
            number=a.client.position,
            name=a.client.full_name,
            code=a.proposal.code,
            codes=codes,
        )
    ]
    if decided is not None:
        lines.append(_(t, N_("Reason: <i>{reason}</i>"), reason=decided.reason or "-"))
        lines.append(
            _(t, N_("By {name}, {when}."), name=decided.adjudicated_by_name or "-", when=decided.adjudicated_at)
        )
    if a.held:
        lines.append(_(t, N_("🛑 Still held by another conflict: see the lines above.")))
    else:
        lines.append(_(t, N_("The client is back in the SK annex and the transfers.")))
    return clip("\n".join(lines))


def waiting_lines(t: Translator, items: Sequence[HeldClient], *, head: bool = False) -> list[str]:
    """For /tugas: each held client by code and number, with the other side's codes, and where to decide."""
    where = (
        N_(
            "🛑 {code} client {number}: held for double assistance (same NIK in {other}, {ipwl}); "
            "decide with ⚖️ under the SK annex."
        )
        if head
        else N_(
            "🛑 {code} client {number}: held for double assistance (same NIK in {other}, {ipwl}); decide in 🔎 Detail."
        )
    )
    return [
        _(
            t,
            where,
            code=i.proposal_code,
            number=i.position,
            other=i.other_proposal_code,
            ipwl=i.other_ipwl_code,
        )
        for i in items
    ]


def decide_label(t: Translator, position: int) -> str:
    return t.pgettext("button", "⚖️ Decide {number}", number=position)
