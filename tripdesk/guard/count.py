"""Counting and reading a post the way X does (twitter-text v3), so 280 here is 280 there.

X normalises the text to NFC, counts each link as 23 whatever its length, each emoji sequence as
2, most Latin and punctuation characters as 1 and everything else as 2. Which strings are links,
@mentions and #hashtags follows X's own extraction rules, checked against X's conformance files.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from typing import Literal

from tripdesk.guard.tlds import COUNTRY, GENERIC

MAX_WEIGHTED_LENGTH = 280
URL_WEIGHT = 23
_MAX_URL_LENGTH = 4096
_MAX_TCO_SLUG = 40
_MAX_LABEL = 63

# Code point ranges that count once; any other code point counts twice (twitter-text v3 config).
_LIGHT_RANGES = ((0, 4351), (8192, 8205), (8208, 8223), (8242, 8247))

EntityKind = Literal["url", "mention", "hashtag"]


@dataclass(frozen=True)
class Entity:
    """A link, @mention or #hashtag as X finds it; `start`/`end` index the text as given."""

    kind: EntityKind
    text: str  # the URL, the handle without '@', the tag without '#'
    start: int
    end: int


def weighted_length(text: str, *, emoji_parsing: bool = True) -> int:
    """The length X checks against 280, after NFC normalisation.

    `emoji_parsing=False` is twitter-text's older v2 count (every code point weighed alone),
    kept only so the v2 conformance cases can be run as published.
    """
    if text.isascii():  # the common case: every character weighs 1, no emoji, links 23
        urls = extract_urls(text)
        return len(text) + sum(URL_WEIGHT - (url.end - url.start) for url in urls)
    return sum(weight for _, weight in _weighed(text, emoji_parsing))


def overflow_at(text: str) -> int | None:
    """Where in `text` the post passes X's limit; None if it fits (or NFC moves characters)."""
    if unicodedata.normalize("NFC", text) != text:
        return None
    total = 0
    for index, weight in _weighed(text, True):
        total += weight
        if total > MAX_WEIGHTED_LENGTH:
            return index
    return None


def _weighed(text: str, emoji_parsing: bool) -> list[tuple[int, int]]:
    """(index in the NFC text, weight) for each counted piece: a link, an emoji, a character."""
    text = unicodedata.normalize("NFC", text)
    urls = {entity.start: entity.end for entity in extract_urls(text)}
    emoji = dict(_emoji_spans(text)) if emoji_parsing else {}
    pieces = []
    index = 0
    while index < len(text):
        if index in urls:
            pieces.append((index, URL_WEIGHT))
            index = urls[index]
        elif index in emoji:
            pieces.append((index, 2))
            index = emoji[index]
        else:
            pieces.append((index, _weight(ord(text[index]))))
            index += 1
    return pieces


def _weight(code_point: int) -> int:
    if code_point <= 4351:
        return 1
    return 1 if any(low <= code_point <= high for low, high in _LIGHT_RANGES[1:]) else 2


# ---- emoji -------------------------------------------------------------------------------------
# Extended_Pictographic code points (Unicode emoji-data); a sequence built on one counts as 2.
_PICTOGRAPHIC = (
    "\u203c\u2049\u2122\u2139\u2194-\u2199\u21a9\u21aa\u231a\u231b\u2328\u2388\u23cf"
    "\u23e9-\u23f3\u23f8-\u23fa\u24c2\u25aa\u25ab\u25b6\u25c0\u25fb-\u25fe\u2600-\u2605"
    "\u2607-\u2612\u2614-\u2685\u2690-\u2705\u2708-\u2712\u2714\u2716\u271d\u2721\u2728"
    "\u2733\u2734\u2744\u2747\u274c\u274e\u2753-\u2755\u2757\u2763-\u2767\u2795-\u2797"
    "\u27a1\u27b0\u27bf\u2934\u2935\u2b05-\u2b07\u2b1b\u2b1c\u2b50\u2b55\u3030\u303d\u3297"
    "\u3299\U0001f000-\U0001f0ff\U0001f10d-\U0001f10f\U0001f12f\U0001f16c-\U0001f171"
    "\U0001f17e\U0001f17f\U0001f18e\U0001f191-\U0001f19a\U0001f1ad-\U0001f1e5"
    "\U0001f201-\U0001f20f\U0001f21a\U0001f22f\U0001f232-\U0001f23a\U0001f23c-\U0001f23f"
    "\U0001f249-\U0001f3fa\U0001f400-\U0001f53d\U0001f546-\U0001f64f\U0001f680-\U0001f6ff"
    "\U0001f774-\U0001f77f\U0001f7d5-\U0001f7ff\U0001f80c-\U0001f80f\U0001f848-\U0001f84f"
    "\U0001f85a-\U0001f85f\U0001f888-\U0001f88f\U0001f8ae-\U0001f8ff\U0001f90c-\U0001f93a"
    "\U0001f93c-\U0001f945\U0001f947-\U0001faff\U0001fc00-\U0001fffd"
)
_MODIFIER = "\U0001f3fb-\U0001f3ff"
# One emoji: a pictograph (or ©/® shown as emoji) with its variation selector or skin tone,
# a tag-sequence flag, a keycap; joined by ZWJ into one sequence; or a pair of regional letters.
_ELEMENT = (
    f"(?:\U0001f3f4[\U000e0020-\U000e007e]+\U000e007f"
    f"|[\u00a9\u00ae]\ufe0f"
    f"|[{_PICTOGRAPHIC}](?:\ufe0f|[{_MODIFIER}])?"
    f"|[{_MODIFIER}])"
)
_EMOJI = re.compile(
    f"[\U0001f1e6-\U0001f1ff]{{2}}|[0-9#*]\ufe0f?\u20e3|{_ELEMENT}(?:\u200d{_ELEMENT})*"
)


def _emoji_spans(text: str) -> list[tuple[int, int]]:
    return [match.span() for match in _EMOJI.finditer(text)]


# ---- links -------------------------------------------------------------------------------------
_SPACES = "\u0009-\u000d\u0020\u0085\u00a0\u1680\u180e\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_INVALID = "\ufffe\ufeff\uffff"
_DIRECTIONAL = "\u202a-\u202e\u061c\u200e\u200f\u2066\u2067\u2068\u2069"
_PUNCT = r"\!'#%&\(\)*\+,\\\-\.\/:;<=>\?@\[\]\^_{|}~\$"
_LATIN_ACCENTS = (
    "\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u00ff\u0100-\u024f\u0253\u0254\u0256\u0257\u0259"
    "\u025b\u0263\u0268\u026f\u0272\u0289\u028b\u02bb\u0300-\u036f\u1e00-\u1eff"
)
_CYRILLIC = "\u0400-\u04ff"
_DOMAIN_CHAR = f"[^{_PUNCT}{_SPACES}{_INVALID}{_DIRECTIONAL}]"
# A label is the longest run of domain characters (with inner '-' or '_') before its dot; the
# atomic group says so, which keeps a long "a.a.a.a…" from taking seconds to refuse.
_SUBDOMAIN = f"(?:(?>{_DOMAIN_CHAR}(?:[_-]*{_DOMAIN_CHAR})*)\\.)"
_DOMAIN_NAME = f"(?:(?>{_DOMAIN_CHAR}(?:-*{_DOMAIN_CHAR})*)\\.)"


def _trie(names: frozenset[str]) -> str:
    """The names as one regex trie: a wrong first letter fails at once, longer names win."""
    tree: dict[str, dict] = {}
    for name in names:
        node = tree
        for char in name:
            node = node.setdefault(char, {})
        node[""] = {}

    def render(node: dict[str, dict]) -> str:
        ends = "" in node
        branches = [re.escape(char) + render(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if ends:
            return f"(?:{body})?"
        return body

    return render(tree)


_TLD_END = "(?=[^0-9a-zA-Z@+-]|$)"
_TLD = f"(?:(?:{_trie(GENERIC)}){_TLD_END}|(?:{_trie(COUNTRY)}){_TLD_END}|(?:xn--[-0-9a-z]+))"
_DOMAIN = f"(?:{_SUBDOMAIN}*{_DOMAIN_NAME}{_TLD})"
_PATH_CHAR = f"[a-z{_CYRILLIC}0-9!\\*';:=\\+,\\.\\$\\/%#\\[\\]\\-\\u2013_~&\\|@{_LATIN_ACCENTS}]"
_BALANCED_PARENS = f"\\((?:{_PATH_CHAR}+|(?:{_PATH_CHAR}*\\({_PATH_CHAR}+\\){_PATH_CHAR}*))\\)"
_PATH_END = f"(?:[\\+\\-a-z{_CYRILLIC}0-9=_#\\/{_LATIN_ACCENTS}]|{_BALANCED_PARENS})"
_PATH = (
    f"(?:(?:{_PATH_CHAR}*(?:{_BALANCED_PARENS}{_PATH_CHAR}*)*{_PATH_END})|(?:@{_PATH_CHAR}+\\/))"
)
_QUERY_CHAR = r"[a-z0-9!?\*'@\(\);:&=\+\$\/%#\[\]\-_\.,~|]"
_QUERY_END = r"[a-z0-9\-_&=#\/]"
_PRECEDING = f"(?:[^A-Za-z0-9@＠$#＃{_INVALID}]|[{_DIRECTIONAL}]|^)"


@dataclass(frozen=True)
class _UrlPatterns:
    tld: re.Pattern[str]  # a dot and a known domain: without one there is no link to find
    url: re.Pattern[str]
    ascii_domain: re.Pattern[str]
    tco: re.Pattern[str]


@cache
def _url_patterns() -> _UrlPatterns:
    """Compiled on first use: the domain list makes these slow to build, quick to run."""
    return _UrlPatterns(
        tld=re.compile(f"\\.{_TLD}", re.IGNORECASE),
        url=re.compile(
            f"({_PRECEDING})((https?:\\/\\/)?({_DOMAIN})(?::([0-9]+))?(\\/{_PATH}*)?"
            f"(\\?{_QUERY_CHAR}*{_QUERY_END})?)",
            re.IGNORECASE,
        ),
        ascii_domain=re.compile(f"(?:(?:[\\-a-z0-9{_LATIN_ACCENTS}]+)\\.)+{_TLD}", re.IGNORECASE),
        tco=re.compile(
            f"^https?:\\/\\/t\\.co\\/([a-z0-9]+)(?:\\?{_QUERY_CHAR}*{_QUERY_END})?",
            re.IGNORECASE,
        ),
    )


_NO_PROTOCOL_BEFORE = re.compile(r"[-_./]$")
_NON_SPACE = re.compile(f"[^{_SPACES}]+")


def extract_urls(text: str) -> list[Entity]:
    """Links as X finds them, with or without `https://`."""
    if "." not in text:
        return []
    patterns = _url_patterns()
    found: list[Entity] = []
    for word in _NON_SPACE.finditer(text):
        # Links never hold spaces, so each word (and the character before it) is searched on
        # its own, and only if it has a known domain: long junk cannot slow the count down.
        if patterns.tld.search(text, word.start(), word.end()):
            found += _urls_in(text, max(word.start() - 1, 0), word.end(), patterns)
    return found


def _urls_in(text: str, low: int, high: int, patterns: _UrlPatterns) -> list[Entity]:
    found: list[Entity] = []
    for match in patterns.url.finditer(text, low, high):
        before, url, protocol, domain, path = (match.group(i) for i in (1, 2, 3, 4, 6))
        start, end = match.start(2), match.end(2)
        if not _valid_length(url, protocol or "https://", domain):
            continue
        if protocol:
            tco = patterns.tco.match(url)
            if tco:
                if len(tco.group(1)) > _MAX_TCO_SLUG:
                    continue
                url = tco.group(0)
                end = start + len(url)
            found.append(Entity("url", url, start, end))
            continue
        if _NO_PROTOCOL_BEFORE.search(before):
            continue
        # Without a protocol X only links the ASCII parts of a domain.
        last: Entity | None = None
        position = 0
        for ascii_match in patterns.ascii_domain.finditer(domain):
            ascii_start = domain.index(ascii_match.group(0), position)
            position = ascii_start + len(ascii_match.group(0))
            last = Entity("url", ascii_match.group(0), start + ascii_start, start + position)
            found.append(last)
        if last is None:
            continue
        if path:
            found[-1] = Entity("url", url.replace(domain, last.text, 1), last.start, end)
    return found


def _valid_length(url: str, protocol: str, domain: str) -> bool:
    """X refuses domains whose labels are too long once punycode-encoded."""
    if domain[:4].lower() == "xn--" and not _url_patterns().ascii_domain.fullmatch(domain):
        return False
    encoded = 0
    for label in domain.split("."):
        try:
            ascii_label = label if label.isascii() else "xn--" + label.encode("punycode").decode()
        except UnicodeError:
            return False
        if not 1 <= len(ascii_label) <= _MAX_LABEL:
            return False
        encoded += len(ascii_label) + 1
    return len(protocol) + len(url) + (encoded - 1) - len(domain) <= _MAX_URL_LENGTH


# ---- mentions ----------------------------------------------------------------------------------
_MENTION = re.compile(
    r"(^|[^a-zA-Z0-9_!#$%&*@＠]|(?:^|[^a-zA-Z0-9_+~.-])(?:rt|RT|rT|Rt):?)"
    r"[@＠]([a-zA-Z0-9_]{1,20})(/[a-zA-Z][a-zA-Z0-9_\-]{0,24})?"
)
_MENTION_END = re.compile(f"[@＠]|[{_LATIN_ACCENTS}]|://")


def extract_mentions(text: str) -> list[Entity]:
    """@handles as X finds them (lists like @school/staff are not mentions)."""
    if "@" not in text and "＠" not in text:
        return []
    found = []
    for match in _MENTION.finditer(text):
        if _MENTION_END.match(text, match.end()) or match.group(3):
            continue
        start = match.end(1)
        found.append(Entity("mention", match.group(2), start, match.end(2)))
    return found


def reply_handle(text: str) -> Entity | None:
    """The @handle a post starts with, which X would treat as a reply; None otherwise."""
    match = re.match(f"[{_SPACES}]*[@＠]([a-zA-Z0-9_]{{1,20}})", text)
    if match is None or _MENTION_END.match(text, match.end()):
        return None
    return Entity("mention", match.group(1), match.start(1) - 1, match.end(1))


# ---- hashtags ----------------------------------------------------------------------------------
_HASHTAG_EXTRA = frozenset(
    "_\u200c\u200d\ua67e\u05be\u05f3\u05f4\uff5e\u301c\u309b\u309c\u30a0\u30fb\u3003\u0f0b\u0f0c\u00b7"
)


def _tag_letter(char: str) -> bool:
    return unicodedata.category(char)[0] in "LM"


def _tag_char(char: str) -> bool:
    return _tag_letter(char) or unicodedata.category(char) == "Nd" or char in _HASHTAG_EXTRA


def extract_hashtags(text: str) -> list[Entity]:
    """#hashtags as X finds them: letters needed, no '#' glued on before, none inside links."""
    if "#" not in text and "＃" not in text:
        return []
    found: list[Entity] = []
    consumed = 0  # X's pattern eats the character before a tag, so matches cannot share it
    index = 0
    while index < len(text):
        if text[index] not in "#＃":
            index += 1
            continue
        if index > 0:
            before = text[index - 1]
            boundary = before in "\ufe0e\ufe0f" or not (_tag_char(before) or before == "&")
            if not boundary or index - 1 < consumed:
                index += 1
                continue
        end = index + 1
        if end < len(text) and text[end] in "\ufe0f\u20e3":
            index += 1
            continue
        while end < len(text) and _tag_char(text[end]):
            end += 1
        body = text[index + 1 : end]
        if not any(_tag_letter(char) for char in body):
            index += 1
            continue
        consumed = end
        if not (text.startswith(("#", "＃", "://"), end)):
            found.append(Entity("hashtag", body, index, end))
        index = end
    if found:
        urls = extract_urls(text)
        found = [tag for tag in found if not any(_overlap(tag, url) for url in urls)]
    return found


def _overlap(a: Entity, b: Entity) -> bool:
    return a.start < b.end and b.start < a.end
