"""An organisation's handle: the ASCII form of its name that follows the `@` in its codes
(`Røde Kors Aarhus` -> `RoedeKorsAarhus`)."""

from __future__ import annotations

import unicodedata

# Danish letters have conventional two-letter ASCII forms; decomposition alone would turn ø into o.
DANISH = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "Æ": "Ae", "Ø": "Oe", "Å": "Aa", "ß": "ss"})
MAX_LENGTH = 40


def ascii_handle(name: str) -> str:
    """Each word capitalised and joined; letters folded to ASCII; everything else dropped.
    Empty when the name has no letters or digits at all."""
    folded = unicodedata.normalize("NFKD", name.translate(DANISH))
    words = "".join(c if c.isascii() and c.isalnum() else " " for c in folded if not unicodedata.combining(c))
    return "".join(word[:1].upper() + word[1:] for word in words.split())[:MAX_LENGTH]
