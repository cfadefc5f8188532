"""What the trip-day screens say about photos and pupils, in plain Python.

The screens only lay things out; the wording of a photo's state, a pupil's label and the reason
a pupil cannot be tagged live here, so they can be tested without a terminal and stay the same
on every screen.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from tripdesk.config import Config

if TYPE_CHECKING:
    from tripdesk.consent.register import Pupil, Register
    from tripdesk.pool.catalogue import PoolPhoto

PLACEHOLDER_TRIP = "School trip"


def needs_setup(config: Config) -> bool:
    """A trip still called by the default name has never been set up by the teacher."""
    return config.trip.name == PLACEHOLDER_TRIP


def short_path(path: Path) -> str:
    """A folder as the teacher would write it: under their home folder it starts with ~."""
    try:
        return str(Path("~") / path.relative_to(Path.home()))
    except ValueError:
        return str(path)


def pupil_label(pupil: Pupil) -> str:
    """First name, surname initial and class: enough to tell two Jacks apart on screen."""
    initial = f" {pupil.surname[:1]}." if pupil.surname else ""
    klass = f" ({pupil.klass})" if pupil.klass else ""
    return f"{pupil.display_name}{initial}{klass}"


def folded(text: str) -> str:
    """Lower case without accents, so typing "zoe" finds Zoë and "lukasz" finds Łukasz."""
    text = text.replace("ł", "l").replace("Ł", "L")
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def matches(pupil: Pupil, query: str) -> bool:
    """Every typed word starts one of the pupil's names or their class."""
    words = [pupil.forename, pupil.preferred_name or "", pupil.surname, pupil.klass or ""]
    names = [folded(part) for word in words for part in word.replace("-", " ").split()]
    return all(any(name.startswith(typed) for name in names) for typed in folded(query).split())


@dataclass(frozen=True)
class TagCheck:
    """Whether a pupil may be tagged on a photo, and what to tell the teacher if not plainly."""

    allowed: bool
    message: str | None = None


def tag_check(pupil: Pupil, today: date) -> TagCheck:
    """Tagging records who is really in the photo; consent decides if it may be posted.

    A pupil who must never be photographed cannot be tagged: the photo must be blurred or left
    out. A pupil without current consent can be tagged, and the teacher is told why the photo
    then cannot go out as it is.
    """
    label = pupil_label(pupil)
    status = pupil.status(today)
    if status == "never photograph":
        return TagCheck(
            False,
            f"{label} must never be photographed, so cannot be tagged: "
            "blur their face or do not use this photo.",
        )
    if pupil.may_appear(today):
        return TagCheck(True)
    reason = {
        "expired": "their photo consent has expired",
        "withdrawn": "their photo consent was withdrawn",
    }.get(status, "there is no photo consent for them")
    return TagCheck(
        True,
        f"Tagged {label}, but {reason}: this photo cannot be posted unless their face is blurred.",
    )


def tags_summary(photo: PoolPhoto, register: Register | None) -> str:
    """The photo's tags as first names, or the teacher's declaration, or that it is untagged."""
    if photo.no_children:
        return "no identifiable children"
    if not photo.pupils:
        return "untagged"
    return ", ".join(_name(pupil_id, register) for pupil_id in photo.pupils)


def _name(pupil_id: str, register: Register | None) -> str:
    pupil = register.get(pupil_id) if register is not None else None
    return pupil_label(pupil) if pupil is not None else pupil_id


def photo_state(photo: PoolPhoto, awaiting_deletion: Collection[int] = ()) -> str:
    """Where a catalogued photo stands, in the words the Photos screen uses."""
    if photo.damaged:
        return f"damaged: {photo.damage_reason}" if photo.damage_reason else "damaged"
    if photo.derived_from is not None:
        return "blurred copy"
    if photo.source_deleted_at is not None:
        return "deleted from phone"
    if photo.id in awaiting_deletion:
        return "awaiting deletion"
    return "pooled"
