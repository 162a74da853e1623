"""All message text: translated for the recipient, HTML-escaped, within Telegram's limits.

Every string a person reads is built here from an English msgid. Params are escaped before they
are put into the (trusted) translated template, so a name like ``<b>Budi & Co</b>`` shows as
typed and never breaks the HTML.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Iterable, Mapping, Sequence

from bot.domain.models import ProposalStatus, Role
from bot.domain.regions import PROVINCES
from bot.domain.validation import ValidationError
from bot.domain.workflow import WorkflowError, next_step
from bot.files.problems import ImportProblem, render_problem
from bot.i18n import N_, FileSize, Translator, format_age, format_date, format_datetime, format_file_size, format_money
from bot.services import Identity, IpwlStatus, Redemption, ServiceError

MAX_TEXT = 4096

ROLE_LABELS: Mapping[Role, str] = {
    Role.OPERATOR: N_("IPWL operator"),
    Role.PIC: N_("PIC team member"),
    Role.FINANCE: N_("finance"),
    Role.HEAD: N_("head of centre"),
    Role.ADMIN: N_("admin"),
    Role.AUDITOR: N_("auditor"),
    Role.COMPLAINT_OFFICER: N_("complaint officer"),
}

STATUS_LABELS: Mapping[ProposalStatus, str] = {
    ProposalStatus.DRAFT: N_("Draft, not yet submitted"),
    ProposalStatus.SUBMITTED: N_("Submitted, waiting for the PIC team"),
    ProposalStatus.IN_REVIEW: N_("Being checked by the PIC team"),
    ProposalStatus.VERIFIED: N_("Verified, waiting for validation"),
    ProposalStatus.VALIDATED: N_("Validated, waiting for the decree (SK)"),
    ProposalStatus.RETURNED: N_("Returned for revision"),
    ProposalStatus.REJECTED: N_("Rejected"),
    ProposalStatus.WITHDRAWN: N_("Withdrawn"),
    ProposalStatus.DECREED: N_("Decree (SK) issued, bank accounts needed"),
    ProposalStatus.ACCOUNTS_SUBMITTED: N_("Bank accounts being checked"),
    ProposalStatus.ACCOUNTS_VERIFIED: N_("Accounts verified, waiting for payment"),
    ProposalStatus.PAID: N_("Funds transferred, accountability report (LPJ) due"),
    ProposalStatus.LPJ_SUBMITTED: N_("LPJ submitted, being checked"),
    ProposalStatus.LPJ_RETURNED: N_("LPJ returned for revision"),
    ProposalStatus.LPJ_VERIFIED: N_("LPJ verified, waiting for finance"),
    ProposalStatus.CLOSED: N_("Closed"),
}


def esc(value: object) -> str:
    return html.escape(str(value), quote=False)


def _(t: Translator, msgid: str, **params: object) -> str:
    """Translate ``msgid`` and fill its params, each HTML-escaped."""
    return t.gettext(msgid, **{k: esc(_display(t, v)) for k, v in params.items()})


def _display(t: Translator, value: object) -> object:
    if isinstance(value, ProposalStatus):  # a step of the lifecycle, as people call it
        return t.gettext(STATUS_LABELS[value])
    if isinstance(value, float):  # "25,5 MB" in Indonesian, not "25.5"
        return t.format_number(value, decimals=0 if value.is_integer() else 1)
    if isinstance(value, dt.datetime):
        return format_datetime(value, t.zone, t.locale)  # on the reader's clock (WIB, WITA or WIT)
    if isinstance(value, dt.date):
        return format_date(value, t.locale)
    if isinstance(value, FileSize):
        return format_file_size(value, t.locale)
    return value


def clip(text: str, limit: int = MAX_TEXT) -> str:
    """Keep a message within Telegram's limit, cutting at a line break (never inside a tag)."""
    if len(text) <= limit:
        return text
    cut = text.rfind("\n", 0, limit - 2)
    return text[: cut if cut > 0 else limit - 2].rstrip() + "\n…"


def role_names(t: Translator, roles: Iterable[Role]) -> str:
    return ", ".join(t.gettext(ROLE_LABELS[r]) for r in sorted(set(roles), key=list(Role).index))


# --- errors --------------------------------------------------------------------------------------


def refusal(t: Translator, error: ServiceError | WorkflowError | ValidationError) -> str:
    """Render a refusal: a validation's problems, or a service's or the workflow's message and params."""
    if isinstance(error, ValidationError):
        return "\n".join("⚠️ " + _(t, p.message, **p.params) for p in error.problems)
    params = error.params
    text = "⚠️ " + _(t, error.message, **params)
    status = next((v for v in params.values() if isinstance(v, ProposalStatus)), None)
    if status is not None:  # name the step the proposal is at, and who acts next
        text += "\n" + _(t, next_step(status))
    return text


def import_problems(t: Translator, problems: Sequence[ImportProblem], *, limit: int = 40) -> str:
    lines = [_(t, N_("Nothing was imported. Fix these rows and send the file again:"))]
    for problem in problems[:limit]:
        lines.append(render_problem(problem, lambda msgid, **params: _(t, msgid, **params)))
    if len(problems) > limit:
        lines.append(_(t, N_("…and {count} more."), count=len(problems) - limit))
    return clip("\n".join(lines))


def unexpected_error(t: Translator, *, saved: bool) -> str:
    """What went wrong, truthfully: whether a change had already been saved when it failed."""
    if saved:
        return _(
            t,
            N_(
                "Sorry, something went wrong on our side after your change was saved. Please check "
                "the result (for example with /status) before you try again."
            ),
        )
    return _(t, N_("Sorry, something went wrong on our side and nothing was changed. Please try again in a moment."))


# --- onboarding ----------------------------------------------------------------------------------


def welcome_stranger(t: Translator, centre: str) -> str:
    return (
        _(
            t,
            N_(
                "Hello! This is the ATENSI partnership bot of {centre}.\n\n"
                "You are not registered yet. Ask the centre's admin for an invitation link, "
                "then open it to start."
            ),
            centre=centre,
        )
        + "\n\n"
        + language_hint(t)
    )


def language_hint(t: Translator) -> str:
    """One line at a welcome: how to switch language (worded for someone who cannot read it yet)."""
    return _(t, N_("🌐 To change the language, send /bahasa."))


def welcome(t: Translator, who: Identity) -> str:
    """A registered person's first /start in a private chat (an admin of the config, say)."""
    return (
        _(
            t,
            N_("Welcome, {name}. You are registered as: {roles}.\nSend /bantuan for help."),
            name=who.person.full_name,
            roles=role_names(t, who.actor.roles),
        )
        + "\n\n"
        + language_hint(t)
    )


def welcome_back(t: Translator, who: Identity) -> str:
    return _(
        t,
        N_("Welcome back, {name}. You are registered as: {roles}.\nSend /bantuan for help."),
        name=who.person.full_name,
        roles=role_names(t, who.actor.roles),
    )


def team_label(t: Translator, name: str) -> str:
    """A PIC team's name as a phrase: "Tim PIC 1" as it is, "Jawa Barat" as "Tim PIC Jawa Barat"
    (never "Tim PIC Tim PIC 1")."""
    if name.strip().lower().startswith(("tim ", "team ", "tim-", "team-")):
        return name
    return t.gettext(N_("PIC team {name}"), name=name)


def invite_redeemed(t: Translator, redemption: Redemption) -> str:
    role = t.gettext(ROLE_LABELS[redemption.role])
    if redemption.ipwl is not None:
        text = _(
            t, N_("✅ Done. You are now registered as {role} of <b>{ipwl}</b>."), role=role, ipwl=redemption.ipwl.name
        )
    elif redemption.team is not None:
        text = _(
            t,
            N_("✅ Done. You are now registered as a member of <b>{team}</b>."),
            team=team_label(t, redemption.team.name),
        )
    else:
        text = _(t, N_("✅ Done. You are now registered as {role}."), role=role)
    if redemption.conflict:  # the admins were warned too; the person should know why they may ask
        text += "\n\n" + _(
            t,
            N_(
                "⚠️ You now hold the roles {roles}, which the centre keeps apart where it can (segregation of "
                "duties); the admins have been told."
            ),
            roles=role_names(t, redemption.conflict),
        )
    return text + "\n\n" + _(t, N_("Send /bantuan to see what you can do.")) + "\n" + language_hint(t)


def group_bound(t: Translator, team_name: str, team_code: str) -> str:
    return _(
        t,
        N_(
            "✅ This group is now the working group of <b>{team}</b> ({code}). "
            "New proposals of the team's IPWL will be announced here."
        ),
        team=team_label(t, team_name),
        code=team_code,
    )


def group_only(t: Translator) -> str:
    return _(t, N_("This command works in the PIC team's group chat."))


def private_only(t: Translator) -> str:
    return _(t, N_("This command works in a private chat with the bot, to keep personal data out of groups."))


# --- help, language, cancel ------------------------------------------------------------------------

_HELP_BY_ROLE: Mapping[Role, Sequence[str]] = {
    Role.OPERATOR: (
        N_("/ajukan – prepare a new proposal, one question at a time"),
        N_("/lanjut – continue your draft where you stopped"),
        N_("/templat – a spreadsheet for many clients at once"),
        N_("/status – your IPWL's proposals and where each one stands; /status CODE for one"),
        N_("/rekening – the clients' bank accounts, once the SK is issued"),
        N_("/lpj – the accountability report (LPJ) once the funds are transferred; /lpj CODE for one"),
        N_("/tugas – what waits for you, oldest first"),
        N_("/persetujuan CODE – your clients' consent; record a client's withdrawal there"),
        N_("/perubahan CODE – after the SK: a client who dropped out, died, moved, or whose name or NIK was wrong"),
    ),
    Role.PIC: (
        N_("Proposals of your team's IPWL are announced in the team's group with buttons to act on them."),
        N_(
            "On a card: Claim, then Verify or Return/Reject (reasons in the private chat); a colleague Validates. "
            "Detail opens the clients privately."
        ),
        N_("LPJ cards: Verify or Return (reasons in the private chat); finance validates."),
        N_("/tugas – the team's queue, oldest first"),
        N_("/persetujuan CODE – whether each client of a proposal consented"),
        N_("/audit CODE – who did what, when, to a proposal of your team"),
        N_(
            "🛑 A client held because the same NIK is at another IPWL: decide in Detail whether it is the "
            "same person (with a reason)."
        ),
        N_("After the transfers, some clients are to be phoned: the checks come to you privately, record each answer."),
        N_("A client's change after the SK (/perubahan by the IPWL) comes as a card in the group: Verify or Return."),
    ),
    Role.FINANCE: (
        N_("You will be notified when bank accounts and payments need you."),
        N_("/bayar – record the SPP, SPM, SP2D and each client's transfer, and money returned for a client who left"),
        N_("Verified LPJ come to you privately to Validate or Return. /tugas – what waits for finance"),
    ),
    Role.HEAD: (
        N_("You will be notified when validated proposals wait for a decree (SK)."),
        N_("/sk – issue an SK for validated proposals and get its annex"),
        N_("/skperubahan – an SK perubahan for the verified changes of clients after an SK"),
        N_("/tugas – what waits for you, oldest first"),
        N_("/laporan – the monthly report (XLSX and charts); /laporan 2026-10 for another month"),
        N_("/audit CODE – a proposal's history"),
    ),
    Role.ADMIN: (
        N_("/hubungkan TEAM – in a group: make it the working group of a PIC team"),
        N_("/ipwl – the IPWL registry and their PKS; /tim – PIC teams; /pengguna – people and access"),
        N_(
            "/undang – an invitation link (/undang head 30-06-2027: a role until that day); "
            "/siaran – a message to operators"
        ),
        N_("/laporan – the monthly report; /ekspor – spreadsheets; /audit CODE – a proposal's history"),
        N_("/datapribadi NIK – a client's personal data request; /cadangan – a backup of the database"),
        N_("/persetujuan CODE – the clients' consent of a proposal, and a withdrawal"),
        N_("/pagu YEAR – the year's budget ceiling; /pagu 2026 Rp 5.000.000.000 sets it"),
        N_("/tugas – what waits for you, oldest first"),
    ),
    Role.AUDITOR: (
        N_("As an auditor you read, for the whole centre, and decide nothing."),
        N_("/laporan – the monthly report; /ekspor – spreadsheets; /audit CODE – a proposal's history"),
        N_("/tugas – what waits for you, oldest first"),
    ),
    Role.COMPLAINT_OFFICER: (
        N_("New complaints come to you privately, never to the IPWL concerned or its PIC team."),
        N_("/pengaduan – the complaints: read, record actions and the SP4N-LAPOR! reference, close with an outcome"),
        N_("/tugas – how many complaints wait for you, and how many are past their deadline"),
    ),
}


def help_text(t: Translator, who: Identity, *, in_group: bool) -> str:
    lines = [_(t, N_("<b>ATENSI partnership bot – help</b>"))]
    if not who.known:
        lines.append(_(t, N_("You are not registered yet. Ask the centre's admin for an invitation link.")))
    else:
        lines.append(_(t, N_("You are registered as: {roles}."), roles=role_names(t, who.actor.roles)))
        for role in Role:
            if who.actor.has_role(role):
                lines.extend(_(t, line) for line in _HELP_BY_ROLE[role])
    lines.append("")
    lines.append(_(t, N_("/bantuan – this help")))
    lines.append(_(t, N_("/panduan – the guide: how the cooperation works, step by step")))
    lines.append(_(t, N_("/pengaduan – a complaint to the centre (you may stay anonymous)")))
    lines.append(_(t, N_("/bahasa – change the language (Bahasa Indonesia / English)")))
    lines.append(_(t, N_("/batal – cancel what you are doing")))
    if in_group:
        lines.append(
            _(t, N_("In groups the bot shows codes, counts and totals only; personal data opens in a private chat."))
        )
    return clip("\n".join(lines))


def language_prompt(t: Translator) -> str:
    return _(t, N_("Choose your language:"))


def language_set(t: Translator) -> str:
    return _(t, N_("✅ The bot will talk to you in English from now on."))


def cancelled(t: Translator) -> str:
    return _(t, N_("Cancelled. Nothing was changed."))


def screen_cancelled(t: Translator) -> str:
    return _(t, N_("✖️ Cancelled."))


def unknown_command(t: Translator, command: str) -> str:
    return _(
        t,
        N_("⚠️ The bot has no command {command}. Send /bantuan to see the commands you can use."),
        command=command or "/",
    )


def nothing_open(t: Translator, draft_code: str | None) -> str:
    """Free text while no question is open: nothing was saved; how to go on."""
    lines = [_(t, N_("Nothing is open right now, so this message was not saved."))]
    if draft_code:
        lines.append(_(t, N_("Your draft {code} is kept: /lanjut continues it."), code=draft_code))
    lines.append(_(t, N_("/bantuan lists what you can do.")))
    return "\n".join(lines)


def nothing_to_cancel(t: Translator) -> str:
    return _(t, N_("There is nothing in progress to cancel."))


def no_upload_expected(t: Translator) -> str:
    return _(t, N_("To attach files or upload a client list, open your draft first with /ajukan or /lanjut."))


def stale_button(t: Translator) -> str:
    return _(t, N_("This button is no longer valid."))


# --- status ----------------------------------------------------------------------------------------


def operator_status(t: Translator, statuses: Sequence[IpwlStatus], now: dt.datetime) -> str:
    blocks = []
    for entry in statuses:
        ipwl = entry.ipwl
        lines = [
            _(t, N_("<b>{name}</b> ({code})"), name=ipwl.name, code=ipwl.code),
            _(t, N_("Province: {province}"), province=PROVINCES.get(ipwl.province_code, ipwl.province_code)),
        ]
        if ipwl.pks_valid_until:
            lines.append(
                _(t, N_("PKS {number} valid until {date}"), number=ipwl.pks_number or "-", date=ipwl.pks_valid_until)
            )
        lines.append(
            _(t, N_("PIC team: {team}"), team=entry.team.name) if entry.team else _(t, N_("PIC team: not assigned yet"))
        )
        lines.append("")
        if not entry.proposals:
            lines.append(_(t, N_("No proposals yet.")))
        for summary in entry.proposals:
            lines.append(
                _(
                    t,
                    N_("• <b>{code}</b> v{version}: {status} for {age} · {clients} clients · {total}"),
                    code=summary.code,
                    version=summary.version,
                    status=t.gettext(STATUS_LABELS[summary.status]),
                    age=format_age(now - summary.status_since, t.locale),
                    clients=summary.clients,
                    total=format_money(summary.total),
                )
            )
            lines.append("   " + _(t, next_step(summary.status)))
        blocks.append("\n".join(lines))
    return clip("\n\n".join(blocks))
