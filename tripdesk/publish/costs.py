"""What a post costs: X charges for every post (13 times as much with a link) and for each alt
text; Bluesky and Mastodon cost nothing. Prices are settings (`[publish] price_*`); the trip's
total is what its sent deliveries cost, and `[publish] budget` stops paid sending before the
total would pass it."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Mapping, Sequence

from tripdesk.config import PRICES
from tripdesk.draft import Draft

_LINK = re.compile(
    r"https?://|\bwww\.|\b[\w-]+\.(?:com|org|net|uk|gov|edu|io|ly|me|info)\b", re.IGNORECASE
)


def has_link(text: str) -> bool:
    return _LINK.search(text) is not None


def cost(network: str, draft: Draft, prices: Mapping[str, float]) -> float:
    """What sending `draft` to `network` costs, in dollars."""
    price = {**PRICES, **prices}
    if network != "x":
        return price.get(f"{network}_post", 0.0)
    post = price["x_post_with_link"] if has_link(draft.text) else price["x_post"]
    alts = sum(1 for photo in draft.photos if photo.alt)
    return post + alts * price["x_alt_text"]


def estimate(
    draft: Draft, networks: Sequence[str], prices: Mapping[str, float]
) -> dict[str, float]:
    """What the post will cost on each chosen network (dry-run costs nothing)."""
    return {n: cost(n, draft, prices) for n in networks if n != "dry-run"}


def link_warning(draft: Draft, networks: Sequence[str], prices: Mapping[str, float]) -> str | None:
    """A sentence when a link makes the X post cost many times a plain one."""
    price = {**PRICES, **prices}
    if "x" not in networks or not has_link(draft.text) or not price["x_post"]:
        return None
    times = price["x_post_with_link"] / price["x_post"]
    return (
        f"The link makes this X post cost ${price['x_post_with_link']:.2f}, about {times:.0f} "
        f"times a post without one (${price['x_post']:.3f})."
    )


def spent(conn: sqlite3.Connection) -> float:
    """The trip's total so far: what every sent delivery cost."""
    row = conn.execute(
        "SELECT COALESCE(SUM(cost), 0) FROM outbox_delivery WHERE state = 'sent'"
    ).fetchone()
    return float(row[0])


def over_budget(
    conn: sqlite3.Connection, network: str, draft: Draft, budget: float, prices: Mapping[str, float]
) -> str | None:
    """Why sending to a paid network now would pass the trip's budget, or None."""
    price = cost(network, draft, prices)
    total = spent(conn)
    if not budget or not price or total + price <= budget + 1e-9:
        return None
    name = {"x": "X", "bluesky": "Bluesky", "mastodon": "Mastodon"}.get(network, network)
    return (
        f"Sending to {name} is paused: this post (${price:.3f}) would take the trip past its "
        f"budget of ${budget:.2f} (${total:.2f} spent so far); raise [publish] budget to send "
        "more."
    )
