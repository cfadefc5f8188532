"""Importing the consent register: MIS quirks read right, bad files refused, changes audited."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from guard_helpers import TODAY

from tripdesk import audit, config
from tripdesk.consent.csvfile import is_yes, parse_date
from tripdesk.consent.store import import_register, load_register
from tripdesk.desk.database import open_database
from tripdesk.errors import TripdeskError

HEADER = (
    "id,forename,preferred_name,surname,year,class,consent_social_media,consent_website,"
    "consent_press,consent_expires,consent_withdrawn,never_photograph\n"
)


@pytest.fixture
def conn(home: Path):
    connection = open_database(config.load(home).database)
    yield connection
    connection.close()


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def do_import(conn, home: Path, register: Path, roster: Path | None = None):
    return import_register(conn, config.load(home), register, roster, today=TODAY)


def test_the_fixture_register_imports_with_its_roster(conn, home, fixture_register):
    report = do_import(
        conn, home, fixture_register / "sample_register.csv", fixture_register / "trip_roster.csv"
    )
    assert (report.count, report.on_roster) == (30, 23)
    register = load_register(conn)
    statuses = {p.id: p.status(TODAY) for p in register.pupils}
    assert statuses["P1001"] == "consent"
    assert statuses["P1006"] == statuses["P1007"] == statuses["P1008"] == "consent"  # Y TRUE 1
    assert statuses["P1002"] == statuses["P1013"] == statuses["P1014"] == "no consent"
    assert statuses["P1015"] == "no consent"  # "Not returned"
    assert statuses["P1009"] == "expired"
    assert statuses["P1011"] == "withdrawn"
    assert statuses["P1010"] == "never photograph"
    assert register.get("P1002").display_name == "Ben"
    assert [p.id for p in register.roster()][:3] == [
        "P1011",
        "P1001",
        "P1024",
    ]  # Alex, Amira, Arjun
    assert all(p.on_roster for p in register.roster())


def test_a_register_before_any_import_is_empty(conn):
    register = load_register(conn)
    assert register.pupils == () and register.roster() == [] and register.get("P1001") is None


def test_mis_headings_windows_1252_semicolons_crlf_and_uk_dates(conn, home, tmp_path):
    text = (
        "UPN;Legal Forename;Known As;Legal Surname;Year Group;Reg Group;"
        "Photo Consent (Social Media);Consent Expiry;Consent Withdrawn;Do Not Photograph;"
        "On Trip\r\n"
        "A1;Zoë;;Nowak;6;6B;Yes;31/07/2029;;;Y\r\n"
        "A2;Chloé;Clo;Dubois;6;6A;granted;31/07/2025 00:00;;No;Y\r\n"
        "A3;Ellie;;Rose;6;6A;yes;;;?;N\r\n"
    )
    path = write(tmp_path, "mis.csv", text, encoding="cp1252")
    report = do_import(conn, home, path)
    register = load_register(conn)
    zoe, chloe, ellie = (register.get(i) for i in ("A1", "A2", "A3"))
    assert zoe.forename == "Zoë" and zoe.consent_expires == date(2029, 7, 31)
    assert zoe.may_appear(TODAY)
    assert chloe.display_name == "Clo" and chloe.status(TODAY) == "expired"
    assert ellie.never_photograph  # "?" is doubt, and doubt keeps the pupil out
    assert report.on_roster == 2 and not ellie.on_roster


def test_utf8_with_bom_and_a_config_column_mapping(conn, home, tmp_path):
    config.update(home, "register.columns", {"Pupil Ref": "id", "SM OK": "consent_social_media"})
    text = "\ufeffPupil Ref,First Name,Last Name,SM OK\nX1,Łukasz,Wiśniewski,✓\nX2,Amira,Khan,?\n"
    report = do_import(conn, home, write(tmp_path, "bom.csv", text))
    register = load_register(conn)
    assert report.count == 2
    assert register.get("X1").surname == "Wiśniewski" and register.get("X1").may_appear(TODAY)
    assert not register.get("X2").may_appear(TODAY)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("forename,surname,consent_social_media\nAmira,Khan,yes\n", "line 1: no id column"),
        ("id,surname,consent_social_media\nP1,Khan,yes\n", "line 1: no forename column"),
        ("id,forename,consent_social_media\nP1,Amira,yes\n", "line 1: no surname column"),
        ("id,forename,surname\nP1,Amira,Khan\n", "no consent_social_media column"),
        (
            HEADER + "P1,Amira,,Khan,6,6B,yes,,,2029-07-31,,no\nP1,Ben,,Okafor,6,6B,no,,,,,no\n",
            "line 3: the id P1 is already used on line 2",
        ),
        (
            HEADER
            + "P1,Amira,,Khan,6,6B,yes,,,2029-07-31,,no\nP2,Ben,,Okafor,6,6B,no,,,31/13/2029,,no\n",
            "line 3: consent_expires '31/13/2029' is not a date",
        ),
        (
            HEADER + "P1,Amira,,Khan,6,6B,yes,,,,,no\n,Ben,,Okafor,6,6B,no,,,,,no\n",
            "line 3: the pupil has no id",
        ),
        (HEADER + "P1,,,Khan,6,6B,yes,,,,,no\n", "line 2: pupil P1 has no forename"),
        ("", "is empty"),
    ],
)
def test_a_malformed_register_is_refused_and_the_old_one_stays(
    conn, home, tmp_path, fixture_register, text, expected
):
    do_import(conn, home, fixture_register / "sample_register.csv")
    before = load_register(conn).pupils
    with pytest.raises(TripdeskError) as refused:
        do_import(conn, home, write(tmp_path, "bad.csv", text))
    assert expected in refused.value.message
    assert "bad.csv" in refused.value.message
    assert load_register(conn).pupils == before
    assert len(list(audit.events(conn, kind_prefix="consent.imported"))) == 1


def test_a_roster_naming_an_unknown_pupil_is_refused(conn, home, tmp_path, fixture_register):
    roster = write(tmp_path, "roster.csv", "id\nP1001\nP4242\n")
    with pytest.raises(TripdeskError, match="P4242"):
        do_import(conn, home, fixture_register / "sample_register.csv", roster)
    assert load_register(conn).pupils == ()


def test_a_missing_file_is_one_sentence(conn, home, tmp_path):
    with pytest.raises(TripdeskError, match="There is no file"):
        do_import(conn, home, tmp_path / "nowhere.csv")


def test_reimport_records_who_lost_consent_by_id_only(conn, home, tmp_path, fixture_register):
    first = fixture_register / "sample_register.csv"
    do_import(conn, home, first)
    changed = tmp_path / "register.csv"
    shutil.copy(first, changed)
    text = changed.read_text(encoding="utf-8")
    text = text.replace("P1001,Amira,,Khan,6,6B,yes", "P1001,Amira,,Khan,6,6B,no")
    text = text.replace("P1002,Benjamin,Ben,Okafor,6,6B,no", "P1002,Benjamin,Ben,Okafor,6,6B,yes")
    text = text.replace("P1030,Jacob,,Stone,6,6A,yes,yes,yes,2029-07-31,,no\n", "")
    text += "P1031,Nia,,Roberts,6,6A,yes,yes,yes,2029-07-31,,no\n"
    changed.write_text(text, encoding="utf-8")
    report = do_import(conn, home, changed)
    assert report.lost_consent == ("P1001",)
    assert report.gained_consent == ("P1002",)
    assert report.added == ("P1031",) and report.removed == ("P1030",)
    [event, _first] = list(audit.events(conn, kind_prefix="consent.imported"))
    assert event.facts["lost_consent"] == ["P1001"]
    logged = str(event.facts)
    assert "Khan" not in logged and "Amira" not in logged and "Roberts" not in logged


@pytest.mark.parametrize("value", ["yes", "Y", "TRUE", "1", "Given", "granted", "✓", " yes "])
def test_clear_yes_is_consent(value):
    assert is_yes(value)


@pytest.mark.parametrize(
    "value", ["", "?", "no", "N", "FALSE", "0", "Not returned", "pending", "yes?", "y/n"]
)
def test_anything_but_a_clear_yes_is_no(value):
    assert not is_yes(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2029-07-31", date(2029, 7, 31)),
        ("31/07/2029", date(2029, 7, 31)),
        ("31/07/2029 00:00", date(2029, 7, 31)),
        ("31 Jul 2029", date(2029, 7, 31)),
        ("", None),
    ],
)
def test_dates_iso_and_uk(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize("value", ["07/31/2029", "soon", "2029-02-30"])
def test_doubtful_dates_are_refused_not_guessed(value):
    with pytest.raises(ValueError):
        parse_date(value)
