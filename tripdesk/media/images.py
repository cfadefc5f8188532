"""Opening photos the same way everywhere: HEIC understood, upright, damaged files named plainly.

JPEGs are decoded at a reduced size (`Image.draft`) whenever the caller needs fewer pixels than
the file holds: the DCT does the shrinking, which is several times faster than a full decode.
For HEIC, the same call picks an embedded thumbnail when the phone stored one big enough.
"""

from __future__ import annotations

import os
import tempfile
import warnings
from pathlib import Path

import pillow_heif
from PIL import Image, ImageOps, UnidentifiedImageError

from tripdesk.errors import TripdeskError
from tripdesk.hashing import hash_file

pillow_heif.register_heif_opener()

# A decompression bomb is refused rather than decoded: no phone takes a 180-megapixel photo.
Image.MAX_IMAGE_PIXELS = 180_000_000


def photo_problem(photo: Path) -> str | None:
    """Why `photo` cannot go out as a photo (one sentence), or None when it decodes whole."""
    try:
        image, _ = open_upright(photo, at_least=64)
        image.close()
    except TripdeskError as error:
        return error.message
    return None


def sha256_of(path: Path) -> str:
    """The content hash the pool catalogues photos by."""
    try:
        return hash_file(path)
    except OSError as error:
        raise TripdeskError(f"Cannot read {path.name}: {error.strerror}.") from None


def open_upright(
    photo: Path, *, at_least: int | None = None
) -> tuple[Image.Image, tuple[int, int]]:
    """The photo decoded and turned upright, plus its full-resolution upright size.

    With `at_least`, a JPEG may be decoded smaller, but never with a long side under that many
    pixels (or the full size, if that is smaller). Raises TripdeskError for anything unreadable.
    """
    try:
        if photo.stat().st_size == 0:
            raise TripdeskError(f"{photo.name} is empty (0 bytes), so there is no photo in it.")
        image = Image.open(photo)
    except FileNotFoundError:
        raise TripdeskError(f"{photo.name} is not there any more.") from None
    except UnidentifiedImageError:
        raise TripdeskError(f"{photo.name} is not a photo tripdesk can read.") from None
    except OSError as error:
        raise TripdeskError(f"Cannot read {photo.name}: {error.strerror or error}.") from None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            full = image.size
            if at_least and image.format in ("JPEG", "HEIF") and max(full) > at_least:
                scale = at_least / max(full)
                image.draft("RGB", (max(1, round(full[0] * scale)), max(1, round(full[1] * scale))))
            image.load()
            upright = ImageOps.exif_transpose(image)
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError, Warning) as error:
        raise TripdeskError(
            f"{photo.name} is damaged and cannot be opened ({_reason(error)})."
        ) from None
    finally:
        image.close()
    if upright.size != image.size and upright.size == image.size[::-1]:
        full = full[::-1]
    return upright, full


def write_atomically(path: Path, data: bytes) -> None:
    """Write the whole file or nothing: a half-written image must never pass for a finished one."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tripdesk-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as error:
        raise TripdeskError(
            f"Cannot write {path.name} in {path.parent}: {error.strerror}."
        ) from None


def _reason(error: BaseException) -> str:
    text = str(error).strip().rstrip(".")
    if "truncated" in text:
        return "the file stops part-way, perhaps an interrupted copy"
    return text or type(error).__name__
