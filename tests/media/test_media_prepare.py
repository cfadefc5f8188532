"""Preparing uploads: only pixels leave, upright, within X's limits, cached, the pool untouched."""

from __future__ import annotations

import io
import re
import struct
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageOps
from PIL.TiffImagePlugin import IFDRational

from tripdesk.errors import TripdeskError
from tripdesk.media import prepare as prepare_module
from tripdesk.media.images import sha256_of
from tripdesk.media.prepare import MAX_BYTES, MAX_SIDE, PreparedPhoto, prepare

READABLE = ("IMG_0001.JPG", "IMG_0002.JPG", "IMG_0003.JPG", "IMG_0004.JPG", "IMG_0005.HEIC")
READABLE += ("IMG_0009.PNG",)
BROKEN = ("IMG_0006_truncated.JPG", "IMG_0007_not_a_photo.JPG", "IMG_0008_empty.JPG")
GPS_IFD = 0x8825
IMAGE_DESCRIPTION = 0x010E


def secrets_of(photo: Path) -> list[bytes]:
    """Everything in the fixture that must not leave: names in its texts, and its GPS position."""
    with Image.open(photo) as image:
        exif = image.getexif()
        texts = [str(exif.get(IMAGE_DESCRIPTION, ""))]
        comment = image.info.get("comment", b"")
        texts.append(comment.decode() if isinstance(comment, bytes) else str(comment))
        xmp = image.info.get("xmp", b"")
        xmp = xmp.decode() if isinstance(xmp, bytes) else str(xmp)
        texts += re.findall(r"<dc:description>(.*?)</dc:description>", xmp)
        gps = exif.get_ifd(GPS_IFD)
        big_endian = exif.tobytes()[6:8] == b"MM"
    needles: list[bytes] = []
    for text in filter(None, texts):
        needles.append(text.encode())
        needles += [word.encode() for word in re.findall(r"[A-Z][a-z]{3,}", text)]
    order = ">" if big_endian else "<"
    decimal: list[float] = []
    for key in (2, 4):  # latitude, longitude as degrees, minutes, seconds
        values = gps.get(key)
        if not values:
            continue
        rationals = [
            (v.numerator, v.denominator) if isinstance(v, IFDRational) else (v, 1) for v in values
        ]
        needles.append(b"".join(struct.pack(order + "II", *r) for r in rationals))
        needles += [struct.pack(order + "II", *r) for r in rationals if r[0] > 1]
        degrees = sum(n / d / 60**i for i, (n, d) in enumerate(rationals))
        decimal.append(degrees)
    for degrees in decimal:
        needles.append(f"{degrees:.4f}".encode())
    return needles


def test_the_secrets_reader_finds_them_in_the_fixtures(fixture_photos: Path) -> None:
    """If the reader found nothing, the metadata test below would prove nothing."""
    for name in READABLE[:5]:
        photo = fixture_photos / name
        needles = secrets_of(photo)
        assert len(needles) >= 6, name
        if name.endswith(".JPG"):
            raw = photo.read_bytes()
            assert all(needle in raw for needle in needles if not needle[:1].isdigit()), name


@pytest.mark.parametrize("name", READABLE)
def test_prepared_bytes_carry_no_metadata(fixture_photos: Path, tmp_path: Path, name: str) -> None:
    photo = fixture_photos / name
    prepared = prepare(photo, cache_dir=tmp_path)
    data = prepared.path.read_bytes()
    for needle in secrets_of(photo):
        assert needle not in data, (name, needle)
    for marker in (b"Exif", b"GPS", b"xpacket", b"Apple", b"iPhone", b"Photoshop 3.0"):
        assert marker not in data, (name, marker)
    with Image.open(prepared.path) as image:
        assert not image.getexif()
        assert not {"exif", "xmp", "comment", "XML:com.adobe.xmp", "photoshop"} & set(image.info)


@pytest.mark.parametrize("name", READABLE)
def test_prepared_photos_are_upright_and_within_limits(
    fixture_photos: Path, tmp_path: Path, name: str
) -> None:
    photo = fixture_photos / name
    prepared = prepare(photo, cache_dir=tmp_path)
    reference = ImageOps.exif_transpose(Image.open(photo)).convert("RGB")
    with Image.open(prepared.path) as image:
        assert (image.width, image.height) == (prepared.width, prepared.height)
        assert image.get_format_mimetype() == prepared.mime
        output = image.convert("RGB")
    assert prepared.size == prepared.path.stat().st_size <= MAX_BYTES
    assert max(output.size) <= MAX_SIDE
    assert output.width <= reference.width and output.height <= reference.height
    assert abs(output.width / output.height - reference.width / reference.height) < 0.01
    small = reference.resize(output.size, Image.Resampling.BOX)
    difference = np.abs(np.asarray(small, dtype=np.int16) - np.asarray(output, dtype=np.int16))
    assert difference.mean() < 6, f"{name} does not look like its upright original"
    assert prepared.source_sha256 == sha256_of(photo)


def test_a_turned_photo_is_not_left_turned(fixture_photos: Path, tmp_path: Path) -> None:
    """The upright check above must be able to fail: the stored (turned) pixels differ a lot."""
    photo = fixture_photos / "IMG_0001.JPG"
    prepared = prepare(photo, cache_dir=tmp_path)
    turned = Image.open(photo).convert("RGB").resize((prepared.width, prepared.height))
    output = np.asarray(Image.open(prepared.path).convert("RGB"), dtype=np.int16)
    assert np.abs(np.asarray(turned, dtype=np.int16) - output).mean() > 20


def test_the_big_png_ends_under_five_megabytes(fixture_photos: Path, tmp_path: Path) -> None:
    photo = fixture_photos / "IMG_0009.PNG"
    assert photo.stat().st_size > MAX_BYTES
    prepared = prepare(photo, cache_dir=tmp_path)
    assert prepared.size <= MAX_BYTES
    assert prepared.mime in ("image/png", "image/jpeg")


def test_heic_becomes_jpeg(fixture_photos: Path, tmp_path: Path) -> None:
    prepared = prepare(fixture_photos / "IMG_0005.HEIC", cache_dir=tmp_path)
    assert prepared.mime == "image/jpeg" and prepared.path.suffix == ".jpg"


@pytest.mark.parametrize("name", BROKEN)
def test_broken_files_give_one_clear_sentence(
    fixture_photos: Path, tmp_path: Path, name: str
) -> None:
    with pytest.raises(TripdeskError) as caught:
        prepare(fixture_photos / name, cache_dir=tmp_path)
    message = caught.value.message
    assert name in message and message.endswith(".") and "\n" not in message
    assert not [p for p in tmp_path.iterdir()], "nothing half-made is left in the cache"


def test_a_missing_file_gives_one_clear_sentence(tmp_path: Path) -> None:
    with pytest.raises(TripdeskError, match=r"gone\.jpg"):
        prepare(tmp_path / "gone.jpg", cache_dir=tmp_path / "cache")


def test_the_pool_original_is_only_read(fixture_photos: Path, tmp_path: Path) -> None:
    original = tmp_path / "pool" / "IMG_0001.JPG"
    original.parent.mkdir()
    original.write_bytes((fixture_photos / "IMG_0001.JPG").read_bytes())
    before = (sha256_of(original), original.stat().st_mtime_ns)
    prepared = prepare(original, cache_dir=tmp_path / "cache")
    assert prepared.path.parent == tmp_path / "cache"
    assert (sha256_of(original), original.stat().st_mtime_ns) == before
    assert sorted(p.name for p in original.parent.iterdir()) == ["IMG_0001.JPG"]


def test_a_second_prepare_comes_from_the_cache(
    fixture_photos: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    photo = fixture_photos / "IMG_0002.JPG"
    first = prepare(photo, cache_dir=tmp_path)
    made = first.path.stat().st_mtime_ns

    def no_encoding(*args: object, **kwargs: object) -> bytes:
        raise AssertionError("the cached upload should have been reused")

    monkeypatch.setattr(prepare_module, "_encode_within_limits", no_encoding)
    again = prepare(photo, cache_dir=tmp_path)
    assert again == first and first.path.stat().st_mtime_ns == made
    monkeypatch.setattr(prepare_module, "SETTINGS_VERSION", prepare_module.SETTINGS_VERSION + 1)
    with pytest.raises(AssertionError, match="cached upload"):
        prepare(photo, cache_dir=tmp_path)


def test_quality_then_size_steps_down_until_it_fits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    noise = np.random.default_rng(4).integers(0, 256, (900, 1200, 3), dtype=np.uint8)
    photo = tmp_path / "noise.jpg"
    Image.fromarray(noise).save(photo, quality=95)
    monkeypatch.setattr(prepare_module, "MAX_BYTES", 150_000)
    prepared = prepare(photo, cache_dir=tmp_path / "cache")
    assert prepared.size <= 150_000
    assert prepared.width < 1200 and prepared.width / prepared.height == pytest.approx(4 / 3, 0.01)


def test_a_small_photo_is_never_enlarged(tmp_path: Path) -> None:
    photo = tmp_path / "small.jpg"
    Image.new("RGB", (300, 200), (10, 120, 200)).save(photo)
    prepared = prepare(photo, cache_dir=tmp_path / "cache")
    assert (prepared.width, prepared.height) == (300, 200)


def test_a_big_photo_is_brought_to_upload_size(tmp_path: Path) -> None:
    photo = tmp_path / "wide.jpg"
    Image.new("RGB", (5000, 1000), (200, 120, 10)).save(photo)
    prepared = prepare(photo, cache_dir=tmp_path / "cache")
    assert max(prepared.width, prepared.height) <= prepare_module.LONG_SIDE
    assert prepared.width / prepared.height == pytest.approx(5, 0.01)


def test_a_transparent_png_stays_png_with_its_transparency(tmp_path: Path) -> None:
    photo = tmp_path / "sticker.png"
    image = Image.new("RGBA", (400, 300), (255, 0, 0, 0))
    image.paste((0, 200, 0, 255), (100, 100, 300, 200))
    image.save(photo, pnginfo=None)
    prepared = prepare(photo, cache_dir=tmp_path / "cache")
    assert prepared.mime == "image/png"
    with Image.open(prepared.path) as out:
        assert out.mode == "RGBA" and out.getpixel((0, 0))[3] == 0


def test_webp_stays_webp_without_its_metadata(tmp_path: Path) -> None:
    photo = tmp_path / "photo.webp"
    exif = Image.Exif()
    exif[IMAGE_DESCRIPTION] = "Zephyrina Quarterman"
    Image.new("RGB", (640, 480), (30, 60, 90)).save(photo, exif=exif, xmp=b"<x>Quarterman</x>")
    assert b"Quarterman" in photo.read_bytes()
    prepared = prepare(photo, cache_dir=tmp_path / "cache")
    assert prepared.mime == "image/webp"
    assert b"Quarterman" not in prepared.path.read_bytes()


def test_prepared_photo_describes_the_cache_file(fixture_photos: Path, tmp_path: Path) -> None:
    prepared = prepare(fixture_photos / "IMG_0003.JPG", cache_dir=tmp_path)
    assert isinstance(prepared, PreparedPhoto)
    with Image.open(io.BytesIO(prepared.path.read_bytes())) as image:
        assert image.format == "JPEG"


def test_a_photo_that_cannot_fit_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    photo = tmp_path / "IMG_0100.JPG"
    Image.new("RGB", (800, 600), (5, 5, 5)).save(photo)
    monkeypatch.setattr(prepare_module, "MAX_BYTES", 100)
    with pytest.raises(TripdeskError, match=r"IMG_0100\.JPG cannot be made small enough"):
        prepare(photo, cache_dir=tmp_path / "cache")
    assert not (tmp_path / "cache").exists() or not list((tmp_path / "cache").iterdir())


def camera_profile(maker: str, model: str, description: str) -> bytes:
    """An RGB display profile (ICC v2, wide primaries) naming a phone's maker and model, and
    a description, in ASCII and UTF-16 as phones write them."""

    def s15(value: float) -> bytes:
        return struct.pack(">i", round(value * 65536))

    def xyz(x: float, y: float, z: float) -> bytes:
        return b"XYZ \0\0\0\0" + s15(x) + s15(y) + s15(z)

    def desc(text: str) -> bytes:
        ascii_text = text.encode("ascii") + b"\0"
        utf16 = text.encode("utf-16-be") + b"\0\0"
        return (
            b"desc\0\0\0\0"
            + struct.pack(">I", len(ascii_text))
            + ascii_text
            + struct.pack(">II", 0, len(utf16) // 2)
            + utf16
            + struct.pack(">HB", 0, 0)
            + bytes(67)
        )

    curve = b"curv\0\0\0\0" + struct.pack(">IH", 1, 0x0233) + b"\0\0"
    tags = [
        (b"desc", desc(description)),
        (b"dmnd", desc(maker)),
        (b"dmdd", desc(model)),
        (b"cprt", b"text\0\0\0\0" + f"{maker} {model}".encode() + b"\0"),
        (b"wtpt", xyz(0.9642, 1.0, 0.8249)),
        (b"rXYZ", xyz(0.5151, 0.2412, -0.0011)),
        (b"gXYZ", xyz(0.2920, 0.6922, 0.0419)),
        (b"bXYZ", xyz(0.1571, 0.0666, 0.7841)),
        (b"rTRC", curve),
        (b"gTRC", curve),
        (b"bTRC", curve),
    ]
    offset = 128 + 4 + 12 * len(tags)
    table, body = b"", b""
    for signature, data in tags:
        data += bytes(-len(data) % 4)
        table += signature + struct.pack(">II", offset + len(body), len(data))
        body += data
    size = offset + len(body)
    header = (
        struct.pack(">I", size)
        + b"lcms"
        + struct.pack(">I", 0x02100000)
        + b"mntrRGB XYZ "
        + bytes(12)
        + b"acspAPPL"
        + bytes(4)
        + maker.encode()[:4].ljust(4)
        + model.encode()[:4].ljust(4)
        + bytes(8)
        + bytes(4)
        + s15(0.9642)
        + s15(1.0)
        + s15(0.8249)
        + b"lcms"
    )
    header += bytes(128 - len(header))
    return header + struct.pack(">I", len(tags)) + table + body


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_no_text_from_the_camera_profile_survives(tmp_path: Path, fmt: str) -> None:
    words = ("Pixelmaker", "ZX-Phone-9000", "Ms Heathcote's Phone")
    icc = camera_profile(*words)
    assert all(word.encode() in icc for word in words)  # the profile really carries them
    source = tmp_path / f"IMG_0001.{fmt.lower()}"
    pixels = np.random.default_rng(5).integers(0, 255, (300, 400, 3), dtype=np.uint8)
    Image.fromarray(pixels).save(source, fmt, icc_profile=icc)
    with Image.open(source) as check:
        assert check.info.get("icc_profile") == icc
    prepared = prepare(source, cache_dir=tmp_path / "cache")
    data = prepared.path.read_bytes()
    for word in words:
        for encoding in ("ascii", "utf-16-be"):
            assert word.encode(encoding) not in data, f"{word!r} left the laptop"
    with Image.open(prepared.path) as out:
        embedded = out.info.get("icc_profile")
    assert embedded is None  # converted to sRGB, which an untagged photo is taken to be


def test_pixels_are_converted_to_srgb_not_just_untagged(tmp_path: Path) -> None:
    from PIL import ImageCms

    icc = camera_profile("Pixelmaker", "ZX-Phone-9000", "Wide")
    source = tmp_path / "red.png"
    Image.new("RGB", (64, 64), (200, 30, 30)).save(source, "PNG", icc_profile=icc)
    prepared = prepare(source, cache_dir=tmp_path / "cache")
    expected = ImageCms.profileToProfile(
        Image.new("RGB", (1, 1), (200, 30, 30)),
        ImageCms.ImageCmsProfile(io.BytesIO(icc)),
        ImageCms.createProfile("sRGB"),
    ).getpixel((0, 0))
    with Image.open(prepared.path) as out:
        assert out.convert("RGB").getpixel((32, 32)) == expected
