"""Registers as schools really export them: consent written as prose, looked-after flags,
registers without any flag column, and headings mapped in config.toml."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from guard_helpers import TODAY

from tripdesk import cli, config
from tripdesk.config import GuardSettings
from tripdesk.consent.csvfile import read_consent, read_register
from tripdesk.consent.register import Register
from tripdesk.consent.store import load_register
from tripdesk.desk.database import open_database
from tripdesk.draft import Draft, DraftPhoto
from tripdesk.guard import check
from tripdesk.media.report import FaceReport


@pytest.mark.parametrize(
    ("cell", "given", "expires", "withdrawn"),
    [
        ("Yes until July 2027", True, date(2027, 7, 31), None),
        ("Yes, expires 31/07/2027", True, date(2027, 7, 31), None),
        ("yes - until 31st July 2027", True, date(2027, 7, 31), None),
        ("Given 01/09/2026", True, None, None),
        ("Social media only", True, None, None),
        ("Withdrawn 12/10/2026", False, None, date(2026, 10, 12)),
        ("Consent withdrawn by parent", False, None, TODAY),
        ("Website only", False, None, None),
        ("Yes (not social media)", False, None, None),
        ("Yes except social media", False, None, None),
        ("Not returned", False, None, None),
        ("?", False, None, None),
        ("Pending", False, None, None),
        ("X", False, None, None),
        ("Parent to confirm", False, None, None),
    ],
)
def test_a_consent_cell_in_prose_is_read_and_doubt_means_no(cell, given, expires, withdrawn):
    consent = read_consent(cell, TODAY)
    assert (consent.given, consent.expires, consent.withdrawn) == (given, expires, withdrawn)


MIS = (
    "UPN,Legal Forename,Legal Surname,Year Group,Social Media,Consent Expires,LAC\n"
    "A1,Amira,Khan,6,Yes until July 2027,,N\n"
    "A2,Ben,Okafor,6,Withdrawn 12/10/2026,,\n"
    "A3,Jack,Brown,6,Website only,,No\n"
    "A4,Isla,Green,6,Yes,July 2025,\n"
    "A5,Theo,Fox,6,Yes,,Y\n"
)


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_register_with_prose_and_a_looked_after_column_reads(tmp_path):
    read = read_register(write(tmp_path, "mis.csv", MIS), {}, None, today=TODAY)
    register = Register(read.pupils)
    status = {p.id: p.status(TODAY) for p in register.pupils}
    assert status == {
        "A1": "consent",
        "A2": "withdrawn",
        "A3": "no consent",
        "A4": "expired",
        "A5": "never photograph",  # looked after: held back unless the school says otherwise
    }
    assert read.notes == ()
    carers = Register(read.pupils, looked_after="consent")
    assert carers.get("A5").status(TODAY) == "consent"


def test_a_looked_after_pupil_blocks_a_photo_and_their_name(tmp_path):
    read = read_register(write(tmp_path, "mis.csv", MIS), {}, None, today=TODAY)
    register = Register(read.pupils)
    photo = DraftPhoto(path="p.jpg", pupils=("A5",), alt="A pupil with a fossil")
    result = check(
        Draft(text="Theo found a fossil", photos=(photo,)),
        register,
        GuardSettings(),
        faces=(FaceReport(count=1),),
        today=TODAY,
    )
    assert result.verdict == "blocked"
    assert {f.rule for f in result.blocking} == {"photo-consent", "first-names-only"}


@pytest.mark.parametrize("heading", ["Looked After", "CLA", "In Care", "Looked-after child"])
def test_looked_after_headings_are_recognised(tmp_path, heading):
    text = f"id,forename,surname,consent_social_media,{heading}\nL1,Ava,Hope,yes,yes\n"
    [pupil] = read_register(write(tmp_path, "lac.csv", text), {}, None, today=TODAY).pupils
    assert pupil.looked_after


def test_a_register_without_flag_columns_imports_and_says_so(home, tmp_path, capsys):
    path = write(
        tmp_path, "plain.csv", "id,forename,surname,consent_social_media\nP1,Ava,Hope,yes\n"
    )
    assert cli.main(["consent", "import", str(path)]) == 0
    out = capsys.readouterr().out
    [note] = [line for line in out.splitlines() if "never-photograph" in line]
    assert "looked-after" in note and "Hope" not in out


def test_looked_after_consent_setting_reaches_the_stored_register(home, tmp_path):
    path = write(tmp_path, "mis.csv", MIS)
    config.update(home, "guard", {"looked_after": "consent"})
    assert cli.main(["consent", "import", str(path)]) == 0
    conn = open_database(config.load(home).database)
    try:
        assert load_register(conn).get("A5").never_photograph  # the safe default
        carers = load_register(conn, looked_after="consent")
        assert carers.get("A5").status(TODAY) == "consent"
    finally:
        conn.close()


def test_unknown_headings_still_map_through_config(home, tmp_path):
    text = "Pupil Ref,First,Last,Twitter OK,Care Flag\nR1,Ava,Hope,Yes until July 2027,Y\n"
    path = write(tmp_path, "odd.csv", text)
    mapping = {
        "Pupil Ref": "id",
        "First": "forename",
        "Last": "surname",
        "Twitter OK": "consent_social_media",
        "Care Flag": "looked_after",
    }
    [pupil] = read_register(path, mapping, None, today=TODAY).pupils
    assert pupil.id == "R1" and pupil.consent_expires == date(2027, 7, 31)
    assert pupil.looked_after
