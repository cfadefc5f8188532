"""The base of tripdesk's screens: one typed way to reach the running app and its settings."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual.screen import Screen, ScreenResultType

if TYPE_CHECKING:
    from tripdesk.app import TripdeskApp
    from tripdesk.config import Config


class TripScreen(Screen[ScreenResultType]):
    @property
    def desk(self) -> TripdeskApp:
        return cast("TripdeskApp", self.app)

    @property
    def config(self) -> Config:
        return self.desk.config
