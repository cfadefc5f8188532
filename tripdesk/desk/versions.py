"""What each network gets of one post: its own text (partners' handles swapped) and its length
counted as that network counts it, against that network's limit.

Compose's counter, the final step, `tripdesk check` and the dry-run record all show these, so
the teacher sees the post as X, Bluesky and Mastodon will each show it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from tripdesk.config import NETWORK_NAMES, Config
from tripdesk.draft import Draft
from tripdesk.guard.count import MAX_WEIGHTED_LENGTH, weighted_length
from tripdesk.guard.handles import names_of, text_for
from tripdesk.publish import limits


@dataclass(frozen=True)
class Version:
    """One network's text of a post and its length as that network counts it."""

    network: str
    text: str
    length: int
    limit: int


def versions(draft: Draft, config: Config) -> list[Version]:
    """One version for each network the post is written for, in the settings' order."""
    partners = config.guard.partners
    found = []
    for network in config.post_networks:
        text = text_for(draft.text, network, partners)
        if network == "bluesky":
            found.append(Version(network, text, limits.graphemes(text), limits.BLUESKY_GRAPHEMES))
        elif network == "mastodon":
            base = os.environ.get("TRIPDESK_MASTODON_BASE", "")
            limit = limits.mastodon_characters(config.cache("networks"), base)
            found.append(
                Version(
                    network,
                    text,
                    limits.mastodon_length(text),
                    limit or limits.MASTODON_CHARACTERS,
                )
            )
        else:
            found.append(Version(network, text, weighted_length(text), MAX_WEIGHTED_LENGTH))
    return found


def counts(found: list[Version]) -> str:
    """ "X 212/280 · Bluesky 190/300": each network's count, for a counter or a headline."""
    return " · ".join(f"{NETWORK_NAMES[v.network]} {v.length}/{v.limit}" for v in found)


def grouped(found: list[Version]) -> list[tuple[str, str]]:
    """The texts to show, each once, with the networks that get it: ("X and Mastodon", text)."""
    texts: dict[str, list[str]] = {}
    for version in found:
        texts.setdefault(version.text, []).append(version.network)
    return [(names_of(networks), text) for text, networks in texts.items()]
