"""A client's consent to the processing of their data (issue 17.6, UU 27/2022 art. 20 and 25).

The clients are people treated for drug abuse: their health data is specific personal data, and
the law asks for explicit, recorded consent — for a child (under 18), the consent of a parent or
guardian. An IPWL already has each client (or, for a minor, the guardian) sign a consent form at
admission; the bot records, per client, that this was done for the privacy notice the bot shows
(its version), who recorded it and when, the guardian of a minor, and the signed form itself as a
file. A proposal cannot be sent while a client has none.

Pure rules: the age the NIK says, the guardian's answer, the notice version. No I/O.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.domain.validation import Problem, ValidationError, parse_name, parse_nik
from bot.i18n import N_

# The privacy notice shown to clients (bot.domain.guidance.PRIVACY, in both catalogs). Its text
# begins with this version; a changed notice gets a new version here, so each consent names the
# wording the client was shown. v2: the auditors among who sees it; a withdrawal before the SK
# takes the client out of the proposal at once.
NOTICE_VERSION = "2026-12-v2"

ADULT_AGE = 18  # UU 35/2014 (child protection): a child is under 18
RELATION_MAX = 40


@dataclass(frozen=True)
class Guardian:
    name: str
    relation: str  # as the operator typed it: "ibu", "ayah", "paman", "wali (panti)"


def age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def is_minor(nik: str, today: dt.date, birth_date: dt.date | None = None) -> bool:
    """Whether the client is under 18 today as their NIK's birth date shows, or the birth date the
    operator typed (when the two disagree, the younger decides: a guardian is asked rather than
    skipped). An NIK that no longer parses — an anonymized record — says nothing."""
    if birth_date is not None and age_on(birth_date, today) < ADULT_AGE:
        return True
    try:
        info = parse_nik(nik, today=today)
    except ValidationError:
        return False
    return age_on(info.birth_date, today) < ADULT_AGE


SELF_RELATIONS = frozenset({"diri sendiri", "sendiri", "self", "klien", "yang bersangkutan"})


def parse_guardian(text: str, client_name: str | None = None) -> Guardian:
    """``Siti Aminah, ibu``: the guardian's name, a comma, their relation to the client — someone
    other than the minor client themself."""
    name, comma, relation = " ".join(text.split()).rpartition(",")
    relation = relation.strip()
    if not comma or not name.strip() or not relation:
        raise ValidationError(
            Problem(
                N_(
                    "Type the guardian's name and their relation to the client, separated by a comma, "
                    "for example: Siti Aminah, ibu"
                ),
                field="guardian",
            )
        )
    if len(relation) > RELATION_MAX or any(ch.isdigit() for ch in relation):
        raise ValidationError(
            Problem(
                N_(
                    "The relation is one or two words such as ibu, ayah, kakak, paman or wali, "
                    "at most {max} characters."
                ),
                {"max": RELATION_MAX},
                field="guardian",
            )
        )
    guardian = Guardian(parse_name(name, field="guardian"), relation.lower())
    same_person = client_name is not None and " ".join(client_name.lower().split()) == guardian.name.lower()
    if guardian.relation in SELF_RELATIONS or same_person:
        raise ValidationError(
            Problem(
                N_(
                    "A client under 18 cannot sign for themself: type the parent or guardian who signed "
                    "the form, for example: Siti Aminah, ibu"
                ),
                field="guardian",
            )
        )
    return guardian


__all__ = ["ADULT_AGE", "Guardian", "NOTICE_VERSION", "age_on", "is_minor", "parse_guardian"]
