"""The clients' consents (issue 17.6): ``/persetujuan KODE`` and a withdrawal, in a private chat."""

from __future__ import annotations

from bot.domain.models import Consent
from bot.i18n import N_, Translator
from bot.services.privacy import ConsentCard, ConsentSheet, ConsentWithdrawn
from handlers.views import _, clip
from handlers.views.admin import erased


def usage(t: Translator) -> str:
    return _(
        t, N_("Write the proposal's code after the command, e.g. {example}."), example="/persetujuan USL-2026-0001"
    )


def consent_state(t: Translator, consent: Consent | None) -> str:
    if consent is None or (consent.in_force and not consent.notice_version):
        return _(t, N_("⚠️ no consent on record"))
    if not consent.in_force:
        return _(t, N_("✋ withdrawn on {date}"), date=consent.withdrawn_at)
    text = _(t, N_("✅ given on {date} (notice {version})"), date=consent.recorded_at, version=consent.notice_version)
    if consent.guardian_name:
        text += " " + _(
            t, N_("by {name} ({relation})"), name=consent.guardian_name, relation=consent.guardian_relation or ""
        )
    return text


def sheet(t: Translator, data: ConsentSheet, page: int = 0, page_size: int = 10) -> str:
    lines = [_(t, N_("✍️ <b>Consent of the clients of {code}</b>"), code=data.proposal_code)]
    shown = data.clients[page * page_size : (page + 1) * page_size]
    if len(shown) < len(data.clients):
        first = page * page_size + 1
        lines.append(
            _(
                t,
                N_("Clients {first}–{last} of {total}"),
                first=first,
                last=first + len(shown) - 1,
                total=len(data.clients),
            )
        )
    lines.append("")
    for client, consent in shown:
        lines.append(
            _(
                t,
                N_("{number}. {name}: {state}"),
                number=client.position,
                name=client.full_name,
                state=consent_state(t, consent),
            )
        )
    if data.may_record:
        footer = N_(
            "Tap a client to open their consent: the signed form, a guardian typed wrong, or a withdrawal of consent."
        )
    else:
        footer = N_("A client who withdraws consent tells the IPWL or the centre's admin, who record it here.")
    lines += ["", _(t, footer)]
    return clip("\n".join(lines))


def consent_card(t: Translator, card: ConsentCard) -> str:
    return _(
        t,
        N_("✍️ <b>Client {number} of {code}: {name}</b>\nConsent: {state}"),
        number=card.client.position,
        code=card.sheet.proposal_code,
        name=card.client.full_name,
        state=consent_state(t, card.consent),
    )


def form_sent(t: Translator) -> str:
    return _(t, N_("The signed form is sent below."))


def form_caption(t: Translator, code: str, number: int) -> str:
    return _(t, N_("📄 Signed consent form of client {number} of {code}"), number=number, code=code)


def guardian_prompt(t: Translator, card: ConsentCard) -> str:
    return _(
        t,
        N_(
            "Type the guardian of {name} as on the signed form: name and relation, separated by a comma, "
            "e.g. <code>{example}</code>. Now: {current}. (/batal to leave it as it is.)"
        ),
        name=card.client.full_name,
        example="Siti Aminah, ibu",
        current=f"{card.consent.guardian_name} ({card.consent.guardian_relation or ''})" if card.consent else "-",
    )


def guardian_corrected(t: Translator, card: ConsentCard) -> str:
    return _(t, N_("✅ Guardian corrected.")) + "\n\n" + consent_card(t, card)


def confirm_withdrawal(t: Translator, code: str, number: int) -> str:
    return _(
        t,
        N_(
            "Record that client {number} of {code} withdrew consent? Before the SK the client is removed "
            "from the proposal and their data erased at once (a proposal under review goes back to the "
            "IPWL); after it, the data is erased as soon as the money is accounted for. This cannot be "
            "undone."
        ),
        number=number,
        code=code,
    )


def withdrawn(t: Translator, done: ConsentWithdrawn, *, for_admin: bool) -> str:
    lines = [_(t, N_("✋ The withdrawal of consent is recorded ({code})."), code=done.proposal_code)]
    if done.erased is not None:
        lines.append(erased(t, done.erased, for_admin=for_admin))
    if done.returned:
        lines.append(
            _(
                t,
                N_(
                    "{code} went back to the IPWL: the list of clients the PIC team was checking has changed. "
                    "The team is told, without the client's data."
                ),
                code=done.proposal_code,
            )
        )
        if done.by_operator:
            lines.append(
                _(
                    t,
                    N_("Check the proposal and send it again with /lanjut {code}, or withdraw it."),
                    code=done.proposal_code,
                )
            )
        else:
            lines.append(_(t, N_("The IPWL's operators are told to check it and send it again.")))
    elif done.kept is not None:
        lines.append(_(t, N_("The data cannot be erased yet:")) + " " + _(t, done.kept.reason, **done.kept.params))
        lines.append(
            _(t, N_("The daily retention job erases it as soon as the rules allow; nobody needs to remember."))
        )
    return "\n".join(lines)


def withdrawn_ipwl_notice(t: Translator, code: str, position: int) -> str:
    return _(
        t,
        N_(
            "✋ Client {number} of proposal <b>{code}</b> withdrew their consent: they are removed from the "
            "proposal and their data is erased. The proposal came back to you: check it (the total changed) "
            "and send it again, or withdraw it."
        ),
        number=position,
        code=code,
    )


def withdrawn_team_notice(t: Translator, code: str) -> str:
    return _(
        t,
        N_(
            "✋ Proposal <b>{code}</b> went back to the IPWL: a client withdrew their consent and was removed. "
            "Its review stops here; it comes back to the team as a new version when the IPWL sends it again."
        ),
        code=code,
    )
