"""The plain-Python side of the TUI: wording, name matching, tag rules, and the demo trip."""

from __future__ import annotations

import time
from datetime import date, datetime
from pathlib import Path

import pytest

from tripdesk import config
from tripdesk.consent.register import Pupil
from tripdesk.consent.store import load_register
from tripdesk.desk.database import open_database
from tripdesk.desk.demo import Feeder, build, demo_photos
from tripdesk.desk.wording import matches, needs_setup, photo_state, pupil_label, tag_check
from tripdesk.pool.catalogue import PoolPhoto, list_photos
from tripdesk.pool.ingest import Ingestor

TODAY = date(2026, 6, 10)


def pupil(**changes: object) -> Pupil:
    fields: dict[str, object] = {
        "id": "P1",
        "forename": "Zoë",
        "preferred_name": "",
        "surname": "Wiśniewska-Hall",
        "year": "6",
        "klass": "6B",
        "consent_social_media": True,
        "consent_expires": date(2030, 7, 31),
        "consent_withdrawn": None,
        "never_photograph": False,
        "on_roster": True,
    }
    fields.update(changes)
    return Pupil(**fields)  # type: ignore[arg-type]


def test_a_pupil_is_labelled_by_first_name_initial_and_class() -> None:
    assert pupil_label(pupil()) == "Zoë W. (6B)"
    assert pupil_label(pupil(forename="Benjamin", preferred_name="Ben")) == "Ben W. (6B)"


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("zo", True),
        ("ZOE", True),
        ("zoe w", True),
        ("hall", True),
        ("6b", True),
        ("zoe x", False),
        ("oe", False),
    ],
)
def test_typing_finds_pupils_without_accents_or_case(typed: str, found: bool) -> None:
    assert matches(pupil(), typed) is found


def test_lukasz_is_found_by_plain_letters() -> None:
    assert matches(pupil(forename="Łukasz"), "luk")


def test_consent_decides_what_tagging_says() -> None:
    assert tag_check(pupil(), TODAY).allowed and tag_check(pupil(), TODAY).message is None
    never = tag_check(pupil(never_photograph=True), TODAY)
    assert not never.allowed and "never be photographed" in (never.message or "")
    for changes, words in (
        ({"consent_social_media": False}, "no photo consent"),
        ({"consent_expires": date(2025, 7, 31)}, "expired"),
        ({"consent_withdrawn": date(2026, 5, 2)}, "withdrawn"),
    ):
        check = tag_check(pupil(**changes), TODAY)
        assert check.allowed and words in (check.message or "")
        assert "cannot be posted" in (check.message or "")


def photo(**changes: object) -> PoolPhoto:
    fields: dict[str, object] = {
        "id": 1,
        "sha256": "0" * 64,
        "pool_path": Path("/pool/a.jpg"),
        "original_name": "IMG_1.JPG",
        "source_path": "/inbox/IMG_1.JPG",
        "size": 1,
        "captured_at": datetime(2026, 6, 10, 10),
        "pooled_at": datetime(2026, 6, 10, 10),
        "kind": "photo",
        "damaged": False,
        "damage_reason": None,
        "source_deleted_at": None,
        "derived_from": None,
        "pupils": (),
        "no_children": False,
    }
    fields.update(changes)
    return PoolPhoto(**fields)  # type: ignore[arg-type]


def test_a_photo_state_is_told_in_the_screen_words() -> None:
    assert photo_state(photo()) == "pooled"
    assert photo_state(photo(), awaiting_deletion=[1]) == "awaiting deletion"
    assert photo_state(photo(source_deleted_at=datetime(2026, 6, 10))) == "deleted from phone"
    assert photo_state(photo(damaged=True, damage_reason="cut short")) == "damaged: cut short"
    assert photo_state(photo(derived_from=4)) == "blurred copy"


def test_a_fresh_home_needs_setup(home: Path) -> None:
    assert needs_setup(config.load(home))
    assert not needs_setup(config.update(home, "trip", {"name": "Year 6 Zoo"}))


def test_the_demo_trip_has_its_register_a_partner_and_dry_run_publishing(home: Path) -> None:
    trip = build(home)
    assert trip.trip.hashtag == "#Y6Museum" and trip.guard.partners == ("@NHM_London",)
    assert trip.backend == "dry-run" and not needs_setup(trip)
    conn = open_database(trip.database)
    try:
        register = load_register(conn)
    finally:
        conn.close()
    assert len(register) == 12 and len(register.roster()) == 10
    jacks = [pupil_label(p) for p in register.roster() if p.forename == "Jack"]
    assert jacks == ["Jack E. (6R)", "Jack P. (6W)"]
    statuses = {p.status(TODAY) for p in register.roster()}
    assert {"consent", "no consent", "expired", "withdrawn", "never photograph"} <= statuses


def test_the_demo_feeder_drops_whole_photos_that_the_pool_takes(home: Path) -> None:
    trip = build(home)
    photos = demo_photos()
    assert [p.name for p in photos] == [f"IMG_000{n}.JPG" for n in (1, 2, 3, 4)]
    feeder = Feeder(photos, trip.trip.inbox, first_after=0, every=0)
    feeder.start()
    for _ in range(1000):
        if len(list(trip.trip.inbox.glob("IMG_*"))) == len(photos):
            break
        time.sleep(0.01)
    feeder.stop()
    dropped = sorted(p.name for p in trip.trip.inbox.iterdir())
    assert dropped == [p.name for p in photos], "no temporary names left behind"
    assert all((trip.trip.inbox / p.name).read_bytes() == p.read_bytes() for p in photos)
    Ingestor(trip, lambda event: None, connect=lambda: open_database(trip.database)).scan_once()
    conn = open_database(trip.database)
    try:
        assert len(list_photos(conn)) == 4
    finally:
        conn.close()


def test_a_stopped_feeder_drops_nothing_more(home: Path) -> None:
    trip = build(home)
    feeder = Feeder(demo_photos(), trip.trip.inbox, first_after=60, every=60)
    feeder.start()
    feeder.stop()
    assert not list(trip.trip.inbox.glob("IMG_*"))
