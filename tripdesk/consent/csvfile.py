"""Reading a consent register as the school's MIS exports it, refusing anything doubtful.

Exports differ in headings, encodings and separators; consent answers differ in spelling. The
reader accepts the common forms and treats every unclear consent answer as no: a pupil wrongly
left out of a post costs nothing, a pupil wrongly put in can cost a great deal.
"""

from __future__ import annotations

import calendar
import codecs
import csv
import hashlib
import io
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from tripdesk.consent.register import Pupil
from tripdesk.errors import TripdeskError
from tripdesk.shown import shown

# Canonical column -> headings seen in MIS exports, compared without case or punctuation.
HEADINGS: dict[str, tuple[str, ...]] = {
    "id": ("id", "upn", "admission number", "admission no", "adno", "pupil id", "student id"),
    "forename": ("forename", "legal forename", "first name", "firstname", "given name"),
    "preferred_name": (
        "preferred name",
        "preferred forename",
        "preferred first name",
        "known as",
        "chosen name",
    ),
    "surname": ("surname", "legal surname", "last name", "lastname", "family name"),
    "year": ("year", "year group", "nc year"),
    "class": ("class", "reg group", "registration group", "form", "form group", "tutor group"),
    "consent_social_media": (
        "consent social media",
        "photo consent social media",
        "social media consent",
        "social media photo consent",
        "social media",
        "social media photos",
        "consent social",
        "twitter",
        "twitter consent",
        "consent twitter",
        "x twitter consent",
        "online consent",
    ),
    "consent_website": ("consent website", "photo consent website", "website consent"),
    "consent_press": ("consent press", "photo consent press", "press consent"),
    "consent_expires": ("consent expires", "consent expiry", "consent expiry date", "expires"),
    "consent_withdrawn": ("consent withdrawn", "withdrawn", "date withdrawn"),
    "never_photograph": (
        "never photograph",
        "never photographed",
        "do not photograph",
        "dnp",
        "no photographs",
        "no photos",
        "no photo",
        "no photography",
        "no images",
        "photo restriction",
        "photography restriction",
        "never photo",
    ),
    "looked_after": (
        "looked after",
        "looked after child",
        "child looked after",
        "looked after children",
        "lac",
        "cla",
        "in care",
        "lac status",
        "cla status",
        "looked after status",
    ),
    "on_roster": ("on roster", "on trip", "roster", "trip"),
}
COLUMNS = tuple(HEADINGS)
REQUIRED = ("id", "forename", "surname", "consent_social_media")
# A register with one photo consent column for everything: it is the social-media answer too.
_ONE_CONSENT = frozenset({"photoconsent", "photographyconsent", "mediaconsent", "imageconsent"})

_YES = frozenset({"yes", "y", "true", "1", "given", "granted", "✓", "✔"})
_NO = frozenset({"", "no", "n", "false", "0"})


def heading_key(heading: str) -> str:
    """`Photo Consent (Social Media)` and `photo_consent_social_media` compare equal."""
    return re.sub(r"[\W_]+", "", heading.casefold())


_ALIASES = {heading_key(h): column for column, hs in HEADINGS.items() for h in (column, *hs)}


def is_yes(value: str) -> bool:
    """Only a clear yes is yes; empty, `?`, `not returned` and anything else mean no."""
    return value.strip().casefold() in _YES


def is_flagged(value: str) -> bool:
    """A never-photograph flag is off only when clearly off: doubt keeps the pupil out."""
    return value.strip().casefold() not in _NO


def decode(data: bytes) -> str:
    """UTF-8 (with or without Excel's BOM), else Windows-1252, the two encodings exports use.

    Excel's "Unicode text" is UTF-16 and always starts with its byte-order mark.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass  # not really UTF-16: left to the binary check
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def parse_date(value: str) -> date | None:
    """ISO `2029-07-31` or UK `31/07/2029`, `31 Jul 2029` (Excel may add a midnight time).

    Never the US order: `07/31/2029` is refused rather than misread. Empty is None.
    """
    text = value.strip()
    if not text:
        return None
    text = re.sub(r"[ T]0?0:00(:00)?$", "", text)
    text = re.sub(r"(?<=\d)(?:st|nd|rd|th)\b", "", text, flags=re.IGNORECASE)
    for pattern in (
        "%Y-%m-%d",
        "%d/%m/%Y",
        "%d-%m-%Y",
        "%d.%m.%Y",
        "%d/%m/%y",
        "%d %b %Y",
        "%d-%b-%Y",
        "%d %B %Y",
    ):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(text)


@dataclass(frozen=True)
class _Table:
    source: str
    header: list[str]
    rows: list[tuple[int, list[str]]]  # (line number, cells)
    sha256: str  # of the very bytes parsed, for the audit log


def _read_table(path: Path) -> _Table:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise TripdeskError(f"There is no file {path}.") from None
    except IsADirectoryError:
        raise TripdeskError(f"{path} is a folder, not a CSV file.") from None
    except OSError as error:
        raise TripdeskError(f"Cannot read {path}: {error.strerror}.") from None
    text = decode(data)
    if "\x00" in text:
        raise TripdeskError(f"{path} is not a CSV file: it holds binary data; export it as CSV.")
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header: list[str] | None = None
        rows: list[tuple[int, list[str]]] = []
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            if header is None:
                header = cells
            else:
                rows.append((reader.line_num, cells))
    except csv.Error as error:
        reason = "a quoted value is never closed" if "end of data" in str(error) else error
        raise TripdeskError(f"{path}, line {reader.line_num}: {reason}.") from None
    if header is None:
        raise TripdeskError(f"{path} is empty: it has no heading row.")
    return _Table(
        source=str(path), header=header, rows=rows, sha256=hashlib.sha256(data).hexdigest()
    )


def _columns(table: _Table, mapping: Mapping[str, str]) -> dict[str, int]:
    """Which cell holds which canonical column, using config's mapping before the aliases."""
    own = {heading_key(heading): column for heading, column in mapping.items()}
    found: dict[str, int] = {}
    for index, heading in enumerate(table.header):
        key = heading_key(heading)
        column = own.get(key) or _ALIASES.get(key)
        if column is None and key in _ONE_CONSENT:
            column = "photo_consent"
        if column == "photo_consent":
            found.setdefault(column, index)
            continue
        if column is None:
            continue
        if column not in COLUMNS:
            raise TripdeskError(
                f"config.toml maps the heading {heading!r} to {column!r}, which is not one of "
                f"tripdesk's register columns ({', '.join(COLUMNS)})."
            )
        if column in found:
            raise TripdeskError(
                f"{table.source}, line 1: two headings ({table.header[found[column]]!r} and "
                f"{heading!r}) both give the {column} column."
            )
        found[column] = index
    general = found.pop("photo_consent", None)
    if "consent_social_media" not in found and general is not None:
        found["consent_social_media"] = general
    missing = [column for column in REQUIRED if column not in found]
    if missing:
        raise TripdeskError(
            f"{table.source}, line 1: no {' or '.join(missing)} column; add it, or name your "
            "heading in [register.columns] of config.toml."
        )
    return found


def withdrawn_on(value: str, today: date) -> date | None:
    """The day consent was withdrawn, where many exports hold a yes/no flag or prose instead.

    A clear no or an empty cell: not withdrawn. A date anywhere in it ("Withdrawn 12/10/2026"):
    that day. Anything else (a yes, "withdrawn", "maybe"): withdrawn, known from today, since
    doubt means no.
    """
    plain = value.strip().casefold()
    if plain in _NO or plain in ("not withdrawn", "n/a", "na", "none", "-"):
        return None
    found = _dates_in(plain, first_day=True)
    return found[0][1] if found else today


_MONTHS = tuple(calendar.month_abbr[1:])  # Jan ... Dec, matched by their first three letters
_MONTH = "|".join(
    sorted({*calendar.month_abbr[1:], *calendar.month_name[1:], "Sept"}, key=len, reverse=True)
).lower()
_DATE_IN = re.compile(
    r"\d{4}-\d{1,2}-\d{1,2}"
    r"|\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?[ -](?:{_MONTH})\.?,?[ -]\d{{4}}"
    rf"|(?P<month>{_MONTH})\.?,? (?P<year>\d{{4}})"
)


def _dates_in(text: str, *, first_day: bool = False) -> list[tuple[int, date]]:
    """Every date written in a cell of prose, with where it starts. A month and year alone is
    read as the month's last day (or its first, for a withdrawal: the earlier is safer)."""
    found = []
    for match in _DATE_IN.finditer(text.casefold()):
        if match.group("month"):
            name = match.group("month")[:3]
            month = [m.lower() for m in _MONTHS].index(name) + 1
            year = int(match.group("year"))
            day = 1 if first_day else calendar.monthrange(year, month)[1]
            found.append((match.start(), date(year, month, day)))
            continue
        try:
            parsed = parse_date(match.group())
        except ValueError:
            continue
        if parsed is not None:
            found.append((match.start(), parsed))
    return found


_WITHDRAWN = re.compile(r"\b(?:withdr[ae]wn?|revoked|retracted|cancell?ed|removed)\b")
_DOUBT = re.compile(
    r"\b(?:no|not|none|never|refused|declined|denied|except|excluding|without|awaiting|"
    r"pending|unknown|tbc|unsure|maybe|unclear|returned)\b|\?"
)
_SOCIAL = re.compile(r"\b(?:social|twitter|online|instagram|facebook|all|everything)\b")
_GIVEN = re.compile(r"(?:yes|y|given|granted|consent(?:ed)?|agreed|ok|true|1|all)\b|[✓✔]")
_UNTIL = re.compile(r"\b(?:until|till|til|to|expires?|expiry|exp|valid|ends?)\b")


@dataclass(frozen=True)
class Consent:
    """What a consent cell says: yes or no, until when, and since when it was withdrawn."""

    given: bool
    expires: date | None = None
    withdrawn: date | None = None


def read_consent(value: str, today: date) -> Consent:
    """A consent cell as a school writes it: a flag, or prose with a date ("Yes until July
    2027", "Withdrawn 12/10/2026", "Website only"). Only a clear yes is a yes."""
    plain = value.strip().casefold()
    if plain in _YES:
        return Consent(True)
    dates = _dates_in(plain)
    if _WITHDRAWN.search(plain):
        withdrawn = _dates_in(plain, first_day=True)
        return Consent(False, withdrawn=withdrawn[0][1] if withdrawn else today)
    if _DOUBT.search(plain) or not (_GIVEN.match(plain) or _SOCIAL.search(plain)):
        return Consent(False)
    if re.search(r"\bonly\b", plain) and not _SOCIAL.search(plain):
        return Consent(False)  # "website only", "school use only"
    until = _UNTIL.search(plain)
    expires = next((day for at, day in dates if until and at > until.start()), None)
    return Consent(True, expires=expires)


@dataclass(frozen=True)
class RegisterFile:
    """The pupils read from a register file, and the hash of the bytes they came from."""

    pupils: tuple[Pupil, ...]
    sha256: str
    notes: tuple[str, ...] = ()  # one line each, for the teacher who imports it


_NO_FLAGS = (
    "The register has no never-photograph or looked-after column, so no pupil is held back by "
    "one; check with the office that none should be."
)


def _expires(value: str) -> date | None:
    """An expiry cell: a date, a month and year ("July 2027"), or a word for none."""
    plain = value.strip().casefold()
    if plain in ("", "n/a", "na", "none", "-", "never", "no expiry", "ongoing"):
        return None
    try:
        return parse_date(value)
    except ValueError:
        found = _dates_in(plain)
        if len(found) == 1:
            return found[0][1]
        raise


def read_register(
    path: Path,
    mapping: Mapping[str, str],
    roster: frozenset[str] | None,
    *,
    today: date | None = None,
) -> RegisterFile:
    """Every pupil in the file, or a TripdeskError naming the line and reason; nothing partial.

    The trip roster comes from `roster` when given, else from an on-roster column, else everyone
    is on it (a register exported for the trip alone).
    """
    today = today or date.today()
    table = _read_table(path)
    columns = _columns(table, mapping)
    if not table.rows:
        raise TripdeskError(f"{path} has headings but no pupils; export the register again.")
    needed = max(columns.values()) + 1
    seen: dict[str, int] = {}
    pupils: list[Pupil] = []
    for line, cells in table.rows:
        if any(value.strip() for value in cells[len(table.header) :]):
            raise TripdeskError(
                f"{path}, line {line}: more cells than headings, so the columns have shifted "
                "(a value may hold an unquoted comma); fix the line and export again."
            )
        if len(cells) < needed:
            raise TripdeskError(
                f"{path}, line {line}: only {len(cells)} cells where the headings need "
                f"{needed}; fix the line and export again."
            )

        def cell(column: str, cells: list[str] = cells) -> str:
            index = columns.get(column)
            return shown(cells[index].strip()) if index is not None and index < len(cells) else ""

        def day(
            column: str, parse: Callable[[str], date | None] = parse_date, line: int = line
        ) -> date | None:
            try:
                return parse(cell(column))
            except ValueError as error:
                raise TripdeskError(
                    f"{path}, line {line}: {column} {error.args[0]!r} is not a date "
                    "(use 2029-07-31 or 31/07/2029)."
                ) from None

        pupil_id = cell("id")
        if not pupil_id:
            raise TripdeskError(f"{path}, line {line}: the pupil has no id.")
        if pupil_id in seen:
            raise TripdeskError(
                f"{path}, line {line}: the id {pupil_id} is already used on line {seen[pupil_id]}."
            )
        seen[pupil_id] = line
        if not cell("forename"):
            raise TripdeskError(f"{path}, line {line}: pupil {pupil_id} has no forename.")
        consent = read_consent(cell("consent_social_media"), today)
        expiry = [d for d in (consent.expires, day("consent_expires", _expires)) if d]
        withdrawn = day("consent_withdrawn", lambda value: withdrawn_on(value, today))
        withdrawn = withdrawn or consent.withdrawn
        if roster is not None:
            on_roster = pupil_id in roster
        elif "on_roster" in columns:
            on_roster = is_yes(cell("on_roster"))
        else:
            on_roster = True
        pupils.append(
            Pupil(
                id=pupil_id,
                forename=cell("forename"),
                preferred_name=cell("preferred_name"),
                surname=cell("surname"),
                year=cell("year"),
                klass=cell("class"),
                consent_social_media=consent.given,
                consent_expires=min(expiry, default=None),
                consent_withdrawn=withdrawn,
                never_photograph=is_flagged(cell("never_photograph")),
                on_roster=on_roster,
                looked_after=is_flagged(cell("looked_after")),
            )
        )
    if roster is not None:
        unknown = sorted(roster - seen.keys())
        if unknown:
            raise TripdeskError(
                f"The roster lists {', '.join(unknown[:5])}, not in the register {path}."
            )
    flagged = "never_photograph" in columns or "looked_after" in columns
    return RegisterFile(tuple(pupils), table.sha256, () if flagged else (_NO_FLAGS,))


def read_roster(path: Path) -> frozenset[str]:
    """The ids of the pupils on the trip: an id column, or a single column of ids."""
    table = _read_table(path)
    keys = [_ALIASES.get(heading_key(heading)) for heading in table.header]
    if "id" in keys:
        index = keys.index("id")
        rows = table.rows
    elif len(table.header) == 1:
        index = 0
        rows = [(1, table.header), *table.rows]
    else:
        raise TripdeskError(f"{path}, line 1: the roster has no id column.")
    ids: set[str] = set()
    for line, cells in rows:
        value = shown(cells[index].strip()) if index < len(cells) else ""
        if not value:
            raise TripdeskError(f"{path}, line {line}: the roster line has no id.")
        ids.add(value)
    if not ids:
        raise TripdeskError(f"{path} lists no pupils; add the ids of the pupils on the trip.")
    return frozenset(ids)
