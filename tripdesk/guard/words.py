"""Word lists the rules share: ordinary words that are also names, and words that need a look.

All entries are folded (lower case, no accents); `names.fold` is applied to the draft before
comparing, so the lists stay plain ASCII.
"""

from __future__ import annotations

from functools import cache
from importlib import resources


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Places that are also surnames: capitalised in mid-sentence they are usually the place ("our
# trip to London"), so they ask rather than block.
PLACE_NAMES = _words(
    """
    bristol buckingham carlisle chester cornwall derby devon dover durham england florence
    holland ireland jordan kent kingston lancaster lincoln london paris preston reading richmond
    scotland sydney wales warwick washington windsor york
    """
)

# English words that are also common British surnames or first names. Written in lower case
# they are read as words ("lunch in the park"); only signs of a name (capital letter standing
# alone, the pupil's first name beside it) make the guard treat them as a name.
ORDINARY_WORDS = (
    _words(
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
    an do go ho le ma no oh so
    amber apple april art august autumn bacon badger bailey barley barn barnes basil bay
    beech bill birch bold bone bones bowl bowman brass brave bright buck bud carol cedar chaplin
    charity christmas clark clerk cloud colt constable copper corn cox crane crow crystal daisy
    deacon dew don eagle earl easter elm eve falcon farmer fern ferns fiddler flint frank
    friday gale garden gardens gill ginger grain grove hail hammer hare hawk hazel heather
    herring heron hogg holiday honey iris jade jasmine jolly june kettle kite lemon lime lion
    lord marshall martin merry mist monk noel orange orchard otter parsons partridge patience
    peach peacock pear perch piper plum pool potter prince rain raven ray rook roe rowan
    salmon sharp shore singer sky slate smart sole starling steer stork straw sugar sun tanner
    thatcher thorn tiger violet wheat whale willow wing wings
    read miles booth barber cooper chambers stokes marks glover lock mole weeks norman nurse
    skinner kitchen parrot cave dyer cope hatch mead gibbons hedges chapel
    """
    )
    | PLACE_NAMES
)


# Words that make a capitalised neighbour part of a place, a building or another adult's title
# rather than a pupil's name: "King's Cross", "Hope Street", "the Great Hall", "Mr Brown".
PLACE_WORDS = _words(
    """
    abbey academy age arena avenue bay beach bridge captain castle cathedral centre center
    chapel church close collection college common court cross dock docks dr estate exhibition
    farm forest gallery garden gardens gate grand great green hall harbour heath hill hotel
    house island king kings lady lake lane library lord lower manor market master miss mount
    mr mrs ms museum national natural new north old palace park pier place point port prince
    princess professor quay queen queens river road room royal saint school sir south square
    st stadium station street terrace theatre tower trail university upper valley walk wall way
    west wharf wing wood woods zone zoo east
    """
)

# Words that, right after a capitalised word at the start of a sentence, show it is a person
# doing something ("Park won the quiz") rather than a word ("Hope you enjoy", "Field trip!").
NAME_FOLLOWERS = _words(
    """
    is was has had did does will won wins scored scores got gets made makes drew draws wrote
    writes said says asked asks came comes ran runs sang sings took takes gave gives found finds
    led leads read reads loved loves enjoyed enjoys helped helps answered built builds showed
    shows tried tries managed finished spotted who
    """
)

# Words that call out to a person: a capitalised word after them is still a name ("Thanks Park!").
GREETINGS = _words("thanks thank congratulations congrats done bravo go hi hello hey welcome dear")

# Titles before a surname: an adult (a parent, a teacher, a famous person), so the guard asks.
TITLES = _words(
    "mr mrs ms miss mx dr sir dame lord lady professor prof captain saint st rev reverend"
)

# Capitalised words that open a sentence or cheer a pupil on, and are no famous first name:
# "Brilliant Khan!" and "Team Khan" still name the pupil.
NOT_FIRST_NAMES = _words(
    """
    today yesterday tonight tomorrow then now later afterwards also and but so well here there
    finally first next meanwhile luckily sadly after before when while as at in on with for by
    brilliant amazing great fantastic super lovely superb excellent wonderful awesome fab
    proud team go hooray yay wow look see meet ask with from to of is was
    """
)

# Words that cheer a pupil on inside a hashtag: a word-like surname after them is a name.
CHEERS = _words("team go well done welldone proud congrats congratulations thanks bravo yay")

# Words that follow an inventor's or maker's name in a fixed phrase ("Bunsen burner", "Newton's
# cradle", "Morse code"): the surname may be the thing's, not the pupil's, so the guard asks.
EPONYM_HEADS = _words(
    """
    burner burners dish dishes diagram diagrams test tests effect effects meter meters law laws
    scale cradle cube theorem principle code machine engine bulb sandwich sandwiches number
    numbers triangle equation constant method paradox syndrome disease comet constellation
    """
)

# Before a capitalised word, these leave open whether it is a name ("the Park" is a place).
DETERMINERS = _words("the a an our this that these those their your my his her its")

# Months and days that are also surnames, and the words that show they are dates ("in May",
# "3 May", "on Friday").
CALENDAR = frozenset({"march", "april", "may", "june", "august", "friday"})
DATE_WORDS = _words(
    "in on since until till by during next last this early late mid of from before after"
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
    wang weed womb woody nappy virgin lube strip strips hump humps wad wads
    """
)

# Words of the maintained list with an everyday meaning on a trip (a farm's cock, a museum's
# sperm whale, a bird called a shag): asked about, not blocked, unless the school lists them.
AMBIGUOUS = _words(
    """
    anus boob boobs breasts cock cocks dick erection homo hooker horny knob naked nipple
    nipples nob nude pecker penis prick pubic pussy rectum sex shag sperm testicle tit tits
    vagina willy bitch cum muff
    """
)

# Phrases in which a word of the maintained list is innocent: no question asked at all.
INNOCENT_PHRASES = frozenset(
    tuple(phrase.split())
    for phrase in (
        "blue tit",
        "great tit",
        "coal tit",
        "marsh tit",
        "willow tit",
        "crested tit",
        "bearded tit",
        "long tailed tit",
        "blue tits",
        "great tits",
        "sperm whale",
        "sperm whales",
        "homo sapiens",
        "homo erectus",
        "homo habilis",
        "homo neanderthalensis",
        "homo floresiensis",
        "naked mole rat",
        "naked mole rats",
        "naked eye",
        "pussy willow",
        "spotted dick",
        "moby dick",
        "dick whittington",
        "dick turpin",
        "dick king smith",
        "free willy",
        "door knob",
        "cock lane",
        "horny toad",
        "magna cum laude",
        "summa cum laude",
        "cum laude",
        "rugby hooker",
    )
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
