"""How fast the guard checks a draft, as it does on every keystroke.

Builds a 2,000-pupil register and 200 drafts of about 280 characters, each with 4 tagged photos
and alt texts, and times `check` on each (median over several rounds). The baselines, measured
in the same run on the same drafts: `weighted_length` alone, and a naive scan that looks for
every pupil's surname in the text one pupil at a time (what a first attempt would do, with none
of the guard's rules). Last, one unbroken token of 100,000 characters, which must be checked in
well under a second. Run: `python benchmarks/guard.py`.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable

from tripdesk.config import GuardSettings
from tripdesk.consent.register import Pupil, Register
from tripdesk.draft import Draft, DraftPhoto
from tripdesk.guard import check
from tripdesk.guard.count import weighted_length
from tripdesk.media.report import FaceReport

FORENAMES = "Amira Ben Jack Grace Liam Zoë Łukasz Chloé Ellie Alex Mo Isla Noah Ava Oliver"
SURNAMES = (
    "Khan Okafor Brown Hall Smith-Jones O'Neill Nowak Wiśniewski Dubois Rose Park Young Green "
    "May Hope Bird Wood Church Field Little King Ahmed Patel Lee MacDonald Fox Stone"
)
SYLLABLES = "ok af or wis nie ws ki du bo is ah med pat el mac don ald ston ber ring ham ley"
WORDS = (
    "we had a lovely day at the museum and saw dinosaurs fossils rockets in the great hall "
    "lunch in the park was sunny everyone asked brilliant questions about space and rocks"
)


def register(size: int, rng: random.Random) -> Register:
    """The awkward surnames of the fixture register, then made-up ones, all 2,000 distinct."""
    syllables = SYLLABLES.split()
    surnames = SURNAMES.split()
    while len(surnames) < size:
        made_up = "".join(rng.choice(syllables) for _ in range(3)).capitalize()
        if made_up not in surnames:
            surnames.append(made_up)
    forenames = FORENAMES.split()
    pupils = [
        Pupil(
            id=f"P{n:05d}",
            forename=rng.choice(forenames),
            preferred_name="",
            surname=surname,
            year="6",
            klass="6B",
            consent_social_media=True,
            consent_expires=None,
            consent_withdrawn=None,
            never_photograph=n % 97 == 0,
            on_roster=True,
        )
        for n, surname in enumerate(surnames)
    ]
    return Register(pupils)


def draft(rng: random.Random, reg: Register) -> Draft:
    words = WORDS.split()
    text = "Zoë says: see nhm.ac.uk/dinosaurs 🦕 "
    while len(text) < 250:
        text += rng.choice(words) + " "
    text = text.strip() + " #Y6Museum"
    photos = tuple(
        DraftPhoto(
            path=f"photo{i}.jpg",
            pupils=(rng.choice(reg.pupils).id,),
            alt=" ".join(rng.choice(words) for _ in range(20)),
        )
        for i in range(4)
    )
    return Draft(text=text, photos=photos)


FACES = (FaceReport(count=1),) * 4


def naive_scan(text: str, reg: Register) -> bool:
    lowered = text.lower()
    return any(pupil.surname.lower() in lowered for pupil in reg.pupils)


def median_ms(function: Callable[[Draft], object], drafts: list[Draft], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        for item in drafts:
            start = time.perf_counter()
            function(item)
            times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    rng = random.Random(6)
    reg = register(2000, rng)
    drafts = [draft(rng, reg) for _ in range(200)]
    settings = GuardSettings(partners=("@NHM_London",))
    start = time.perf_counter()
    check(
        drafts[0], reg, settings, faces=FACES
    )  # builds the register's name index once, as the app does
    first = (time.perf_counter() - start) * 1000
    guard = median_ms(lambda d: check(d, reg, settings, faces=FACES), drafts, rounds=5)
    count = median_ms(lambda d: weighted_length(d.text), drafts, rounds=5)
    naive = median_ms(
        lambda d: [naive_scan(t, reg) for t in (d.text, *(p.alt for p in d.photos))],
        drafts,
        rounds=5,
    )
    print("register 2000 pupils; 200 drafts of ~260 characters with 4 photos and alt texts")
    print(f"first check (builds the name index): {first:.2f} ms")
    print(f"check, median:                      {guard:.3f} ms  (budget 5 ms)")
    print(f"weighted_length alone, median:      {count:.3f} ms  ratio {guard / count:.1f}x")
    print(f"naive per-pupil surname scan:       {naive:.3f} ms  ratio {guard / naive:.2f}x")
    token = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(100_000))
    start = time.perf_counter()
    check(Draft(text=token), reg, settings)
    long = (time.perf_counter() - start) * 1000
    print(f"one unbroken 100,000-character token: {long:.0f} ms  (well under 1,000 ms)")


if __name__ == "__main__":
    main()
