"""An organisation's name as staff search for it: the key of the organisations table's `by-name` index.

Staff type part of a name as they remember it, so the key forgives what people leave out: case (casefold),
accents (é, ü and ñ are e, u and n: a name typed as "Cafe" finds "Café") and spacing and punctuation (runs
of anything but letters and digits become one space). Æ, ø and å are Danish letters, not accented ones,
and stay: "Blå Kors" is not "Bla Kors", as a Dane reads it. Search is by the key's beginning, and the key is
spread over index partitions by its first character (`name_initial`), so that no single partition holds
every organisation.
"""

from __future__ import annotations

import re
import unicodedata

# Danish letters, kept as they are (NFKD would take the ring off å).
KEPT = frozenset("æøå")
_NOT_WORD = re.compile(r"[^\w]+|_+")


def name_key(name: str) -> str:
    """The search key of a name: `Kirkens Natcafé, Vejle` is `kirkens natcafe vejle`."""
    letters = []
    for ch in name.casefold():
        if ch in KEPT:
            letters.append(ch)
            continue
        letters.extend(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
    return _NOT_WORD.sub(" ", "".join(letters)).strip()


def initial(key: str) -> str:
    """The index partition a key lives in: its first character."""
    return key[:1]
