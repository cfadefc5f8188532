"""Shared by the guard's tests: the day they are judged on, so consent dates never drift."""

from __future__ import annotations

from datetime import date

from tripdesk.consent.register import Pupil

TODAY = date(2026, 11, 24)


def pupil(forename: str, surname: str, *, pupil_id: str = "W1", never: bool = False) -> Pupil:
    """A pupil with consent, on the trip: the words around a name are what a test is about."""
    return Pupil(
        id=pupil_id,
        forename=forename,
        preferred_name="",
        surname=surname,
        year="6",
        klass="6A",
        consent_social_media=True,
        consent_expires=None,
        consent_withdrawn=None,
        never_photograph=never,
        on_roster=True,
    )
