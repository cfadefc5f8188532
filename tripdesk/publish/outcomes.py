"""The one table from what went wrong to what the outbox does next.

Every failure a backend can raise, and anything unexpected, is sorted here and nowhere else:
where the delivery goes, the name of the outcome (the attempt's record and the audit event),
and what the rest of the round does. Before `publishing` nothing can have been created, so an
unexpected error is a plain failure; while publishing it could have been, so it is uncertain.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from tripdesk.errors import TripdeskError
from tripdesk.publish.backends import (
    AlreadyPosted,
    CredentialsRefused,
    NotCreated,
    RateLimited,
    Rejected,
    SendFailure,
)
from tripdesk.publish.posts import DeliveryState

CHECK_ACCOUNT = "check the account, then mark it as sent or send it again"
INTERRUPTED_UNKNOWN = (
    f"tripdesk stopped while this was being published, so it may have gone out; {CHECK_ACCOUNT}."
)
INTERRUPTED_BEFORE = "Interrupted before it was sent; it will be sent again."

# What the round does after this delivery: go on; wait (the post backs off); hold the network
# (a rate limit); stop everything until the teacher acts (refused credentials); stop trying
# that network this round (no connection); or end the round (paused meanwhile).
Then = Literal["next", "backoff", "hold", "pause", "offline", "stop"]


@dataclass(frozen=True)
class Outcome:
    state: DeliveryState
    name: str
    then: Then = "next"
    status: int | None = None
    reason: str | None = None
    until: datetime | None = None  # a rate limit's end


def _said(error: BaseException) -> str:
    return error.message if isinstance(error, TripdeskError) else str(error)


def _unready(error: BaseException) -> str:
    return f"tripdesk could not get this ready to send ({type(error).__name__}: {error})."


def _lost(error: BaseException) -> str:
    return f"Something went wrong while publishing ({type(error).__name__}); {CHECK_ACCOUNT}."


Row = tuple[Callable[[BaseException], bool], Outcome, Outcome, Callable[[BaseException], str]]

# fmt: off
TABLE: tuple[Row, ...] = (
    # the failure                                        before publishing / while publishing
    (lambda e: isinstance(e, TripdeskError),
     Outcome("blocked", "blocked"), Outcome("uncertain", "uncertain"), _said),
    (lambda e: isinstance(e, CredentialsRefused),
     Outcome("queued", "refused", "pause"), Outcome("queued", "refused", "pause"), _said),
    (lambda e: isinstance(e, RateLimited),
     Outcome("queued", "rate_limited", "hold"), Outcome("queued", "rate_limited", "hold"), _said),
    (lambda e: isinstance(e, NotCreated) and e.offline,
     Outcome("queued", "offline", "offline"), Outcome("queued", "offline", "offline"), _said),
    (lambda e: isinstance(e, NotCreated),
     Outcome("queued", "retry", "backoff"), Outcome("queued", "retry", "backoff"), _said),
    (lambda e: isinstance(e, AlreadyPosted),
     Outcome("uncertain", "duplicate"), Outcome("uncertain", "duplicate"), _said),
    (lambda e: isinstance(e, Rejected),
     Outcome("failed", "failed"), Outcome("failed", "failed"), _said),
    (lambda e: isinstance(e, SendFailure),
     Outcome("uncertain", "uncertain"), Outcome("uncertain", "uncertain"), _said),
    (lambda e: True,
     Outcome("failed", "failed"), Outcome("uncertain", "uncertain"), _unready),
)
# fmt: on


def outcome_of(error: BaseException, *, publishing: bool) -> Outcome:
    """The table's first row that matches `error`, with its status and reason filled in."""
    for matches, before, during, reason in TABLE:
        if matches(error):
            chosen = during if publishing else before
            said = _lost(error) if publishing and reason is _unready else reason(error)
            status = getattr(error, "status", None)
            if status is None and chosen.name == "duplicate":
                status = 403
            until = error.until if isinstance(error, RateLimited) else None
            return Outcome(chosen.state, chosen.name, chosen.then, status, said, until)
    raise AssertionError("the last row matches everything")  # pragma: no cover
