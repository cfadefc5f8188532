"""Every rule of the guard, both ways: it fires when it must and stays quiet when it must."""

from __future__ import annotations

from dataclasses import replace

import pytest
from guard_helpers import TODAY

from tripdesk.config import GuardSettings
from tripdesk.consent.register import Pupil, Register
from tripdesk.draft import Draft, DraftPhoto, Poll
from tripdesk.guard import check
from tripdesk.media.report import FaceReport
from tripdesk.verdict import Finding, Verdict


def photo(*pupils: str, alt: str = "Pupils looking at a fossil") -> DraftPhoto:
    return DraftPhoto(path="p.jpg", pupils=pupils, alt=alt)


def work(alt: str = "A sketch of a coffee cup") -> DraftPhoto:
    return DraftPhoto(path="w.jpg", no_children=True, alt=alt)


def run(
    register: Register,
    settings: GuardSettings,
    text: str = "A great day at the museum!",
    faces: tuple[FaceReport | None, ...] | None = None,
    **kw,
) -> Verdict:
    """Check a draft; unless said otherwise the detector saw one face per photo of pupils."""
    draft = Draft(text=text, **kw)
    if faces is None:
        faces = tuple(FaceReport(count=0 if p.no_children else 1) for p in draft.photos)
    return check(draft, register, settings, faces=faces, today=TODAY)


def rules(verdict: Verdict, severity: str | None = None) -> set[str]:
    return {f.rule for f in verdict.findings if severity is None or f.severity == severity}


def only(verdict: Verdict, rule: str) -> list[Finding]:
    return [f for f in verdict.findings if f.rule == rule]


def test_a_clean_draft_is_ok(register, settings):
    verdict = run(
        register,
        settings,
        "Year 6 loved the dinosaurs today! #Y6Museum",
        photos=(photo("P1001"), work()),
    )
    assert verdict.verdict == "ok", verdict.findings
    assert verdict.weighted_length == 43


# ---- Photo consent -----------------------------------------------------------------------------


def test_untagged_undeclared_photo_blocks(register, settings):
    verdict = run(
        register, settings, photos=(DraftPhoto("p.jpg", alt="x"),), faces=(FaceReport(0),)
    )
    assert "photo-consent" in rules(verdict, "block")
    assert only(verdict, "photo-consent")[0].where.to_dict() == {"field": "photo", "index": 0}


@pytest.mark.parametrize(
    ("pupil", "reason"),
    [
        ("P1002", "no social-media photo consent"),  # "no"
        ("P1013", "no social-media photo consent"),  # "?"
        ("P1014", "no social-media photo consent"),  # empty
        ("P1015", "no social-media photo consent"),  # "Not returned"
        ("P1009", "expired on 31/07/2025"),
        ("P1011", "withdrawn"),
        ("P1010", "must never be photographed"),
        ("P9999", "not on the consent register"),
    ],
)
def test_pupil_without_current_consent_blocks(register, settings, pupil, reason):
    verdict = run(register, settings, photos=(photo(pupil),))
    assert verdict.verdict == "blocked"
    messages = [f.message for f in only(verdict, "photo-consent")]
    assert any(reason in m for m in messages), messages
    assert all("Rose" not in m and "Dubois" not in m for m in messages)  # no surname on screen


@pytest.mark.parametrize("pupil", ["P1001", "P1006", "P1007", "P1008", "P1012"])
def test_pupil_with_consent_in_any_spelling_passes(register, settings, pupil):
    verdict = run(register, settings, photos=(photo(pupil),))
    assert rules(verdict) == set(), verdict.findings


def test_pupil_not_on_the_roster_asks(register, settings):
    verdict = run(register, settings, photos=(photo("P1027"),))  # Ruby: consent, not on the trip
    assert verdict.verdict == "confirm"
    assert "roster" in only(verdict, "photo-consent")[0].message


def test_photo_both_tagged_and_declared_empty_blocks(register, settings):
    contradictory = replace(photo("P1001"), no_children=True)
    assert "photo-consent" in rules(run(register, settings, photos=(contradictory,)), "block")


# ---- Faces ---------------------------------------------------------------------------------------


def test_faces_on_a_photo_declared_without_children_block(register, settings):
    verdict = run(register, settings, photos=(work(),), faces=(FaceReport(2),))
    [finding] = only(verdict, "faces")
    assert finding.severity == "block"
    assert "2 faces found in photo 1" in finding.message


def test_more_faces_than_tagged_pupils_who_may_appear_asks(register, settings):
    verdict = run(register, settings, photos=(photo("P1001", "P1003"),), faces=(FaceReport(4),))
    [finding] = only(verdict, "faces")
    assert finding.severity == "confirm"
    assert "4 faces in photo 1 but 2 tagged pupils" in finding.message


def test_faces_matching_the_tags_pass(register, settings):
    assert (
        only(
            run(register, settings, photos=(photo("P1001", "P1003"),), faces=(FaceReport(2),)),
            "faces",
        )
        == []
    )
    assert only(run(register, settings, photos=(work(),), faces=(FaceReport(0),)), "faces") == []


@pytest.mark.parametrize(
    "report",
    [None, FaceReport(count=None, error="the detector failed")],
    ids=["unchecked", "failed"],
)
def test_photo_nobody_looked_at_is_never_ok(register, settings, report):
    verdict = run(register, settings, photos=(work(),), faces=(report,))
    [finding] = only(verdict, "faces")
    assert finding.severity == "confirm"
    assert "look at photo 1 yourself" in finding.message


# ---- First names only --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Well done Khan!",
        "Amira Khan won the quiz",
        "KHAN!",
        "Khan's team won",
        "Grace Smith-Jones's drawing",
        "Smith-Jones's drawing",
        "O'Neill’s model",
        "ONeill's model",
        "Wisniewski and Wiśniewski",
        "Lukasz Wisniewski",
        "Zoe Nowak",
        "Ｋｈａｎ was first",
        "Kh\u200ban was first",
        "Кhan was first",  # Cyrillic К
        "Kha\u0301n",  # a stray combining accent
        "#AmiraKhan",
        "#TeamKhan",
        "Alex Park won the quiz",
        "Jack Brown got a medal",
        "Ben Okafor",
        "Mo Young",
        "We met Park at lunch",
        "Ellie had fun",
        "Rose was there",
    ],
)
def test_surnames_and_full_names_block(register, settings, text):
    verdict = run(register, settings, text)
    assert "first-names-only" in rules(verdict, "block"), verdict.findings


@pytest.mark.parametrize(
    "text",
    [
        "We had lunch in the park",
        "The great hall was huge",
        "A little bird sang",
        "may we say thank you",
        "we saw a brown bear and a green tree",
        "Hope you all had a lovely day",
        "Jack got a medal",
        "Well done Amira!",
        "The king and the stone age",
        "a fox in the wood near the church field",
    ],
)
def test_ordinary_words_do_not_block(register, settings, text):
    verdict = run(register, settings, text)
    assert "first-names-only" not in rules(verdict, "block"), verdict.findings


@pytest.mark.parametrize(
    "text",
    [
        "Hyde Park was lovely",
        "Lunch in the Park",
        "LUNCH IN THE PARK",
        "#ParkLife",
        "Park won the quiz",
        "Thanks to Isla Park",  # another pupil's first name: a nickname, or a mistake
    ],
)
def test_ordinary_surnames_it_cannot_judge_ask(register, settings, text):
    verdict = run(register, settings, text)
    assert "first-names-only" in rules(verdict, "confirm"), verdict.findings
    assert "first-names-only" not in rules(verdict, "block"), verdict.findings


def test_names_in_alt_text_and_poll_count_too(register, settings):
    verdict = run(
        register,
        settings,
        "Which was best?",
        photos=(photo("P1001", alt="Amira Khan by the rocket"),),
    )
    [finding] = [f for f in only(verdict, "first-names-only") if f.severity == "block"]
    assert finding.where.to_dict() == {"field": "alt", "index": 0, "start": 0, "end": 10}
    poll = run(register, settings, "Which was best?", poll=Poll(("Khan's rocket", "Space"), 60))
    [finding] = only(poll, "first-names-only")
    assert finding.where.field == "poll" and finding.where.index == 0


def test_finding_points_at_the_typed_span(register, settings):
    text = "Today Jack Brown won"
    [finding] = only(run(register, settings, text), "first-names-only")
    assert text[finding.where.start : finding.where.end] == "Jack Brown"


def test_first_name_of_a_pupil_in_the_photos_asks_or_blocks(register, settings):
    draft = {"text": "Amira loved the rockets", "photos": (photo("P1001"),)}
    verdict = run(register, settings, **draft)
    assert verdict.verdict == "confirm"
    assert rules(verdict) == {"first-names-only"}
    strict = replace(settings, names_with_photos="block")
    assert run(register, strict, **draft).verdict == "blocked"
    assert run(register, settings, "Amira loved the rockets").verdict == "ok"


def test_an_approved_partner_handle_is_not_read_as_a_name(register):
    settings = GuardSettings(partners=("@MrKhanAuthor",))
    assert run(register, settings, "Thank you @MrKhanAuthor for the talk").verdict == "ok"


# ---- Mentions, advertising, broadcast only -----------------------------------------------------


def test_mentions_outside_the_partner_list_block(register, settings):
    verdict = run(register, settings, "Thanks to @NHM_London and @pizza_place for lunch")
    [finding] = only(verdict, "mentions")
    assert finding.severity == "block" and "@pizza_place" in finding.message
    assert (finding.where.start, finding.where.end) == (26, 38)


def test_partner_mentions_pass_in_any_case(register, settings):
    assert run(register, settings, "Thank you @nhm_london for a great day").verdict == "ok"


@pytest.mark.parametrize(
    "text", ["Buy the book now", "20% off at the shop", "Use code SCHOOL10", "Lovely lunch #ad"]
)
def test_advertising_asks(register, settings, text):
    assert rules(run(register, settings, text)) == {"advertising"}


def test_ordinary_words_are_not_advertising(register, settings):
    assert run(register, settings, "The buyers' market stall was a history lesson").verdict == "ok"


def test_a_draft_starting_with_a_handle_blocks(register, settings):
    verdict = run(register, settings, "@NHM_London thank you for today")
    assert "broadcast-only" in rules(verdict, "block")
    assert "broadcast-only" not in rules(run(register, settings, "Thank you @NHM_London"))


def test_a_draft_answering_any_post_is_blocked_as_tripdesk_never_replies(register, settings):
    verdict = check(
        Draft(text="Part two of our day", in_reply_to="1234"), register, settings, today=TODAY
    )
    assert rules(verdict, "block") == {"broadcast-only"}


# ---- Homework, upsetting -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["Homework: draw a dinosaur", "Don’t forget your worksheet", "Remember to bring it in"]
)
def test_homework_asks_about_the_homework_platform(register, settings, text):
    [finding] = only(run(register, settings, text), "homework")
    assert finding.severity == "confirm" and "Show My Homework" in finding.message


def test_no_homework_no_question(register, settings):
    assert only(run(register, settings, "We worked hard and had fun"), "homework") == []


@pytest.mark.parametrize("text", ["What a shit day", "sh1t happens", "f.u.c.k this", "Bellend"])
def test_offensive_words_block(register, settings, text):
    assert "upsetting" in rules(run(register, settings, text), "block")


def test_school_blocked_words_block(register):
    settings = GuardSettings(blocked_words=("Voldemort", "bad place"))
    assert "upsetting" in rules(run(register, settings, "We visited the Bad Place"), "block")
    assert "upsetting" in rules(run(register, settings, "voldemort!"), "block")


@pytest.mark.parametrize(
    "text",
    [
        "Scunthorpe and Essex are far away",
        "The church organ was huge",
        "We sat on the grassy slope",
        "Class 6 passed the ball",
        "Cocktail sticks and a cockerel",
    ],
)
def test_innocent_words_do_not_block(register, settings, text):
    assert "upsetting" not in rules(run(register, settings, text)), text


def test_upsetting_but_maybe_fine_asks(register, settings):
    assert rules(run(register, settings, "Nobody was injured on the trip")) == {"upsetting"}


# ---- X's limits, accessibility, empty ----------------------------------------------------------


def test_over_280_blocks_and_points_at_the_overflow(register, settings):
    [finding] = only(run(register, settings, "a" * 281), "length")
    assert finding.severity == "block" and "281/280" in finding.message
    assert (finding.where.start, finding.where.end) == (280, 281)
    assert only(run(register, settings, "a" * 280), "length") == []


def test_links_count_23_like_x(register, settings):
    text = "See https://www.nhm.ac.uk/discover/dino-directory/velociraptor.html " + "a" * 250
    verdict = run(register, settings, text)
    assert verdict.weighted_length == len("See ") + 23 + len(" ") + 250
    assert only(verdict, "length") == []


def test_more_than_four_photos_block(register, settings):
    verdict = run(register, settings, photos=tuple(work() for _ in range(5)))
    assert rules(verdict, "block") == {"photos"}
    assert rules(run(register, settings, photos=tuple(work() for _ in range(4)))) == set()


@pytest.mark.parametrize(
    ("poll", "photos"),
    [
        (Poll(("Only one",), 60), ()),
        (Poll(("a", "b", "c", "d", "e"), 60), ()),
        (Poll(("a", "x" * 26), 60), ()),
        (Poll(("a", "  "), 60), ()),
        (Poll(("a", "b"), 4), ()),
        (Poll(("a", "b"), 10081), ()),
        (Poll(("a", "b"), 60), (work(),)),
    ],
)
def test_poll_outside_x_limits_blocks(register, settings, poll, photos):
    assert rules(run(register, settings, poll=poll, photos=photos), "block") == {"poll"}


def test_poll_inside_x_limits_passes(register, settings):
    for poll in (Poll(("a", "b"), 5), Poll(("a", "b", "c", "x" * 25), 10080)):
        assert run(register, settings, poll=poll).verdict == "ok"


def test_photo_without_alt_text_blocks(register, settings):
    verdict = run(register, settings, photos=(work(alt="  "),))
    assert rules(verdict, "block") == {"alt-text"}
    assert only(verdict, "alt-text")[0].where.to_dict() == {"field": "alt", "index": 0}


def test_alt_text_over_1000_characters_blocks(register, settings):
    assert rules(run(register, settings, photos=(work(alt="a" * 1001),)), "block") == {"alt-text"}
    assert run(register, settings, photos=(work(alt="a" * 1000),)).verdict == "ok"


@pytest.mark.parametrize("alt", ["y", " n ", "ok", "Cat"])
def test_a_stray_keystroke_as_alt_text_asks_for_a_description(register, settings, alt):
    verdict = run(register, settings, photos=(work(alt=alt),))
    assert rules(verdict, "confirm") == {"alt-text"}
    [finding] = verdict.findings
    assert finding.where.field == "alt" and finding.where.index == 0


@pytest.mark.parametrize("alt", ["A coffee cup", "Rocket", "Sketch of a cup"])
def test_a_short_real_alt_text_is_fine(register, settings, alt):
    assert run(register, settings, photos=(work(alt=alt),)).verdict == "ok"


@pytest.mark.parametrize("text", ["", "   ", "\n\t "])
def test_empty_post_blocks(register, settings, text):
    assert "empty" in rules(run(register, settings, text), "block")


def test_without_a_register_nothing_is_ok_until_the_teacher_confirms(register, settings):
    verdict = check(Draft(text="Well done Khan"), Register(), settings, today=TODAY)
    assert verdict.verdict == "confirm"
    [note] = verdict.findings  # names and consent could not be checked at all
    assert (note.rule, note.severity) == ("register", "confirm") and "import it" in note.message
    assert only(run(register, settings), "register") == []
    unknown = check(
        Draft(text="Well done", photos=(photo("P1001"),)), Register(), settings, today=TODAY
    )
    assert "photo-consent" in rules(unknown, "block")


def test_every_message_names_its_policy_section(register, settings):
    verdict = run(
        register,
        settings,
        "@someone Amira Khan's homework: buy now, sh1t " + "x" * 280,
        photos=(photo("P1002", alt=""), work()),
        faces=(FaceReport(1), FaceReport(3)),
        poll=Poll(("a",), 1),
    )
    assert len(rules(verdict)) >= 10
    for finding in verdict.findings:
        assert finding.message.startswith(f"{finding.section}: ")


def test_preferred_and_legal_first_names_both_count(register, settings):
    for text in ("Mohammed built a rocket", "Mo built a rocket"):
        verdict = run(register, settings, text, photos=(photo("P1012"),))
        [finding] = only(verdict, "first-names-only")
        assert finding.severity == "confirm" and "Mo (P1012)" in finding.message


def test_two_pupils_called_jack_are_told_apart(register, settings):
    [hall] = only(run(register, settings, "Well done Jack Hall"), "first-names-only")
    [brown] = only(run(register, settings, "Well done Jack Brown"), "first-names-only")
    assert hall.severity == brown.severity == "block"
    only_brown = run(register, settings, "Jack loved it", photos=(photo("P1003"),))
    [finding] = only(only_brown, "first-names-only")
    assert "P1003" in finding.message and "P1004" not in finding.message


def test_a_plural_or_possessive_without_apostrophe_still_blocks(register, settings):
    assert "first-names-only" in rules(run(register, settings, "The Khans came too"), "block")


def test_a_pupils_name_is_not_read_as_a_rude_word(settings):
    fanny = Pupil(
        id="P1",
        forename="Fanny",
        preferred_name="",
        surname="Price",
        year="6",
        klass="6A",
        consent_social_media=True,
        consent_expires=None,
        consent_withdrawn=None,
        never_photograph=False,
        on_roster=True,
    )
    verdict = check(Draft(text="Well done Fanny!"), Register([fanny]), settings, today=TODAY)
    assert verdict.verdict == "ok", verdict.findings
    rude = check(Draft(text="Well done Fanny!"), Register(), settings, today=TODAY)
    assert "upsetting" in rules(rude, "block")
