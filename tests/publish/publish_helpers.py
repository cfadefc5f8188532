"""Small test doubles for the publishing tests, importable by name from any test module."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from keyring.backend import KeyringBackend

from tripdesk.config import Config
from tripdesk.draft import Draft
from tripdesk.verdict import Finding, Verdict


class MemoryKeyring(KeyringBackend):
    """A keyring that keeps secrets in this process only, like an OS keyring would elsewhere."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.secrets: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.secrets.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.secrets[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.secrets.pop((service, username), None)


@dataclass
class ScriptedGuard:
    """The guard's `review_draft`, answering what the test says; records every draft it saw."""

    findings: list[Finding] = field(default_factory=list)
    seen: list[Draft] = field(default_factory=list)

    def __call__(self, draft: Draft, conn: sqlite3.Connection, config: Config) -> Verdict:
        self.seen.append(draft)
        return Verdict.of(self.findings, len(draft.text))


def ok(text: str = "Year 6 loved the dinosaurs today! #Y6Museum") -> Verdict:
    return Verdict.of([], len(text))


class Clock:
    """A clock the test moves by hand, starting at the real now (the stand-in's resets are real)."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)
