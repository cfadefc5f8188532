"""`tripdesk post` and `tripdesk outbox` through the real command line entry point."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from xstandin import XStandIn

from tripdesk.cli import main
from tripdesk.config import Config


def draft_file(folder: Path, text: str, **extra: object) -> str:
    path = folder / "DRAFT.json"
    path.write_text(json.dumps({"text": text, **extra}), encoding="utf-8")
    return str(path)


def test_post_queues_a_clean_draft_and_prints_its_id(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["post", draft_file(home, "Year 6 loved the dinosaurs today!")]) == 0
    assert capsys.readouterr().out.strip() == "1"

    assert main(["outbox", "send"]) == 0
    assert capsys.readouterr().out.strip().startswith("1 recorded in dry-run, not sent to X")
    assert main(["outbox", "list", "--json"]) == 0
    [post] = json.loads(capsys.readouterr().out)["posts"]
    assert (post["state"], post["remote_id"]) == ("sent", "dry-run-1")


def test_post_refuses_a_blocked_draft_and_queues_nothing(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["post", draft_file(home, "Thanks @RandomBrand for the snacks"), "--json"]) == 1
    answer = json.loads(capsys.readouterr().out)
    assert answer["verdict"] == "blocked" and answer["id"] is None
    assert main(["outbox", "list", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["posts"] == []


def test_post_needs_confirm_for_findings_that_ask_for_it(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    draft = draft_file(home, "Don't forget your homework: finish the museum worksheet by Friday")

    assert main(["post", draft]) == 1
    out = capsys.readouterr().out
    assert "CONFIRM" in out and "--confirm" in out
    assert main(["post", draft, "--confirm", "--json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert (answer["id"], answer["state"], answer["verdict"]) == (1, "queued", "confirm")


def test_a_bad_draft_is_one_sentence_with_exit_2(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (home / "broken.json").write_text("{not json", encoding="utf-8")
    assert main(["post", str(home / "broken.json")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("tripdesk: ") and "Traceback" not in err and len(err.splitlines()) == 1


def test_outbox_actions_by_id(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["post", draft_file(home, "A quiet day at the museum.")])
    capsys.readouterr()

    assert main(["outbox", "retry"]) == 2
    assert "needs the post's id" in capsys.readouterr().err
    assert main(["outbox", "mark-sent", "1"]) == 2
    assert "only uncertain posts" in capsys.readouterr().err
    assert main(["outbox", "cancel", "1"]) == 0
    assert capsys.readouterr().out.strip() == "Post 1 is now cancelled."
    assert main(["outbox", "retry", "7"]) == 2
    assert "no post 7" in capsys.readouterr().err


def test_pause_and_resume_from_the_command_line(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["post", draft_file(home, "Lunch in the park.")])
    assert main(["outbox", "pause"]) == 0
    assert main(["outbox", "send", "--json"]) == 1
    capsys.readouterr()
    assert main(["outbox", "list"]) == 0
    assert "Sending is paused" in capsys.readouterr().out
    assert main(["outbox", "resume"]) == 0
    assert capsys.readouterr().out.strip() == "Sending is on again."
    assert main(["outbox", "send", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["sent"] == [1]


def test_outbox_send_reports_an_uncertain_post_with_exit_1(
    home: Path, x_env: XStandIn, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["post", draft_file(home, "Back on the coach now.")])
    x_env.fail_next("drop-after")

    assert main(["outbox", "send"]) == 1

    out = capsys.readouterr().out
    assert "1 uncertain (check the account)" in out
    assert len(x_env.created) == 1
    assert main(["outbox", "send"]) == 0
    assert len(x_env.created) == 1


def test_outbox_release_sends_a_held_post_now(
    home: Path, config: Config, capsys: pytest.CaptureFixture[str]
) -> None:
    from datetime import UTC, datetime, timedelta

    from tripdesk.desk.database import open_database
    from tripdesk.draft import Draft
    from tripdesk.publish.outbox import Outbox
    from tripdesk.verdict import Verdict

    conn = open_database(config.database)
    later = datetime.now(UTC) + timedelta(hours=1)
    Outbox(conn, config).queue(
        Draft(text="After the coach left"), Verdict.of([], 20), hold_until=later
    )
    conn.close()

    assert main(["outbox", "list"]) == 0
    listed = capsys.readouterr().out
    assert "held" in listed and "tripdesk outbox release 1" in listed
    assert main(["outbox", "send", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["sent"] == []
    assert main(["outbox", "release"]) == 2
    assert "needs the post's id" in capsys.readouterr().err
    assert main(["outbox", "release", "1"]) == 0
    assert capsys.readouterr().out.strip() == "Post 1 is now queued."
    assert main(["outbox", "send", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["sent"] == [1]
