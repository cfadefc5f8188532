"""The bytes that go to X: upright, sized for X, and carrying nothing but pixels.

The output is rebuilt from pixels alone, so no EXIF (GPS above all), XMP, IPTC, comment,
embedded thumbnail or maker note can come along. A colour profile can name the phone's maker
and model, so the pixels are converted to sRGB and no profile is embedded: an untagged photo is
read as sRGB everywhere. The pool original is only ever read.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageCms

from tripdesk.errors import TripdeskError
from tripdesk.media.images import open_upright, sha256_of, write_atomically

# Bump when any choice below changes, so cached files made under the old rules are not reused.
SETTINGS_VERSION = 2
MAX_BYTES = 5_000_000  # X's limit for a photo
MAX_SIDE = 4096  # X's limit for the long side
# X shows photos at most 2048 px wide; more pixels only make the upload slower on trip signal.
LONG_SIDE = 2048
# JPEG decoding shrinks by powers of two; accepting a long side a little under 2048 lets a
# 4032 px phone photo decode at half size, which is what makes preparing it fast.
DRAFT_SLACK = 0.95
JPEG_QUALITIES = (85, 80, 70)
SHRINK_STEP = 0.85
SMALLEST_SIDE = 320

MIME = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "GIF": "image/gif"}
SUFFIX = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp", "GIF": ".gif"}


@dataclass(frozen=True)
class PreparedPhoto:
    """A prepared upload in the cache; `path` is never the pool original."""

    path: Path
    mime: str
    width: int
    height: int
    size: int
    source_sha256: str


def prepare(photo: Path, *, cache_dir: Path) -> PreparedPhoto:
    """Make (or find in the cache) the upload for `photo`; TripdeskError if it cannot be read."""
    sha256 = sha256_of(photo)
    cached = _cached(cache_dir, sha256)
    if cached is not None:
        return cached
    kind = _source_format(photo)
    image, full = open_upright(photo, at_least=round(LONG_SIDE * DRAFT_SLACK))
    target = _fit(full, LONG_SIDE)
    icc = image.info.get("icc_profile")
    if image.size != target and max(image.size) > max(target):
        image = image.resize(target, Image.Resampling.LANCZOS, reducing_gap=3.0)
    pixels = _in_srgb(_pixels_only(image), icc if isinstance(icc, bytes) else None)
    try:
        data = _encode_within_limits(pixels, kind)
    except _TooBig:
        raise TripdeskError(f"{photo.name} cannot be made small enough for X's limits.") from None
    with Image.open(io.BytesIO(data)) as written:
        fmt, (width, height) = str(written.format), written.size
    path = cache_dir / f"{sha256}-v{SETTINGS_VERSION}{SUFFIX[fmt]}"
    write_atomically(path, data)
    return PreparedPhoto(path, MIME[fmt], width, height, len(data), sha256)


class _TooBig(Exception):
    """Even the smallest size we would post is over X's byte limit."""


def _cached(cache_dir: Path, sha256: str) -> PreparedPhoto | None:
    for fmt, suffix in SUFFIX.items():
        path = cache_dir / f"{sha256}-v{SETTINGS_VERSION}{suffix}"
        try:
            with Image.open(path) as image:
                width, height = image.size
            size = path.stat().st_size
        except (OSError, SyntaxError, ValueError):
            continue
        return PreparedPhoto(path, MIME[fmt], width, height, size, sha256)
    return None


def _source_format(photo: Path) -> str:
    try:
        with Image.open(photo) as image:
            return str(image.format or "")
    except (OSError, SyntaxError, ValueError):
        return ""


def _fit(size: tuple[int, int], long_side: int) -> tuple[int, int]:
    """`size` scaled so its long side is at most `long_side`; never enlarged."""
    scale = min(1.0, long_side / max(size), MAX_SIDE / max(size))
    return max(1, round(size[0] * scale)), max(1, round(size[1] * scale))


def _pixels_only(image: Image.Image) -> Image.Image:
    """A new image holding the pixels and nothing else: no info, no EXIF, no palette tricks."""
    if image.mode == "P":
        image = image.convert("RGBA" if "transparency" in image.info else "RGB")
    elif image.mode in ("LA", "PA", "RGBa", "La"):
        image = image.convert("RGBA")
    elif image.mode not in ("RGB", "RGBA", "L"):
        image = image.convert("RGB")
    if image.mode == "RGBA" and image.getchannel("A").getextrema() == (255, 255):
        image = image.convert("RGB")
    return Image.frombytes(image.mode, image.size, image.tobytes())


def _in_srgb(image: Image.Image, icc: bytes | None) -> Image.Image:
    """The pixels as sRGB colours; a profile lcms cannot read leaves them as they are."""
    if not icc:
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        mode = "RGBA" if image.mode == "RGBA" else "RGB"
        if image.mode == "L" and source.profile.xcolor_space.strip() == "GRAY":
            mode = "L"
        converted = ImageCms.profileToProfile(image, source, _SRGB, outputMode=mode)
    except (ImageCms.PyCMSError, OSError, ValueError):
        return image
    if converted is None:
        return image
    converted.info.pop("icc_profile", None)  # lcms tags its output; nothing is embedded
    return converted


_SRGB = ImageCms.createProfile("sRGB")


def _encode_within_limits(image: Image.Image, kind: str) -> bytes:
    """Keep PNG, WEBP and GIF when X takes them and they fit; otherwise JPEG, stepped down.

    A photo with transparency keeps a format that can hold it, shrinking instead.
    """
    if kind in ("PNG", "WEBP", "GIF"):
        data = _encode(image, kind)
        if len(data) <= MAX_BYTES:
            return data
        if image.mode == "RGBA":
            return _shrink_until_fits(image, "WEBP" if kind == "WEBP" else "PNG")
    return _shrink_until_fits(image.convert("RGB") if image.mode == "RGBA" else image, "JPEG")


def _shrink_until_fits(image: Image.Image, fmt: str) -> bytes:
    while True:
        qualities = JPEG_QUALITIES if fmt in ("JPEG", "WEBP") else (None,)
        for quality in qualities:
            data = _encode(image, fmt, quality=quality)
            if len(data) <= MAX_BYTES:
                return data
        if max(image.size) <= SMALLEST_SIDE:
            raise _TooBig
        smaller = (round(image.width * SHRINK_STEP), round(image.height * SHRINK_STEP))
        image = image.resize(smaller, Image.Resampling.LANCZOS)


def _encode(image: Image.Image, fmt: str, *, quality: int | None = None) -> bytes:
    buffer = io.BytesIO()
    options: dict[str, object] = {}
    if fmt == "JPEG":
        options |= {"quality": quality or JPEG_QUALITIES[0], "optimize": True, "progressive": True}
    elif fmt == "PNG":
        options |= {"optimize": True}
    elif fmt == "WEBP":
        options |= {"quality": quality or JPEG_QUALITIES[0], "method": 4}
    image.save(buffer, fmt, **options)
    return buffer.getvalue()
