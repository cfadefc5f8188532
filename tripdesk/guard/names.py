"""Finding pupils' names in a draft however they are typed.

A surname can reach a post in many disguises: another case, a possessive, accents typed or left
out, styled or look-alike letters (folded by Unicode's own data, in `letters`), hidden
characters, digits and signs for letters, letters pulled apart, a name broken by a hyphen or a
line break, or glued into a hashtag, a handle or a web address (split by word frequencies, in
`split`). `fold` (in `folding`) undoes the character-level disguises while remembering where
each character came from, so a finding points at the exact span the teacher typed. Surnames that
are also ordinary words (Park, Hall, May) are names only when the text uses them as names (read
in `name_reading`); where the guard cannot know (a famous namesake, a title, a fixed phrase, an
initial, a near miss) it asks. Names hidden inside words are found in `name_disguises`.
"""

from __future__ import annotations

from collections.abc import Iterable

from tripdesk.consent.register import Pupil, Register
from tripdesk.guard.folding import tokenise
from tripdesk.guard.name_disguises import broken, inside, last_letter_a_sign, pulled_apart
from tripdesk.guard.name_hits import NameHit, strongest
from tripdesk.guard.name_index import index_for
from tripdesk.guard.name_reading import after_first_name, first_name, surname_at


def find_names(
    text: str,
    register: Register,
    tagged: Iterable[Pupil] = (),
    *,
    skip: Iterable[tuple[int, int]] = (),
) -> list[NameHit]:
    """Surnames, names of never-photograph pupils, and first names of the pupils in the photos.

    Words inside the `skip` spans (approved partner handles) are not read as names.
    """
    index = index_for(register)
    if not index.surnames and not index.forenames:
        return []
    spans = tuple(skip)
    tokens = tuple(
        token for token in tokenise(text) if not any(a <= token.start < b for a, b in spans)
    )
    tagged_ids = {pupil.id for pupil in tagged}
    hits: list[NameHit] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        used = surname_at(tokens, i, index, hits)
        inside(token, index, tagged_ids, hits)
        last_letter_a_sign(token, text[token.end : token.end + 1], index, hits)
        first_name(tokens, i, index, tagged_ids, hits)
        after_first_name(tokens, i, index, hits)
        i += used
    pulled_apart(tokens, index, tagged_ids, hits)
    broken(tokens, index, hits)
    return strongest(hits)
