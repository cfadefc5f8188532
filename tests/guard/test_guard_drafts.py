"""Draft files, the full review, and the `tripdesk check` and `tripdesk consent import` commands."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from tripdesk import audit, cli, config
from tripdesk.consent.store import import_register
from tripdesk.desk.database import open_database
from tripdesk.desk.drafts import load_draft
from tripdesk.desk.review import review_draft
from tripdesk.draft import Draft, DraftPhoto
from tripdesk.errors import TripdeskError
from tripdesk.pool.ingest import Ingestor


@pytest.fixture
def conn(home: Path, fixture_register: Path):
    settings = config.load(home)
    connection = open_database(settings.database)
    import_register(
        connection,
        settings,
        fixture_register / "sample_register.csv",
        fixture_register / "trip_roster.csv",
    )
    yield connection
    connection.close()


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_draft(folder: Path, data: object) -> Path:
    path = folder / "DRAFT.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_photo_paths_resolve_beside_the_draft_and_get_their_hash(
    conn, home, tmp_path, fixture_photos
):
    shutil.copy(fixture_photos / "IMG_0002.JPG", tmp_path / "IMG_0002.JPG")
    path = write_draft(
        tmp_path,
        {
            "text": "Sketches",
            "photos": [{"path": "IMG_0002.JPG", "no_children": True, "alt": "A cup"}],
        },
    )
    draft = load_draft(path, conn, config.load(home))
    [photo] = draft.photos
    assert photo.path == str(tmp_path / "IMG_0002.JPG")
    assert photo.sha256 == sha(fixture_photos / "IMG_0002.JPG")
    assert photo.no_children and photo.alt == "A cup"


def test_pool_paths_resolve_through_the_pool_catalogue(conn, home, tmp_path, fixture_photos):
    settings = config.load(home)
    settings.trip.inbox.mkdir(parents=True, exist_ok=True)
    shutil.copy(fixture_photos / "IMG_0003.JPG", settings.trip.inbox / "IMG_0003.JPG")
    Ingestor(
        settings, lambda event: None, connect=lambda: open_database(settings.database)
    ).scan_once()
    [pooled] = [p for p in settings.trip.pool.rglob("*") if p.is_file()]
    relative = pooled.relative_to(settings.trip.pool)
    elsewhere = tmp_path / "drafts"
    elsewhere.mkdir()
    path = write_draft(
        elsewhere, {"text": "A cat", "photos": [{"path": str(relative), "no_children": True}]}
    )
    [photo] = load_draft(path, conn, settings).photos
    assert Path(photo.path) == pooled
    assert photo.sha256 == sha(fixture_photos / "IMG_0003.JPG")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ('{"text": "x",', "is not valid JSON: line 1"),
        ("[1, 2]", "must be a JSON object"),
        ('{"text": "x", "photos": [{"path": "gone.jpg", "no_children": true}]}', "does not exist"),
        (
            '{"text": "x", "photos": [{"path": "IMG.JPG", "pupils": ["P4242"]}]}',
            "tagged P4242, who is not on the consent register",
        ),
    ],
)
def test_a_bad_draft_is_one_sentence(conn, home, tmp_path, fixture_photos, content, expected):
    shutil.copy(fixture_photos / "IMG_0002.JPG", tmp_path / "IMG.JPG")
    path = tmp_path / "DRAFT.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(TripdeskError) as refused:
        load_draft(path, conn, config.load(home))
    assert expected in refused.value.message and str(path) in refused.value.message


def test_review_uses_only_cached_faces_when_not_detecting(conn, home, fixture_photos):
    photo = DraftPhoto(path=str(fixture_photos / "IMG_0002.JPG"), no_children=True, alt="A cup")
    verdict = review_draft(
        Draft(text="Our sketches", photos=(photo,)), conn, config.load(home), detect_faces=False
    )
    assert verdict.verdict == "confirm"
    assert [f.rule for f in verdict.findings] == ["faces"]
    [event] = audit.events(conn, kind_prefix="guard.checked")
    assert event.facts["verdict"] == "confirm" and event.facts["to_confirm"] == ["faces"]


def test_review_audits_rule_ids_never_the_text(conn, home):
    verdict = review_draft(Draft(text="Amira Khan won"), conn, config.load(home))
    assert verdict.verdict == "blocked"
    [event] = audit.events(conn, kind_prefix="guard.checked")
    assert event.facts["blocking"] == ["first-names-only"]
    assert "Khan" not in json.dumps(event.facts)


def test_check_command_text_and_exit_codes(home, capsys):
    assert cli.main(["check", "--text", "A lovely day at the museum"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Confirm") and "26/280" in out  # no register loaded in this home
    assert "tripdesk consent import" in out
    assert cli.main(["check", "--text", "@someone hello"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("Blocked") and "BLOCK" in out and "Broadcast only" in out


def test_check_command_json_is_the_contract(conn, home, capsys):
    assert cli.main(["check", "--text", "Jack Brown won. Homework tonight!", "--json"]) == 1
    result = json.loads(capsys.readouterr().out)
    assert set(result) == {"verdict", "findings", "weighted_length"}
    assert result["verdict"] == "blocked" and result["weighted_length"] == 33
    rules = {(f["rule"], f["severity"]) for f in result["findings"]}
    assert rules == {("first-names-only", "block"), ("homework", "confirm")}
    assert {"rule", "severity", "message", "where"} <= set(result["findings"][0])


def test_check_command_on_a_draft_file(conn, home, tmp_path, fixture_photos, capsys):
    shutil.copy(fixture_photos / "IMG_0002.JPG", tmp_path / "cup.jpg")
    path = write_draft(
        tmp_path,
        {"text": "Sketching", "photos": [{"path": "cup.jpg", "no_children": True, "alt": "A cup"}]},
    )
    assert cli.main(["check", str(path), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["verdict"] == "ok", result


def test_check_command_usage_errors_exit_2(home, tmp_path, capsys):
    assert cli.main(["check"]) == 2
    assert cli.main(["check", str(tmp_path / "none.json")]) == 2
    assert cli.main(["check", str(tmp_path / "none.json"), "--text", "x"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.count("tripdesk: ") == 3


def test_consent_import_command_summary_never_shows_surnames(home, fixture_register, capsys):
    register = str(fixture_register / "sample_register.csv")
    roster = str(fixture_register / "trip_roster.csv")
    assert cli.main(["consent", "import", register, "--roster", roster]) == 0
    out = capsys.readouterr().out
    assert "30 pupils" in out and "23 on the trip roster, of whom 16 may appear" in out
    assert cli.main(["consent", "import", register, "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["count"] == 30 and result["on_roster"] == 30
    assert result["lost_consent"] == [] and result["added"] == []


def test_consent_import_command_names_who_lost_consent(home, tmp_path, fixture_register, capsys):
    original = fixture_register / "sample_register.csv"
    assert cli.main(["consent", "import", str(original)]) == 0
    changed = tmp_path / "changed.csv"
    text = original.read_text(encoding="utf-8")
    changed.write_text(text.replace("P1001,Amira,,Khan,6,6B,yes", "P1001,Amira,,Khan,6,6B,?"))
    capsys.readouterr()
    assert cli.main(["consent", "import", str(changed)]) == 0
    out = capsys.readouterr().out
    assert "Lost consent since the last import: P1001 Amira." in out
    assert "Khan" not in out
    assert cli.main(["consent", "import", str(changed), "--json"]) == 0


def test_consent_import_command_refuses_a_bad_file(home, tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("id,forename,surname,consent_social_media\nP1,Amira,Khan,yes\nP1,Ben,Ok,no\n")
    assert cli.main(["consent", "import", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "line 3" in err and "Traceback" not in err


def test_a_quarantined_photo_is_refused_by_check_as_by_post(
    conn, home, tmp_path, fixture_photos, capsys
):
    """`check` once said "confirm" for a damaged photo that `post` then refused with exit 2."""
    settings = config.load(home)
    settings.trip.inbox.mkdir(parents=True, exist_ok=True)
    shutil.copy(fixture_photos / "IMG_0006_truncated.JPG", settings.trip.inbox / "IMG_0006.JPG")
    Ingestor(
        settings, lambda event: None, connect=lambda: open_database(settings.database)
    ).scan_once()
    [damaged] = [p for p in settings.trip.pool.rglob("*") if p.is_file()]
    assert "quarantine" in damaged.parts
    path = write_draft(
        tmp_path,
        {"text": "Hi", "photos": [{"path": str(damaged), "no_children": True, "alt": "a"}]},
    )
    for command in ("check", "post"):
        assert cli.main([command, str(path)]) == 2
        err = capsys.readouterr().err
        assert "damaged copy kept in quarantine" in err and len(err.splitlines()) == 1
