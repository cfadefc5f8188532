"""What the publishing commands tell a hurried teacher: never "sent" for a post that did not go.

Each test here pins a sentence that once misled: dry-run called "sent", `account status`
saying dry-run while the TRIPDESK_X_* variables sent posts to X, a pause with no way out named,
and each finding's policy section printed twice by `post`.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from xstandin import ENV, XStandIn

from tripdesk.cli import main


def _draft(folder: Path, text: str) -> str:
    path = folder / "DRAFT.json"
    path.write_text(json.dumps({"text": text}), encoding="utf-8")
    return str(path)


def test_dry_run_send_says_recorded_not_sent(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["post", _draft(home, "A quiet morning in the gallery.")])
    capsys.readouterr()

    assert main(["outbox", "send"]) == 0
    out = capsys.readouterr().out
    assert "recorded in dry-run, not sent to X" in out and " sent." not in out
    assert str(home / "dry-run") in out
    assert main(["outbox", "list"]) == 0
    assert "(dry-run)" in capsys.readouterr().out


def test_send_to_x_still_says_sent(
    home: Path, x_env: XStandIn, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["post", _draft(home, "Off to see the dinosaurs.")])
    capsys.readouterr()

    assert main(["outbox", "send"]) == 0
    assert capsys.readouterr().out.strip() == "1 sent."
    assert [t.text for t in x_env.created] == ["Off to see the dinosaurs."]
    assert main(["outbox", "list"]) == 0
    assert "(dry-run)" not in capsys.readouterr().out


def test_status_with_credentials_in_the_environment_says_posts_go_to_x(
    home: Path, x_env: XStandIn, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["account", "status"]) == 0
    out = capsys.readouterr().out
    assert "TRIPDESK_X_* variables" in out and "posts go to X" in out and "dry-run" not in out
    assert main(["account", "status", "--json"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert (body["account"], body["from_env"], body["backend"]) == (None, True, "x")
    assert x_env.requests == []  # status is a local look; it never calls X


def test_status_when_x_is_chosen_without_credentials_says_posts_wait(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TRIPDESK_BACKEND", "x")
    assert main(["account", "status"]) == 0
    out = capsys.readouterr().out
    assert "no X credentials are set" in out and "tripdesk account set" in out
    assert "recorded in dry-run" not in out


def test_status_without_anything_is_still_dry_run(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["account", "status"]) == 0
    assert capsys.readouterr().out.strip() == (
        "No X credentials are set; posts are recorded in dry-run."
    )


def test_a_paused_send_names_the_way_out(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["post", _draft(home, "Lunch on the museum steps.")])
    main(["outbox", "pause"])
    capsys.readouterr()

    assert main(["outbox", "send"]) == 1
    err = capsys.readouterr().err
    assert "tripdesk outbox resume" in err and len(err.strip().splitlines()) == 1


def test_post_names_each_policy_section_once(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["post", _draft(home, "Thanks @RandomBrand for the snacks")]) == 1
    out = capsys.readouterr().out
    [line] = [line for line in out.splitlines() if line.startswith("BLOCK")]
    assert line.count("Mentions") == 1


def test_status_says_where_the_credentials_are_kept_in_words(
    home: Path, x_env: XStandIn, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["account", "set", "--store", "env"]) == 0
    capsys.readouterr()
    assert main(["account", "status"]) == 0
    out = capsys.readouterr().out
    assert "kept in no store (the TRIPDESK_X_* variables are read each time)." in out
    assert "the env." not in out


def test_the_list_names_the_command_that_settles_an_uncertain_post(
    home: Path, x_env: XStandIn, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["post", _draft(home, "Fossils before lunch.")])
    x_env.fail_next("drop-after")
    assert main(["outbox", "send"]) == 1
    capsys.readouterr()

    assert main(["outbox", "list"]) == 0
    out = capsys.readouterr().out
    assert "`tripdesk outbox mark-sent 1` or `tripdesk outbox retry 1`" in out


def test_offline_the_command_says_to_run_it_again(
    config, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The one-shot command does not try again by itself, so it must not say it will."""
    import socket

    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    monkeypatch.setenv("TRIPDESK_BACKEND", "x")
    monkeypatch.setenv("TRIPDESK_X_API_BASE", f"http://127.0.0.1:{port}")
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    draft = tmp_path / "draft.json"
    draft.write_text('{"text": "Arrived at the museum"}')
    assert main(["post", str(draft)]) == 0
    capsys.readouterr()
    assert main(["outbox", "send"]) == 1
    err = capsys.readouterr().err
    assert "run `tripdesk outbox send` again" in err
    assert "will try again" not in err
