"""Partners' handles on each network, and how each network reads an @handle in a post.

One partner has a different handle on each network: a museum may be @NHM_London on X,
@nhm.bsky.social on Bluesky and @NHM@mastodon.social on Mastodon. The settings list each
partner once, as one handle or a list of their handles; a handle's network is known from its
shape. The teacher writes whichever handle comes to mind, and each network gets that partner's
own handle there. Where a partner has no handle on a network, the text goes as written, and what
that network would make of it decides the finding: another account mentioned blocks, plain text
asks.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from tripdesk.config import NETWORK_NAMES, NETWORKS
from tripdesk.guard.count import extract_mentions

# Bluesky links an @ followed by a domain-shaped handle (at least one dot), as its apps do.
BLUESKY_MENTION = re.compile(r"(?<![\w@])@([a-zA-Z0-9][a-zA-Z0-9-]*(?:\.[a-zA-Z0-9-]+)+)")
# Mastodon's own pattern: a local @user, or @user@instance for an account elsewhere.
_MASTODON_MENTION = re.compile(
    r"(?<![=/\w])[@＠]([a-z0-9_]+(?:[a-z0-9_.-]+[a-z0-9_]+)?(?:@[\w.-]+\w+)?)", re.IGNORECASE
)


@dataclass(frozen=True)
class Mention:
    """An @handle in a text; `start` is at the @ sign, `handle` is without it."""

    start: int
    end: int
    handle: str


@dataclass(frozen=True)
class Partner:
    """One partner's handles, by network, each without its @ sign and as written."""

    handles: tuple[tuple[str, str], ...]

    def on(self, network: str) -> str | None:
        return next((handle for net, handle in self.handles if net == network), None)

    def knows(self, handle: str) -> bool:
        return any(handle.casefold() == mine.casefold() for _, mine in self.handles)


def network_of(handle: str) -> str:
    """Which network a handle belongs to, by its shape: user@instance is Mastodon's, a domain
    is Bluesky's, a plain name is X's."""
    bare = handle.strip().lstrip("@＠")
    if "@" in bare or "＠" in bare:
        return "mastodon"
    return "bluesky" if "." in bare else "x"


@cache
def partners(listed: tuple[str | tuple[str, ...], ...]) -> tuple[Partner, ...]:
    """The settings' partners: each entry one handle, or one partner's handles on several
    networks."""
    found = []
    for entry in listed:
        handles = (entry,) if isinstance(entry, str) else entry
        found.append(
            Partner(
                tuple((network_of(h), h.strip().lstrip("@＠").replace("＠", "@")) for h in handles)
            )
        )
    return tuple(found)


def all_handles(listed: tuple[str | tuple[str, ...], ...]) -> frozenset[str]:
    """Every partner handle on any network, casefolded and without its @ sign."""
    return frozenset(handle.casefold() for p in partners(listed) for _, handle in p.handles)


def mentions_on(text: str, network: str) -> list[Mention]:
    """The @handles `network` itself would turn into mentions of an account."""
    if "@" not in text and "＠" not in text:
        return []
    if network == "x":
        return [Mention(m.start, m.end, m.text) for m in extract_mentions(text)]
    pattern = BLUESKY_MENTION if network == "bluesky" else _MASTODON_MENTION
    return [Mention(m.start(), m.end(), m.group(1)) for m in pattern.finditer(text)]


def handles_in(text: str) -> list[Mention]:
    """Every @handle in the text as any network reads it, the longest reading of each place."""
    seen = [m for network in NETWORKS for m in mentions_on(text, network)]
    seen.sort(key=lambda m: (m.start, -(m.end - m.start)))
    found: list[Mention] = []
    for mention in seen:
        if not found or mention.start >= found[-1].end:
            found.append(mention)
    return found


def partner_of(handle: str, listed: tuple[str | tuple[str, ...], ...]) -> Partner | None:
    return next((p for p in partners(listed) if p.knows(handle.replace("＠", "@"))), None)


def text_for(text: str, network: str, listed: tuple[str | tuple[str, ...], ...]) -> str:
    """The text as `network` gets it: each partner's handle swapped for their handle there."""
    if not listed or network not in NETWORKS:
        return text
    pieces = []
    at = 0
    for mention in handles_in(text):
        partner = partner_of(mention.handle, listed)
        own = partner.on(network) if partner else None
        if own is None or own.casefold() == mention.handle.casefold():
            continue
        pieces += [text[at : mention.start], "@" + own]
        at = mention.end
    return "".join(pieces) + text[at:] if pieces else text


def names_of(networks: Sequence[str]) -> str:
    """ "X", "X and Bluesky", "X, Bluesky and Mastodon"."""
    named = [NETWORK_NAMES.get(n, n) for n in networks]
    return named[0] if len(named) == 1 else ", ".join(named[:-1]) + " and " + named[-1]
