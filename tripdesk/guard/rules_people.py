"""Rules about pupils: photo consent, faces in the photos, and pupils' names in the words."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from datetime import date

from tripdesk.config import GuardSettings
from tripdesk.consent.register import Pupil, Register
from tripdesk.draft import Draft
from tripdesk.guard.findings import FIRST_NAMES, PHOTO_CONSENT, at, fields_of, flag, place_of, who
from tripdesk.guard.folding import fold
from tripdesk.guard.letters import invisible
from tripdesk.guard.name_hits import NameHit
from tripdesk.guard.names import find_names
from tripdesk.guard.rules_text import partner_spans
from tripdesk.media.report import FaceReport
from tripdesk.verdict import Finding, Verdict, Where


def no_register(register: Register) -> Iterator[Finding]:
    """Without a register no surname is known, so "ok" would mean nothing: the teacher confirms."""
    if not len(register):
        yield flag(
            "register",
            "confirm",
            PHOTO_CONSENT,
            "no consent register is loaded, so pupils' names and consent cannot be checked; "
            "import it (tripdesk consent import).",
            Where("draft"),
        )


def photo_consent(draft: Draft, register: Register, today: date) -> Iterator[Finding]:
    for i, photo in enumerate(draft.photos):
        n = i + 1
        where = Where("photo", index=i)
        if not photo.pupils and not photo.no_children:
            yield flag(
                "photo-consent",
                "block",
                PHOTO_CONSENT,
                f"photo {n} is neither tagged with the pupils in it nor declared as showing no "
                "identifiable children; tag the pupils or declare it.",
                where,
            )
        if photo.pupils and photo.no_children:
            yield flag(
                "photo-consent",
                "block",
                PHOTO_CONSENT,
                f"photo {n} is declared as showing no identifiable children but has pupils "
                "tagged; untag them or withdraw the declaration.",
                where,
            )
        for pupil_id in dict.fromkeys(photo.pupils):
            pupil = register.get(pupil_id)
            if pupil is None:
                yield flag(
                    "photo-consent",
                    "block",
                    PHOTO_CONSENT,
                    f"photo {n} is tagged with {pupil_id}, who is not on the consent register; "
                    "fix the tag or import the current register.",
                    where,
                )
                continue
            status = pupil.status(today)
            if status != "consent":
                yield flag(
                    "photo-consent",
                    "block",
                    PHOTO_CONSENT,
                    f"{who(pupil)} in photo {n} {_why_not(pupil, status)}; "
                    "remove the photo or blur the pupil.",
                    where,
                )
            elif not pupil.on_roster:
                yield flag(
                    "photo-consent",
                    "confirm",
                    PHOTO_CONSENT,
                    f"{who(pupil)} in photo {n} is not on this trip's roster; "
                    "confirm the tag is the right pupil.",
                    where,
                )


def _why_not(pupil: Pupil, status: str) -> str:
    if status == "never photograph":
        return "must never be photographed or named"
    if status == "withdrawn":
        return "has had social-media consent withdrawn"
    if status == "expired" and pupil.consent_expires is not None:
        return f"has social-media consent that expired on {pupil.consent_expires:%d/%m/%Y}"
    return "has no social-media photo consent"


def faces(
    draft: Draft, reports: Sequence[FaceReport | None], register: Register, today: date
) -> Iterator[Finding]:
    for i, photo in enumerate(draft.photos):
        n = i + 1
        where = Where("photo", index=i)
        faces = reports[i] if i < len(reports) else None
        if faces is None or faces.count is None:
            reason = "faces were not checked yet" if faces is None else "face detection failed"
            yield flag(
                "faces",
                "confirm",
                PHOTO_CONSENT,
                f"{reason} for photo {n}; look at photo {n} yourself for faces.",
                where,
            )
            continue
        if photo.no_children:
            if faces.count > 0:
                yield flag(
                    "faces",
                    "block",
                    PHOTO_CONSENT,
                    f"{_faces_text(faces.count)} found in photo {n}, declared as showing no "
                    "identifiable children; blur them or tag the pupils.",
                    where,
                )
            continue
        allowed = sum(
            1
            for pupil_id in dict.fromkeys(photo.pupils)
            if (pupil := register.get(pupil_id)) is not None and pupil.may_appear(today)
        )
        if faces.count > allowed:
            yield flag(
                "faces",
                "confirm",
                PHOTO_CONSENT,
                f"{_faces_text(faces.count)} in photo {n} but {allowed} tagged "
                f"pupil{'s' if allowed != 1 else ''} who may appear; blur the others, or tag "
                "them if they have consent.",
                where,
            )


def _faces_text(count: int) -> str:
    return f"{count} face{'s' if count != 1 else ''}"


def names(
    draft: Draft, register: Register, settings: GuardSettings, tagged: list[Pupil]
) -> Iterator[Finding]:
    for text, where in fields_of(draft):
        skip = partner_spans(text, settings)
        allowed = _allowed_spans(text, settings.allowed_phrases)
        used: set[tuple[int, int]] = set()
        for hit in find_names(text, register, tagged, skip=skip):
            span = next((s for s in allowed if s[0] <= hit.start and hit.end <= s[1]), None)
            if span is None:
                yield _name_finding(
                    hit, text[hit.start : hit.end], at(where, hit.start, hit.end), settings
                )
            elif span not in used:
                used.add(span)
                yield flag(
                    ALLOWED_PHRASE,
                    "info",
                    FIRST_NAMES,
                    f"“{text[span[0] : span[1]]}”{place_of(where)} is one of the school's allowed "
                    "phrases ([guard] allowed_phrases), so it is not read as a pupil's name.",
                    at(where, *span),
                )


ALLOWED_PHRASE = "allowed-phrase"


def _allowed_spans(text: str, phrases: tuple[str, ...]) -> list[tuple[int, int]]:
    """Where the school's allowed phrases stand in the text, whole words only, however typed."""
    if not phrases:
        return []
    folded = fold(text)
    spans = []
    for phrase in phrases:
        wanted = fold(phrase.strip()).text
        if not wanted:
            continue
        for match in re.finditer(r"(?<!\w)" + re.escape(wanted) + r"(?!\w)", folded.text):
            a, b = match.span()
            spans.append((folded.origin[a], folded.origin[b - 1] + 1))
    return spans


def allowed_phrases_used(draft: Draft, verdict: Verdict, settings: GuardSettings) -> list[int]:
    """The numbers (from 1) of the `[guard] allowed_phrases` that kept a name from being read
    in this draft: for the audit log, which must not hold the phrase itself (it may carry a
    surname)."""
    fields = dict(((w.field, w.index), text) for text, w in fields_of(draft))
    folded = [fold(phrase.strip()).text for phrase in settings.allowed_phrases]
    used = set()
    for finding in verdict.findings:
        where = finding.where
        if finding.rule != ALLOWED_PHRASE or where.start is None or where.end is None:
            continue
        typed = fields.get((where.field, where.index), "")[where.start : where.end]
        if fold(typed).text in folded:
            used.add(folded.index(fold(typed).text) + 1)
    return sorted(used)


def _name_finding(hit: NameHit, typed: str, where: Where, settings: GuardSettings) -> Finding:
    place = place_of(where)
    if any(invisible(char) for char in typed):
        place = f" (with an invisible character inside){place}"
    if hit.kind == "full name":
        if hit.severity == "block":
            message = f"“{typed}”{place} is a pupil's full name; use the first name only."
        else:
            message = (
                f"“{typed}”{place} runs a pupil's first name and surname together; confirm it "
                "is not used as a name here, or take it out."
            )
        return flag("first-names-only", hit.severity, FIRST_NAMES, message, where)
    if hit.kind == "never named":
        if hit.severity == "block":
            message = (
                f"“{typed}”{place} names a pupil who must never be named or shown; take it out."
            )
        else:
            message = (
                f"“{typed}”{place} is also the name of a pupil who must never be named; "
                "confirm it is not used as a name here."
            )
        return flag("first-names-only", hit.severity, PHOTO_CONSENT, message, where)
    if hit.kind == "surname":
        if hit.severity == "block":
            message = f"“{typed}”{place} is a pupil's surname; take it out and use first names."
        else:
            message = (
                f"“{typed}”{place} may be a pupil's surname; confirm it is not used as a name "
                "here, or take it out."
            )
        return flag("first-names-only", hit.severity, FIRST_NAMES, message, where)
    if hit.kind == "context":
        message = (
            f"“{typed}”{place} is a pupil's surname; it may belong to someone else here (a "
            "famous person, a title, a product); confirm it does not name the pupil, or take "
            "it out."
        )
        return flag("first-names-only", hit.severity, FIRST_NAMES, message, where)
    if hit.kind == "initial":
        message = (
            f"“{typed}”{place} adds a surname initial that tells apart two pupils of that "
            "first name; confirm, or use the first name only."
        )
        return flag("first-names-only", hit.severity, FIRST_NAMES, message, where)
    if hit.kind == "near miss":
        message = (
            f"“{typed}”{place} is close to a pupil's full name; confirm it is not the pupil's "
            "surname misspelt, or use the first name only."
        )
        return flag("first-names-only", hit.severity, FIRST_NAMES, message, where)
    names = ", ".join(who(pupil) for pupil in hit.pupils)
    return flag(
        "first-names-only",
        "block" if settings.names_with_photos == "block" else "confirm",
        FIRST_NAMES,
        f"“{typed}”{place} names {names}, who is in the photos; a name beside a photo makes "
        "the pupil easy to find, so confirm or take the name out.",
        where,
    )
