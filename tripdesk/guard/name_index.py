"""The register's names, folded and indexed once, so each keystroke only looks them up."""

from __future__ import annotations

import re
import weakref

from tripdesk.consent.register import Pupil, Register
from tripdesk.guard.folding import fold
from tripdesk.guard.split import split

MIN_BURIED = 3  # shorter names are not looked for inside longer words


def _parts(name: str) -> list[str]:
    return [part for part in re.split(r"[^\w]+|_", fold(name).text) if part]


class NameIndex:
    """A register's names, folded once: built on first use and kept while the register lives."""

    def __init__(self, register: Register) -> None:
        self.surnames: dict[str, list[Pupil]] = {}
        self.forenames: dict[str, list[Pupil]] = {}
        self.forename_keys: dict[str, frozenset[str]] = {}
        self.surname_key: dict[str, str] = {}
        self.max_parts = 1
        self.first_parts: set[str] = set()  # first words of surnames written in several
        for pupil in register.pupils:
            parts = _parts(pupil.surname)
            if parts:
                self.surname_key[pupil.id] = "".join(parts)
                self.max_parts = max(self.max_parts, len(parts))
                self.surnames.setdefault("".join(parts), []).append(pupil)
                if len(parts) > 1:
                    self.first_parts.add(parts[0])
                    for part in parts:
                        if len(part) >= MIN_BURIED:
                            self.surnames.setdefault(part, []).append(pupil)
            keys: set[str] = set()
            for name in (pupil.forename, pupil.preferred_name):
                parts = _parts(name)
                if parts:
                    keys.add("".join(parts))
                    keys.update(parts)
            self.forename_keys[pupil.id] = frozenset(keys)
            for key in keys:
                self.forenames.setdefault(key, []).append(pupil)
        self.all_names = frozenset(self.surnames) | frozenset(self.forenames)
        self.lengths = sorted({len(key) for key in self.surnames if len(key) >= 4})
        self.lengths_set = frozenset(self.lengths)
        self.endings = frozenset(key[-3:] for key in self.surnames)
        self.prefixes = frozenset(key[:2] for key in self.surnames if len(key) >= 4)
        never_first = [
            key
            for key, pupils in self.forenames.items()
            if len(key) >= 4 and any(p.never_photograph for p in pupils)
        ]
        self.broken_prefixes = self.prefixes | {key[:2] for key in never_first}
        self.broken_lengths = self.lengths_set | {len(key) for key in never_first}
        self.splits: dict[str, tuple[tuple[int, int], ...]] = {}

    def split(self, word: str) -> tuple[tuple[int, int], ...]:
        """Cached: the same hashtags and handles come back on every keystroke."""
        pieces = self.splits.get(word)
        if pieces is None:
            if len(self.splits) > 4096:
                self.splits.clear()
            pieces = self.splits[word] = split(word, self.all_names)
        return pieces

    def surname(self, key: str) -> tuple[str, list[Pupil]] | None:
        """The pupils with this surname, read past a plural or a possessive without apostrophe."""
        pupils = self.surnames.get(key)
        if pupils:
            return key, pupils
        if key.endswith("s") and len(key) > MIN_BURIED + 1:
            pupils = self.surnames.get(key[:-1])
            if pupils:
                return key[:-1], pupils
        return None


_indexes: weakref.WeakKeyDictionary[Register, NameIndex] = weakref.WeakKeyDictionary()


def index_for(register: Register) -> NameIndex:
    index = _indexes.get(register)
    if index is None:
        index = _indexes[register] = NameIndex(register)
    return index
