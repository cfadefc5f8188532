"""The guard knows every network the post is written for: partners' handles per network, and
X's own limits only where X is chosen."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from guard_helpers import TODAY

from tripdesk import config
from tripdesk.config import GuardSettings
from tripdesk.consent.register import Register
from tripdesk.desk.review import judge
from tripdesk.desk.versions import versions
from tripdesk.draft import Draft, DraftPhoto, Poll
from tripdesk.errors import TripdeskError
from tripdesk.guard import check
from tripdesk.guard.handles import handles_in, network_of, text_for
from tripdesk.verdict import Verdict

MUSEUM = ("@NHM_London", "@nhm.bsky.social", "@NHM@mastodon.social")
BOTH = (MUSEUM, "@BBCSchools")


def mentions(verdict: Verdict) -> list[tuple[str, str]]:
    return [(f.severity, f.message) for f in verdict.findings if f.rule == "mentions"]


def verdict_of(text: str, networks: tuple[str, ...], partners: tuple = BOTH) -> Verdict:
    settings = GuardSettings(partners=partners)
    return check(Draft(text=text), Register(), settings, today=TODAY, networks=networks)


@pytest.mark.parametrize(
    ("handle", "network"),
    [
        ("@NHM_London", "x"),
        ("nhm.bsky.social", "bluesky"),
        ("@school.example.org", "bluesky"),
        ("@NHM@mastodon.social", "mastodon"),
        ("＠westwood＠schools.social", "mastodon"),
    ],
)
def test_a_handles_network_is_read_from_its_shape(handle: str, network: str) -> None:
    assert network_of(handle) == network


def test_each_handle_is_read_whole_whatever_its_network() -> None:
    text = "Thanks @NHM_London, @nhm.bsky.social and @NHM@mastodon.social. Mail office@school.org"
    assert [m.handle for m in handles_in(text)] == [
        "NHM_London",
        "nhm.bsky.social",
        "NHM@mastodon.social",
    ]


@pytest.mark.parametrize("written", MUSEUM)
def test_each_network_gets_the_partners_own_handle(written: str) -> None:
    text = f"Year 6 met the curators at {written}. #Y6Museum"
    assert text_for(text, "x", BOTH) == "Year 6 met the curators at @NHM_London. #Y6Museum"
    assert text_for(text, "bluesky", BOTH) == (
        "Year 6 met the curators at @nhm.bsky.social. #Y6Museum"
    )
    assert text_for(text, "mastodon", BOTH) == (
        "Year 6 met the curators at @NHM@mastodon.social. #Y6Museum"
    )


@pytest.mark.parametrize("written", MUSEUM)
def test_a_partners_handle_on_any_network_passes_where_they_have_one(written: str) -> None:
    text = f"Thank you {written} for a wonderful day!"
    assert mentions(verdict_of(text, ("x", "bluesky", "mastodon"))) == []


def test_a_bluesky_handle_is_no_x_mention_when_only_bluesky_is_chosen() -> None:
    only_bluesky = (("@nhm.bsky.social",),)
    text = "Thank you @nhm.bsky.social!"
    assert mentions(verdict_of(text, ("bluesky",), only_bluesky)) == []
    [(severity, message)] = mentions(verdict_of(text, ("x", "bluesky"), only_bluesky))
    assert severity == "block" and message.startswith("Mentions: on X,")
    assert "@nhm there" in message  # X itself would read the handle as @nhm, someone else


def test_a_partner_without_a_handle_on_a_network_is_said_per_network() -> None:
    text = "A great workshop with @BBCSchools today"
    found = mentions(verdict_of(text, ("x", "bluesky", "mastodon")))
    assert [severity for severity, _ in found] == ["block", "confirm"]
    assert "on Mastodon" in found[0][1]  # a local @BBCSchools there is another account
    assert "on Bluesky" in found[1][1] and "plain text" in found[1][1]  # Bluesky links nothing


def test_someone_who_is_no_partner_is_blocked_once_on_any_networks() -> None:
    for networks in (("x",), ("bluesky",), ("mastodon",), ("x", "bluesky", "mastodon")):
        for text in ("Hi @randomkid", "Hi @random.bsky.social", "Hi @kid@mastodon.social"):
            [(severity, _)] = mentions(verdict_of(text, networks))
            assert severity == "block", (text, networks)


def test_a_look_alike_of_a_partners_bluesky_handle_blocks() -> None:
    text = "Thanks @nhm.bѕky.social!"  # a Cyrillic s
    found = mentions(verdict_of(text, ("bluesky",)))
    assert any("look-alike" in message for _, message in found)
    assert all(severity == "block" for severity, _ in found)


def test_xs_own_limits_apply_only_when_x_is_chosen() -> None:
    photo = DraftPhoto(path="a.jpg", no_children=True, alt="A" * 1200)
    long_text = "We walked along the river and saw the boats. " * 7
    poll = Poll(("Dinosaurs in the great hall", "Space"), 60)
    for draft in (Draft(text=long_text), Draft(text="Vote!", poll=poll), Draft("Hi", (photo,))):
        on_x = check(draft, Register(), GuardSettings(), today=TODAY, networks=("x",))
        elsewhere = check(draft, Register(), GuardSettings(), today=TODAY, networks=("mastodon",))
        assert any("X" in f.message for f in on_x.blocking), draft
        assert not any("X" in f.message for f in elsewhere.findings), draft


def test_mastodon_has_poll_rules_of_its_own(home: Path) -> None:
    settings = config.update(home, "publish", {"backend": "mastodon"})
    photo = DraftPhoto(path="a.jpg", no_children=True, alt="A view of the river")
    five = Poll(("A", "B", "C", "D", "E"), 60)
    cases = {
        "photos": Draft("Vote!", (photo,), Poll(("A", "B"), 60)),
        "options": Draft("Vote!", poll=five),
        "length": Draft("Vote!", poll=Poll(("A" * 51, "B"), 60)),
        "long": Draft("Vote!", poll=Poll(("A", "B"), 60 * 24 * 31)),
    }
    for why, draft in cases.items():
        verdict = judge(draft, Register(), settings, today=TODAY)
        assert any(
            f.message.startswith("Each network's limits: Mastodon") for f in verdict.blocking
        )
        assert why and not any(" X " in f.message for f in verdict.findings)
    fine = Draft("Vote!", poll=Poll(("A poll option forty characters long ok", "B"), 60))
    assert not judge(fine, Register(), settings, today=TODAY).blocking


def test_dry_run_judges_and_counts_for_the_networks_it_rehearses(home: Path) -> None:
    config.update(home, "guard", {"partners": [list(MUSEUM)]})
    settings = config.update(home, "publish", {"dry_run_networks": ["bluesky", "mastodon"]})
    assert settings.networks == ("dry-run",)
    text = "Thanks @NHM_London! " + "We saw the whales. " * 15
    found = versions(Draft(text=text), settings)
    assert [v.network for v in found] == ["bluesky", "mastodon"]
    assert found[0].text.startswith("Thanks @nhm.bsky.social!")
    assert found[1].text.startswith("Thanks @NHM@mastodon.social!")
    verdict = judge(Draft(text=text), Register(), settings, today=TODAY)
    assert [f.message.split(":")[1].strip() for f in verdict.blocking] == ["Bluesky"]
    assert not [f for f in verdict.findings if "as X counts" in f.message]


def test_partners_in_the_settings_are_checked_when_read(home: Path) -> None:
    config.update(home, "guard", {"partners": [list(MUSEUM), "@BBCSchools"]})
    assert config.load(home).guard.partners == (MUSEUM, "@BBCSchools")
    path = home / "config.toml"
    path.write_text(path.read_text().replace('"@BBCSchools"', "42"))
    with pytest.raises(TripdeskError, match=r"guard\.partners"):
        config.load(home)


def test_check_says_each_networks_length_and_text(home: Path) -> None:
    config.update(home, "guard", {"partners": [list(MUSEUM)]})
    config.update(home, "publish", {"backend": ["x", "bluesky"]})
    env = {"TRIPDESK_HOME": str(home), "PATH": "/usr/bin:/bin"}
    run = [sys.executable, "-m", "tripdesk", "check", "--text", "Thanks @nhm.bsky.social"]
    plain = subprocess.run(run, capture_output=True, text=True, env=env, check=False).stdout
    assert "Length X 18/280 · Bluesky 23/300." in plain
    assert "On X: Thanks @NHM_London" in plain and "On Bluesky: Thanks @nhm.bsky.social" in plain
