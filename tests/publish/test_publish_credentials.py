"""`tripdesk account`: where the X credentials live, and proof they never leak anywhere."""

from __future__ import annotations

import getpass
import json
import logging
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import keyring
import pytest
from keyrings.alt.file import PlaintextKeyring
from publish_helpers import MemoryKeyring
from xstandin import CREDENTIALS, ENV, XStandIn

from tripdesk import audit
from tripdesk import config as settings
from tripdesk.cli import main
from tripdesk.config import Config
from tripdesk.errors import TripdeskError
from tripdesk.publish import credentials
from tripdesk.publish.credentials import Credentials


@pytest.fixture
def standin_only(home: Path, standin: XStandIn, monkeypatch: pytest.MonkeyPatch) -> XStandIn:
    """The stand-in as the API, but no credentials in the environment."""
    monkeypatch.setenv("TRIPDESK_X_API_BASE", standin.base_url)
    return standin


@pytest.fixture
def typed(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """What the teacher types at each hidden prompt, in order."""
    answers: list[str] = []
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": answers.pop(0))
    yield answers


def test_set_checks_with_x_and_keeps_them_in_the_keyring(
    x_env: XStandIn, memory_keyring: MemoryKeyring, capsys: pytest.CaptureFixture[str], home: Path
) -> None:
    assert main(["account", "set"]) == 0

    assert "@WestwoodSch" in capsys.readouterr().out
    stored = json.loads(memory_keyring.secrets[("tripdesk", "x-oauth1")])
    assert tuple(stored.values()) == CREDENTIALS
    assert settings.load(home).publish.backend == "x"
    assert main(["account", "status", "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert (status["account"], status["store"], status["too_old"]) == (
        "WestwoodSch",
        "keyring",
        False,
    )
    assert x_env.requests == [("GET", "/2/users/me")]


def test_set_asks_with_hidden_input_when_the_environment_has_none(
    standin_only: XStandIn, memory_keyring: MemoryKeyring, typed: list[str], config: Config
) -> None:
    typed.extend(CREDENTIALS)
    assert main(["account", "set"]) == 0
    conn = _db(config)
    assert credentials.load(conn, config) == Credentials(*CREDENTIALS)


def test_refused_credentials_are_not_stored(
    standin_only: XStandIn,
    memory_keyring: MemoryKeyring,
    typed: list[str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    typed.extend([*CREDENTIALS[:3], "wrong-secret"])
    assert main(["account", "set"]) == 1
    assert "X refused these credentials" in capsys.readouterr().err
    assert memory_keyring.secrets == {}


def test_without_a_safe_keyring_set_refuses_unless_another_store_is_chosen(
    x_env: XStandIn, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    keyring.set_keyring(PlaintextKeyring())
    assert main(["account", "set"]) == 2
    assert "no OS keyring" in capsys.readouterr().err
    assert main(["account", "set", "--store", "env"]) == 0
    assert "nowhere" in capsys.readouterr().out
    assert not (home / credentials.FILE_NAME).exists()


def test_an_encrypted_file_needs_its_passphrase(
    standin_only: XStandIn, typed: list[str], config: Config, capsys: pytest.CaptureFixture[str]
) -> None:
    typed.extend([*CREDENTIALS, "correct horse", "correct horse"])
    assert main(["account", "set", "--store", "file"]) == 0

    raw = (config.home / credentials.FILE_NAME).read_bytes()
    assert not any(value.encode() in raw for value in CREDENTIALS)
    conn = _db(config)
    assert credentials.load(conn, config, passphrase=lambda: "correct horse") == Credentials(
        *CREDENTIALS
    )
    with pytest.raises(TripdeskError, match="does not open"):
        credentials.load(conn, config, passphrase=lambda: "wrong")
    with pytest.raises(TripdeskError, match="need their passphrase"):
        credentials.load(conn, config)

    capsys.readouterr()
    main(["post", _draft(config.home, "Sent with the file's credentials")])
    typed.append("correct horse")
    assert main(["outbox", "send"]) == 0
    assert [t.text for t in standin_only.created] == ["Sent with the file's credentials"]


def test_status_warns_when_the_credentials_are_old(
    x_env: XStandIn,
    memory_keyring: MemoryKeyring,
    config: Config,
    capsys: pytest.CaptureFixture[str],
) -> None:
    conn = _db(config)
    credentials.save(
        conn,
        config,
        Credentials(*CREDENTIALS),
        store="keyring",
        me={"id": "99", "username": "WestwoodSch"},
        set_by="office",
        now=datetime.now(UTC) - timedelta(days=200),
    )
    assert main(["account", "status"]) == 0
    out = capsys.readouterr().out
    assert "Set by office" in out and "older than 180 days" in out


def test_forget_removes_them_and_returns_to_dry_run(
    x_env: XStandIn,
    memory_keyring: MemoryKeyring,
    config: Config,
    capsys: pytest.CaptureFixture[str],
) -> None:
    main(["account", "set"])
    assert main(["account", "forget"]) == 0
    assert memory_keyring.secrets == {}
    assert settings.load(config.home).publish.backend == "dry-run"
    kinds = [e.kind for e in audit.events(_db(config), kind_prefix="publish.account")]
    assert kinds == ["publish.account_forgotten", "publish.account_set"]


def test_half_the_environment_variables_is_one_clear_sentence(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRIPDESK_X_CONSUMER_KEY", "only-this-one")
    with pytest.raises(TripdeskError, match="TRIPDESK_X_ACCESS_TOKEN_SECRET must be set too"):
        credentials.from_env()


def test_the_credentials_never_reach_a_log_the_database_the_settings_or_the_screen(
    x_env: XStandIn,
    memory_keyring: MemoryKeyring,
    config: Config,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    caplog.set_level(logging.DEBUG)
    for name in ("tweepy", "urllib3", "requests_oauthlib", "oauthlib", "tripdesk", "httpx"):
        caplog.set_level(logging.DEBUG, logger=name)  # put back as it was after the test
    errors: list[str] = []

    main(["account", "set"])
    main(["account", "status"])
    main(["post", _draft(config.home, "Credentials must stay secret")])
    x_env.fail_next("401")
    main(["outbox", "send"])
    main(["outbox", "resume"])
    main(["outbox", "send"])
    for name in ENV:
        monkeypatch.delenv(name)
    main(["outbox", "list", "--json"])
    try:
        credentials.save(
            _db(config), config, Credentials(*CREDENTIALS), store="file", me={}, set_by="x"
        )
    except TripdeskError as error:
        errors.append(str(error))
    errors.append(repr(Credentials(*CREDENTIALS)))

    assert len(x_env.created) == 1
    printed = capsys.readouterr()
    places = {
        "log": caplog.text,
        "stdout": printed.out,
        "stderr": printed.err,
        "exceptions": "\n".join(errors),
    }
    for path in config.home.rglob("*"):
        if path.is_file():
            places[str(path)] = path.read_bytes().decode("utf-8", "replace")
    assert "tripdesk.db" in " ".join(places) and "config.toml" in " ".join(places)
    assert "oauth_signature" in caplog.text or "POST /2/tweets" in caplog.text  # logs were on
    for value in CREDENTIALS:
        leaks = [where for where, text in places.items() if value in text]
        assert leaks == [], f"a credential appears in {leaks}"


def _db(config: Config) -> sqlite3.Connection:
    from tripdesk.desk.database import open_database

    return open_database(config.database)


def _draft(folder: Path, text: str) -> str:
    path = folder / "DRAFT.json"
    path.write_text(json.dumps({"text": text}), encoding="utf-8")
    return str(path)


def test_a_chained_keyring_uses_its_safe_member_and_never_plain_text(
    memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    from keyring.backends.chainer import ChainerBackend

    plain = PlaintextKeyring()
    monkeypatch.setattr(ChainerBackend, "backends", [memory_keyring, plain], raising=False)
    keyring.set_keyring(ChainerBackend())
    assert credentials.secure_keyring() is memory_keyring
    monkeypatch.setattr(ChainerBackend, "backends", [plain], raising=False)
    assert credentials.secure_keyring() is None
