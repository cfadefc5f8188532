"""The name rule on a trip teacher's everyday posts: ordinary words pass, names in disguise do not.

A guard that cries wolf on "Hope you enjoy" teaches the teacher to click through its questions,
so everyday posts must come out ok; the questions it does ask must be about real doubts. The
other half: the disguises a hurried teacher's typing produces must still be caught.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from guard_helpers import TODAY, pupil

from tripdesk.config import GuardSettings
from tripdesk.consent.register import Register
from tripdesk.draft import Draft, DraftPhoto, Poll
from tripdesk.guard import check
from tripdesk.guard.folding import fold
from tripdesk.media.report import FaceReport
from tripdesk.verdict import Finding, Verdict

EVERYDAY_POSTS = [
    "Lunch in the park before the great hall tour",
    "A little bird told us Year 6 have been brilliant today!",
    "May we say how proud we are of everyone on the trip",
    "Arrived safely at King's Cross station. Next stop the museum!",
    "Arrived safely at King’s Cross station",
    "Stone age gallery was a hit with everyone",
    "Field trip! Year 6 are off to the Natural History Museum #Y6Museum",
    "Hope you enjoy these photos from today",
    "Church of St Mary was our first stop this morning",
    "Picnic in Green Park, the sun came out at last",
    "We spotted a fox in the garden behind the museum",
    "Thank you @NHM_London for a wonderful day of learning",
    "Huge thanks to @AuthorVisit for inspiring our young writers",
    "We're heading home now. Back at school around 4pm, please be at the gates",
    "Young explorers at the Darwin Centre today",
    "Stone me, what a day! Everyone is tired but happy",
    "King penguins were a favourite in the bird hall",
    "Hall of gems: the crystals sparkled",
    "Little ones in Year 3 had a lovely time at the farm",
    "Fox cubs at the wildlife centre!",
    "Hope everyone got home safe. Photos to follow tomorrow",
    "Bird hide at the wetland centre was packed with curious minds",
    "The Green Zone was the best part of the museum",
    "Park Lane on the Monopoly board, and now we have seen it for real!",
    "Field notes done, sketches done, lunch done",
    "Church Street market on the way back to the coach",
    "Young people asking brilliant questions about volcanoes",
    "Hope Street was closed so we took the long way round",
    "Queen's Park was our picnic stop",
    "The little details in the dinosaur models were incredible",
    "Well done Year 6, you were a credit to the school",
    "Coach leaves at 8:15 sharp tomorrow, please be early",
    "Kings and queens of England timeline in the history gallery",
    "May the fourth be with you! Star Wars day at the science museum",
    "Green light from the driver, we are on our way!",
    "Brown paper packages tied up with string: our lunches!",
    "Hall pass for everyone today. Enjoy the sunshine",
    "St Pancras, then King's Cross, then home",
    "Little by little the rain stopped",
    "Royal Park ranger talk about hedgehogs",
    "Field of poppies in the Remembrance garden",
    "Long day, happy faces, tired legs. Good night everyone",
    "Proud of every single one of you",
    "Thank you parents for getting everyone here so early!",
    "Our residential is in May, letters home this week",
    "Trip on 3 May: meet at the Great Hall at 8",
    "Jack and Amira asked the best questions of the day",
    "Our young scientists' challenge: build a bridge from straws",
    "Mr Brown led the way round the Science Museum",
]

# Real doubts, where a question is the right answer and a block would be wrong.
DOUBTS = [
    "Rose garden next, then back on the coach",  # Rose: a never-photograph pupil's surname
    "Rose window in the cathedral was stunning",
    "A rose by any other name: Shakespeare's Globe today!",
    "Hope is the name of the blue whale skeleton",
    "Lunch in the Park",
    "Hyde Park was lovely",
    "Park won the quiz",
    "Hall & Amira won",
    "Park’s model won",
    "Thanks to Isla Park",  # another pupil's first name: a nickname, or a mistake
    "LUNCH IN THE PARK",
]

SETTINGS = GuardSettings(partners=("@NHM_London", "@AuthorVisit"))


def verdict(register: Register, text: str, faces=(), **kw) -> Verdict:
    return check(Draft(text=text, **kw), register, SETTINGS, faces=faces, today=TODAY)


def names(result: Verdict) -> list[Finding]:
    return [f for f in result.findings if f.rule == "first-names-only"]


@pytest.mark.parametrize("text", EVERYDAY_POSTS)
def test_everyday_trip_posts_go_out_without_questions(register, text):
    result = verdict(register, text)
    assert result.verdict == "ok", result.findings


@pytest.mark.parametrize("text", DOUBTS)
def test_real_doubts_ask_and_never_block(register, text):
    result = verdict(register, text)
    assert result.verdict == "confirm", result.findings
    assert [f.severity for f in names(result)] and all(
        f.severity == "confirm" for f in names(result)
    )


@pytest.mark.parametrize(
    "text",
    [
        "amirakhan was here",
        "benokafors model",
        "Thanks Park!",
        "Congratulations Park!",
        "We met May at lunch",
        "Well done to everyone in May’s group",
        "Noah May",
        "Rose was there",
        "Well done Fox!",
        "Fox, Hall and Park all won medals",
        "Jack Brown’s model",
        "Great work from Khan’s group",
        "KHAN’S TEAM",
        "Grace Smith Jones",
        "#TeamKhan",
        "Kh\u00adan was first",  # a soft hyphen
        "\uff2b\uff48\uff41\uff4e was first",  # full-width
        "Κhan was first",  # Greek capital kappa
    ],
)
def test_names_a_hurried_teacher_types_block(register, text):
    result = verdict(register, text)
    assert "block" in {f.severity for f in names(result)}, result.findings


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("Amira Khan holding a fossil", "alt"),
        ("Ellie painting", "alt"),
        ("Team Okafor", "poll"),
        ("Ellie", "poll"),
    ],
)
def test_names_in_alt_text_and_poll_options_block(register, text, field):
    if field == "alt":
        photo = DraftPhoto("p.jpg", no_children=True, alt=text)
        result = verdict(register, "A great day", photos=(photo,), faces=(FaceReport(0),))
    else:
        result = verdict(register, "Who won?", poll=Poll((text, "Space"), 60))
    [finding] = names(result)
    assert finding.severity == "block" and finding.where.field == field
    assert finding.where.index == 0


def test_a_name_glued_into_a_hashtag_points_at_the_name_itself(register):
    text = "Go #TeamKhan and #AmiraKhan, #TeamEllie!"
    found = [text[f.where.start : f.where.end] for f in names(verdict(register, text))]
    assert found == ["Khan", "AmiraKhan", "Ellie"]


def test_a_name_with_an_invisible_character_says_so(register):
    [finding] = names(verdict(register, "Kh\u200ban was first"))
    assert finding.severity == "block" and "invisible character" in finding.message


def test_every_name_finding_points_at_a_name(register):
    """Whatever the disguise, the span holds the folded name of a pupil, and nothing more."""
    names_known = set()
    for known in register.pupils:
        for name in (known.forename, known.preferred_name, known.surname):
            if name:
                names_known.add("".join(c for c in fold(name).text if c.isalnum()))
    texts = [
        "🦕🦕 Amira Khan won",
        "Zoe\u0308 Nowak’s kite",
        "Ｋｈａｎ and Ｐａｒｋ",
        "O’Neill’s model and Wiśniewski’s",
        "Go #TeamOkafor",
        "we saw ellierose",
    ]
    for text in texts:
        findings = names(verdict(register, text))
        assert findings, text
        for finding in findings:
            span = text[finding.where.start : finding.where.end]
            plain = "".join(c for c in fold(span).text if c.isalnum())
            assert any(plain == n or plain.startswith(n) for n in names_known), (text, span)
            assert span == span.strip(" .,!?'’#"), (text, span)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hope you enjoy the photos", "confirm"),
        ("Hope Street was closed", "confirm"),
        ("we hope so", "confirm"),
        ("Hope was brilliant today", "blocked"),
        ("We saw Hope at lunch", "blocked"),
        ("#Hope", "blocked"),
    ],
)
def test_a_never_photograph_pupil_with_a_word_for_a_name(text, expected):
    register = Register([pupil("Hope", "Smithers", never=True)])
    assert verdict(register, text).verdict == expected


def test_a_first_name_and_surname_that_make_a_word_only_ask():
    register = Register([pupil("Will", "Power")])
    result = verdict(register, "Great willpower on the climbing wall")
    assert [f.severity for f in names(result)] == ["confirm"]


@pytest.mark.parametrize(
    "text",
    [
        "ᴋʜᴀɴ won",  # small capitals from a "fancy text" site
        "Ꮶhan won",  # Cherokee K
        "Kհan won",  # Armenian h
        "Ok\u3164afor",  # a Hangul filler: shows nothing, yet is not a format character
        "O`Neill’s model",
    ],
)
def test_rarer_look_alikes_and_blanks_still_block(register, text):
    [finding] = names(verdict(register, text))
    assert finding.severity == "block"
    span = text[finding.where.start : finding.where.end]
    assert fold(span).text.replace("'", "").replace("\u3164", "") in {"khan", "okafor", "oneill"}


@pytest.mark.parametrize(
    "text",
    [
        "We saw a blue tit and a great tit at the bird hide",
        "The sperm whale skeleton was enormous",
        "Homo sapiens and Homo erectus skulls in the human evolution gallery",
        "Naked mole rats at the zoo",
        "Pussy willow in the botanic garden",
        "Moby Dick at the Globe theatre workshop",
        "Dick Whittington pantomime tonight!",
        "Spotted dick for pudding at the museum cafe",
        "Door knob collection at the Victorian house",
        "A comic strip about our day",
        "The camel's hump stores fat",
        "The blue tit's nest",
    ],
)
def test_nature_and_history_words_are_not_rude(register, text):
    result = verdict(register, text)
    assert "block" not in {f.severity for f in result.findings}, result.findings
    upsetting = [f for f in result.findings if f.rule == "upsetting"]
    assert all("rude" not in f.message and "offensive" not in f.message for f in upsetting)


@pytest.mark.parametrize(
    "text",
    ["The cock crowed at the farm", "A shag drying its wings", "Working out the sex of the fossil"],
)
def test_words_rude_only_in_some_senses_ask(register, text):
    [finding] = [f for f in verdict(register, text).findings if f.rule == "upsetting"]
    assert finding.severity == "confirm" and "can read as rude" in finding.message


def test_the_schools_own_list_still_blocks_a_word_that_is_only_sometimes_rude(register):
    strict = GuardSettings(blocked_words=("cock",))
    result = check(Draft(text="The cock crowed"), register, strict, today=TODAY)
    assert result.verdict == "blocked"
    assert verdict(register, "What a sh1t day").verdict == "blocked"


WORD_SURNAMES = "An Oh Do No So Go Sharp Friday London Salmon Crane Moon Martin Holiday Sun"


@pytest.mark.parametrize(
    "text",
    [
        "Oh what a day! We had an amazing time and so did the staff",
        "No phones on the coach please, we go home at 3",
        "Do come and see our exhibition on Friday",
        "Salmon swimming up the river at the aquarium",
        "Coach leaves at 8:15 sharp tomorrow",
        "A crane lifted the new whale skeleton",
        "Holiday club starts next week",
        "Sun cream on, hats on!",
        "The moon landing gallery",
    ],
)
def test_surnames_that_are_everyday_words_do_not_block(text):
    register = Register(
        [
            replace(pupil("Zed", surname), id=f"S{n}")
            for n, surname in enumerate(WORD_SURNAMES.split())
        ]
    )
    result = verdict(register, text)
    assert "block" not in {f.severity for f in names(result)}, result.findings


def test_a_town_that_is_a_surname_asks_and_a_name_beside_it_blocks():
    register = Register([pupil("Zed", "London")])
    [finding] = names(verdict(register, "Our trip to London ends tomorrow"))
    assert finding.severity == "confirm"
    assert verdict(register, "Well done Zed London").verdict == "blocked"
