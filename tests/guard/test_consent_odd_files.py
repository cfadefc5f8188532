"""Odd files given to `tripdesk consent import` and `tripdesk check`: one sentence, never a mess.

Each refusal must name the file (and the line where there is one), leave the register that was
there, exit 2, and print nothing but that one sentence: no traceback, no bytes of a binary file.
"""

from __future__ import annotations

import codecs
import os
import sys
from datetime import date
from pathlib import Path

import pytest
from guard_helpers import TODAY

from tripdesk import cli, config
from tripdesk.consent.store import load_register
from tripdesk.desk.database import open_database

HEADER = "id,forename,surname,consent_social_media,never_photograph\n"


@pytest.fixture
def imported(home: Path, fixture_register: Path) -> Path:
    """The fixture register imported first, so every refusal can be seen to leave it alone."""
    register = fixture_register / "sample_register.csv"
    roster = fixture_register / "trip_roster.csv"
    assert cli.main(["consent", "import", str(register), "--roster", str(roster)]) == 0
    return home


def pupils(home: Path) -> tuple:
    conn = open_database(config.load(home).database)
    try:
        return load_register(conn).pupils
    finally:
        conn.close()


def refused(capsys, argv: list[str], expected: str) -> str:
    capsys.readouterr()
    assert cli.main(argv) == 2
    captured = capsys.readouterr()
    err = captured.err
    assert captured.out == ""
    assert err.startswith("tripdesk: ") and err.count("\n") == 1, err
    assert expected in err, err
    assert "Traceback" not in err
    assert err[:-1].isprintable(), err  # no control bytes from the file reach the terminal
    return err


BINARY = b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 4


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("headings.csv", HEADER, "has headings but no pupils"),
        ("binary.csv", BINARY, "holds binary data"),
        ("quote.csv", HEADER + 'P1,"Amira,Khan,yes,no\n', "line 2: a quoted value is never closed"),
        ("shifted.csv", HEADER + "P1,Amira,Khan, Jr,yes,yes\n", "line 2: more cells than"),
        ("short.csv", HEADER + "P1,Amira,Khan\n", "line 2: only 3 cells"),
        ("blank.csv", "\n\n  \n", "is empty"),
    ],
    ids=["headings only", "binary", "unclosed quote", "shifted columns", "short row", "blank"],
)
def test_an_odd_register_is_refused_in_one_sentence_and_the_old_one_stays(
    imported, tmp_path, capsys, name, content, expected
):
    before = pupils(imported)
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    err = refused(capsys, ["consent", "import", str(path)], expected)
    assert name in err
    assert pupils(imported) == before


def test_a_folder_or_a_missing_file_is_one_sentence(imported, tmp_path, capsys):
    refused(capsys, ["consent", "import", str(tmp_path)], "is a folder")
    refused(capsys, ["consent", "import", str(tmp_path / "none.csv")], "There is no file")
    register = str(tmp_path / "none.csv")
    refused(capsys, ["check", register], "There is no draft file")
    refused(capsys, ["check", str(tmp_path)], "is a folder")


@pytest.mark.parametrize(
    ("content", "expected"),
    [(BINARY, "holds binary data"), (b"id\n", "lists no pupils"), (b"id\nP4242\n", "P4242")],
    ids=["binary", "headings only", "unknown pupil"],
)
def test_an_odd_roster_is_refused_in_one_sentence(
    imported, fixture_register, tmp_path, capsys, content, expected
):
    before = pupils(imported)
    roster = tmp_path / "roster.csv"
    roster.write_bytes(content)
    register = str(fixture_register / "sample_register.csv")
    refused(capsys, ["consent", "import", register, "--roster", str(roster)], expected)
    assert pupils(imported) == before


def test_excel_unicode_text_is_read(home, tmp_path, capsys):
    text = "Pupil ID\tFirst Name\tLast Name\tSocial Media Consent\r\nU1\tZoë\tNowak\tyes\r\n"
    path = tmp_path / "unicode.txt"
    path.write_bytes(codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    assert cli.main(["consent", "import", str(path)]) == 0
    assert "Imported 1 pupil;" in capsys.readouterr().out
    [zoe] = pupils(home)
    assert (zoe.forename, zoe.surname, zoe.consent_social_media) == ("Zoë", "Nowak", True)


def test_a_register_of_two_thousand_pupils_imports_whole(home, tmp_path, capsys):
    lines = [HEADER] + [f"Q{n},Name{n},Surname{n},yes,no\n" for n in range(2000)]
    path = tmp_path / "big.csv"
    path.write_text("".join(lines), encoding="utf-8")
    assert cli.main(["consent", "import", str(path)]) == 0
    assert "Imported 2000 pupils" in capsys.readouterr().out
    assert len(pupils(home)) == 2000


def test_a_bad_line_deep_in_a_big_register_names_its_line(imported, tmp_path, capsys):
    lines = [HEADER] + [f"Q{n},Name{n},Surname{n},yes,no\n" for n in range(2000)]
    lines[1500] = "Q7,Dup,Licate,yes,no\n"
    path = tmp_path / "big.csv"
    path.write_text("".join(lines), encoding="utf-8")
    refused(capsys, ["consent", "import", str(path)], "line 1501: the id Q7 is already used")


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")
def test_an_unreadable_register_is_one_sentence(imported, tmp_path, capsys):
    path = tmp_path / "locked.csv"
    path.write_text(HEADER + "P1,Amira,Khan,yes,no\n")
    path.chmod(0)
    try:
        if os.access(path, os.R_OK):
            pytest.skip("this user can read files whatever their mode (root)")
        refused(capsys, ["consent", "import", str(path)], "Cannot read")
    finally:
        path.chmod(0o600)


def test_a_withdrawn_column_of_yes_and_no_flags_is_read_safely(home, tmp_path):
    text = (
        "id,forename,surname,consent_social_media,consent_withdrawn\n"
        "W1,Amira,Khan,yes,Yes\nW2,Ben,Okafor,yes,No\nW3,Jack,Brown,yes,\n"
        "W4,Isla,Green,yes,02/05/2026\n"
    )
    path = tmp_path / "flags.csv"
    path.write_text(text, encoding="utf-8")
    assert cli.main(["consent", "import", str(path)]) == 0
    status = {p.id: p.status(TODAY) for p in pupils(home)}
    assert status == {"W1": "withdrawn", "W2": "consent", "W3": "consent", "W4": "withdrawn"}


def test_a_withdrawn_value_that_is_neither_flag_nor_date_means_withdrawn(imported, tmp_path):
    path = tmp_path / "doubt.csv"
    path.write_text(
        HEADER.replace("never_photograph", "consent_withdrawn")
        + "W1,A,K,yes,maybe\nW2,B,L,yes,Withdrawn by mum 12/10/2026\n"
    )
    assert cli.main(["consent", "import", str(path)]) == 0
    withdrawn = {p.id: p.consent_withdrawn for p in pupils(imported)}
    assert withdrawn["W2"] == date(2026, 10, 12)
    assert withdrawn["W1"] is not None


def test_replacing_a_big_register_lists_a_few_removed_ids_not_all(imported, tmp_path, capsys):
    path = tmp_path / "other.csv"
    path.write_text(HEADER + "Z1,Amira,Khan,yes,no\n", encoding="utf-8")
    capsys.readouterr()
    assert cli.main(["consent", "import", str(path)]) == 0
    out = capsys.readouterr().out
    assert "No longer on the register: P1001, P1002," in out and "and 20 more." in out
    assert "P1030" not in out
