"""Pupils as the consent register knows them, and the one answer the guard needs: may they appear?

A `Register` is immutable: a re-import builds a new one, so the guard can cache what it derives
from a register (normalised names) on the instance and never see it go stale.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from typing import Literal

LookedAfter = Literal["never", "consent"]
ConsentStatus = Literal["consent", "no consent", "expired", "withdrawn", "never photograph"]


@dataclass(frozen=True)
class Pupil:
    id: str
    forename: str
    preferred_name: str
    surname: str
    year: str
    klass: str
    consent_social_media: bool
    consent_expires: date | None
    consent_withdrawn: date | None
    never_photograph: bool
    on_roster: bool
    looked_after: bool = False  # a looked-after child: carers and the social worker decide

    @property
    def display_name(self) -> str:
        """The name the teacher knows the pupil by: the preferred name if there is one."""
        return self.preferred_name or self.forename

    def status(self, today: date) -> ConsentStatus:
        """The strongest reason first: a never-photograph flag outranks any consent form."""
        if self.never_photograph:
            return "never photograph"
        if self.consent_withdrawn is not None:
            return "withdrawn"
        if not self.consent_social_media:
            return "no consent"
        if self.consent_expires is not None and self.consent_expires < today:
            return "expired"
        return "consent"

    def may_appear(self, today: date) -> bool:
        return self.status(today) == "consent"


class Register:
    """All pupils of one import, with look-ups by id; empty until a register is imported.

    A looked-after pupil is held as never to be photographed or named, unless the school says
    (`[guard] looked_after = "consent"`) that the consent column holds the carers' answer.
    """

    __slots__ = ("__weakref__", "_by_id", "pupils")

    def __init__(
        self, pupils: Iterable[Pupil] = (), *, looked_after: LookedAfter = "never"
    ) -> None:
        self.pupils: tuple[Pupil, ...] = tuple(
            replace(pupil, never_photograph=True)
            if pupil.looked_after and looked_after == "never"
            else pupil
            for pupil in pupils
        )
        self._by_id = {pupil.id: pupil for pupil in self.pupils}

    def __len__(self) -> int:
        return len(self.pupils)

    def get(self, pupil_id: str) -> Pupil | None:
        return self._by_id.get(pupil_id)

    def roster(self) -> list[Pupil]:
        """The pupils on this trip, in the order the teacher looks for them: by name."""
        on_trip = [pupil for pupil in self.pupils if pupil.on_roster]
        return sorted(on_trip, key=lambda p: (p.display_name.casefold(), p.id))
