"""What a name may hold beyond what a regular expression can say: chalicelib/fields.py names these rules by
the formats `name`, `person-name` and `text` of its fields, and describes them in the OpenAPI document.

A name is printed in letters and mails and shown to vendors, so it must read as what it is:
- **every character visible and text**, in every plane: no controls, format characters (bidirectional and
  zero-width controls, tags), private-use, unassigned or surrogate code points, no variation selectors, and
  no blank look-alikes (Hangul fillers, the braille blank, the combining grapheme joiner);
- **one space**: U+0020, no other width of space;
- **no compatibility forms** (Unicode TR39's General Security Profile leaves out what NFKC changes):
  full-width and mathematical letters, ligatures, the Ångström and Kelvin signs, superscripts;
- **scripts a reader cannot mistake** (TR39 section 5): not mixing scripts beyond the "highly restrictive"
  level (Latin with Cyrillic or Greek is refused; Latin with the scripts of Chinese, Japanese or Korean is
  not, unless one of their characters looks like a Latin letter), digits of one numbering system, and no
  more than four combining marks on a letter, nor the same mark twice; and the name of an organisation, a
  company, an account or a place is not written in another script whose every letter looks like a Latin
  one (a whole-script confusable: Cyrillic "\u0412\u0435\u0440\u0430" reads as "Bepa"). A person's own
  name in one script stands as they write it;
- a **person's name** (printed into letters and mails) holds only letters of any script with their
  combining marks, spaces, hyphens, apostrophes and full stops: no digits, no `@`, no addresses.

Free text (a reason staff write) keeps its line breaks and may mix scripts; the first rule holds for it too.

Which script a character belongs to, and what it looks like, comes from `confusable-homoglyphs` (the Unicode
data files `Scripts.txt` and `confusables.txt`), imported on first use: most names are made of letters no
later than U+024F, which are Latin, and never need it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from itertools import chain

# Not visible, or not text: controls, format characters, private use, surrogates, unassigned.
_HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cs", "Cn"})
# Characters of other categories that show nothing (Unicode's Default_Ignorable_Code_Point beyond the
# format characters, and the braille blank): the combining grapheme joiner, Hangul fillers, Khmer inherent
# vowels, Mongolian free variation selectors, variation selectors.
BLANK = frozenset(
    chain(
        (0x034F, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x180B, 0x180C, 0x180D, 0x180F, 0x2800, 0x3164, 0xFFA0),
        range(0xFE00, 0xFE10),
        range(0xE0100, 0xE01F0),
    )
)
# TR39 5.2, "highly restrictive": beyond one script, only these sets (of the scripts besides Common and
# Inherited) may be covered.
_HIGHLY_RESTRICTIVE = (
    frozenset({"LATIN", "HAN", "HIRAGANA", "KATAKANA"}),
    frozenset({"LATIN", "HAN", "BOPOMOFO"}),
    frozenset({"LATIN", "HAN", "HANGUL"}),
)
_NO_SCRIPT = frozenset({"COMMON", "INHERITED"})
# Everything up to the end of Latin Extended-B is Latin (letters) or Common (the rest): no lookup needed.
_LAST_OF_LATIN = 0x024F
MAX_MARKS = 4  # TR39 5.4: no more than four nonspacing marks in a row
_PERSON_PUNCTUATION = frozenset(" -'.\u2019")  # space, hyphen, apostrophes (' and U+2019), full stop
_ASCII_WORD = re.compile(r"[A-Za-z]+")

PERSON_NAME_RULE = (
    "A person's name begins with a letter and holds only letters, spaces, hyphens (-), apostrophes (') and "
    "full stops (.)."
)


def _named(char: str) -> str:
    name = unicodedata.name(char, "")
    return f"U+{ord(char):04X} ({name})" if name else f"U+{ord(char):04X}"


def hidden_character(text: str, *, allowed: str = "") -> str | None:
    """The first character (other than those `allowed`) that is invisible or not text, if any."""
    for char in text:
        if char in allowed:
            continue
        if unicodedata.category(char) in _HIDDEN_CATEGORIES or ord(char) in BLANK:
            return char
    return None


def text_problem(text: str) -> str | None:
    """What is wrong with free text (line breaks allowed), or None."""
    char = hidden_character(text, allowed="\n")
    return _hidden_message(char) if char is not None else None


def name_problem(name: str, *, person: bool = False) -> str | None:
    """What is wrong with a name (a person's when `person`), or None: the first rule it breaks."""
    return (
        _characters_problem(name)
        or (_person_problem(name) if person else None)
        or _marks_problem(name)
        or _digits_problem(name)
        or _scripts_problem(name, whole_script=not person)
    )


def _hidden_message(char: str) -> str:
    return (
        f"Holds {_named(char)}, a character that is invisible or not text (controls, formatting, private-use "
        "and unassigned characters, variation selectors, tags and fillers are not allowed)."
    )


def _characters_problem(name: str) -> str | None:
    for char in name:
        if unicodedata.category(char) in _HIDDEN_CATEGORIES or ord(char) in BLANK:
            return _hidden_message(char)
        if unicodedata.category(char) == "Zs" and char != " ":
            return f"Holds {_named(char)}: use an ordinary space."
        if unicodedata.normalize("NFKC", char) != char:
            return (
                f"Holds {_named(char)}, a compatibility form of another character (full-width, mathematical "
                "or ligature letters, special signs); write the ordinary character."
            )
    return None


def _person_problem(name: str) -> str | None:
    letters = [c for c in name if unicodedata.category(c).startswith("L")]
    others = [c for c in name if c not in _PERSON_PUNCTUATION and unicodedata.category(c)[0] not in "LM"]
    # A letter first: a name printed in a letter or a mail must not open with a sign or a lone accent.
    begins_with_letter = bool(name) and unicodedata.category(name[0]).startswith("L")
    return PERSON_NAME_RULE if others or not letters or not begins_with_letter else None


def _marks_problem(name: str) -> str | None:
    run, previous = 0, ""
    for char in unicodedata.normalize("NFD", name):
        if unicodedata.category(char) == "Mn":
            run += 1
            if run > MAX_MARKS or char == previous:
                return "Holds too many combining marks (accents) on one letter."
        else:
            run = 0
        previous = char
    return None


def _digits_problem(name: str) -> str | None:
    zeros = {ord(c) - unicodedata.decimal(c) for c in name if unicodedata.category(c) == "Nd"}
    return "Mixes digits of different numbering systems." if len(zeros) > 1 else None


def _scripts_problem(name: str, *, whole_script: bool) -> str | None:
    if all(ord(c) <= _LAST_OF_LATIN for c in name):
        return None
    from confusable_homoglyphs import categories  # about 30 ms, on the first name that needs it

    scripts = {categories.alias(c) for c in name} - _NO_SCRIPT
    if len(scripts) > 1 and not any(scripts <= allowed for allowed in _HIGHLY_RESTRICTIVE):
        return (
            f"Mixes scripts ({_listed(scripts)}) in a way a reader could mistake for another name; write it "
            "in one script."
        )
    if len(scripts) > 1:
        # Latin with the scripts of Chinese, Japanese or Korean: none of theirs may pass for a Latin letter
        foreign = (c for c in name if categories.alias(c) not in _NO_SCRIPT | {"LATIN"})
        look_alike = next((c for c in foreign if _looks_latin(c)), None)
        if look_alike is not None:
            return (
                f"Holds {_named(look_alike)}, which looks like a Latin letter among Latin ones, so a reader "
                "could mistake the name for another; write it in one script."
            )
    if whole_script and len(scripts) == 1 and scripts != {"LATIN"} and _reads_as_latin(name):
        return (
            f"Written in {_listed(scripts)} letters that each look like a Latin letter, so a reader could "
            "mistake it for another name."
        )
    return None


def _reads_as_latin(name: str) -> bool:
    """Whether every letter of the name looks like an ASCII letter (TR39 whole-script confusable)."""
    letters = [c for c in name if unicodedata.category(c).startswith("L")]
    return bool(letters) and all(_looks_latin(c) for c in letters)


def _looks_latin(char: str) -> bool:
    """Whether Unicode's confusables list an ASCII letter (or letters) as looking like the character."""
    from confusable_homoglyphs import confusables  # the look-alike table: only for names beyond Latin

    return any(_ASCII_WORD.fullmatch(glyph["c"]) for glyph in confusables.confusables_data.get(char, []))


def _listed(scripts: Iterable[str]) -> str:
    names = sorted(script.replace("_", " ").title() for script in scripts)
    return " and ".join([", ".join(names[:-1]), names[-1]]) if len(names) > 1 else names[0]
