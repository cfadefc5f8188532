"""The words under the trip's name in the header, with a badge while nothing is really posted."""

from __future__ import annotations

from tripdesk.config import Config
from tripdesk.errors import TripdeskError

DRY_RUN_BADGE = "DRY-RUN"


def dry_run(config: Config) -> bool:
    """Whether posts are only recorded on this laptop; a bad TRIPDESK_BACKEND counts as not."""
    try:
        return config.backend == "dry-run"
    except TripdeskError:
        return False


def with_badge(words: str, config: Config) -> str:
    """`words` for the header, followed by the dry-run badge while publishing is dry-run."""
    if not dry_run(config):
        return words
    return f"{words} · {DRY_RUN_BADGE}" if words else DRY_RUN_BADGE
