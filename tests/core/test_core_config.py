from pathlib import Path

import pytest

from tripdesk import config
from tripdesk.errors import TripdeskError


def test_first_use_writes_defaults_under_tripdesk_home(home: Path) -> None:
    settings = config.load()
    assert (home / "config.toml").is_file()
    assert settings.home == home
    assert settings.trip.inbox == home / "inbox"
    assert settings.trip.pool == home / "pool"
    assert settings.ingest.delete_source == "ask"
    assert settings.publish.backend == "dry-run"
    assert settings.publish.reply_settings == "mentionedUsers"
    assert settings.database == home / "tripdesk.db"


def test_update_keeps_the_teachers_comments(home: Path) -> None:
    config.load()
    updated = config.update(home, "trip", {"name": "Year 6 Museum", "hashtag": "#Y6Museum"})
    config.update(home, "guard", {"partners": ["@NHM_London"]})
    text = (home / "config.toml").read_text()
    assert "# ask | auto | never" in text
    assert updated.trip.slug == "Year-6-Museum"
    assert config.load().guard.partners == ("@NHM_London",)


def test_relative_and_home_paths(home: Path) -> None:
    config.load()
    settings = config.update(home, "trip", {"inbox": "~/phone", "pool": "/srv/pool"})
    assert settings.trip.inbox == Path("~/phone").expanduser()
    assert settings.trip.pool == Path("/srv/pool")


@pytest.mark.parametrize(
    ("toml", "key"),
    [
        ('[ingest]\ndelete_source = "sometimes"\n', "ingest.delete_source"),
        ("[ingest]\nsettle_seconds = -1\n", "ingest.settle_seconds"),
        ('[guard]\npartners = "@NHM_London"\n', "guard.partners"),
        ("[trip]\nname = 6\n", "trip.name"),
        ('[publish]\nbackend = "twitter"\n', "publish.backend"),
    ],
)
def test_a_bad_value_names_its_key_and_the_file(home: Path, toml: str, key: str) -> None:
    (home / "config.toml").write_text(toml)
    with pytest.raises(TripdeskError) as caught:
        config.load()
    assert key in caught.value.message
    assert str(home / "config.toml") in caught.value.message


def test_broken_toml_is_one_sentence(home: Path) -> None:
    (home / "config.toml").write_text("[trip\nname=")
    with pytest.raises(TripdeskError, match="is not valid TOML"):
        config.load()


def test_backend_environment_override(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = config.load()
    monkeypatch.setenv("TRIPDESK_BACKEND", "x")
    assert settings.backend == "x"
    monkeypatch.setenv("TRIPDESK_BACKEND", "")
    assert settings.backend == "dry-run"  # set but empty counts as not set
    monkeypatch.setenv("TRIPDESK_BACKEND", "x, mastodon")
    assert settings.networks == ("x", "mastodon")
    for wrong in ("myspace", "x,x", "dry-run,x"):
        monkeypatch.setenv("TRIPDESK_BACKEND", wrong)
        with pytest.raises(TripdeskError, match="TRIPDESK_BACKEND"):
            _ = settings.backend


def test_slug_is_never_empty() -> None:
    trip = config.TripSettings(name="!!!", hashtag="", inbox=Path("i"), pool=Path("p"))
    assert trip.slug == "trip"
