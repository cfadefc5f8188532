"""What the teacher reads: every finding says what to change, where, and which rule asks for it."""

from __future__ import annotations

import re

from guard_helpers import TODAY

from tripdesk.config import GuardSettings
from tripdesk.draft import Draft, DraftPhoto, Poll
from tripdesk.guard import check
from tripdesk.media.report import FaceReport
from tripdesk.verdict import Finding

SETTINGS = GuardSettings(partners=("@NHM_London",))
SECTIONS = {
    "Photo consent",
    "First names only",
    "Mentions",
    "Broadcast only",
    "Homework",
    "E-safety",
    "X's limits",
    "Accessibility",
}
# The part after the semicolon tells the teacher what to do.
ACTION = re.compile(
    r"; (?:.*\b)?(take|use|tag|untag|fix|remove|blur|confirm|look|mention|start|write|describe|"
    r"cut|add|fill|set|retype|shorten)\b"
)


def field_text(draft: Draft, finding: Finding) -> str:
    where = finding.where
    if where.field == "alt":
        return draft.photos[where.index or 0].alt
    if where.field == "poll" and where.index is not None and draft.poll:
        return draft.poll.options[where.index]
    return draft.text


KITCHEN_FACES = (None, FaceReport(2))


def kitchen_sink() -> Draft:
    """A draft that breaks nearly every rule at once."""
    photo = DraftPhoto("a.jpg", pupils=("P1002",), alt="Amira Khan by the rocket")
    empty_alt = DraftPhoto("b.jpg", no_children=True, alt="")
    return Draft(
        text="@someone Jack Brown’s homework: buy now at @shop, sh1t \udcff " + "x" * 260,
        photos=(photo, empty_alt, photo, photo, photo),
        poll=Poll(("Team Okafor", "", "a" * 30), 1),
        in_reply_to="99",
    )


def test_every_finding_names_its_section_and_says_what_to_change(register):
    verdict = check(kitchen_sink(), register, SETTINGS, faces=KITCHEN_FACES, today=TODAY)
    assert len({f.rule for f in verdict.findings}) >= 12
    for finding in verdict.findings:
        assert finding.section in SECTIONS, finding
        assert finding.message.startswith(f"{finding.section}: "), finding.message
        assert ACTION.search(finding.message), finding.message


def test_every_span_lies_inside_its_field_and_the_message_quotes_it(register):
    draft = kitchen_sink()
    verdict = check(draft, register, SETTINGS, faces=KITCHEN_FACES, today=TODAY)
    spans = [f for f in verdict.findings if f.where.start is not None]
    assert len(spans) >= 8
    for finding in spans:
        text = field_text(draft, finding)
        start, end = finding.where.start, finding.where.end
        assert end is not None and 0 <= start < end <= len(text), finding
        quoted = re.search(r"“(.+?)”", finding.message)
        if quoted:
            assert quoted.group(1) == text[start:end], finding


def test_limits_say_how_much_to_cut(register):
    draft = Draft(
        text="Which was best?",
        poll=Poll(("Dinosaurs", "", "The enormous blue whale skeleton"), 4),
    )
    messages = [f.message for f in check(draft, register, SETTINGS, today=TODAY).findings]
    assert any("poll option 2 is empty; fill it in or remove it" in m for m in messages)
    assert any("has 32 characters; X allows 25, so cut 7" in m for m in messages)
    assert any("set it between 5 minutes and 7 days" in m for m in messages)
    many = Draft(text="Photos", photos=tuple(DraftPhoto(f"{n}.jpg", alt="x") for n in range(6)))
    messages = [f.message for f in check(many, register, SETTINGS, today=TODAY).findings]
    assert any("X takes at most 4, so remove 2" in m for m in messages)


def test_broken_characters_block_and_are_pointed_at(register):
    verdict = check(Draft(text="caf\udce9 time"), register, SETTINGS, today=TODAY)
    [finding] = verdict.findings
    assert (finding.rule, finding.severity) == ("broken-text", "block")
    assert (finding.where.start, finding.where.end) == (3, 4)
    assert check(Draft(text="café time"), register, SETTINGS, today=TODAY).verdict == "ok"
