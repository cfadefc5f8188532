"""Reading a draft file (DRAFT.json) into a Draft whose photos are real files with known content.

A draft names photos by path, relative to wherever the teacher wrote it; the guard and the
outbox need the file itself and its hash, so every path is resolved once here, and a draft that
points at nothing, or tags a pupil the register does not know, is refused in one sentence.
"""

from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import replace
from pathlib import Path

from tripdesk.config import Config
from tripdesk.desk.register import trip_register
from tripdesk.draft import Draft, DraftPhoto
from tripdesk.errors import TripdeskError
from tripdesk.hashing import hash_file
from tripdesk.pool import catalogue


def load_draft(path: Path, conn: sqlite3.Connection, config: Config) -> Draft:
    """The draft in `path`, each photo resolved to an existing file with its sha256 filled in."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise TripdeskError(f"There is no draft file {path}.") from None
    except IsADirectoryError:
        raise TripdeskError(f"{path} is a folder, not a draft file.") from None
    except OSError as error:
        raise TripdeskError(f"Cannot read the draft {path}: {error.strerror}.") from None
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise TripdeskError(f"{path} is not a text file in UTF-8.") from None
    except json.JSONDecodeError as error:
        raise TripdeskError(
            f"{path} is not valid JSON: line {error.lineno}, column {error.colno}: {error.msg}."
        ) from None
    except RecursionError:
        raise TripdeskError(f"{path} is nested too deeply to be a draft.") from None
    draft = Draft.from_dict(data, source=str(path))
    register = trip_register(conn, config)
    photos = []
    for number, photo in enumerate(draft.photos, start=1):
        for pupil_id in photo.pupils:
            if register.get(pupil_id) is None:
                raise TripdeskError(
                    f"In {path}, photo {number} is tagged {pupil_id}, who is not on the consent "
                    "register; correct the id or import the register (tripdesk consent import)."
                )
        photos.append(_resolved(photo, number, path, conn, config))
    return draft.with_photos(photos)


def _resolved(
    photo: DraftPhoto, number: int, draft_path: Path, conn: sqlite3.Connection, config: Config
) -> DraftPhoto:
    file = _find(photo.path, draft_path, config)
    if file is None:
        raise TripdeskError(
            f"In {draft_path}, photo {number} ({photo.path}) does not exist: looked beside the "
            f"draft, in the pool {config.trip.pool} and in {config.home}."
        )
    pooled = catalogue.photo_by_path(conn, file)
    if pooled is not None and pooled.damaged:
        why = (pooled.damage_reason or "It cannot be read.").rstrip(".")
        raise TripdeskError(
            f"In {draft_path}, photo {number} ({photo.path}) is a damaged copy kept in quarantine "
            f"({why[:1].lower() + why[1:]}); choose another photo."
        )
    sha256 = pooled.sha256 if pooled is not None else _hash(file, draft_path, number)
    return replace(photo, path=str(file), sha256=sha256)


def _find(given: str, draft_path: Path, config: Config) -> Path | None:
    """Absolute as given; else beside the draft file, then in the pool, then in TRIPDESK_HOME."""
    path = Path(given).expanduser()
    candidates = (
        [path]
        if path.is_absolute()
        else [draft_path.parent / path, config.trip.pool / path, config.home / path]
    )
    for candidate in candidates:
        if candidate.is_file():
            return Path(os.path.abspath(candidate))
    return None


def _hash(file: Path, draft_path: Path, number: int) -> str:
    try:
        return hash_file(file)
    except OSError as error:
        raise TripdeskError(
            f"In {draft_path}, photo {number} ({file}) cannot be read: {error.strerror}."
        ) from None
