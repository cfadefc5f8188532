"""Small images for the TUI's grid and preview, made once and kept in a cache folder.

A full-size phone photo takes most of a second to draw in a terminal each time, so the screen
only ever gets these. A file that cannot be read gets a clear placeholder instead of an error,
because a grid must keep drawing whatever lands in the pool.
"""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from tripdesk.errors import TripdeskError
from tripdesk.media.images import open_upright, sha256_of, write_atomically

# Bump when the look of thumbnails changes, so old ones are made again.
THUMBS_VERSION = 1
QUALITY = 80
BACKGROUND = (96, 96, 96)


def thumbnail(photo: Path, size: int, *, cache_dir: Path) -> Path:
    """A JPEG at most `size` px on its long side (never enlarged), or a placeholder image."""
    try:
        sha256 = sha256_of(photo)
    except TripdeskError:
        return placeholder(size, cache_dir=cache_dir)
    path = cache_dir / f"{sha256}-{size}-v{THUMBS_VERSION}.jpg"
    if path.is_file():
        return path
    try:
        image, _ = open_upright(photo, at_least=size)
    except TripdeskError:
        return placeholder(size, cache_dir=cache_dir)
    image.thumbnail((size, size), Image.Resampling.LANCZOS, reducing_gap=2.0)
    write_atomically(path, _jpeg(_flatten(image)))
    return path


def placeholder(size: int, *, cache_dir: Path) -> Path:
    """A grey square with a broken-picture cross and the word 'damaged'."""
    path = cache_dir / f"damaged-{size}-v{THUMBS_VERSION}.png"
    if path.is_file():
        return path
    image = Image.new("RGB", (size, size), (60, 60, 60))
    draw = ImageDraw.Draw(image)
    edge = max(1, size // 24)
    draw.rectangle((0, 0, size - 1, size - 1), outline=(200, 60, 60), width=edge)
    draw.line((0, 0, size - 1, size - 1), fill=(200, 60, 60), width=edge)
    draw.line((0, size - 1, size - 1, 0), fill=(200, 60, 60), width=edge)
    font = ImageFont.load_default(size=max(8, size // 8))
    draw.text(
        (size / 2, size / 2),
        "damaged",
        fill=(255, 255, 255),
        font=font,
        anchor="mm",
        stroke_width=max(1, size // 64),
        stroke_fill=(0, 0, 0),
    )
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    write_atomically(path, buffer.getvalue())
    return path


def _flatten(image: Image.Image) -> Image.Image:
    """RGB for JPEG: transparency laid over grey so it stays visible on a dark terminal."""
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        ground = Image.new("RGB", rgba.size, BACKGROUND)
        ground.paste(rgba, mask=rgba.getchannel("A"))
        return ground
    return image.convert("RGB")


def _jpeg(image: Image.Image) -> bytes:
    image.info = {}
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=QUALITY)
    return buffer.getvalue()
