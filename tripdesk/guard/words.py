"""Word lists the rules share: ordinary words that are also names, and words that need a look.

All entries are folded (lower case, no accents); `names.fold` is applied to the draft before
comparing, so the lists stay plain ASCII.
"""

from __future__ import annotations

from functools import cache
from importlib import resources


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# English words that are also common British surnames or first names. Written in lower case
# they are read as words ("lunch in the park"); only signs of a name (capital letter standing
# alone, the pupil's first name beside it) make the guard treat them as a name.
ORDINARY_WORDS = _words(
    """
    abbot archer arm arms ash baker ball bank banks bath beach bean bear bell berry best bird
    bishop black bloom bond bottom brand bridge bridges brook brooks brown bull burn burns bush
    butcher butler cane cannon card carpenter case cash castle chalk chamberlain chance chase
    cherry child church clay clear cliff coal cook cotton cross crown dale dance dawn day dean
    dell diamond dove drake duke early east english fair faith fell field fields finch fish
    fisher fleet flower flowers ford forest foster fox free french friend frost fry gardener
    gates gay gentle glass glen gold good grace grant gray green grey guy hall hand hardy hart
    harvest hay head heath hill hills holly hood hope horn house hunt hunter ivy jack jay jewel
    joy judge keen king knight lake lamb land lane law lee light lily little long love low major
    march mark marsh mason may mayor meadow meadows mercy mill miller mills moody moon moor moss
    nail noble north oak olive page palmer park parks parson peace pearl penny pepper pike pine
    pope porter pound power price prior proud reed rice rich rider rivers robin rock rose ruby
    rush sage salt sand sands savage sea shepherd short silver small snow south sparrow spear
    spring squire stable stag star steel stone storm strange street strong summer summers
    swallow swan sweet swift temple tower towers trout tucker turner vale walker wall ward
    warren waters weaver well wells west white wild will winter wise wolf wood woods worth wren
    young
    """
)

# Advertising language: mentions are never endorsements (asks for a look, never blocks).
ADVERTISING = (
    r"buy(?:ing)?",
    r"discount(?:s|ed)?",
    r"offers?",
    r"sponsor(?:s|ed)?",
    r"promo(?:tion)?\s+code",
    r"use\s+(?:my\s+|our\s+)?code",
    r"voucher(?:s)?",
    r"\d+\s*%\s*off",
    r"half\s+price",
    r"free\s+gift",
)

# Hashtags that declare a post as advertising.
ADVERTISING_TAGS = frozenset({"ad", "advert", "advertisement", "sponsored", "spon", "gifted"})

# A task or reminder that may be homework, which also belongs on the homework platform.
HOMEWORK = (
    r"home\s*work",
    r"tasks?",
    r"assignments?",
    r"worksheets?",
    r"revis(?:e|ion)",
    r"due\s+(?:in|on|by|tomorrow|next|this|monday|tuesday|wednesday|thursday|friday)",
    r"hand\s+(?:it\s+|them\s+)?in",
    r"don'?t\s+forget",
    r"remember\s+to",
)

# Words from the maintained list that are ordinary in a school (a church organ, a potty-
# training display, a mountain slope), or that name people and identities rather than insult.
INNOCENT = _words(
    """
    arian aryan dink dummy doofus dopey erect flange foobar gay gays god hemp hiv homey hooch
    lesbians loin loins maxi nimrod ninny omg organ ovary ovum paddy pastie pasty pawn pot potty
    prude queer queers racy revue rum sandbar screw screwed seaman seamen slope snatch steamy
    stroke suck sucked sucking thrust tinkle toots transsexual tramp urinal urine uterus vixen
    wang weed womb woody nappy virgin lube
    """
)

# Words that may well be fine but can upset a parent reading the feed: asked about, not blocked.
DISTRESSING = _words(
    """
    accident ambulance bullied bully bullying crap damn dead death died drunk fat fight fighting
    hell heroin hitler hospital hurt injured injury jerk kill killed moron murder napalm nazi
    nazism opium reich sissy sniper stupid ugly vomit weirdo junkie junky valium vodka meth
    """
)

# Look-alike digits and signs people use to slip a word past a filter (sh1t, f*ck, $hit).
LEET = str.maketrans(
    {
        "0": "o",
        "1": "i",
        "3": "e",
        "4": "a",
        "5": "s",
        "$": "s",
        "@": "a",
        "!": "i",
        "+": "t",
        "7": "t",
    }
)


@cache
def offensive_words() -> frozenset[str]:
    """better-profanity's maintained list, minus the school-innocent words."""
    text = (
        resources.files("better_profanity")
        .joinpath("profanity_wordlist.txt")
        .read_text(encoding="utf-8")
    )
    words = {line.strip().casefold() for line in text.splitlines() if line.strip()}
    return frozenset(words - INNOCENT - DISTRESSING)
