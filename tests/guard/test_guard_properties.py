"""Property-based tests of the name rule: disguised surnames never pass; plain words never block."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

from guard_helpers import TODAY
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tripdesk.config import GuardSettings
from tripdesk.consent.register import Pupil, Register
from tripdesk.draft import Draft
from tripdesk.guard import check
from tripdesk.guard.words import CALENDAR, DATE_WORDS, ORDINARY_WORDS

SETTINGS = GuardSettings(partners=("@NHM_London",))
BENIGN = (
    "we had a lovely day at the museum and saw dinosaurs fossils rockets in great hall lunch "
    "park was sunny everyone asked brilliant questions about space rocks little bird may green "
    "brown young hope wood church field king stone fox today then our class"
)
ORDINARY_SURNAMES = ["brown", "hall", "park", "young", "green", "may", "hope", "bird", "wood"]
ORDINARY_SURNAMES += ["church", "field", "little", "king", "stone", "fox"]
LOOK_ALIKE = str.maketrans("aeopcxyKAEHMOPT", "аеорсхуКАЕНМОРТ")  # Cyrillic letters


def _fullwidth(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def _zero_width(text: str) -> str:
    middle = len(text) // 2
    return text[:middle] + "\u200b" + text[middle:]


def _no_accents(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text.replace("ł", "l").replace("Ł", "L"))
    return "".join(c for c in plain if not unicodedata.combining(c))


TRANSFORMS: dict[str, Callable[[str], str]] = {
    "upper": str.upper,
    "lower": str.lower,
    "possessive": lambda s: s + "'s",
    "curly possessive": lambda s: s + "’s",
    "curly apostrophe": lambda s: s.replace("'", "’"),
    "no apostrophe": lambda s: s.replace("'", ""),
    "unicode hyphen": lambda s: s.replace("-", "‐"),
    "no accents": _no_accents,
    "decomposed": lambda s: unicodedata.normalize("NFD", s),
    "full-width": _fullwidth,
    "look-alike": lambda s: s.translate(LOOK_ALIKE),
    "zero-width": _zero_width,
    "exclaimed": lambda s: s + "!",
}


def _apply(name: str, transforms: list[str]) -> str:
    for transform in transforms:
        name = TRANSFORMS[transform](name)
    return name


def _hashtag(*names: str) -> str:
    return "#" + "".join("".join(ch for ch in n if ch.isalnum()) for n in names)


def _insert(words: list[str], position: int, name: str) -> str:
    position %= len(words) + 1
    return " ".join([*words[:position], name, *words[position:]])


benign_words = st.lists(st.sampled_from(BENIGN.split()), min_size=1, max_size=25)
transforms = st.lists(st.sampled_from(sorted(TRANSFORMS)), max_size=3)


def _verdict(register: Register, text: str) -> str:
    return check(Draft(text=text), register, SETTINGS, today=TODAY).verdict


def _pupils(register: Register, ordinary: bool) -> list[Pupil]:
    return [
        p
        for p in register.pupils
        if (_no_accents(p.surname).replace("'", "").lower() in ORDINARY_WORDS) == ordinary
    ]


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data(), words=benign_words, position=st.integers(0, 30), how=transforms)
def test_a_disguised_surname_is_never_ok(register, data, words, position, how):
    pupil = data.draw(st.sampled_from(_pupils(register, ordinary=False)), label="pupil")
    text = _insert(words, position, _apply(pupil.surname, how))
    assert _verdict(register, text) != "ok", text


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data(), words=benign_words, position=st.integers(0, 30), how=transforms)
def test_a_disguised_full_name_is_never_ok(register, data, words, position, how):
    pupil = data.draw(st.sampled_from(register.pupils), label="pupil")
    shape = data.draw(st.sampled_from(["words", "hashtag"]), label="shape")
    first = data.draw(st.sampled_from([pupil.forename, pupil.display_name]), label="first")
    if shape == "hashtag":
        name = _apply(_hashtag(first, pupil.surname), [t for t in how if t != "exclaimed"])
    else:
        name = _apply(f"{first} {pupil.surname}", how)
    text = _insert(words, position, name)
    assert _verdict(register, text) != "ok", text


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data(), words=benign_words, position=st.integers(1, 30), verb=st.booleans())
def test_an_ordinary_word_surname_used_as_a_name_is_never_ok(register, data, words, position, verb):
    # Used as a name: capitalised inside a sentence, or opening one and doing something. A
    # capital that only starts a sentence ("Hope you enjoy") is no sign of a name.
    pupil = data.draw(st.sampled_from(_pupils(register, ordinary=True)), label="pupil")
    case = data.draw(st.sampled_from([str.title, str.upper]), label="case")
    name = case(pupil.surname)
    if verb:
        text = f"{name} won the quiz, " + " ".join(words)
    else:
        position = min(position, len(words))
        assume(not (pupil.surname.lower() in CALENDAR and words[position - 1] in DATE_WORDS))
        text = _insert(words, position, name)
    assert _verdict(register, text) != "ok", text


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    words=st.lists(st.sampled_from(BENIGN.split() + ORDINARY_SURNAMES), min_size=1, max_size=30),
    capital=st.booleans(),
    stop=st.sampled_from(["", ".", "!"]),
)
def test_benign_text_with_ordinary_word_surnames_is_never_blocked_as_a_name(
    register, words, capital, stop
):
    # A capital at the start of the text is how sentences begin; the one exception, by design,
    # is the name of a never-photograph pupil (Rose), which blocks whenever it is capitalised.
    if capital and words[0] != "rose":
        words = [words[0].capitalize(), *words[1:]]
    text = " ".join(words) + stop
    verdict = check(Draft(text=text), register, SETTINGS, today=TODAY)
    blocked_names = [
        f for f in verdict.findings if f.rule == "first-names-only" and f.severity == "block"
    ]
    assert blocked_names == [], text
