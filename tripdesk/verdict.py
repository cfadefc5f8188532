"""What the guard says about a draft: findings that point into it, and the overall verdict.

Every room and front end reads these; `to_dict`/`from_dict` carry them through the outbox, the
audit and `check --json` unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

Severity = Literal["block", "confirm", "info"]
VerdictKind = Literal["ok", "confirm", "blocked"]
Field = Literal["text", "alt", "poll", "photo", "draft"]


@dataclass(frozen=True)
class Where:
    """Where in the draft a finding points: a field, which photo or poll option, a span."""

    field: Field = "text"
    index: int | None = None
    start: int | None = None
    end: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Where:
        return cls(
            field=data.get("field", "text"),
            index=data.get("index"),
            start=data.get("start"),
            end=data.get("end"),
        )


@dataclass(frozen=True)
class Finding:
    """One rule's word on a draft. `section` names the policy section, in tripdesk's words."""

    rule: str
    severity: Severity
    message: str
    section: str
    where: Where = field(default_factory=Where)

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "message": self.message,
            "section": self.section,
            "where": self.where.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Finding:
        return cls(
            rule=data["rule"],
            severity=data["severity"],
            message=data["message"],
            section=data.get("section", ""),
            where=Where.from_dict(data.get("where") or {}),
        )


@dataclass(frozen=True)
class Verdict:
    """The guard's overall word: blocked if anything blocks, confirm if anything asks, else ok."""

    verdict: VerdictKind
    findings: tuple[Finding, ...]
    weighted_length: int

    @classmethod
    def of(cls, findings: Iterable[Finding], weighted_length: int) -> Verdict:
        found = tuple(findings)
        severities = {f.severity for f in found}
        kind: VerdictKind = (
            "blocked" if "block" in severities else "confirm" if "confirm" in severities else "ok"
        )
        return cls(verdict=kind, findings=found, weighted_length=weighted_length)

    @property
    def blocking(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity == "block")

    @property
    def to_confirm(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity == "confirm")

    def to_dict(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict,
            "findings": [f.to_dict() for f in self.findings],
            "weighted_length": self.weighted_length,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Verdict:
        return cls.of(
            (Finding.from_dict(f) for f in data.get("findings", ())),
            int(data.get("weighted_length", 0)),
        )
