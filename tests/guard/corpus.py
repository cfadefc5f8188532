"""An adversarial corpus: hypothesis strategies that disguise pupils' names by whole classes.

Each strategy draws a pupil's surname (or a never-photograph pupil's first name) and hides it
the way a hurried or careless post does: letters pulled apart, letters dressed up as styled or
look-alike characters (taken from Unicode's confusables data, not from a list written here),
digits and signs for letters, a name broken inside, glued into a hashtag, a handle or a web
address, or hidden characters slipped in. Ordinary trip posts are drawn from the same kind of
pieces a teacher writes, with emoji, CJK text and links, and must stay OK.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from functools import cache

from hypothesis import strategies as st

from tripdesk.guard.letters import fold_char

BENIGN = [
    "we",
    "had",
    "a",
    "lovely",
    "day",
    "at",
    "the",
    "museum",
    "and",
    "saw",
    "dinosaurs",
    "fossils",
    "rockets",
    "lunch",
    "was",
    "sunny",
    "everyone",
    "asked",
    "brilliant",
    "questions",
    "about",
    "space",
    "rocks",
    "on",
    "the",
    "coach",
    "today",
    "then",
    "our",
    "class",
]


@cache
def look_alikes() -> dict[str, tuple[str, ...]]:
    """For each Latin letter, the characters of other scripts the confusables data maps to it."""
    found: dict[str, list[str]] = {}
    for code in range(0x80, 0x20000):
        char = chr(code)
        if unicodedata.category(char) not in ("Lu", "Ll", "Lo", "Lt"):
            continue
        plain, _, disguised = fold_char(char)
        if disguised and len(plain) == 1 and plain.isascii() and plain.isalpha():
            found.setdefault(char_case(char) + plain, []).append(char)
    return {key: tuple(chars) for key, chars in found.items()}


def char_case(char: str) -> str:
    return "U" if char.isupper() else "l"


def letters_of(name: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", name) if c.isascii() and c.isalpha())


def _styled(offset_upper: int, offset_lower: int) -> Callable[[str], str]:
    def style(text: str) -> str:
        return "".join(
            chr(offset_upper + ord(c) - 65)
            if "A" <= c <= "Z"
            else chr(offset_lower + ord(c) - 97)
            if "a" <= c <= "z"
            else c
            for c in text
        )

    return style


STYLES: dict[str, Callable[[str], str]] = {
    "mathematical bold": _styled(0x1D400, 0x1D41A),
    "mathematical sans bold": _styled(0x1D5D4, 0x1D5EE),
    "full-width": _styled(0xFF21, 0xFF41),
    "circled": _styled(0x24B6, 0x24D0),
    "negative circled": lambda t: _styled(0x1F150, 0x1F150)(t.upper()),
    "negative squared": lambda t: _styled(0x1F170, 0x1F170)(t.upper()),
    "squared": lambda t: _styled(0x1F130, 0x1F130)(t.upper()),
    "parenthesised": lambda t: _styled(0x249C, 0x249C)(t.lower()),
    "regional indicators": lambda t: _styled(0x1F1E6, 0x1F1E6)(t.upper()),
}

LEET = {"a": "4@", "e": "3", "o": "0", "i": "1!", "l": "1|", "s": "5$", "t": "7"}
HIDDEN = ("\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u202e", "\u2066", "\u00ad")
SEPARATORS = (" ", ".", "-", "_", " . ", "·", "*", "/")


@st.composite
def pulled_apart(draw: st.DrawFn, name: str) -> str:
    letters = letters_of(name)
    separator = draw(st.sampled_from(SEPARATORS), label="separator")
    case = draw(st.sampled_from([str.upper, str.lower, str.title, lambda s: s]))
    return separator.join(case(letters))


@st.composite
def dressed_up(draw: st.DrawFn, name: str) -> str:
    letters = letters_of(name)
    if draw(st.booleans(), label="styled"):
        style = draw(st.sampled_from(sorted(STYLES)), label="style")
        return STYLES[style](letters)
    table = look_alikes()
    case = draw(st.sampled_from([str.upper, str.lower, str.title]), label="case")
    typed = case(letters)
    positions = [i for i, c in enumerate(typed) if char_case(c) + c.lower() in table]
    chosen = draw(st.sets(st.sampled_from(positions), min_size=1), label="positions")
    out = list(typed)
    for i in chosen:
        out[i] = draw(st.sampled_from(table[char_case(typed[i]) + typed[i].lower()]))
    return "".join(out)


@st.composite
def spelt_with_signs(draw: st.DrawFn, name: str) -> str:
    letters = letters_of(name)
    positions = [i for i, c in enumerate(letters) if c.lower() in LEET]
    most = min(len(positions), len(letters) - 2)  # a word still, not a row of digits
    chosen = draw(st.sets(st.sampled_from(positions), min_size=1, max_size=most), label="positions")
    out = list(letters)
    for i in chosen:
        out[i] = draw(st.sampled_from(LEET[letters[i].lower()]))
    return "".join(out)


@st.composite
def broken_inside(draw: st.DrawFn, name: str) -> str:
    letters = letters_of(name)
    cut = draw(st.integers(2, len(letters) - 2), label="cut")
    mark = draw(st.sampled_from(["-", "\u00ad", "\n", "-\n", "\u2010"]), label="mark")
    return letters[:cut] + mark + letters[cut:]


@st.composite
def hidden_inside(draw: st.DrawFn, name: str) -> str:
    cut = draw(st.integers(1, len(name) - 1), label="cut")
    return name[:cut] + draw(st.sampled_from(HIDDEN), label="hidden") + name[cut:]


GLUE_WORDS = ("team", "go", "well done", "proud of", "rocks", "wins", "star", "trip", "2026")


@st.composite
def glued(draw: st.DrawFn, name: str) -> str:
    letters = letters_of(name)
    word = draw(st.sampled_from(GLUE_WORDS), label="word").replace(" ", "")
    before = draw(st.booleans(), label="before")
    case = draw(st.sampled_from([str.lower, str.title]), label="case")
    body = case(word) + case(letters) if before else case(letters) + case(word)
    shape = draw(st.sampled_from(["#{}", "@{}", "see school.example.org/news/{}", "{}"]))
    return shape.format(body)


CLASSES = {
    "pulled apart": pulled_apart,
    "dressed up": dressed_up,
    "digits and signs": spelt_with_signs,
    "broken inside": broken_inside,
    "hidden characters": hidden_inside,
    "glued": glued,
}


@st.composite
def in_a_post(draw: st.DrawFn, disguised: str) -> str:
    words = draw(st.lists(st.sampled_from(BENIGN), min_size=0, max_size=12), label="words")
    position = draw(st.integers(0, len(words)), label="position")
    return " ".join([*words[:position], disguised, *words[position:]])


ORDINARY_POSTS = (
    "Lunch in the park, then the coach back at 3 🚌",
    "Rain, rain and more rain ☔ but spirits are high!",
    "Sunny 23°C at the seaside 🌞🏖️",
    "Fish and chips 🐟🍟 at 12:30 by the harbour",
    "Thank you @NHM_London for a wonderful day of learning",
    "Year 6 loved the dinosaurs! #Y6Museum",
    "See nhm.ac.uk/dinosaurs for the gallery we visited",
    "Our trip blog: https://example.org/year6/museum-day",
    "今日は博物館へ行きました。楽しかった！",
    "Bonjour! Nous avons visité le musée aujourd'hui 🇫🇷",
    "한국어 수업 시간에 박물관 이야기를 했어요",
    "👨‍👩‍👧 family picnic day 🏴󠁧󠁢󠁷󠁬󠁳󠁿🏴󠁧󠁢󠁳󠁣󠁴󠁿 flags",
    "The Great Hall was huge and the blue whale amazing 🐋",
    "Coach leaves at 8:15 sharp tomorrow, please be early",
    "Brilliant challenge today: build a bridge from straws",
    "#parkinglot was full so we walked from the station",
    "Heatwave! Hats and sun cream on 🧢",
    "A seafood lunch by the pier, then rock pooling 🦀",
    "Stonehenge trip 2026: the stones were enormous",
    "Well done Year 3, a credit to the school ⭐⭐⭐",
    "Picnic in Green Park, then back on the coach",
    "Fossil hunting on the beach, lots of ammonites found",
    "Back at school around 4pm, see you at the gates",
    "Café stop ☕ then the science museum 🚀",
    "Crossing the bridge at sunset 🌉 #MuseumDay",
)
