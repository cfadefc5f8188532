"""What a draft is: the text, its photos and the poll, as every room and both front ends see it.

A draft file (the command-line contract) maps onto `Draft.from_dict`; the outbox stores
`Draft.to_dict()`; the TUI builds a `Draft` as the teacher types. Photo paths are made absolute
where a draft enters (the file, the TUI), so everything below works with real files.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from tripdesk.errors import TripdeskError


@dataclass(frozen=True)
class DraftPhoto:
    path: str
    pupils: tuple[str, ...] = ()
    no_children: bool = False
    alt: str = ""
    sha256: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"path": self.path, "alt": self.alt}
        if self.pupils:
            data["pupils"] = list(self.pupils)
        if self.no_children:
            data["no_children"] = True
        if self.sha256:
            data["sha256"] = self.sha256
        return data

    @classmethod
    def from_dict(cls, data: Any, *, number: int = 1, source: str = "the draft") -> DraftPhoto:
        return _photo(data, number, source)


@dataclass(frozen=True)
class Poll:
    options: tuple[str, ...]
    minutes: int

    def to_dict(self) -> dict[str, Any]:
        return {"options": list(self.options), "minutes": self.minutes}

    @classmethod
    def from_dict(cls, data: Any, *, source: str = "the draft") -> Poll:
        return _poll(data, source)


@dataclass(frozen=True)
class Draft:
    text: str
    photos: tuple[DraftPhoto, ...] = ()
    poll: Poll | None = None
    in_reply_to: str | None = None

    @property
    def shows_children(self) -> bool:
        """A photo tagged with pupils is a photo of children; work and backs of heads are not."""
        return any(photo.pupils for photo in self.photos)

    def with_photos(self, photos: Iterable[DraftPhoto]) -> Draft:
        return replace(self, photos=tuple(photos))

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"text": self.text, "photos": [p.to_dict() for p in self.photos]}
        if self.poll:
            data["poll"] = self.poll.to_dict()
        if self.in_reply_to:
            data["in_reply_to"] = self.in_reply_to
        return data

    @classmethod
    def from_dict(cls, data: Any, *, source: str = "the draft") -> Draft:
        """Build a draft from parsed JSON, refusing anything off-contract in one sentence."""
        if not isinstance(data, Mapping):
            raise TripdeskError(f"{source} must be a JSON object with a 'text' field.")
        text = data.get("text", "")
        if not isinstance(text, str):
            raise TripdeskError(f"In {source}, 'text' must be a string.")
        photos_raw = data.get("photos", [])
        if not isinstance(photos_raw, list):
            raise TripdeskError(f"In {source}, 'photos' must be a list.")
        photos = tuple(_photo(item, i, source) for i, item in enumerate(photos_raw, start=1))
        poll = _poll(data["poll"], source) if data.get("poll") is not None else None
        reply = data.get("in_reply_to")
        if reply is not None and not isinstance(reply, str | int):
            raise TripdeskError(f"In {source}, 'in_reply_to' must be a post id.")
        return cls(
            text=text,
            photos=photos,
            poll=poll,
            in_reply_to=str(reply) if reply is not None else None,
        )


def _photo(item: Any, number: int, source: str) -> DraftPhoto:
    if not isinstance(item, Mapping) or not isinstance(item.get("path"), str):
        raise TripdeskError(f"In {source}, photo {number} must be an object with a 'path'.")
    pupils = item.get("pupils", [])
    if not isinstance(pupils, list) or not all(isinstance(p, str | int) for p in pupils):
        raise TripdeskError(f"In {source}, photo {number}'s 'pupils' must be a list of ids.")
    alt = item.get("alt", "")
    if not isinstance(alt, str):
        raise TripdeskError(f"In {source}, photo {number}'s 'alt' must be a string.")
    no_children = item.get("no_children", False)
    if not isinstance(no_children, bool):
        raise TripdeskError(f"In {source}, photo {number}'s 'no_children' must be true or false.")
    sha = item.get("sha256")
    return DraftPhoto(
        path=item["path"],
        pupils=tuple(str(p) for p in pupils),
        no_children=no_children,
        alt=alt,
        sha256=sha if isinstance(sha, str) else None,
    )


def _poll(item: Any, source: str) -> Poll:
    if not isinstance(item, Mapping):
        raise TripdeskError(f"In {source}, 'poll' must be an object with options and minutes.")
    options = item.get("options")
    minutes = item.get("minutes", 1440)
    if not isinstance(options, list) or not all(isinstance(o, str) for o in options):
        raise TripdeskError(f"In {source}, the poll's 'options' must be a list of texts.")
    if isinstance(minutes, bool) or not isinstance(minutes, int):
        raise TripdeskError(f"In {source}, the poll's 'minutes' must be a whole number.")
    return Poll(options=tuple(options), minutes=minutes)
