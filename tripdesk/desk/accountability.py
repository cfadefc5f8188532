"""A second pair of eyes, holding posts back, and taking posts down when consent goes.

The rules here are the safeguarding lead's (the "Beyond the policy" table of the project's
safeguarding notes), not the school's Twitter policy: a colleague approves posts showing
children, posts can wait until the group has left, and a withdrawal of consent finds what is
already public and offers to remove it. Both front ends call these; none opens a database.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from tripdesk import audit
from tripdesk.config import Config
from tripdesk.consent import store as consent_store
from tripdesk.consent.register import Pupil, Register
from tripdesk.desk.register import trip_register
from tripdesk.desk.wording import pupil_label
from tripdesk.draft import Draft
from tripdesk.errors import TripdeskError
from tripdesk.guard.names import find_names
from tripdesk.publish.outbox import Outbox, OutboxPost
from tripdesk.staff import store as staff

# Hold until ---------------------------------------------------------------------------------

_CLOCK = re.compile(r"(\d{1,2})[:.](\d{2})")


def _uk_date_time(text: str) -> datetime | None:
    try:
        return datetime.strptime(text, "%d/%m/%Y %H:%M")
    except ValueError:
        return None


def hold_time(text: str, *, now: datetime | None = None) -> datetime:
    """`15:30` (today, local time), `11/06/2026 09:00` or an ISO date and time, as a moment
    still to come (UTC)."""
    now = (now or datetime.now(UTC)).astimezone()  # a clock without a zone is the laptop's
    given = text.strip()
    clock = _CLOCK.fullmatch(given)
    try:
        if clock:
            moment = now.astimezone().replace(
                hour=int(clock[1]), minute=int(clock[2]), second=0, microsecond=0
            )
        else:
            moment = _uk_date_time(given) or datetime.fromisoformat(given)
            if moment.tzinfo is None:
                moment = moment.astimezone()  # the laptop's local time, as the teacher means it
    except ValueError:
        raise TripdeskError(
            f"{given!r} is not a time; give one such as 15:30 (today) or 2026-06-12T15:30."
        ) from None
    if moment <= now:
        raise TripdeskError(
            f"{given} has already passed; give a later time (e.g. tomorrow as 2026-06-12T09:00)."
        )
    return moment.astimezone(UTC)


def hold_for(
    draft: Draft, config: Config, given: datetime | None, *, now: datetime | None = None
) -> datetime | None:
    """When the post may go out: the time given, else the trip's default for photos of children."""
    if given is not None:
        return given
    now = now or datetime.now(UTC)
    minutes = config.publish.hold_photos_minutes
    if minutes and draft.shows_children:
        return now + timedelta(minutes=minutes)
    return None


# A second pair of eyes ----------------------------------------------------------------------


def approval_needed(draft: Draft, config: Config) -> bool:
    return config.approval.needed(draft.shows_children)


def approvers(conn: sqlite3.Connection, config: Config) -> list[str]:
    """Everyone on the staff list who may approve: all but the trip's teacher."""
    teacher = staff.name_key(config.trip.teacher)
    return [m.name for m in staff.members(conn) if staff.name_key(m.name) != teacher]


def approve(
    conn: sqlite3.Connection,
    config: Config,
    draft: Draft,
    approver: str | None,
    pin: str | None,
    *,
    now: datetime | None = None,
) -> str | None:
    """The approver's name once their PIN is proven, None when no approval is asked or needed.

    Raises TripdeskError (exit 1) saying who must approve when the post needs an approval it
    does not have. The check is made when the post is queued; the outbox keeps the name.
    """
    needed = approval_needed(draft, config)
    if approver is None:
        if needed:
            raise TripdeskError(who_must_approve(conn, config), exit_code=1)
        return None
    if not config.trip.teacher.strip():
        raise TripdeskError(
            f"Set the trip's teacher ([trip] teacher in {config.path}) so tripdesk knows whose "
            "posts need someone else's approval.",
            exit_code=1,
        )
    if staff.name_key(approver) == staff.name_key(config.trip.teacher):
        raise TripdeskError(
            f"{config.trip.teacher} is the trip's teacher and cannot approve their own post; "
            "ask another member of staff.",
            exit_code=1,
        )
    if pin is None:
        raise TripdeskError(f"{staff.clean_name(approver)} must enter their PIN.", exit_code=1)
    return staff.check_pin(conn, approver, pin, now=now).name


def record_approval(conn: sqlite3.Connection, post_id: int, approver: str | None) -> None:
    """Put the approver's name beside the post in the audit log (the outbox keeps it too)."""
    if approver is not None:
        audit.record(conn, "staff.approved", post=post_id, approver=approver)


def approval_why(config: Config) -> str:
    """Why the school asks for a second member of staff on this post, in a few words."""
    return "it shows pupils" if config.approval.required == "children" else "every post does"


def who_must_approve(conn: sqlite3.Connection, config: Config) -> str:
    why = approval_why(config)
    names = approvers(conn, config)
    if not names:
        others = f"other than {config.trip.teacher} " if config.trip.teacher else ""
        return (
            f"This post needs a second member of staff to approve it ({why}), but no one "
            f"{others}is on the staff list; add a colleague with `tripdesk staff add NAME`."
        )
    who = names[0] if len(names) == 1 else ", ".join(names[:-1]) + f" or {names[-1]}"
    return (
        f"This post needs a second member of staff to approve it ({why}): {who}, with "
        "--approved-by NAME and their PIN; nothing was queued."
    )


# Consent withdrawn and what is already public ------------------------------------------------


def withdraw_consent(
    conn: sqlite3.Connection, config: Config, pupil_id: str, *, today: date | None = None
) -> tuple[Pupil, bool]:
    """Record today that a pupil's consent is withdrawn; False when it already was.

    The next register import replaces this with what the school's MIS says, so the office
    should record the withdrawal there too.
    """
    changed = consent_store.withdraw(conn, pupil_id, today or date.today())
    pupil = trip_register(conn, config).get(pupil_id)
    assert pupil is not None, "the pupil just updated is on the register"
    return pupil, changed


@dataclass(frozen=True)
class Involved:
    """A pupil whose consent is gone, and how a post shows or names them."""

    pupil_id: str
    label: str
    status: str
    how: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.pupil_id,
            "name": self.label,
            "status": self.status,
            "how": list(self.how),
        }


@dataclass(frozen=True)
class LivePost:
    """A published post that shows or names a pupil who may no longer appear."""

    post: OutboxPost
    pupils: tuple[Involved, ...]
    takedown: str | None = None
    receipts: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.post.id,
            "sent_at": self.post.sent_at.isoformat() if self.post.sent_at else None,
            "url": self.post.url,
            "text": self.post.draft.text,
            "pupils": [p.to_dict() for p in self.pupils],
            "takedown": self.takedown,
            "receipts": list(self.receipts),
        }


def posts_to_take_down(
    conn: sqlite3.Connection,
    config: Config,
    *,
    pupil_ids: Iterable[str] | None = None,
    today: date | None = None,
    include_queued: bool = False,
) -> list[LivePost]:
    """Published posts showing or naming a pupil whose consent is gone, oldest first.

    `pupil_ids` narrows the search to those pupils; posts whose removal is already queued or
    done are left out unless `include_queued`.
    """
    today = today or date.today()
    register = trip_register(conn, config)
    wanted = None if pupil_ids is None else set(pupil_ids)
    gone = {
        pupil.id: pupil
        for pupil in register.pupils
        if not pupil.may_appear(today) and (wanted is None or pupil.id in wanted)
    }
    found = []
    for post in sorted(Outbox(conn, config).posts(states=("sent",)), key=lambda p: p.id):
        if post.takedown is not None and not include_queued:
            continue
        involved = _involved(post.draft, register, gone, wanted, today)
        if involved:
            found.append(LivePost(post, involved, post.takedown, post.removals))
    return found


def _involved(
    draft: Draft,
    register: Register,
    gone: dict[str, Pupil],
    wanted: set[str] | None,
    today: date,
) -> tuple[Involved, ...]:
    how: dict[str, list[str]] = {}
    for number, photo in enumerate(draft.photos, start=1):
        for pupil_id in photo.pupils:
            if pupil_id in gone or (register.get(pupil_id) is None and _asked(pupil_id, wanted)):
                how.setdefault(pupil_id, []).append(f"in photo {number}")
    texts = [("the text", draft.text)]
    texts += [(f"the alt text of photo {n}", p.alt) for n, p in enumerate(draft.photos, 1)]
    if draft.poll:
        texts += [(f"poll option {n}", o) for n, o in enumerate(draft.poll.options, 1)]
    candidates = list(gone.values())
    for place, text in texts:
        for hit in find_names(text, register, candidates):
            for pupil in hit.pupils:
                if pupil.id in gone and f"named in {place}" not in how.get(pupil.id, []):
                    how.setdefault(pupil.id, []).append(f"named in {place}")
    involved = []
    for pupil_id, ways in sorted(how.items()):
        pupil = register.get(pupil_id)
        involved.append(
            Involved(
                pupil_id=pupil_id,
                label=pupil_label(pupil) if pupil else pupil_id,
                status=pupil.status(today) if pupil else "not on the register",
                how=tuple(ways),
            )
        )
    return tuple(involved)


def _asked(pupil_id: str, wanted: set[str] | None) -> bool:
    """A pupil no longer on the register counts as without consent: any doubt is no."""
    return wanted is None or pupil_id in wanted


def take_down(
    conn: sqlite3.Connection, config: Config, post_ids: Iterable[int], reason: str
) -> list[OutboxPost]:
    """Queue the removal of each post from every network it went to (sent by the outbox)."""
    outbox = Outbox(conn, config)
    return [outbox.take_down(post_id, reason) for post_id in post_ids]
