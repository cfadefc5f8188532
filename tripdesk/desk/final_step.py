"""The pictures a draft shows the teacher: small ones while writing, the real uploads at the end.

Compose shows a thumbnail beside each attached photo; the final step shows each photo exactly
as it will be uploaded (upright, resized, stripped of metadata) with its size, so the teacher
approves what really goes, not the original on disk. Both are slow, so callers run them in a
worker thread; both use the caches, so a photo is only worked on once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tripdesk.config import NETWORK_NAMES, Config
from tripdesk.draft import Draft
from tripdesk.media.prepare import PreparedPhoto, prepare
from tripdesk.media.thumbs import thumbnail
from tripdesk.pool import catalogue
from tripdesk.pool.catalogue import PoolPhoto
from tripdesk.publish import costs

THUMBNAIL_SIZE = 320


@dataclass(frozen=True)
class FinalPhoto:
    """A photo as it will be uploaded: the prepared file, its thumbnail, and its alt text."""

    prepared: PreparedPhoto
    thumbnail: Path
    alt: str

    def facts(self, number: int) -> str:
        """What the teacher needs to know about the upload, in two lines."""
        prepared = self.prepared
        kind = prepared.mime.split("/")[-1].upper()
        return (
            f"Photo {number}: {prepared.width}×{prepared.height} {kind}, "
            f"{prepared.size / 1_000_000:.1f} MB, no metadata\nAlt text: {self.alt}"
        )


def final_photos(config: Config, draft: Draft) -> list[FinalPhoto]:
    """Prepare each of the draft's photos for upload, with a thumbnail of the prepared file."""
    outgoing = []
    for photo in draft.photos:
        prepared = prepare(Path(photo.path), cache_dir=config.cache("prepared"))
        thumb = thumbnail(prepared.path, THUMBNAIL_SIZE, cache_dir=config.cache("thumbs"))
        outgoing.append(FinalPhoto(prepared=prepared, thumbnail=thumb, alt=photo.alt))
    return outgoing


def thumbnails(config: Config, photos: Sequence[PoolPhoto]) -> dict[int, Path]:
    """A small picture of each pool photo, by photo id, for the Compose screen."""
    return {
        photo.id: thumbnail(
            catalogue.pool_file(config.trip.pool, photo),
            THUMBNAIL_SIZE,
            cache_dir=config.cache("thumbs"),
        )
        for photo in photos
    }


def what_it_costs(draft: Draft, config: Config) -> str | None:
    """The final step's word on money: what each paid network charges for this post, and a
    warning when a link multiplies X's price; None when every chosen network is free."""
    paid = {
        network: price
        for network, price in costs.estimate(draft, config.networks, config.publish.prices).items()
        if price
    }
    if not paid:
        return None
    said = ", ".join(f"${price:.3f} on {NETWORK_NAMES[network]}" for network, price in paid.items())
    warning = costs.link_warning(draft, config.networks, config.publish.prices)
    return f"This post costs {said}." + (f" {warning}" if warning else "")


def replies_note(config: Config) -> str | None:
    """The final step's word on replies where a network cannot switch them off."""
    if "mastodon" not in config.post_networks:
        return None
    return (
        "Mastodon cannot switch replies off: people there can reply to this post "
        "(X limits who can, Bluesky lets nobody)."
    )
