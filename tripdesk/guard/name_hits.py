"""A pupil's name found in the text, and which hit stands when several cover the same words."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from tripdesk.consent.register import Pupil

HitKind = Literal[
    "full name", "surname", "first name", "never named", "context", "initial", "near miss"
]
HitSeverity = Literal["block", "confirm"]


@dataclass(frozen=True)
class NameHit:
    """A pupil's name found in the draft: what kind, how sure, and exactly where."""

    kind: HitKind
    severity: HitSeverity
    start: int
    end: int
    pupils: tuple[Pupil, ...]


_KIND_ORDER: dict[str, int] = {
    "full name": 0,
    "never named": 1,
    "surname": 2,
    "first name": 3,
    "context": 4,
    "initial": 5,
    "near miss": 6,
}


def strongest(hits: list[NameHit]) -> list[NameHit]:
    """One hit per span: the strictest, then the most specific kind; in text order."""
    best: dict[tuple[int, int], NameHit] = {}
    for hit in hits:
        key = (hit.start, hit.end)
        rank = (hit.severity != "block", _KIND_ORDER[hit.kind])
        held = best.get(key)
        if held is None or rank < (held.severity != "block", _KIND_ORDER[held.kind]):
            best[key] = hit
    blocks = [hit for hit in best.values() if hit.severity == "block"]
    kept = [
        hit
        for hit in best.values()
        if not any(b is not hit and b.start <= hit.start and hit.end <= b.end for b in blocks)
    ]
    return sorted(kept, key=lambda h: (h.start, h.end))
