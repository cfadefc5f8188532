"""Opening photos: reduced decoding when fewer pixels are needed, and plain reasons for failure."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from tripdesk.errors import TripdeskError
from tripdesk.media.images import open_upright, write_atomically


def test_a_heic_with_an_embedded_thumbnail_is_read_from_it(tmp_path: Path) -> None:
    photo = tmp_path / "phone.heic"
    Image.linear_gradient("L").resize((640, 480)).convert("RGB").save(photo, thumbnails=[160])
    small, full = open_upright(photo, at_least=120)
    assert full == (640, 480)
    assert small.size == (160, 120)
    whole, _ = open_upright(photo)
    assert whole.size == (640, 480)


def test_a_jpeg_is_decoded_at_reduced_size_when_allowed(tmp_path: Path) -> None:
    photo = tmp_path / "big.jpg"
    Image.new("RGB", (2000, 1000), (1, 2, 3)).save(photo)
    small, full = open_upright(photo, at_least=400)
    assert full == (2000, 1000)
    assert small.size == (500, 250)  # the DCT's quarter scale: the smallest not under 400


def test_turned_photos_report_their_upright_full_size(fixture_photos: Path) -> None:
    small, full = open_upright(fixture_photos / "IMG_0001.JPG", at_least=500)
    assert full == (2016, 1512)
    assert small.width > small.height


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("IMG_0006_truncated.JPG", "stops part-way"),
        ("IMG_0007_not_a_photo.JPG", "not a photo"),
        ("IMG_0008_empty.JPG", "empty"),
    ],
)
def test_each_kind_of_damage_is_named(fixture_photos: Path, name: str, reason: str) -> None:
    with pytest.raises(TripdeskError, match=reason):
        open_upright(fixture_photos / name)


def test_writing_never_leaves_a_half_file(tmp_path: Path) -> None:
    target = tmp_path / "out" / "a.jpg"
    write_atomically(target, b"abc")
    assert target.read_bytes() == b"abc"
    assert [p.name for p in target.parent.iterdir()] == ["a.jpg"]
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(TripdeskError, match="Cannot write"):
        write_atomically(blocker / "b.jpg", b"abc")
