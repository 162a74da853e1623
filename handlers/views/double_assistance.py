"""What people read about double assistance (issue 16.1): one line per same-NIK pair, the other
side named by its proposal and IPWL codes only, and the adjudication in the private chat.

At a glance: 🛑 held (out of the SK annex and the transfers until someone decides), ⚠️ check (the
other is still under review), ✅ decided (not the same person: by whom, when).
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.domain.double_assistance import DECREED_STATUSES, HeldClient, NikConflict
from bot.domain.models import ProposalStatus
from bot.i18n import N_, Translator
from bot.services.double_assistance import Adjudication, SamePerson
from handlers.views import _, clip

MAX_CARD_LINES = 8  # a group card stays short: the rest is counted


def conflict_line(t: Translator, c: NikConflict, *, private: bool = False) -> str:
    """One pair, for the group card (``private`` False: no reason, which a person typed freely)."""
    params = {"number": c.position, "code": c.other_proposal_code, "ipwl": c.other_ipwl_code}
    if c.adjudicated and c.same_person:
        msgid = (
            N_(
                "⛔ Client {number}: the same person as in {code} ({ipwl}), decided by {name}, {when}: double "
                "assistance confirmed, kept out of the SK annex and the transfers; to be removed by an SK perubahan."
            )
            if c.holds
            else N_(
                "☑️ Client {number}: the same person as in {code} ({ipwl}), decided by {name}, {when}: assisted "
                "here; the other IPWL's client is kept out."
            )
        )
        line = _(t, msgid, name=c.adjudicated_by_name or "-", when=c.adjudicated_at, **params)
        if private and c.reason:
            line += "\n   " + _(t, N_("Reason: {reason}"), reason=c.reason)
        return line
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
    # Where the other proposal is now: "still under review" only while it is (a pair found then
    # stays soft until this side's next re-check).
    if c.other_status in DECREED_STATUSES:
        msgid = N_("⚠️ Client {number}: the same NIK is in {code} ({ipwl}), in an SK there. Check both.")
    elif c.other_status == ProposalStatus.VALIDATED:
        msgid = N_("⚠️ Client {number}: the same NIK is in {code} ({ipwl}), validated there. Check both.")
    else:
        msgid = N_("⚠️ Client {number}: the same NIK is in {code} ({ipwl}), still under review there. Check both.")
    return _(t, msgid, **params)


def card_lines(t: Translator, conflicts: Sequence[NikConflict]) -> list[str]:
    """The group card's lines: held first, then warnings, then decisions; at most a few."""
    if not conflicts:
        return []
    ordered = sorted(
        conflicts, key=lambda c: (0 if c.holds and not c.adjudicated else 2 if c.adjudicated else 1, c.position)
    )
    held = len({c.client_id for c in conflicts if c.holds and not c.adjudicated})
    lines = []
    if held:
        lines.append(
            _(
                t,
                N_("🛑 <b>{count} client(s) held for double assistance</b>: a PIC decides in 🔎 Detail."),
                count=held,
            )
        )
    elif any(not c.adjudicated for c in conflicts):
        # Warned only: verifying and validating go on, so say where the decision is made, or a busy
        # PIC validates without ever seeing it (a newcomer did).
        lines.append(_(t, N_("⚖️ Same person or not? A PIC decides in 🔎 Detail → ⚖️ Decide.")))
    lines.extend(conflict_line(t, c) for c in ordered[:MAX_CARD_LINES])
    if len(ordered) > MAX_CARD_LINES:
        lines.append(_(t, N_("… and {count} more in 🔎 Detail."), count=len(ordered) - MAX_CARD_LINES))
    return lines


def _adjudication_head(t: Translator, a: Adjudication) -> list[str]:
    """The top of both adjudication prompts: whose client, and every NIK conflict in full (private)."""
    head = _(
        t,
        N_("⚖️ <b>Double assistance: {code}, client {number}. {name}</b>"),
        code=a.proposal.code,
        number=a.client.position,
        name=a.client.full_name,
    )
    return [head, *(conflict_line(t, c, private=True) for c in a.conflicts)]


def adjudication_prompt(t: Translator, a: Adjudication) -> str:
    if a.same_person:
        return same_person_prompt(t, a)
    lines = _adjudication_head(t, a)
    lines.append("")
    lines.append(
        _(
            t,
            N_(
                "Check whether this is the same person (KTP, KK, birth date, mother's name; the other IPWL's "
                "PIC team through the centre)."
            ),
        )
    )
    lines.append(
        _(
            t,
            N_(
                "✅ <b>Not the same person</b>: type <b>why they are not the same person</b> (at least 10 "
                "characters), e.g. “different birth date and mother's name, checked with Dukcapil”. What you "
                "type records that they are <b>NOT</b> the same person, and the client is cleared. Do not type "
                "the NIK. /batal to stop."
            ),
        )
    )
    lines.append(
        _(
            t,
            N_(
                "🟰 <b>If they are the same person</b>, do not type the reason here: press 🟰 The same person "
                "below first."
            ),
        )
    )
    return clip("\n".join(lines))


def same_person_prompt(t: Translator, a: Adjudication) -> str:
    lines = _adjudication_head(t, a)
    lines += [
        "",
        _(
            t,
            N_(
                "🟰 <b>The same person</b>: the client stays out of the SK annex and the transfers for good, "
                "and the IPWL's operator is asked to remove them by an SK perubahan. Type <b>how you "
                "established it</b> (at least 10 characters), e.g. “same KTP and KK, confirmed with the other "
                "IPWL's PIC team”. Do not type the NIK. /batal to stop."
            ),
        ),
    ]
    return clip("\n".join(lines))


def adjudicated(t: Translator, a: Adjudication) -> str:
    if not a.decided_now:  # someone was faster: say who and when; nothing was recorded now
        earlier = a.earlier
        return _(
            t,
            N_("Already decided by {name} on {when}: the same person (double assistance confirmed).")
            if earlier is not None and earlier.same_person
            else N_("Already decided by {name} on {when}: not the same person."),
            name=(earlier.adjudicated_by_name if earlier else None) or "-",
            when=earlier.adjudicated_at if earlier else "-",
        )
    codes = ", ".join(f"{c.other_proposal_code} ({c.other_ipwl_code})" for c in a.decided_now)
    decided = a.decided_now[0] if a.decided_now else None
    lines = [
        _(
            t,
            N_(
                "⛔ Recorded: client {number}. {name} of {code} is the same person as in {codes} "
                "(double assistance confirmed)."
            )
            if a.same_person
            else N_("✅ Recorded: client {number}. {name} of {code} is not the same person as in {codes}."),
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
    if a.same_person and a.held:
        lines.append(
            _(
                t,
                N_(
                    "The client stays out of the SK annex and the transfers for good; the IPWL's operators are "
                    "asked to remove them by an SK perubahan. Both PIC teams' cards show the decision."
                ),
            )
        )
    elif a.same_person:
        lines.append(
            _(
                t,
                N_(
                    "The other IPWL's client was already held by this pair: that one stays out of the SK annex and "
                    "the transfers for good, and this client stays assisted here. Both PIC teams' cards show the "
                    "decision."
                ),
            )
        )
    elif a.held:
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


def same_person_label(t: Translator) -> str:
    return t.pgettext("button", "🟰 The same person")


def same_person_notice(t: Translator, found: SamePerson) -> str:
    """To the client's own operators (a private chat): the decision, and how to remove the client."""
    # Never the other IPWL's proposal or code: an operator must not learn that their client is
    # enrolled at another institution's programme, only that the centre found the double assistance.
    params = {
        "code": found.proposal.code,
        "number": found.client.position,
        "name": found.client.full_name,
        "by": found.decision.adjudicated_by_name or "-",
    }
    text = _(
        t,
        N_(
            "⛔ {code}, client {number} ({name}) was decided by {by} to be the same person as a client of "
            "another IPWL in the same budget year: double assistance confirmed. They stay out of the SK annex "
            "and receive no transfer from this proposal."
        ),
        **params,
    )
    if found.changeable:
        return (
            text
            + "\n"
            + _(
                t,
                N_(
                    "Ask for their removal now: press 📝 Ask for the removal (or /perubahan {code} {number} and "
                    "choose “double assistance”), give the reason and the evidence."
                ),
                **params,
            )
        )
    return (
        text
        + "\n"
        + _(
            t,
            N_(
                "The SK of {code} is not issued yet: nothing to do now, the SK will leave them out of its annex. "
                "Once it is issued, ask for their removal with /perubahan {code} {number} "
                "(“double assistance”, with the reason and the evidence)."
            ),
            **params,
        )
    )


def decide_label(t: Translator, position: int) -> str:
    return t.pgettext("button", "⚖️ Decide {number}", number=position)
