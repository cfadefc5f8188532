"""X's own twitter-text conformance cases, read from the shared YAML files in place."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from tripdesk.guard.count import (
    extract_hashtags,
    extract_mentions,
    extract_urls,
    reply_handle,
    weighted_length,
)

TWITTER_TEXT = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "twitter-text"
WEIGHTED = (
    "WeightedTweetsCounterTest",
    "WeightedTweetsWithDiscountedEmojiCounterTest",
    "UnicodeDirectionalMarkerCounterTest",
)


def _cases(name: str, sections: tuple[str, ...]) -> list[Any]:
    path = TWITTER_TEXT / name
    if not path.is_file():
        return [pytest.param(None, None, marks=pytest.mark.skip(reason=f"{path} is absent"))]
    tests = yaml.safe_load(path.read_text(encoding="utf-8"))["tests"]
    return [
        pytest.param(section, case, id=f"{section}: {case['description']}")
        for section in sections
        for case in tests[section]
    ]


@pytest.mark.parametrize(("section", "case"), _cases("validate.yml", WEIGHTED))
def test_weighted_length_matches_x(section: str, case: dict[str, Any]) -> None:
    # The first section is twitter-text's v2 count, before emoji were discounted.
    emoji = section != "WeightedTweetsCounterTest"
    assert weighted_length(case["text"], emoji_parsing=emoji) == case["expected"]["weightedLength"]


EXTRACTORS = {
    "urls": extract_urls,
    "mentions": extract_mentions,
    "hashtags": extract_hashtags,
    "hashtags_from_astral": extract_hashtags,
}


@pytest.mark.parametrize(("section", "case"), _cases("extract.yml", tuple(EXTRACTORS)))
def test_entities_found_as_x_finds_them(section: str, case: dict[str, Any]) -> None:
    found = [entity.text for entity in EXTRACTORS[section](case["text"])]
    assert found == case["expected"]


INDEXED = {
    "urls_with_indices": (extract_urls, "url"),
    "mentions_with_indices": (extract_mentions, "screen_name"),
    "hashtags_with_indices": (extract_hashtags, "hashtag"),
}


@pytest.mark.parametrize(("section", "case"), _cases("extract.yml", tuple(INDEXED)))
def test_entity_spans_match_x(section: str, case: dict[str, Any]) -> None:
    extract, key = INDEXED[section]
    found = [(e.text, [e.start, e.end]) for e in extract(case["text"])]
    assert found == [(item[key], item["indices"]) for item in case["expected"]]


@pytest.mark.parametrize(("section", "case"), _cases("extract.yml", ("replies",)))
def test_replies_found_as_x_finds_them(section: str, case: dict[str, Any]) -> None:
    reply = reply_handle(case["text"])
    assert (reply.text if reply else None) == case["expected"]
