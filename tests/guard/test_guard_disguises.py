"""The guard holds against whole classes of disguise, and ordinary trip posts stay OK.

The corpus in `corpus.py` draws disguises by class over the fixture register's pupils; every
draft that names a pupil in disguise must block, and every finding must point at its span.
"""

from __future__ import annotations

import time

import pytest
from corpus import CLASSES, ORDINARY_POSTS, in_a_post, letters_of
from guard_helpers import TODAY, pupil
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tripdesk.config import GuardSettings
from tripdesk.consent.register import Pupil, Register
from tripdesk.draft import Draft, DraftPhoto
from tripdesk.guard import check
from tripdesk.guard.rules_people import allowed_phrases_used
from tripdesk.guard.words import ORDINARY_WORDS
from tripdesk.verdict import Verdict

SETTINGS = GuardSettings(partners=("@NHM_London", "@AuthorVisit"))
FIXTURE = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def verdict(register: Register, text: str, guard: GuardSettings = SETTINGS, **kw) -> Verdict:
    return check(Draft(text=text, **kw), register, guard, today=TODAY)


def names(result: Verdict) -> list:
    return [f for f in result.findings if f.rule == "first-names-only"]


def distinctive(register: Register) -> list[Pupil]:
    """Pupils whose surname is no ordinary word and long enough to hide: Khan, Okafor, Nowak."""
    return [
        p
        for p in register.pupils
        if len(letters_of(p.surname)) >= 4 and letters_of(p.surname).lower() not in ORDINARY_WORDS
    ]


def assert_spans(result: Verdict, text: str) -> None:
    for finding in result.findings:
        where = finding.where
        if where.field == "text" and where.start is not None:
            assert 0 <= where.start < where.end <= len(text), finding


@pytest.mark.parametrize("disguise", sorted(CLASSES))
@FIXTURE
@given(data=st.data())
def test_every_class_of_disguised_surname_blocks(register, disguise, data):
    pupil = data.draw(st.sampled_from(distinctive(register)), label="pupil")
    hidden = data.draw(CLASSES[disguise](pupil.surname), label="disguised")
    text = data.draw(in_a_post(hidden), label="post")
    result = verdict(register, text)
    assert result.verdict == "blocked", (text, result.findings)
    assert_spans(result, text)


@FIXTURE
@given(data=st.data())
def test_a_never_photograph_pupils_first_name_glued_or_disguised_blocks(register, data):
    never = [p for p in register.pupils if p.never_photograph]
    pupil = data.draw(st.sampled_from(never), label="pupil")
    disguise = data.draw(st.sampled_from(sorted(CLASSES)), label="class")
    hidden = data.draw(CLASSES[disguise](pupil.forename), label="disguised")
    result = verdict(register, data.draw(in_a_post(hidden), label="post"))
    assert result.verdict == "blocked", (hidden, result.findings)


@FIXTURE
@given(
    posts=st.lists(st.sampled_from(ORDINARY_POSTS), min_size=1, max_size=2, unique=True),
)
def test_ordinary_trip_posts_stay_ok(register, posts):
    text = " ".join(posts)
    result = verdict(register, text)
    assert result.verdict == "ok", (text, result.findings)


@pytest.mark.parametrize("text", ORDINARY_POSTS)
def test_each_ordinary_post_is_ok(register, text):
    assert verdict(register, text).verdict == "ok", verdict(register, text).findings


@pytest.mark.parametrize(
    ("text", "span"),
    [
        ("Jack B. won the spelling bee", "Jack B"),  # two Jacks: Brown and Hall
        ("Well done Amira Kahn!", "Amira Kahn"),
        ("Ben Okafro built a rocket", "Ben Okafro"),
        ("We read Roald Dahl and heard Sadiq Khan speak", "Khan"),
        ("Mr Khan drove the minibus", "Khan"),
        ("Watching a Khan Academy video on volcanoes", "Khan"),
        ("Lighting the Bunsen burner with Mr Patel", "Patel"),
    ],
)
def test_what_the_guard_cannot_know_it_asks(register, text, span):
    result = verdict(register, text)
    assert result.verdict == "confirm", result.findings
    [finding] = names(result)
    assert text[finding.where.start : finding.where.end] == span


@pytest.mark.parametrize(
    "text",
    ["Amira Khan's model", "#AmiraKhan", "Khan's rocket flew", "KHAN won", "#TeamKhan"],
)
def test_a_full_name_possessive_or_hashtag_still_blocks(register, text):
    assert verdict(register, text).verdict == "blocked"


def test_an_initial_that_tells_no_two_pupils_apart_is_not_asked(register):
    assert verdict(register, "Amira K. won the quiz").verdict == "ok"


def test_allowed_phrases_are_honoured_and_reported_by_number(register):
    guard = GuardSettings(partners=SETTINGS.partners, allowed_phrases=("Bunsen", "Khan Academy"))
    draft = Draft(text="A Khan Academy video, then Khan won")
    result = check(draft, register, guard, today=TODAY)
    assert result.verdict == "blocked"  # the second Khan is no part of the allowed phrase
    [allowed] = [f for f in result.findings if f.rule == "allowed-phrase"]
    assert allowed.severity == "info" and "Khan" not in allowed.section
    assert draft.text[allowed.where.start : allowed.where.end] == "Khan Academy"
    assert allowed_phrases_used(draft, result, guard) == [2]
    calm = check(Draft(text="A Khan Academy video"), register, guard, today=TODAY)
    assert calm.verdict == "ok"


@pytest.mark.parametrize(
    "text",
    [
        "Great day\u200b at the museum",
        "Great day at the \u202emuseum",
        "Great day \x1b[31mat the museum",
        "Great\u2060day",
    ],
)
def test_hidden_and_control_characters_block_with_a_sentence(register, text):
    result = verdict(register, text)
    [hidden] = [f for f in result.findings if f.rule == "hidden-characters"]
    assert hidden.severity == "block" and "hidden character" in hidden.message
    assert hidden.where.end - hidden.where.start == 1


def test_hidden_characters_in_alt_text_block_too(register):
    photo = DraftPhoto(path="w.jpg", no_children=True, alt="A sketch\u200b of a cup")
    result = verdict(register, "Sketches", photos=(photo,))
    assert any(f.rule == "hidden-characters" and f.where.field == "alt" for f in result.findings)


def test_a_partner_handle_with_a_look_alike_letter_is_caught(register):
    result = verdict(register, "Thank you @NHM_Lоndon!")  # a Cyrillic о
    [mention] = [f for f in result.findings if f.rule == "mentions"]
    assert mention.severity == "block" and "look-alike" in mention.message
    assert verdict(register, "Thank you @NHM_London!").verdict == "ok"


@pytest.mark.parametrize(
    "text", ["what a f*ck up", "f**k", "sh*t day", "f#ck", "f.ck it", "shiiiit", "fuuuuck"]
)
def test_masked_swear_words_block(register, text):
    assert verdict(register, text).verdict == "blocked"


@pytest.mark.parametrize(
    "text", ["*Loved* it", "5* rating", "a.m. and p.m.", "x-ray", "soooo good", "passed"]
)
def test_stars_dots_and_long_letters_alone_are_not_swearing(register, text):
    assert not [f for f in verdict(register, text).findings if f.rule == "upsetting"]


def test_one_long_unbroken_token_is_checked_quickly(register):
    token = ("museumdinosaurfossil" * 5000)[:100_000]
    check(Draft(text="warm up"), register, SETTINGS, today=TODAY)
    start = time.perf_counter()
    result = verdict(register, token + "Khan" + token)
    assert time.perf_counter() - start < 2.0  # generous: a shared test machine; ~0.3 s alone
    assert any(f.rule == "first-names-only" and f.severity == "block" for f in result.findings)


def _short_surnames() -> Register:
    return Register([pupil("Hannah", "Lee", pupil_id="P1"), pupil("Sam", "Day", pupil_id="P2")])


@pytest.mark.parametrize(
    "text",
    ["Hannah Lees hat", "We saw Hannah Lees", "Lees Hannah", "#HannahLees", "Sam Days out"],
)
def test_a_short_surname_with_an_s_beside_the_first_name_blocks(text: str) -> None:
    assert verdict(_short_surnames(), text).verdict == "blocked", text


@pytest.mark.parametrize(
    "text", ["the lees of wine", "Great days out with Sam", "Sam: days of fun", "#Lees"]
)
def test_the_same_words_away_from_the_first_name_stay_ordinary(text: str) -> None:
    assert verdict(_short_surnames(), text).verdict == "ok", text
