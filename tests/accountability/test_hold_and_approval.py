"""Holding posts until the group has left, and the second pair of eyes on posts with children."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tripdesk import config as settings
from tripdesk.config import Config
from tripdesk.desk.accountability import approval_needed, approve, hold_for, hold_time
from tripdesk.draft import Draft, DraftPhoto
from tripdesk.errors import TripdeskError
from tripdesk.staff import store as staff

NOW = datetime(2026, 6, 12, 9, 0, tzinfo=UTC)
OF_AMIRA = Draft("A great morning!", (DraftPhoto("a.jpg", pupils=("P1",), alt="Amira"),))
OF_WORK = Draft("Sketches.", (DraftPhoto("b.jpg", no_children=True, alt="A sketch"),))
WORDS = Draft("Off to the museum.")


def test_a_clock_time_means_today_in_local_time() -> None:
    morning = datetime(2026, 6, 12, 9, 0).astimezone()  # 09:00 on the laptop's clock
    later = morning.replace(hour=15, minute=30)
    assert hold_time("15:30", now=morning) == later.astimezone(UTC)
    assert hold_time("15.30", now=morning) == later.astimezone(UTC)
    with pytest.raises(TripdeskError, match="already passed"):
        hold_time("08:59", now=morning)


def test_an_iso_time_is_taken_as_given_or_as_local_time() -> None:
    assert hold_time("2026-06-12T15:30+01:00", now=NOW) == datetime(2026, 6, 12, 14, 30, tzinfo=UTC)
    naive = hold_time("2026-06-13T08:00", now=NOW)
    assert naive == datetime(2026, 6, 13, 8, 0).astimezone().astimezone(UTC)


@pytest.mark.parametrize(
    ("given", "words"),
    [
        ("2026-06-12T08:00+00:00", "already passed"),
        ("25:00", "not a time"),
        ("after lunch", "not a time"),
    ],
)
def test_a_time_that_cannot_hold_a_post_is_refused(given: str, words: str) -> None:
    with pytest.raises(TripdeskError, match=words) as refused:
        hold_time(given, now=NOW)
    assert refused.value.exit_code == 2


def test_the_trip_default_holds_only_posts_with_photos_of_children(home: Path) -> None:
    config = settings.update(home, "publish", {"hold_photos_minutes": 90})
    assert hold_for(OF_AMIRA, config, None, now=NOW) == NOW + timedelta(minutes=90)
    assert hold_for(OF_WORK, config, None, now=NOW) is None
    assert hold_for(WORDS, config, None, now=NOW) is None
    given = NOW + timedelta(hours=5)
    assert hold_for(OF_WORK, config, given, now=NOW) == given
    assert hold_for(OF_AMIRA, settings.load(home), None, now=NOW) is not None
    assert (
        hold_for(OF_AMIRA, settings.update(home, "publish", {"hold_photos_minutes": 0}), None)
        is None
    )


@pytest.mark.parametrize(
    ("required", "amira", "work", "words"),
    [("off", False, False, False), ("children", True, False, False), ("all", True, True, True)],
)
def test_which_posts_need_a_second_member_of_staff(
    home: Path, required: str, amira: bool, work: bool, words: bool
) -> None:
    config = settings.update(home, "approval", {"required": required})
    assert [approval_needed(d, config) for d in (OF_AMIRA, OF_WORK, WORDS)] == [amira, work, words]


def test_a_wrong_approval_setting_names_the_key(home: Path) -> None:
    (home / "config.toml").write_text('[approval]\nrequired = "sometimes"\n', encoding="utf-8")
    with pytest.raises(TripdeskError, match=r"approval\.required is 'sometimes'"):
        settings.load(home)


@pytest.fixture
def strict(trip: Config, conn: sqlite3.Connection) -> Config:
    staff.add(conn, "Mr Jones", "4821")
    staff.add(conn, "Ms Patel", "1111")
    return settings.update(trip.home, "approval", {"required": "children"})


def test_without_an_approval_the_error_says_who_may_give_it(
    strict: Config, conn: sqlite3.Connection
) -> None:
    with pytest.raises(TripdeskError) as refused:
        approve(conn, strict, OF_AMIRA, None, None, now=NOW)
    assert refused.value.exit_code == 1
    assert "Mr Jones" in refused.value.message and "Ms Patel" not in refused.value.message
    assert approve(conn, strict, OF_WORK, None, None, now=NOW) is None


def test_the_trip_teacher_cannot_approve_their_own_post(
    strict: Config, conn: sqlite3.Connection
) -> None:
    with pytest.raises(TripdeskError, match="cannot approve their own post"):
        approve(conn, strict, OF_AMIRA, "ms patel", "1111", now=NOW)


def test_an_approver_proves_who_they_are_with_their_pin(
    strict: Config, conn: sqlite3.Connection
) -> None:
    with pytest.raises(TripdeskError, match="not Mr Jones's PIN"):
        approve(conn, strict, OF_AMIRA, "Mr Jones", "0000", now=NOW)
    assert approve(conn, strict, OF_AMIRA, "mr jones", "4821", now=NOW) == "Mr Jones"


def test_with_no_colleague_on_the_list_the_error_says_to_add_one(
    trip: Config, conn: sqlite3.Connection
) -> None:
    config = settings.update(trip.home, "approval", {"required": "all"})
    with pytest.raises(TripdeskError, match="tripdesk staff add NAME"):
        approve(conn, config, WORDS, None, None, now=NOW)


def test_approval_needs_the_trip_teacher_to_be_known(home: Path, conn: sqlite3.Connection) -> None:
    config = settings.update(home, "trip", {"teacher": ""})
    staff.add(conn, "Mr Jones", "4821")
    with pytest.raises(TripdeskError, match=r"\[trip\] teacher"):
        approve(conn, config, OF_AMIRA, "Mr Jones", "4821", now=NOW)
