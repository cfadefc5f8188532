import json
import os
import subprocess
import sys

import pytest

from tripdesk import __version__
from tripdesk.cli import main
from tripdesk.draft import Draft
from tripdesk.errors import TripdeskError
from tripdesk.verdict import Finding, Verdict, Where

CONTRACT_EXAMPLE = {
    "text": "Year 6 loved the dinosaurs today! #Y6Museum",
    "photos": [
        {"path": "pool/a/104107_3f9a1c2e.jpg", "pupils": ["P1001"], "alt": "A pupil by a shuttle"},
        {"path": "IMG_0002.JPG", "no_children": True, "alt": "A sketch of a coffee cup"},
    ],
    "poll": {"options": ["Dinosaurs", "Space"], "minutes": 1440},
}


def test_the_contracts_draft_round_trips() -> None:
    draft = Draft.from_dict(CONTRACT_EXAMPLE)
    assert draft.photos[0].pupils == ("P1001",)
    assert draft.photos[1].no_children
    assert draft.poll is not None and draft.poll.minutes == 1440
    assert Draft.from_dict(draft.to_dict()) == draft


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ([], "JSON object"),
        ({"text": 5}, "'text'"),
        ({"text": "", "photos": {}}, "'photos'"),
        ({"text": "", "photos": [{"alt": "x"}]}, "photo 1"),
        ({"text": "", "photos": [{"path": "a", "pupils": "P1"}]}, "'pupils'"),
        ({"text": "", "photos": [{"path": "a", "no_children": "yes"}]}, "'no_children'"),
        ({"text": "", "poll": {"options": "a,b"}}, "options"),
        ({"text": "", "poll": {"options": ["a", "b"], "minutes": "1d"}}, "minutes"),
    ],
)
def test_off_contract_drafts_are_one_sentence(data: object, words: str) -> None:
    with pytest.raises(TripdeskError) as caught:
        Draft.from_dict(data, source="draft.json")
    assert words in caught.value.message
    assert "draft.json" in caught.value.message or "JSON object" in caught.value.message


def test_verdict_is_the_worst_severity() -> None:
    info = Finding("length", "info", "Fine.", "X's limits")
    ask = Finding("homework", "confirm", "Also set it.", "Homework", Where("text", None, 0, 8))
    stop = Finding("mentions", "block", "Not a partner.", "Mentions")
    assert Verdict.of([], 0).verdict == "ok"
    assert Verdict.of([info], 0).verdict == "ok"
    assert Verdict.of([info, ask], 0).verdict == "confirm"
    verdict = Verdict.of([ask, stop], 12)
    assert verdict.verdict == "blocked"
    assert verdict.blocking == (stop,)
    assert verdict.to_confirm == (ask,)
    assert json.loads(json.dumps(verdict.to_dict()))["findings"][0]["where"] == {
        "field": "text",
        "start": 0,
        "end": 8,
    }


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.strip() == f"tripdesk {__version__}"


def test_the_console_script_runs_without_a_traceback() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "tripdesk", "--version"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0
    assert done.stdout.strip() == f"tripdesk {__version__}"


def test_a_closed_pipe_is_not_a_traceback(tmp_path) -> None:
    """`tripdesk outbox list | head` must not end in a traceback when head stops reading."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    done = subprocess.run(
        [sys.executable, "-m", "tripdesk", "check", "--text", "We loved the museum"],
        stdout=write_end,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "TRIPDESK_HOME": str(tmp_path)},
        check=False,
    )
    os.close(write_end)
    assert done.returncode == 141
    assert "Traceback" not in done.stderr
    assert "BrokenPipeError" not in done.stderr
