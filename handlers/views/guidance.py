"""The guidance (/panduan) as messages: the menu, one page at a time, and who to contact."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.domain.guidance import SECTIONS, Page, Section
from bot.domain.models import Ipwl, Person, Team
from bot.domain.report_figures import STAGES
from bot.i18n import N_, Translator
from handlers.views import _, clip, esc, team_label

_STAGE_LABELS = {stage.key: stage.label for stage in STAGES}


def menu(t: Translator) -> str:
    lines = [
        _(t, N_("📘 <b>Guide to the ATENSI cooperation</b>")),
        "",
        _(
            t,
            N_(
                "How the work between the centre and your IPWL runs, step by step: what to prepare, who acts, "
                "how long it usually takes. Choose a topic:"
            ),
        ),
    ]
    for section in SECTIONS:
        lines.append(f"{section.icon} {esc(t.gettext(section.title))}")
    return "\n".join(lines)


def page(
    t: Translator,
    section: Section,
    current: Page,
    index: int,
    count: int,
    context: Mapping[str, object],
    typical: Mapping[str, float | None],
) -> str:
    lines = [f"{section.icon} <b>{esc(t.gettext(section.title))}</b>"]
    if count > 1:
        lines[0] += " " + _(t, N_("({page}/{pages})"), page=index + 1, pages=count)
    lines += [
        f"<b>{esc(t.gettext(current.title))}</b>",
        "",
        t.gettext(current.body, **{k: esc(v) for k, v in context.items()}),
    ]
    if current.stage is not None:
        days = typical.get(current.stage)
        stage = t.gettext(_STAGE_LABELS[current.stage])
        lines.append("")
        if days is not None:
            lines.append(
                _(
                    t,
                    N_("⏱ Recently this step ({stage}) took about {days} days: the median of this year's proposals."),
                    stage=stage,
                    days=t.format_number(days, decimals=1),
                )
            )
        else:
            lines.append(_(t, N_("⏱ No figures yet on how long this step ({stage}) takes."), stage=stage))
    return clip("\n".join(lines))


def contacts(t: Translator, found: Sequence[tuple[Ipwl, Team | None, list[Person]]]) -> str:
    lines = [_(t, N_("☎️ <b>Who to contact</b>")), ""]
    if not found:
        lines.append(
            _(
                t,
                N_(
                    "IPWL operators are assisted by their own PIC team at the centre: 3–4 staff who know "
                    "your IPWL. Once you are registered as an operator, this page shows your team and its "
                    "members."
                ),
            )
        )
    for ipwl, team, members in found:
        if team is None:
            lines.append(_(t, N_("<b>{ipwl}</b>: no PIC team assigned yet. Ask the centre's admin."), ipwl=ipwl.name))
            continue
        lines.append(
            _(t, N_("<b>{ipwl}</b> is assisted by <b>{team}</b>."), ipwl=ipwl.name, team=team_label(t, team.name))
        )
        for person in members:
            # A mention link opens a chat with the person without showing their phone number.
            lines.append(f'• <a href="tg://user?id={person.telegram_user_id}">{esc(person.full_name)}</a>')
        if not members:
            lines.append(_(t, N_("The team has no members registered in the bot yet.")))
        lines.append("")
    lines.append(
        _(
            t,
            N_(
                "Ask your PIC team about your proposals, the PKS, accounts and the LPJ. For access to the "
                "bot (a new colleague, someone who left), ask the centre's admin."
            ),
        )
    )
    return clip("\n".join(lines))
