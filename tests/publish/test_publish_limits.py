"""Each network's own limits, as findings naming the network (for the hallway to show)."""

from __future__ import annotations

from pathlib import Path

from tripdesk.draft import Draft, DraftPhoto, Poll
from tripdesk.publish import limits


def test_bluesky_counts_graphemes_and_has_no_polls() -> None:
    assert limits.graphemes("e\u0301t\u00e9") == 3
    assert limits.graphemes("\U0001f468\u200d\U0001f469\u200d\U0001f467 \U0001f44d\U0001f3fd") == 3
    assert limits.graphemes("\U0001f1ec\U0001f1e7\U0001f1eb\U0001f1f7") == 2
    fits = Draft(text="\U0001f996" * 300)
    assert limits.findings(fits, ("bluesky",)) == []
    found = limits.findings(
        Draft(text="x" * 301, poll=Poll(options=("A", "B"), minutes=60)), ("x", "bluesky")
    )
    assert [f.rule for f in found] == ["length", "poll"]
    assert all("Bluesky" in f.message and f.severity == "block" for f in found)


def test_mastodon_counts_links_as_23_and_uses_the_instances_maximum(tmp_path: Path) -> None:
    text = "y" * 470 + " https://example.org/" + "a" * 100
    assert limits.findings(Draft(text=text), ("mastodon",)) == []
    assert [
        f.rule for f in limits.findings(Draft(text=text), ("mastodon",), mastodon_characters=400)
    ] == ["length"]
    long_alt = Draft(text="hi", photos=(DraftPhoto(path="/p.jpg", alt="a" * 1501),))
    (found,) = limits.findings(long_alt, ("mastodon",))
    assert found.rule == "alt-text" and "Mastodon" in found.message and found.where.index == 0
    assert limits.findings(Draft(text="x" * 600), ("x",)) == []  # X's length is the guard's
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "mastodon-instance.json").write_text('{"https://m.example": {"max_characters": 1000}}')
    assert limits.mastodon_characters(cache, "https://m.example/") == 1000
    assert limits.mastodon_characters(cache, "https://other.example") is None
