"""The policy guard: every rule, from a draft to findings, pure and fast enough for each keystroke.

The rules live by topic (`rules_people`, `rules_text`, `rules_upsetting`, `rules_limits`);
here they run in turn, and their findings make one verdict.

Each rule returns findings that say what to change and which part of the policy asks for it,
in tripdesk's own words, with where in the draft (text, photo, alt text, poll option) it is.
A rule that cannot tell asks for confirmation; it never stays silent about a doubt.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from tripdesk.config import GuardSettings
from tripdesk.consent.register import Pupil, Register
from tripdesk.draft import Draft
from tripdesk.guard import handles, rules_limits, rules_people, rules_text, rules_upsetting
from tripdesk.guard.count import weighted_length
from tripdesk.media.report import FaceReport
from tripdesk.verdict import Verdict


def check(
    draft: Draft,
    register: Register,
    settings: GuardSettings,
    *,
    faces: Sequence[FaceReport | None] = (),
    today: date | None = None,
    networks: Sequence[str] = ("x",),
) -> Verdict:
    """The guard's verdict on a draft: blocked if any rule blocks, confirm if any asks.

    `faces` holds the face detector's report for each photo, in the draft's order; a photo
    without one has not been looked at yet. `networks` are those the post is written for:
    X's own limits apply only when X is one of them (the others' are `publish.limits`').
    """
    today = today or date.today()
    tagged = _tagged(draft, register)
    x_text = handles.text_for(draft.text, "x", settings.partners)
    length = weighted_length(x_text)
    findings = [
        *rules_limits.empty(draft),
        *rules_text.broken(draft),
        *rules_text.hidden(draft),
        *rules_people.no_register(register),
        *rules_people.photo_consent(draft, register, today),
        *rules_people.faces(draft, faces, register, today),
        *rules_people.names(draft, register, settings, tagged),
        *rules_text.mentions(draft.text, settings, networks),
        *rules_text.advertising(draft.text),
        *rules_text.broadcast(draft),
        *rules_text.homework(draft.text, settings),
        *rules_upsetting.upsetting(draft, register, settings),
    ]
    if "x" in networks:
        findings += [
            *rules_limits.length(x_text, length, spans=x_text == draft.text),
            *rules_limits.photos(draft),
            *rules_limits.poll(draft),
            *rules_limits.x_alt_text(draft),
        ]
    findings += rules_limits.alt_text(draft)
    return Verdict.of(findings, length)


def _tagged(draft: Draft, register: Register) -> list[Pupil]:
    found = (register.get(pupil_id) for photo in draft.photos for pupil_id in photo.pupils)
    return [pupil for pupil in found if pupil is not None]
