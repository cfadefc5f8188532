"""`tripdesk account … --network bluesky|mastodon`: checked with the network, kept in the
keyring, never in a file, and the choice of networks follows."""

from __future__ import annotations

import getpass
import json
from pathlib import Path

import pytest
from publish_helpers import MemoryKeyring
from standins import BSKY_HANDLE, BSKY_PASSWORD, MASTODON_TOKEN, BlueskyStandIn, MastodonStandIn

from tripdesk import config as settings
from tripdesk.cli import main


@pytest.fixture
def places(
    bluesky: BlueskyStandIn, mastodon: MastodonStandIn, monkeypatch: pytest.MonkeyPatch
) -> tuple[BlueskyStandIn, MastodonStandIn]:
    monkeypatch.setenv("TRIPDESK_BLUESKY_PDS", bluesky.base_url)
    monkeypatch.setenv("TRIPDESK_MASTODON_BASE", mastodon.base_url)
    return bluesky, mastodon


def test_set_status_and_forget_for_bluesky_and_mastodon(
    places: tuple[BlueskyStandIn, MastodonStandIn],
    memory_keyring: MemoryKeyring,
    home: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    answers = [BSKY_HANDLE, BSKY_PASSWORD]
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": answers.pop(0))
    assert main(["account", "set", "--network", "bluesky"]) == 0
    assert "posts now go to Bluesky" in capsys.readouterr().out
    monkeypatch.setenv("TRIPDESK_MASTODON_TOKEN", MASTODON_TOKEN)
    assert main(["account", "set", "--network", "mastodon"]) == 0
    monkeypatch.delenv("TRIPDESK_MASTODON_TOKEN")
    capsys.readouterr()
    assert settings.load(home).networks == ("bluesky", "mastodon")

    assert main(["account", "status", "--json"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert body["networks"]["bluesky"]["in_use"] == "keyring"
    assert body["networks"]["mastodon"]["account"] == "westwood"
    assert main(["account", "status"]) == 0
    out = capsys.readouterr().out
    assert "Bluesky: credentials from the OS keyring" in out
    assert "Mastodon cannot switch replies off" in out

    secrets = (BSKY_PASSWORD, MASTODON_TOKEN)
    assert sorted(memory_keyring.secrets) == [("tripdesk", "bluesky"), ("tripdesk", "mastodon")]
    for path in home.rglob("*"):
        if path.is_file():
            assert not any(s.encode() in path.read_bytes() for s in secrets), path

    assert main(["account", "forget", "--network", "bluesky"]) == 0
    assert "posts go to Mastodon" in capsys.readouterr().out
    assert settings.load(home).networks == ("mastodon",)
    assert ("tripdesk", "bluesky") not in memory_keyring.secrets


def test_refused_credentials_store_nothing(
    places: tuple[BlueskyStandIn, MastodonStandIn],
    memory_keyring: MemoryKeyring,
    home: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("TRIPDESK_BLUESKY_HANDLE", BSKY_HANDLE)
    monkeypatch.setenv("TRIPDESK_BLUESKY_APP_PASSWORD", "wrong-password")
    assert main(["account", "set", "--network", "bluesky"]) == 1
    assert "Bluesky refused these credentials; nothing was stored." in capsys.readouterr().err
    assert memory_keyring.secrets == {} and settings.load(home).backend == "dry-run"


def test_the_environment_is_what_status_says_is_in_use(
    places: tuple[BlueskyStandIn, MastodonStandIn],
    home: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("TRIPDESK_BACKEND", "mastodon")
    monkeypatch.setenv("TRIPDESK_MASTODON_TOKEN", MASTODON_TOKEN)
    assert main(["account", "status", "--network", "mastodon", "--json"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert (body["chosen"], body["in_use"]) == (True, "environment")
