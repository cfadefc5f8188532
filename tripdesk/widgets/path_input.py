"""A path box that completes folder and file names as you type (→ accepts), like a shell."""

from __future__ import annotations

from pathlib import Path

from textual.suggester import Suggester
from textual.widgets import Input


class PathSuggester(Suggester):
    """Suggests the first entry of the typed folder whose name starts with what follows."""

    def __init__(self, *, suffixes: tuple[str, ...] = ()) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self.suffixes = suffixes

    async def get_suggestion(self, value: str) -> str | None:
        typed = Path(value).expanduser()
        folder, start = (typed, "") if value.endswith("/") else (typed.parent, typed.name)
        try:
            names = sorted(
                entry.name + ("/" if entry.is_dir() else "")
                for entry in folder.iterdir()
                if entry.name.startswith(start)
                and not entry.name.startswith(".")
                and (entry.is_dir() or not self.suffixes or entry.suffix.lower() in self.suffixes)
            )
        except OSError:
            return None
        if not names:
            return None
        prefix = value if value.endswith("/") else value[: len(value) - len(start)]
        return prefix + names[0]


class PathInput(Input):
    def __init__(
        self,
        value: str = "",
        *,
        placeholder: str = "",
        suffixes: tuple[str, ...] = (),
        id: str | None = None,
    ) -> None:
        super().__init__(
            value, placeholder=placeholder, suggester=PathSuggester(suffixes=suffixes), id=id
        )

    @property
    def path(self) -> Path | None:
        text = self.value.strip()
        return Path(text).expanduser() if text else None
