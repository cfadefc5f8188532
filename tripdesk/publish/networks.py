"""Which networks a post goes to, and the backend for each, made once a round.

A post's networks are chosen when it is first sent, from the settings of that moment (or the
backends a caller gave); from then on it keeps them, one delivery each.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence

from tripdesk import config as settings
from tripdesk.config import Config
from tripdesk.publish.backends import Backend, chosen_networks, make_backend


class Networks:
    """The backends of one round, made on first use; backends given by the caller win.

    Settings are read afresh each round, so `account set` or `account forget` in another
    process takes effect in a running app without a restart.
    """

    def __init__(
        self,
        conn: sqlite3.Connection,
        config: Config,
        given: Backend | Sequence[Backend] | None,
        passphrase: Callable[[], str] | None,
    ) -> None:
        self.conn = conn
        self.config = config
        listed = () if given is None else (given,) if hasattr(given, "publish") else given
        self._given: dict[str, Backend] = {b.name: b for b in listed}  # type: ignore[union-attr]
        self._passphrase = passphrase
        self._made: dict[str, Backend] = dict(self._given)
        self._settings: Config | None = None

    def fresh(self) -> None:
        self._made = dict(self._given)
        self._settings = None

    def chosen(self) -> tuple[str, ...]:
        """The networks a post goes to when it is first sent."""
        return tuple(self._given) or chosen_networks(self._current())

    def backend(self, network: str) -> Backend:
        if network not in self._made:
            self._made[network] = make_backend(
                self._current(), conn=self.conn, network=network, passphrase=self._passphrase
            )
        return self._made[network]

    def settings(self) -> Config:
        """The settings of this round (prices, budget), read once a round."""
        return self._current()

    def _current(self) -> Config:
        if self._settings is None:
            self._settings = settings.load(self.config.home)
        return self._settings
