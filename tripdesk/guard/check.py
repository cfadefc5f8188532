"""The policy guard: every rule, from a draft to findings, pure and fast enough for each keystroke.

Each rule returns findings that say what to change and which part of the policy asks for it,
in tripdesk's own words, with where in the draft (text, photo, alt text, poll option) it is.
A rule that cannot tell asks for confirmation; it never stays silent about a doubt.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache

from tripdesk.config import GuardSettings
from tripdesk.consent.register import Pupil, Register
from tripdesk.draft import Draft
from tripdesk.guard import words
from tripdesk.guard.count import (
    MAX_WEIGHTED_LENGTH,
    extract_hashtags,
    extract_mentions,
    overflow_at,
    reply_handle,
    weighted_length,
)
from tripdesk.guard.letters import BLANKS
from tripdesk.guard.names import NameHit, find_names, fold, index_for, invisible
from tripdesk.guard.split import known
from tripdesk.media.report import FaceReport
from tripdesk.verdict import Finding, Severity, Verdict, Where

PHOTO_CONSENT = "Photo consent"
FIRST_NAMES = "First names only"
MENTIONS = "Mentions"
BROADCAST = "Broadcast only"
HOMEWORK = "Homework"
E_SAFETY = "E-safety"
LIMITS = "X's limits"
ACCESSIBILITY = "Accessibility"

MAX_PHOTOS = 4
# A stray keystroke in the alt field ("y" meant for a dialog) must not pass as a description.
MIN_ALT = 5
MAX_ALT = 1000
POLL_OPTIONS = (2, 4)
POLL_OPTION_LENGTH = 25
POLL_MINUTES = (5, 10080)


def check(
    draft: Draft,
    register: Register,
    settings: GuardSettings,
    *,
    faces: Sequence[FaceReport | None] = (),
    today: date | None = None,
) -> Verdict:
    """The guard's verdict on a draft: blocked if any rule blocks, confirm if any asks.

    `faces` holds the face detector's report for each photo, in the draft's order; a photo
    without one has not been looked at yet.
    """
    today = today or date.today()
    tagged = _tagged(draft, register)
    length = weighted_length(draft.text)
    findings = [
        *_empty(draft),
        *_broken(draft),
        *_hidden(draft),
        *_no_register(register),
        *_photo_consent(draft, register, today),
        *_faces(draft, faces, register, today),
        *_names(draft, register, settings, tagged),
        *_mentions(draft.text, settings),
        *_advertising(draft.text),
        *_broadcast(draft),
        *_homework(draft.text, settings),
        *_upsetting(draft, register, settings),
        *_length(draft.text, length),
        *_photos(draft),
        *_poll(draft),
        *_alt_text(draft),
    ]
    return Verdict.of(findings, length)


def _finding(
    rule: str, severity: Severity, section: str, message: str, where: Where | None = None
) -> Finding:
    return Finding(
        rule=rule,
        severity=severity,
        message=f"{section}: {message}",
        section=section,
        where=where or Where(),
    )


def _tagged(draft: Draft, register: Register) -> list[Pupil]:
    found = (register.get(pupil_id) for photo in draft.photos for pupil_id in photo.pupils)
    return [pupil for pupil in found if pupil is not None]


def _who(pupil: Pupil) -> str:
    """How a pupil is named on screen: first name and id, never the surname."""
    return f"{pupil.display_name} ({pupil.id})"


def _empty(draft: Draft) -> Iterator[Finding]:
    if not draft.text.strip():
        yield _finding(
            "empty", "block", LIMITS, "the post has no text; write what the post is about."
        )


def _no_register(register: Register) -> Iterator[Finding]:
    """Without a register no surname is known, so "ok" would mean nothing: the teacher confirms."""
    if not len(register):
        yield _finding(
            "register",
            "confirm",
            PHOTO_CONSENT,
            "no consent register is loaded, so pupils' names and consent cannot be checked; "
            "import it (tripdesk consent import).",
            Where("draft"),
        )


_SURROGATE = re.compile("[\ud800-\udfff]")


def _broken(draft: Draft) -> Iterator[Finding]:
    """Bytes that are not text (a bad paste, a mis-encoded file) that X would refuse or mangle."""
    for text, where in _fields(draft):
        match = _SURROGATE.search(text)
        if match:
            yield _finding(
                "broken-text",
                "block",
                LIMITS,
                f"there is a broken character at position {match.start() + 1}{_place(where)}; "
                "retype the text around it.",
                _at(where, match.start(), match.end()),
            )


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Joiners and direction marks that belong inside emoji and right-to-left words, never in Latin.
_JOINING = frozenset("\u200c\u200d\u200e\u200f\u061c")
_TAGS = range(0xE0020, 0xE0080)  # the letters of a flag like Scotland's or Wales's


def _hidden_at(text: str) -> Iterator[int]:
    """Where a character is that shows nothing (zero-width, direction overrides, escapes)."""
    pattern = _CONTROL if text.isascii() else _hidden_pattern()
    for match in pattern.finditer(text):
        i = match.start()
        if unicodedata.category(text[i]) != "Cf" or not _belongs(text, i):
            yield i


@cache
def _hidden_pattern() -> re.Pattern[str]:
    """Every control, format and blank character Unicode has, as one character class."""
    hidden = [
        chr(code)
        for block in (range(0x30000), range(0xE0000, 0xE1000))
        for code in block
        if unicodedata.category(chr(code)) in ("Cc", "Cf") and chr(code) not in "\t\n\r"
    ]
    return re.compile("[" + re.escape("".join(sorted({*hidden, *BLANKS}))) + "]")


def _belongs(text: str, i: int) -> bool:
    char = text[i]
    if ord(char) in _TAGS:
        return i > 0 and (ord(text[i - 1]) in _TAGS or text[i - 1] == "🏴")
    if char not in _JOINING:
        return False
    around = (text[i - 1] if i > 0 else " ", text[i + 1] if i + 1 < len(text) else " ")
    return not any(c.isalnum() and ord(c) < 0x250 for c in around)


def _hidden(draft: Draft) -> Iterator[Finding]:
    """Hidden characters block: they can carry a name past every eye, and X may mangle them."""
    for text, where in _fields(draft):
        shown = 0
        previous = -2
        for i in _hidden_at(text):
            if i == previous + 1:
                previous = i
                continue
            previous = i
            shown += 1
            if shown > 3:
                break
            name = unicodedata.name(text[i], f"U+{ord(text[i]):04X}").lower()
            yield _finding(
                "hidden-characters",
                "block",
                LIMITS,
                f"there is a hidden character ({name}) at position {i + 1}{_place(where)}; "
                "delete it and retype the text around it.",
                _at(where, i, i + 1),
            )


def _photo_consent(draft: Draft, register: Register, today: date) -> Iterator[Finding]:
    for i, photo in enumerate(draft.photos):
        n = i + 1
        where = Where("photo", index=i)
        if not photo.pupils and not photo.no_children:
            yield _finding(
                "photo-consent",
                "block",
                PHOTO_CONSENT,
                f"photo {n} is neither tagged with the pupils in it nor declared as showing no "
                "identifiable children; tag the pupils or declare it.",
                where,
            )
        if photo.pupils and photo.no_children:
            yield _finding(
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
                yield _finding(
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
                yield _finding(
                    "photo-consent",
                    "block",
                    PHOTO_CONSENT,
                    f"{_who(pupil)} in photo {n} {_why_not(pupil, status)}; "
                    "remove the photo or blur the pupil.",
                    where,
                )
            elif not pupil.on_roster:
                yield _finding(
                    "photo-consent",
                    "confirm",
                    PHOTO_CONSENT,
                    f"{_who(pupil)} in photo {n} is not on this trip's roster; "
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


def _faces(
    draft: Draft, reports: Sequence[FaceReport | None], register: Register, today: date
) -> Iterator[Finding]:
    for i, photo in enumerate(draft.photos):
        n = i + 1
        where = Where("photo", index=i)
        faces = reports[i] if i < len(reports) else None
        if faces is None or faces.count is None:
            reason = "faces were not checked yet" if faces is None else "face detection failed"
            yield _finding(
                "faces",
                "confirm",
                PHOTO_CONSENT,
                f"{reason} for photo {n}; look at photo {n} yourself for faces.",
                where,
            )
            continue
        if photo.no_children:
            if faces.count > 0:
                yield _finding(
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
            yield _finding(
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


def _fields(draft: Draft) -> Iterator[tuple[str, Where]]:
    """Every piece of text that goes out with the post, and where it sits in the draft."""
    yield draft.text, Where("text")
    for i, photo in enumerate(draft.photos):
        yield photo.alt, Where("alt", index=i)
    if draft.poll:
        for i, option in enumerate(draft.poll.options):
            yield option, Where("poll", index=i)


def _at(where: Where, start: int, end: int) -> Where:
    return Where(where.field, index=where.index, start=start, end=end)


def _place(where: Where) -> str:
    if where.field == "alt":
        return f" in the alt text of photo {(where.index or 0) + 1}"
    if where.field == "poll":
        return f" in poll option {(where.index or 0) + 1}"
    return ""


def _partner_spans(text: str, settings: GuardSettings) -> list[tuple[int, int]]:
    partners = _partners(settings)
    return [(m.start, m.end) for m in extract_mentions(text) if m.text.casefold() in partners]


def _names(
    draft: Draft, register: Register, settings: GuardSettings, tagged: list[Pupil]
) -> Iterator[Finding]:
    for text, where in _fields(draft):
        skip = _partner_spans(text, settings)
        allowed = _allowed_spans(text, settings.allowed_phrases)
        used: set[tuple[int, int]] = set()
        for hit in find_names(text, register, tagged, skip=skip):
            span = next((s for s in allowed if s[0] <= hit.start and hit.end <= s[1]), None)
            if span is None:
                yield _name_finding(
                    hit, text[hit.start : hit.end], _at(where, hit.start, hit.end), settings
                )
            elif span not in used:
                used.add(span)
                yield _finding(
                    ALLOWED_PHRASE,
                    "info",
                    FIRST_NAMES,
                    f"“{text[span[0] : span[1]]}”{_place(where)} is one of the school's allowed "
                    "phrases ([guard] allowed_phrases), so it is not read as a pupil's name.",
                    _at(where, *span),
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
    fields = dict(((w.field, w.index), text) for text, w in _fields(draft))
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
    place = _place(where)
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
        return _finding("first-names-only", hit.severity, FIRST_NAMES, message, where)
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
        return _finding("first-names-only", hit.severity, PHOTO_CONSENT, message, where)
    if hit.kind == "surname":
        if hit.severity == "block":
            message = f"“{typed}”{place} is a pupil's surname; take it out and use first names."
        else:
            message = (
                f"“{typed}”{place} may be a pupil's surname; confirm it is not used as a name "
                "here, or take it out."
            )
        return _finding("first-names-only", hit.severity, FIRST_NAMES, message, where)
    if hit.kind == "context":
        message = (
            f"“{typed}”{place} is a pupil's surname; it may belong to someone else here (a "
            "famous person, a title, a product); confirm it does not name the pupil, or take "
            "it out."
        )
        return _finding("first-names-only", hit.severity, FIRST_NAMES, message, where)
    if hit.kind == "initial":
        message = (
            f"“{typed}”{place} adds a surname initial that tells apart two pupils of that "
            "first name; confirm, or use the first name only."
        )
        return _finding("first-names-only", hit.severity, FIRST_NAMES, message, where)
    if hit.kind == "near miss":
        message = (
            f"“{typed}”{place} is close to a pupil's full name; confirm it is not the pupil's "
            "surname misspelt, or use the first name only."
        )
        return _finding("first-names-only", hit.severity, FIRST_NAMES, message, where)
    names = ", ".join(_who(pupil) for pupil in hit.pupils)
    return _finding(
        "first-names-only",
        "block" if settings.names_with_photos == "block" else "confirm",
        FIRST_NAMES,
        f"“{typed}”{place} names {names}, who is in the photos; a name beside a photo makes "
        "the pupil easy to find, so confirm or take the name out.",
        where,
    )


@cache
def _partners_of(partners: tuple[str, ...]) -> frozenset[str]:
    return frozenset(handle.strip().lstrip("@＠").casefold() for handle in partners)


def _partners(settings: GuardSettings) -> frozenset[str]:
    return _partners_of(settings.partners)


_HANDLE = re.compile(r"[@＠]([^\s@＠#.,!?:;()'\"“”’]+)")


def _look_alike_partners(text: str, partners: frozenset[str]) -> list[tuple[int, int, str]]:
    """Handles that read as a partner's but are typed with another script's look-alike letters:
    a different account that hopes to pass for the partner's."""
    if text.isascii():
        return []
    found = []
    for match in _HANDLE.finditer(text):
        typed = match.group(1)
        if typed.isascii():
            continue
        plain = fold(typed).text
        if plain in partners:
            found.append((match.start(), match.end(), plain))
    return found


def _mentions(text: str, settings: GuardSettings) -> Iterator[Finding]:
    partners = _partners(settings)
    fakes = _look_alike_partners(text, partners)
    for start, end, _ in fakes:
        yield _finding(
            "mentions",
            "block",
            MENTIONS,
            f"“{text[start:end]}” looks like one of this trip's partners but is typed with "
            "look-alike letters, so it is another account; retype the handle.",
            Where("text", start=start, end=end),
        )
    for mention in extract_mentions(text):
        if any(a <= mention.start < b for a, b, _ in fakes):
            continue
        if mention.text.casefold() not in partners:
            yield _finding(
                "mentions",
                "block",
                MENTIONS,
                f"@{mention.text} is not one of this trip's partners; mention only the "
                "educational partners in the settings, or take it out.",
                Where("text", start=mention.start, end=mention.end),
            )


def _pattern(alternatives: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(r"(?<![\w#])(?:" + "|".join(alternatives) + r")(?!\w)", re.IGNORECASE)


_ADVERTISING = _pattern(words.ADVERTISING)
_HOMEWORK = _pattern(words.HOMEWORK)


def _advertising(text: str) -> Iterator[Finding]:
    tags = [tag for tag in extract_hashtags(text) if tag.text.casefold() in words.ADVERTISING_TAGS]
    match = _ADVERTISING.search(_plain_apostrophes(text))
    spans = [(tag.start, tag.end) for tag in tags]
    if match:
        spans.append(match.span())
    if spans:
        start, end = min(spans)
        yield _finding(
            "advertising",
            "confirm",
            MENTIONS,
            f"“{text[start:end]}” sounds like advertising; the account never endorses or sells, "
            "so confirm this is not an endorsement.",
            Where("text", start=start, end=end),
        )


def _broadcast(draft: Draft) -> Iterator[Finding]:
    reply = reply_handle(draft.text)
    if reply is not None:
        yield _finding(
            "broadcast-only",
            "block",
            BROADCAST,
            f"the post starts with @{reply.text}, which X treats as a reply; the account only "
            "broadcasts, so start with a word.",
            Where("text", start=reply.start, end=reply.end),
        )
    if draft.in_reply_to:
        yield _finding(
            "broadcast-only",
            "block",
            BROADCAST,
            f"the draft answers post {draft.in_reply_to}, and tripdesk never replies; remove "
            "in_reply_to and post it on its own.",
            Where("draft"),
        )


def _plain_apostrophes(text: str) -> str:
    """Curly apostrophes as straight ones, keeping every index where it was."""
    return text.replace("’", "'").replace("‘", "'")


def _homework(text: str, settings: GuardSettings) -> Iterator[Finding]:
    match = _HOMEWORK.search(_plain_apostrophes(text))
    if match:
        yield _finding(
            "homework",
            "confirm",
            HOMEWORK,
            f"“{text[match.start() : match.end()]}” reads like a task; confirm it is also set on "
            f"{settings.homework_platform}.",
            Where("text", start=match.start(), end=match.end()),
        )


@cache
def _school_words(blocked: tuple[str, ...]) -> frozenset[tuple[str, ...]]:
    return frozenset(
        tuple(re.findall(r"[^\W_]+", fold(word).text)) for word in blocked if word.strip()
    )


@dataclass(frozen=True)
class _Offensive:
    phrases: frozenset[tuple[str, ...]]  # folded word sequences from the maintained list
    first_words: frozenset[str]
    squeezed: frozenset[str]  # single words, to catch `s.h.i.t` and `sh1t`
    longest: int


@cache
def _offensive() -> _Offensive:
    phrases = frozenset(
        tuple(re.findall(r"[^\W_]+", fold(word).text)) for word in words.offensive_words()
    )
    phrases = frozenset(phrase for phrase in phrases if phrase)
    return _Offensive(
        phrases=phrases,
        first_words=frozenset(phrase[0] for phrase in phrases),
        squeezed=frozenset(phrase[0] for phrase in phrases if len(phrase) == 1),
        longest=max(len(phrase) for phrase in phrases),
    )


def _upsetting(draft: Draft, register: Register, settings: GuardSettings) -> Iterator[Finding]:
    offensive = _offensive()
    school = _school_words(settings.blocked_words)
    school_first = {phrase[0] for phrase in school}
    longest = max(offensive.longest, *(len(phrase) for phrase in school), 1)
    names = index_for(register).all_names
    asked: set[str] = set()
    for text, where in _fields(draft):
        folded = fold(text)
        tokens = [
            (m.group(), folded.origin[m.start()], folded.origin[m.end() - 1] + 1)
            for m in _TOKEN.finditer(folded.text)
        ]
        hit_at: set[int] = set()
        for i, (word, start, end) in enumerate(tokens):
            if word in offensive.first_words or word in school_first:
                for size in range(min(longest, len(tokens) - i), 0, -1):
                    chunk = tokens[i : i + size]
                    phrase = tuple(t[0] for t in chunk)
                    listed = phrase in school
                    if listed or (phrase in offensive.phrases and names.isdisjoint(phrase)):
                        hit_at.add(start)
                        if not listed and _innocent_at(tokens, i):
                            break
                        typed = f"“{text[start : chunk[-1][2]]}”{_place(where)}"
                        if not listed and size == 1 and word in words.AMBIGUOUS:
                            severity: Severity = "confirm"
                            message = (
                                f"{typed} can read as rude; confirm it is meant innocently "
                                "here, or take it out."
                            )
                        else:
                            severity = "block"
                            message = f"{typed} is offensive or upsetting; take it out."
                        yield _finding(
                            "upsetting",
                            severity,
                            E_SAFETY,
                            message,
                            _at(where, start, chunk[-1][2]),
                        )
                        break
            if start not in hit_at and word in words.DISTRESSING and word not in asked:
                asked.add(word)
                yield _finding(
                    "upsetting",
                    "confirm",
                    E_SAFETY,
                    f"“{text[start:end]}”{_place(where)} may upset a parent reading the "
                    "feed; confirm the post is kind and calm.",
                    _at(where, start, end),
                )
        for match in _CHUNK.finditer(text):
            chunk_text = match.group().strip(".,;:?!'\"()[]")
            if not any(c.isalpha() for c in chunk_text) or match.start() in hit_at:
                continue
            if _POSSESSIVE.fullmatch(chunk_text) or len(chunk_text) > _LONGEST_RUDE:
                continue  # "the blue tit's nest": the word itself was judged above
            severity = _masked_rude(chunk_text, offensive)
            if severity is not None:
                quoted = f"“{match.group()}”{_place(where)}"
                yield _finding(
                    "upsetting",
                    severity,
                    E_SAFETY,
                    f"{quoted} is offensive or upsetting; take it out."
                    if severity == "block"
                    else f"{quoted} may be a rude word with letters hidden; confirm it is "
                    "not, or take it out.",
                    _at(where, match.start(), match.end()),
                )


_LONGEST_RUDE = 40
_MASKS = "*#"
_RUN = re.compile(r"([a-z])\1+")


def _masked_rude(chunk: str, offensive: _Offensive) -> Severity | None:
    """A rude word in disguise: digits or signs for letters (sh1t, $hit), letters apart
    (s.h.i.t), stars, hashes or dots for letters (f*ck, f#ck, f.ck), or letters stretched
    (shiiiit)."""
    if chunk.isalpha():
        return _stretched(chunk.lower() if chunk.isascii() else fold(chunk).text, offensive)
    core = fold(chunk.translate(words.LEET)).text
    letters = "".join(c for c in core if c.isalpha())
    if not chunk.isalpha() and letters in offensive.squeezed:
        return "block"
    hidden = [c for i, c in enumerate(core) if c in _MASKS and i and core[i - 1].isalpha()]
    dotted = core.count(".") + core.count("-")
    masked = hidden or (dotted <= 2 and re.search(r"[a-z][.\-][a-z]", core))
    if masked and letters and len(letters) <= _LONGEST_MASKED and core[0].isalpha():
        pattern = "".join(
            "[a-z]" if c in _MASKS else "[a-z]?" if c in ".-" else re.escape(c)
            for c in core
            if c.isalpha() or c in _MASKS or c in ".-"
        )
        fits = re.compile(pattern)
        if any(fits.fullmatch(word) for word in _rude_by_first(offensive).get(core[0], ())):
            if len(letters) >= 2:
                return "block"
            return "confirm" if hidden else None
    return _stretched(letters, offensive)


_LONGEST_MASKED = 12


@cache
def _rude_by_first(offensive: _Offensive) -> dict[str, tuple[str, ...]]:
    """The maintained list's single words by first letter: a masked word keeps its first."""
    found: dict[str, list[str]] = {}
    for word in offensive.squeezed:
        if len(word) >= 3:
            found.setdefault(word[0], []).append(word)
    return {letter: tuple(group) for letter, group in found.items()}


def _stretched(letters: str, offensive: _Offensive) -> Severity | None:
    """Letters held down to slip past a filter: "shiiiit", "fuuuck"."""
    stretched = _RUN.search(letters)
    if (
        stretched
        and len(set(letters)) > 1
        and (re.search(r"([a-z])\1\1", letters) or not known(letters))
    ):
        once = _RUN.sub(r"\1", letters)
        twice = _RUN.sub(r"\1\1", letters)
        if once != letters and (once in offensive.squeezed or twice in offensive.squeezed):
            return "block"
    return None


_TOKEN = re.compile(r"[^\W_]+")
_POSSESSIVE = re.compile(r"[^\W\d_]+['’]s")


@cache
def _innocent_phrases() -> dict[str, tuple[tuple[tuple[str, ...], int], ...]]:
    """Each word of an innocent phrase, with the phrases it sits in and where."""
    found: dict[str, list[tuple[tuple[str, ...], int]]] = {}
    for phrase in words.INNOCENT_PHRASES:
        for offset, word in enumerate(phrase):
            found.setdefault(word, []).append((phrase, offset))
    return {word: tuple(places) for word, places in found.items()}


def _innocent_at(tokens: list[tuple[str, int, int]], i: int) -> bool:
    """Whether the word at i is part of an innocent phrase: "blue tit", "sperm whale"."""
    for phrase, offset in _innocent_phrases().get(tokens[i][0], ()):
        first = i - offset
        if first >= 0 and tuple(t[0] for t in tokens[first : first + len(phrase)]) == phrase:
            return True
    return False


_CHUNK = re.compile(r"\S+")


def _length(text: str, length: int) -> Iterator[Finding]:
    if length > MAX_WEIGHTED_LENGTH:
        start = overflow_at(text)
        where = Where("text", start=start, end=len(text)) if start is not None else Where("text")
        yield _finding(
            "length",
            "block",
            LIMITS,
            f"the post is {length}/{MAX_WEIGHTED_LENGTH} as X counts it; cut "
            f"{length - MAX_WEIGHTED_LENGTH}.",
            where,
        )


def _photos(draft: Draft) -> Iterator[Finding]:
    if len(draft.photos) > MAX_PHOTOS:
        yield _finding(
            "photos",
            "block",
            LIMITS,
            f"the post has {len(draft.photos)} photos; X takes at most {MAX_PHOTOS}, so remove "
            f"{len(draft.photos) - MAX_PHOTOS}.",
            Where("photo", index=MAX_PHOTOS),
        )


def _poll(draft: Draft) -> Iterator[Finding]:
    poll = draft.poll
    if poll is None:
        return
    if draft.photos:
        yield _finding(
            "poll",
            "block",
            LIMITS,
            "X does not allow a poll and photos in one post; remove one of them.",
            Where("poll"),
        )
    low, high = POLL_OPTIONS
    if not low <= len(poll.options) <= high:
        yield _finding(
            "poll",
            "block",
            LIMITS,
            f"the poll has {len(poll.options)} option{'s' if len(poll.options) != 1 else ''}; "
            f"X needs {low} to {high}, so add or remove options.",
            Where("poll"),
        )
    for i, option in enumerate(poll.options):
        if not option.strip():
            yield _finding(
                "poll",
                "block",
                LIMITS,
                f"poll option {i + 1} is empty; fill it in or remove it.",
                Where("poll", index=i),
            )
        elif len(option) > POLL_OPTION_LENGTH:
            yield _finding(
                "poll",
                "block",
                LIMITS,
                f"poll option {i + 1} has {len(option)} characters; X allows "
                f"{POLL_OPTION_LENGTH}, so cut {len(option) - POLL_OPTION_LENGTH}.",
                Where("poll", index=i, start=POLL_OPTION_LENGTH, end=len(option)),
            )
    low, high = POLL_MINUTES
    if not low <= poll.minutes <= high:
        yield _finding(
            "poll",
            "block",
            LIMITS,
            f"the poll runs {poll.minutes} minute{'s' if poll.minutes != 1 else ''}; set it "
            f"between {low} minutes and 7 days "
            f"({high} minutes), as X requires.",
            Where("poll"),
        )


def _alt_text(draft: Draft) -> Iterator[Finding]:
    for i, photo in enumerate(draft.photos):
        if not photo.alt.strip():
            yield _finding(
                "alt-text",
                "block",
                ACCESSIBILITY,
                f"photo {i + 1} has no alt text; describe it for people who cannot see it.",
                Where("alt", index=i),
            )
        elif len(photo.alt.strip()) < MIN_ALT:
            yield _finding(
                "alt-text",
                "confirm",
                ACCESSIBILITY,
                f"the alt text of photo {i + 1} is only “{photo.alt.strip()}”; describe what the "
                "photo shows in a few words, or confirm it says enough.",
                Where("alt", index=i, start=0, end=len(photo.alt)),
            )
        elif len(photo.alt) > MAX_ALT:
            yield _finding(
                "alt-text",
                "block",
                ACCESSIBILITY,
                f"the alt text of photo {i + 1} has {len(photo.alt)} characters; X allows "
                f"{MAX_ALT}, so cut {len(photo.alt) - MAX_ALT}.",
                Where("alt", index=i, start=MAX_ALT, end=len(photo.alt)),
            )
