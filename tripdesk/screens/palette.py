"""The command palette's entries for a screen: each of its keys, with a sentence on what it does.

A screen lists `ScreenActions` in its COMMANDS; every binding of the screen that carries a
tooltip becomes a command named by its description, the tooltip as its sentence. Actions the
screen greys out or hides at the moment are left out, so the palette never offers what the
keys would refuse.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.screen import Screen


def screen_actions(screen: Screen[object]) -> Iterator[tuple[str, str, str]]:
    """(name, sentence, action) for each described binding the screen allows now."""
    seen: set[str] = set()
    for item in screen.BINDINGS:
        if not isinstance(item, Binding) or not item.tooltip or item.description in seen:
            continue
        action = item.action
        name, _, _ = action.partition("(")
        if screen.check_action(name, ()) is not True:
            continue
        seen.add(item.description)
        yield item.description, item.tooltip, action


class ScreenActions(Provider):
    """The active screen's own actions."""

    async def discover(self) -> Hits:
        for name, sentence, action in screen_actions(self.screen):
            yield DiscoveryHit(name, partial(self.screen.run_action, action), help=sentence)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, sentence, action in screen_actions(self.screen):
            score = matcher.match(f"{name} {sentence}")
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(name),
                    partial(self.screen.run_action, action),
                    help=sentence,
                )
