"""What the face detector saw in one photo: the media room's own noun, read by the guard."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

Box = tuple[int, int, int, int]


@dataclass(frozen=True)
class FaceReport:
    """Faces found and where (full-resolution upright pixels); `count` is None when it could
    not look, with the reason in `error`."""

    count: int | None
    boxes: tuple[Box, ...] = ()
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"count": self.count, "boxes": [list(b) for b in self.boxes], "error": self.error}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FaceReport:
        boxes = tuple(tuple(int(v) for v in box) for box in data.get("boxes", ()))
        return cls(count=data.get("count"), boxes=boxes, error=data.get("error"))  # type: ignore[arg-type]
