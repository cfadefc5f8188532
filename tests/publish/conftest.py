"""Fixtures for the publishing tests: the X stand-in, an in-memory keyring, a guard to script."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import keyring
import pytest
from keyring.backends.fail import Keyring as FailKeyring
from publish_helpers import MemoryKeyring, ScriptedGuard
from standins import (
    BSKY_HANDLE,
    BSKY_PASSWORD,
    MASTODON_TOKEN,
    BlueskyStandIn,
    MastodonStandIn,
)
from xstandin import ENV, XStandIn

from tripdesk import config as settings
from tripdesk.config import Config
from tripdesk.desk.database import open_database


@pytest.fixture(autouse=True)
def no_real_keyring() -> Iterator[None]:
    """No test may read or delete the credentials in the keyring of the machine it runs on."""
    before = keyring.get_keyring()
    keyring.set_keyring(FailKeyring())
    yield
    keyring.set_keyring(before)


@pytest.fixture
def memory_keyring(no_real_keyring: None) -> MemoryKeyring:
    ring = MemoryKeyring()
    keyring.set_keyring(ring)
    return ring


@pytest.fixture
def standin() -> Iterator[XStandIn]:
    with XStandIn() as server:
        yield server


@pytest.fixture
def x_env(home: Path, standin: XStandIn, monkeypatch: pytest.MonkeyPatch) -> XStandIn:
    """The X backend chosen, pointed at the stand-in, with its credentials in the environment."""
    monkeypatch.setenv("TRIPDESK_BACKEND", "x")
    monkeypatch.setenv("TRIPDESK_X_API_BASE", standin.base_url)
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    return standin


REGISTER = (
    "id,forename,preferred_name,surname,year,class,consent_social_media,consent_website,"
    "consent_press,consent_expires,consent_withdrawn,never_photograph\n"
    "P1,Amira,,Khan,6,6B,yes,yes,no,2099-07-31,,no\n"
)


@pytest.fixture(autouse=True)
def config(home: Path) -> Config:
    """A trip whose consent register is loaded, as on any real trip: without one every draft
    would ask to be confirmed."""
    from tripdesk.consent.store import import_register

    loaded = settings.load(home)
    register = home / "register.csv"
    register.write_text(REGISTER, encoding="utf-8")
    with closing(open_database(loaded.database)) as connection:
        import_register(connection, loaded, register, None)
    return loaded


@pytest.fixture
def conn(config: Config) -> Iterator[sqlite3.Connection]:
    connection = open_database(config.database)
    yield connection
    connection.close()


@pytest.fixture
def guard() -> ScriptedGuard:
    return ScriptedGuard()


@pytest.fixture
def bluesky() -> Iterator[BlueskyStandIn]:
    with BlueskyStandIn() as server:
        yield server


@pytest.fixture
def mastodon() -> Iterator[MastodonStandIn]:
    with MastodonStandIn() as server:
        yield server


@pytest.fixture
def three_networks(
    x_env: XStandIn,
    bluesky: BlueskyStandIn,
    mastodon: MastodonStandIn,
    monkeypatch: pytest.MonkeyPatch,
) -> tuple[XStandIn, BlueskyStandIn, MastodonStandIn]:
    """X, Bluesky and Mastodon all chosen, each pointed at its stand-in, credentials in the
    environment."""
    monkeypatch.setenv("TRIPDESK_BACKEND", "x,bluesky,mastodon")
    monkeypatch.setenv("TRIPDESK_BLUESKY_PDS", bluesky.base_url)
    monkeypatch.setenv("TRIPDESK_BLUESKY_HANDLE", BSKY_HANDLE)
    monkeypatch.setenv("TRIPDESK_BLUESKY_APP_PASSWORD", BSKY_PASSWORD)
    monkeypatch.setenv("TRIPDESK_MASTODON_BASE", mastodon.base_url)
    monkeypatch.setenv("TRIPDESK_MASTODON_TOKEN", MASTODON_TOKEN)
    return x_env, bluesky, mastodon
