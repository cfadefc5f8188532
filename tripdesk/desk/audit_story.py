"""The audit log told as sentences a teacher reads, with the technical facts kept beside them.

The log records one event per act (each original deleted, each photo pooled); told one by one a
burst of arrivals hides everything else. Events of the same kind that follow each other within
a few minutes are told as one sentence ("Deleted 4 originals from the phone folder, each
confirmed gone"); the hashes, sizes and inodes behind it stay available as `details`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from tripdesk.audit import Event
from tripdesk.config import NETWORK_NAMES
from tripdesk.shown import shown

TOGETHER = timedelta(minutes=5)


@dataclass(frozen=True)
class StoryLine:
    """One sentence of the story and the events it tells, newest first."""

    sentence: str
    events: tuple[Event, ...]

    @property
    def at(self) -> datetime:
        return self.events[0].at

    @property
    def kind(self) -> str:
        return self.events[0].kind


def story(events: Iterable[Event]) -> list[StoryLine]:
    """Newest-first events as sentences, runs of one kind told together."""
    runs: list[list[Event]] = []
    for event in events:
        last = runs[-1] if runs else None
        if (
            last is not None
            and last[-1].kind == event.kind
            and event.kind not in _ALONE
            and last[-1].at - event.at <= TOGETHER
        ):
            last.append(event)
        else:
            runs.append([event])
    return [StoryLine(sentence(run), tuple(run)) for run in runs]


def sentence(events: Sequence[Event]) -> str:
    """What a run of events of one kind means, in the teacher's words."""
    kind = events[0].kind
    told = _SENTENCES.get(kind)
    if told is not None:
        return told(events)
    part, _, what = kind.partition(".")
    return f"{part.capitalize()}: {what.replace('_', ' ')}" + (
        f" ({len(events)} times)" if len(events) > 1 else ""
    )


def details(line: StoryLine) -> str:
    """Every event behind a sentence with all its facts, one per line: for the side pane."""
    blocks = []
    for event in line.events:
        facts = "\n".join(f"  {key}: {_value(value)}" for key, value in event.facts.items())
        stamp = event.at.astimezone().strftime("%d %b %H:%M:%S")
        blocks.append(f"#{event.id} {event.kind} at {stamp}" + (f"\n{facts}" if facts else ""))
    return "\n\n".join(blocks)


def is_dry_run(event: Event) -> bool:
    """A post only recorded on this laptop: its network, or the dry-run backend's ids, say so."""
    return event.facts.get("network") == "dry-run" or str(
        event.facts.get("remote_id") or ""
    ).startswith("dry-run")


def _value(value: Any) -> str:
    """A fact as text safe to show: it may hold a file name or a network's own words."""
    if isinstance(value, list):
        return shown(", ".join(str(item) for item in value)) or "none"
    return "none" if value is None else shown(str(value))


def _n(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"


def _posts(events: Sequence[Event]) -> str:
    ids = sorted({str(e.facts.get("post")) for e in events if e.facts.get("post") is not None})
    if not ids:
        return "a post"
    return f"post {ids[0]}" if len(ids) == 1 else f"posts {', '.join(ids)}"


def _sent(events: Sequence[Event]) -> str:
    if all(is_dry_run(e) for e in events):
        return f"Recorded (dry-run) {_posts(events)}: nothing was posted"
    networks = sorted({str(e.facts["network"]) for e in events if e.facts.get("network")})
    where = " and ".join(NETWORK_NAMES.get(n, n) for n in networks) or "the network"
    return f"Sent {_posts(events)} to {where}"


def _faces(events: Sequence[Event]) -> str:
    found = sum(int(e.facts.get("faces") or 0) for e in events)
    return f"Looked for faces in {_n(len(events), 'photo')}: {_n(found, 'face')} found"


def _checked(events: Sequence[Event]) -> str:
    verdicts = [str(e.facts.get("verdict")) for e in events]
    last = {
        "ok": "ready to send",
        "confirm": "asking the teacher to confirm",
        "block": "blocked",
    }.get(verdicts[0], verdicts[0])
    times = "" if len(events) == 1 else f" {len(events)} times"
    return f"Checked a draft against the policy{times}; the last time it was {last}"


def _imported(events: Sequence[Event]) -> str:
    facts = events[0].facts
    lost = len(facts.get("lost_consent") or [])
    gained = len(facts.get("gained_consent") or [])
    return (
        f"Imported the consent register: {_n(int(facts.get('count') or 0), 'pupil')}, "
        f"{lost} lost consent, {gained} gained it"
    )


def _confirmed(events: Sequence[Event]) -> str:
    rules = sorted({rule for e in events for rule in e.facts.get("rules") or []})
    return f"The teacher confirmed {', '.join(rules) or 'the findings'} for {_posts(events)}"


_ALONE = {"consent.imported", "guard.checked"}
_SENTENCES: dict[str, Callable[[Sequence[Event]], str]] = {
    "pool.pooled": lambda e: f"Copied {_n(len(e), 'photo')} into the pool, each copy checked",
    "pool.damaged": lambda e: f"Kept {_n(len(e), 'damaged file')} aside in quarantine",
    "pool.duplicate": lambda e: f"Skipped {_n(len(e), 'photo')} already in the pool",
    "pool.source_deleted": lambda e: (
        f"Deleted {_n(len(e), 'original')} from the phone folder, "
        + ("confirmed gone" if len(e) == 1 else "each confirmed gone")
    ),
    "pool.deletion_refused": lambda e: (
        f"Kept {_n(len(e), 'original')} in the phone folder: it changed after it was copied"
    ),
    "pool.source_gone": lambda e: f"{_n(len(e), 'original')} had already left the phone folder",
    "pool.tagged": lambda e: f"Tagged {_n(len(e), 'photo')} with who is in it",
    "pool.derived": lambda e: f"Added {_n(len(e), 'blurred copy', 'blurred copies')} to the pool",
    "media.blurred": lambda e: (
        f"Blurred {_n(sum(int(x.facts.get('boxes') or 0) for x in e), 'face')} "
        f"in {_n(len(e), 'photo')}"
    ),
    "media.faces_detected": _faces,
    "media.faces_failed": lambda e: f"Could not look for faces in {_n(len(e), 'photo')}",
    "guard.checked": _checked,
    "draft.confirmed": _confirmed,
    "compose.confirmed": _confirmed,
    "consent.imported": _imported,
    "consent.withdrawn": lambda e: f"Consent withdrawn for {_n(len(e), 'pupil')}",
    "publish.queued": lambda e: f"Put {_posts(e)} in the outbox",
    "publish.sent": _sent,
    "publish.failed": lambda e: f"Sending {_posts(e)} failed",
    "publish.uncertain": lambda e: f"Not sure whether {_posts(e)} went out",
    "publish.blocked": lambda e: f"Held back {_posts(e)}: the policy check at sending blocked it",
    "publish.retried": lambda e: f"The teacher asked to send {_posts(e)} again",
    "publish.cancelled": lambda e: f"The teacher cancelled {_posts(e)}",
    "publish.marked_sent": lambda e: f"The teacher found {_posts(e)} on the account",
    "publish.checked_again": lambda e: f"Checked {_posts(e)} against the policy again at sending",
    "publish.released": lambda e: f"The teacher sent held {_posts(e)} before its time",
    "publish.send_now": lambda e: f"The teacher sent {_posts(e)} without waiting to retry",
    "publish.takedown_asked": lambda e: f"The teacher asked for {_posts(e)} to be taken down",
    "publish.removal_removed": lambda e: f"Took {_posts(e)} down from the network",
    "publish.removal_refused": lambda e: f"The network would not take {_posts(e)} down",
    "staff.approved": lambda e: f"A member of staff approved {_posts(e)}",
    "report.written": lambda e: "Wrote the trip's report",
    "publish.paused": lambda e: "Paused all sending",
    "publish.resumed": lambda e: "Resumed sending",
    "publish.account_set": lambda e: "Saved the account used for posting",
    "publish.account_forgotten": lambda e: "Forgot the account used for posting",
    "staff.added": lambda e: f"Added {_n(len(e), 'member of staff', 'members of staff')}",
    "staff.pin_refused": lambda e: f"Refused {_n(len(e), 'wrong PIN')}",
    "staff.locked": lambda e: "Locked a member of staff out after wrong PINs",
}
