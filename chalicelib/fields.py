"""One validator per kind of field, for every request model of the API.

Each type is a pydantic `Annotated` string whose rule is one regular expression (plus lengths). The same
expression is the field's `pattern` in the OpenAPI document and what the server checks (`re.fullmatch`, the
same text), so the contract a client is generated from and the answer the server gives cannot drift apart.
Rules a pattern cannot state (a CVR number's modulus-11 check; what a name may hold in every plane of Unicode,
and which scripts it may mix) are named by a `format` of ours (`FORMATS`), which the OpenAPI document explains
in the description of every field that has it (chalicelib/api/http/openapi.py).

What a pattern here allows is what the server accepts; nothing is stripped or repaired before the check.
Only spaces in a CVR number, and spaces, hyphens and the country code in a mobile number, are allowed by the
pattern and taken out after it: a mobile number is kept as +45 and its 8 digits however it was typed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    StrictStr,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticCustomError, core_schema

from chalicelib.values.cvr import is_valid_cvr
from chalicelib.values.names import PERSON_NAME_RULE, name_problem, text_problem

# Characters no name or text may hold: C0 and C1 controls, the format characters of the Basic Multilingual
# Plane (soft hyphen, bidirectional controls, zero-width characters, U+2028/U+2029 line and paragraph
# separators, BOM). They show as line breaks in mails or hide what a text says. (Lone surrogates are not
# text at all: `chalicelib/api/http/routing.py` refuses a body holding one before any field is read.)
_CONTROL = (
    r"\x00-\x1F\x7F-\x9F\u00AD\u0600-\u0605\u061C\u06DD\u070F\u0890\u0891\u08E2\u180E"
    r"\u200B-\u200F\u2028-\u202E\u2060-\u206F\uFEFF\uFFF9-\uFFFB"
)
# Nor what shows nothing or is no text of the Basic Multilingual Plane: the combining grapheme joiner,
# Hangul fillers, Khmer inherent vowels, Mongolian free variation selectors, the braille blank, private use,
# noncharacters, variation selectors and the unassigned specials. The same in the other planes (tags,
# variation selectors supplement, format characters), and whatever is unassigned, no pattern can say
# portably: the formats `name`, `person-name` and `text` do (chalicelib/values/names.py).
_BLANK = (
    r"\u034F\u115F\u1160\u17B4\u17B5\u180B-\u180D\u180F\u2800\u3164\uE000-\uF8FF\uFDD0-\uFDEF"
    r"\uFE00-\uFE0F\uFFA0\uFFF0-\uFFF8\uFFFE\uFFFF"
)
_HIDDEN = _CONTROL + _BLANK
# Spaces other than U+0020: free text may hold them, a name may not.
_OTHER_SPACE = r"\u00A0\u1680\u2000-\u200A\u202F\u205F\u3000"
# The spaces (other than controls) nothing may begin or end with.
_SPACE = " " + _OTHER_SPACE

_INNER = rf"[^{_HIDDEN}{_OTHER_SPACE}]*"
_EDGE = rf"[^{_HIDDEN}{_SPACE}]"
NAME_PATTERN = rf"^{_EDGE}(?:{_INNER}{_EDGE})?$"
# A person's name also has no digits and no ASCII punctuation but hyphens, apostrophes and full stops.
_NOT_PERSON = r'0-9!"#$%&()*+,/:;<=>?@\[\\\]^_`{|}~'
_PERSON_EDGE = rf"[^{_HIDDEN}{_SPACE}{_NOT_PERSON}]"
# It begins with a letter, which a pattern can say only in part: not with a hyphen, apostrophe or full stop.
_PERSON_START = rf"[^{_HIDDEN}{_SPACE}{_NOT_PERSON}'.\u2019-]"
PERSON_NAME_PATTERN = rf"^{_PERSON_START}(?:[^{_HIDDEN}{_OTHER_SPACE}{_NOT_PERSON}]*{_PERSON_EDGE})?$"
# An organisation's name also needs a letter or digit for its handle
# (chalicelib/services/organisation/handles.py).
_HANDLE = r"A-Za-z0-9\u00C6\u00D8\u00C5\u00E6\u00F8\u00E5\u00DF"
ORGANISATION_NAME_PATTERN = (
    rf"^(?:[{_HANDLE}]|[{_HANDLE}]{_INNER}{_EDGE}"
    rf"|{_EDGE}{_INNER}[{_HANDLE}]{_INNER}{_EDGE}|{_EDGE}{_INNER}[{_HANDLE}])$"
)
# Free text (a reason mailed to administrators) may have line breaks, and must say something.
TEXT_PATTERN = rf"^(?:[^{_HIDDEN}]|\n)*[^{_HIDDEN}{_SPACE}\n](?:[^{_HIDDEN}]|\n)*$"
# Addresses SES can deliver to and a MIME header can carry: an ASCII dot-atom local part and a domain of
# dot-separated labels with a top-level domain of letters. No quoted local parts, no `<`, `>`, spaces; at
# most 64 characters before the @ (RFC 5321).
EMAIL_PATTERN = (
    r"^(?=[^@]{1,64}@)[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
)
# A Danish mobile number as Danes type it: 8 digits, with or without +45 or 0045 in front, spaces and hyphens
# between the digits. Kept as +45 and the 8 digits (`_danish_mobile`).
MOBILE_PATTERN = r"^ *(?:(?:\+ *|0 *0 *)4 *5[ -]*)?[0-9](?:[ -]*[0-9]){7} *$"
# 8 digits, no leading zero; spaces anywhere are allowed and dropped. A CVR number that names a new company
# (the application form) must also pass the modulus-11 check: the format `cvr` says so.
CVR_PATTERN = r"^ *[1-9](?: *[0-9]){7} *$"
ACCOUNT_NUMBER_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,29}$"
POSTCODE_PATTERN = r"^[0-9]{4}$"
# What an authenticator app shows, and what the SMS step texts.
SIX_DIGITS_PATTERN = r"^[0-9]{6}$"
# Crockford base32, 12 characters, read case-insensitively, hyphens and spaces anywhere; I and L read as 1,
# O as 0; there is no U (chalicelib/services/onboarding/activation_codes.py).
ACTIVATION_CODE_PATTERN = r"^[ -]*(?:[0-9A-TV-Za-tv-z][ -]*){12}$"
# The invitation code from the mail: 16 characters of Crockford base32, read as the activation code is
# (services/people/invitations.py); or, from a mail sent before the codes were short, the invitation id, a
# dot and the secret. Pasted, it may come with spaces or a line break around it.
INVITATION_CODE_PATTERN = (
    r"^(?:[ \t\r\n-]*(?:[0-9A-TV-Za-tv-z][ \t\r\n-]*){16}"
    r"|[ \t\r\n]*[0-9a-f]{32}\.[A-Za-z0-9_-]{32}[ \t\r\n]*)$"
)

# A code as a vendor was given it: any text with something in it besides spaces and line breaks.
PASTED_CODE_PATTERN = r"^[ \t\r\n]*[^ \t\r\n][\s\S]*$"

CVR_FORMAT = "cvr"
NAME_FORMAT = "name"
PERSON_NAME_FORMAT = "person-name"
TEXT_FORMAT = "text"
_VISIBLE = (
    "Every character is visible text, in every plane of Unicode: no control, format (bidirectional, "
    "zero-width, tag), private-use, unassigned or surrogate code point, no variation selector, no filler or "
    "blank (Hangul fillers, the braille blank)."
)
_READABLE = (
    "Only the ordinary space (U+0020); no compatibility forms (what NFKC changes: full-width, mathematical "
    "and ligature letters, special spaces and signs); scripts mixed only as Unicode TR39's highly "
    "restrictive level allows (not Latin with Cyrillic or Greek, nor with a character that looks like a "
    "Latin letter); digits of one numbering system; at most four combining marks on a letter."
)
# What each format of ours means, beyond its field's pattern: written into the description of every field
# that has it in the OpenAPI document, and checked by the server.
FORMATS = {
    CVR_FORMAT: "A CVR number passing the modulus-11 check (weights 2,7,6,5,4,3,2,1).",
    NAME_FORMAT: f"{_VISIBLE} {_READABLE} Not written in another script whose every letter looks like a "
    "Latin one (a TR39 whole-script confusable).",
    PERSON_NAME_FORMAT: f"{_VISIBLE} {_READABLE} Only letters (any script, with combining marks), spaces, "
    "hyphens, apostrophes (' or U+2019) and full stops, with at least one letter.",
    TEXT_FORMAT: f"{_VISIBLE} Line breaks are allowed.",
}
MAX_EMAIL = 254


@dataclass(frozen=True)
class Documented:
    """Adds keywords to a type's JSON schema (in any position: a field, a list item)."""

    keywords: dict[str, Any]

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        found = handler(schema)
        found.update(self.keywords)
        return found


# What each rule of a field asks a person to do, in Danish and English, when the field itself says nothing
# more precise. `{…}` is the rule's own value (a length, the allowed values). Messages say what to do and do
# not repeat the field's label: a form shows them under it.
LANGUAGES = ("da", "en")
GENERIC_MESSAGES: dict[str, dict[str, str]] = {
    "da": {
        "required": "Udfyld feltet.",
        "minLength": "Skriv mindst {minLength} tegn.",
        "maxLength": "Skriv højst {maxLength} tegn.",
        "pattern": "Skriv det i den form, feltets beskrivelse angiver.",
        "format": "Skriv det i den form, feltets beskrivelse angiver.",
        "enum": "Vælg en af de mulige værdier: {enum}.",
        "minimum": "Skriv et tal, der er mindst {minimum}.",
        "maximum": "Skriv et tal, der er højst {maximum}.",
        "minItems": "Vælg mindst {minItems}.",
        "maxItems": "Vælg højst {maxItems}.",
        "uniqueItems": "Fjern gentagelserne: hver værdi må kun stå én gang.",
        "type": "Skriv en værdi af den rigtige slags.",
        "additional": "Fjern feltet: det hører ikke til her.",
    },
    "en": {
        "required": "Fill in this field.",
        "minLength": "Enter at least {minLength} characters.",
        "maxLength": "Enter at most {maxLength} characters.",
        "pattern": "Enter it in the form the field's description gives.",
        "format": "Enter it in the form the field's description gives.",
        "enum": "Choose one of the possible values: {enum}.",
        "minimum": "Enter a number of at least {minimum}.",
        "maximum": "Enter a number of at most {maximum}.",
        "minItems": "Choose at least {minItems}.",
        "maxItems": "Choose at most {maxItems}.",
        "uniqueItems": "Remove the repeats: list each value once.",
        "type": "Enter a value of the right kind.",
        "additional": "Remove this field: it does not belong here.",
    },
}
# The JSON Schema keywords that are rules a value can break, each with a message in the document.
RULE_KEYWORDS = (
    "pattern",
    "format",
    "minLength",
    "maxLength",
    "enum",
    "minimum",
    "maximum",
    "minItems",
    "maxItems",
    "uniqueItems",
)
MESSAGES_KEYWORD = "x-messages"


def rule_messages(schema: dict[str, Any]) -> dict[str, dict[str, str]]:
    """A field schema's messages by language and rule: what its `x-messages` says, and for each rule it has
    that they do not name, what the field asks when empty (`required`), or else the generic message."""
    given: dict[str, dict[str, str]] = schema.get(MESSAGES_KEYWORD, {})
    found: dict[str, dict[str, str]] = {}
    for language in LANGUAGES:
        own = dict(given.get(language, {}))
        what = own.get("required")
        for rule in ("required", *RULE_KEYWORDS):
            if rule in own or not (rule in schema or rule == "required"):
                continue
            fallback = what if rule in {"minLength", "pattern", "format"} and what else None
            if rule == "format" and "pattern" in own:
                fallback = own["pattern"]
            own[rule] = fallback or generic_message(language, rule, schema)
        found[language] = own
    return found


def generic_message(language: str, rule: str, schema: dict[str, Any]) -> str:
    if rule == "minLength" and schema.get("minLength") == 1:
        rule = "required"
    values = {key: schema.get(key) for key in RULE_KEYWORDS}
    values["enum"] = ", ".join(str(value) for value in schema.get("enum", []))
    return GENERIC_MESSAGES[language][rule].format(**values)


# What a name's check says in English when it names what is wrong (chalicelib/values/names.py), in Danish:
# the character stays named, so that a person can find one they cannot see.
_SPECIFIC_DA: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(r"^Holds (U\+[0-9A-F]+).*, a character that is invisible or not text"),
        "Fjern tegnet {0}: det er usynligt eller ikke tekst.",
    ),
    (
        re.compile(r"^Holds (U\+[0-9A-F]+).*: use an ordinary space"),
        "Skriv et almindeligt mellemrum i stedet for {0}.",
    ),
    (
        re.compile(r"^Holds (U\+[0-9A-F]+).*, a compatibility form of another character"),
        "Skriv det almindelige tegn i stedet for {0} (et bredt, matematisk eller sammensat tegn).",
    ),
    (
        re.compile(r"^Holds (U\+[0-9A-F]+).*, which looks like a Latin letter"),
        "Skriv navnet i ét skriftsystem: {0} ligner et latinsk bogstav, så navnet kan forveksles med et "
        "andet.",
    ),
    (
        re.compile(r"^Mixes scripts"),
        "Skriv navnet i ét skriftsystem: det blander fx latinske og kyrilliske bogstaver, så det kan "
        "forveksles med et andet.",
    ),
    (
        re.compile(r"^Written in .* letters that each look like a Latin letter"),
        "Skriv navnet med latinske bogstaver: alle dets bogstaver ligner latinske, så det kan forveksles med "
        "et andet navn.",
    ),
    (re.compile(r"^Holds too many combining marks"), "Skriv højst fire accenter på ét bogstav."),
    (re.compile(r"^Mixes digits of different numbering systems"), "Skriv alle cifre i samme talsystem."),
)


def specific_danish(message: str) -> str | None:
    """The Danish for what a name's check said in English, naming the same character; None if unknown."""
    for pattern, danish in _SPECIFIC_DA:
        found = pattern.match(message)
        if found is not None:
            return danish.format(*found.groups())
    return None


@dataclass(frozen=True)
class Ruled:
    """A field's messages for its rules (`x-messages`), completed from the rules its schema has."""

    messages: dict[str, dict[str, str]]

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        found = handler(schema)
        found[MESSAGES_KEYWORD] = self.messages
        found[MESSAGES_KEYWORD] = rule_messages(found)
        return found


def _say(**by_rule: tuple[str, str]) -> Ruled:
    """Messages by rule, each a (Danish, English) pair."""
    return Ruled(
        {language: {rule: pair[i] for rule, pair in by_rule.items()} for i, language in enumerate(LANGUAGES)}
    )


def matching(pattern: str, kind: str, message: str) -> Callable[[str], str]:
    def check(value: str) -> str:
        # Compiled on a field's first check, not at import: a request pays only for its own fields' patterns.
        if _compiled(pattern).fullmatch(value) is None:
            raise PydanticCustomError(kind, message, {"rule": "pattern"})
        return value

    # What the check is, for the light path's generated schemas (chalicelib/api/http/light_build.py): it
    # changes no value, and refuses exactly what does not fullmatch the pattern its field publishes.
    check.light_pattern = pattern  # type: ignore[attr-defined]
    return check


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _without_spaces(value: str) -> str:
    return value.replace(" ", "")


def _danish_mobile(value: str) -> str:
    digits = "".join(character for character in value if character.isdigit())
    return "+45" + digits[-8:]


def _cvr(value: str) -> str:
    if not is_valid_cvr(value):
        raise PydanticCustomError(
            "cvr", "Not a valid CVR number: the modulus-11 check fails.", {"rule": "format"}
        )
    return value


def distinct[T: Hashable](values: Sequence[T]) -> Sequence[T]:
    if len(set(values)) != len(values):
        raise PydanticCustomError("unique", "A value is listed twice.", {"rule": "uniqueItems"})
    return values


def _rule(pattern: str, kind: str, message: str, **keywords: Any) -> tuple[AfterValidator, Documented]:
    return AfterValidator(matching(pattern, kind, message)), Documented({"pattern": pattern, **keywords})


def _readable(kind: str, problem: Callable[[str], str | None]) -> AfterValidator:
    """The part of a field's rule that its pattern cannot state (its format), as a field error."""

    def check(value: str) -> str:
        found = problem(value)
        if found is not None:
            # The English message names what is wrong (which character, which scripts); it is kept.
            raise PydanticCustomError(kind, found, {"rule": "format", "specific": True})
        return value

    return AfterValidator(check)


_NAME_RULE = "Must not be blank, begin or end with a space, or hold line breaks or other control characters."
_NAME_CHECK, _NAME_DOC = _rule(NAME_PATTERN, "name", _NAME_RULE, format=NAME_FORMAT)
_READABLE_NAME = _readable("name", name_problem)
_PERSON_CHECK, _PERSON_DOC = _rule(
    PERSON_NAME_PATTERN,
    "person_name",
    PERSON_NAME_RULE[:-1] + ", and does not end with a space.",
    format=PERSON_NAME_FORMAT,
)
_READABLE_PERSON = _readable("person_name", lambda value: name_problem(value, person=True))
_ORGANISATION_CHECK, _ORGANISATION_DOC = _rule(
    ORGANISATION_NAME_PATTERN,
    "name",
    _NAME_RULE[:-1] + ", and needs a letter or digit for the handle.",
    format=NAME_FORMAT,
)
_EMAIL_CHECK, _EMAIL_DOC = _rule(
    EMAIL_PATTERN,
    "email",
    "Not an e-mail address we can deliver to (letters, digits and .!#$%&'*+/=?^_`{|}~- before the @).",
    format="email",
)
_TEXT_CHECK, _TEXT_DOC = _rule(
    TEXT_PATTERN,
    "text",
    "Must say something, and hold no control characters other than line breaks.",
    format=TEXT_FORMAT,
)
_ACCOUNT_CHECK, _ACCOUNT_DOC = _rule(
    ACCOUNT_NUMBER_PATTERN,
    "account_number",
    "1 to 30 letters, digits, '.', '_', '/' or '-', starting with a letter or digit.",
)
_MOBILE_CHECK, _MOBILE_DOC = _rule(
    MOBILE_PATTERN,
    "mobile",
    "A Danish mobile number: 8 digits, with or without +45 or 0045 in front, e.g. 22 33 44 55.",
)
_CVR_CHECK, _CVR_DOC = _rule(CVR_PATTERN, "cvr", "Not a CVR number: 8 digits, no leading zero.")
_NEW_CVR_CHECK, _NEW_CVR_DOC = _rule(
    CVR_PATTERN,
    "cvr",
    "Not a valid CVR number: 8 digits, no leading zero, passing the modulus-11 check.",
    format=CVR_FORMAT,
)
_SIX_CHECK, _SIX_DOC = _rule(SIX_DIGITS_PATTERN, "code", "The 6 digits the app shows, or the SMS says.")
_ACTIVATION_CHECK, _ACTIVATION_DOC = _rule(
    ACTIVATION_CODE_PATTERN,
    "activation_code",
    "12 letters and digits as printed in the letter; case, hyphens and spaces do not matter.",
)
_INVITATION_CHECK, _INVITATION_DOC = _rule(
    INVITATION_CODE_PATTERN,
    "invitation_code",
    "16 letters and digits as in the mail; case, hyphens and spaces do not matter.",
)
_PASTED_CHECK, _PASTED_DOC = _rule(PASTED_CODE_PATTERN, "code", "The code, as the representative gave it.")
_POSTCODE_CHECK, _POSTCODE_DOC = _rule(POSTCODE_PATTERN, "postcode", "A Danish postcode: 4 digits.")

# What each kind of field asks a person to do, in Danish and in English (`x-messages` in the document; the
# API's field errors and the console's own checks say the same). `required` is also said for a value too
# short or of the wrong form unless the field says more (`rule_messages`).
_NAME_SAYS = _say(
    required=("Skriv navnet.", "Enter the name."),
    pattern=(
        "Skriv navnet uden linjeskift og uden mellemrum først eller sidst.",
        "Enter the name without line breaks and without spaces at the start or end.",
    ),
    format=(
        "Skriv navnet med almindelige bogstaver, tal og tegn, i ét skriftsystem.",
        "Enter the name in ordinary letters, digits and signs, in one script.",
    ),
)
_PERSON_SAYS = _say(
    required=("Skriv navnet.", "Enter the name."),
    pattern=(
        "Skriv navnet med bogstaver; mellemrum, bindestreg, apostrof og punktum må gerne være med, tal ikke.",
        "Enter the name in letters; spaces, hyphens, apostrophes and full stops are fine, digits are not.",
    ),
    format=(
        "Skriv navnet med bogstaver fra ét skriftsystem; mellemrum, bindestreg, apostrof og punktum må gerne "
        "være med.",
        "Enter the name in letters of one script; spaces, hyphens, apostrophes and full stops are fine.",
    ),
)
_ORGANISATION_SAYS = _say(
    required=("Skriv organisationens navn.", "Enter the organisation's name."),
    pattern=(
        "Skriv navnet med mindst ét bogstav eller tal, uden linjeskift og uden mellemrum først eller sidst.",
        "Enter the name with at least one letter or digit, without line breaks or spaces at the start or "
        "end.",
    ),
    format=(
        "Skriv navnet med almindelige bogstaver, tal og tegn, i ét skriftsystem.",
        "Enter the name in ordinary letters, digits and signs, in one script.",
    ),
)
_USERNAME_SAYS = _say(
    required=("Skriv brugernavnet.", "Enter the username."),
    pattern=(
        "Skriv brugernavnet uden mellemrum først eller sidst.",
        "Enter the username without spaces at the start or end.",
    ),
)
_TEXT_SAYS = _say(
    required=("Skriv en tekst.", "Enter some text."),
    pattern=(
        "Skriv en tekst uden kontroltegn; linjeskift må gerne være med.",
        "Enter a text without control characters; line breaks are fine.",
    ),
)
_EMAIL_SAYS = _say(
    required=("Skriv en e-mailadresse, fx navn@firma.dk.", "Enter an e-mail address, e.g. name@company.dk."),
    pattern=(
        "Skriv en e-mailadresse, vi kan sende til, fx navn@firma.dk: bogstaver, cifre og "
        ".!#$%&'*+/=?^_`{|}~- før @.",
        "Enter an e-mail address we can deliver to, e.g. name@company.dk: letters, digits and "
        ".!#$%&'*+/=?^_`{|}~- before the @.",
    ),
)
_ACCOUNT_SAYS = _say(
    required=("Skriv kontonummeret.", "Enter the account number."),
    pattern=(
        "Skriv kontonummeret med 1 til 30 bogstaver, cifre, '.', '_', '/' eller '-', og begynd med et "
        "bogstav eller ciffer.",
        "Enter the account number as 1 to 30 letters, digits, '.', '_', '/' or '-', starting with a letter "
        "or digit.",
    ),
)
_POSTCODE_SAYS = _say(required=("Skriv postnummeret: 4 cifre.", "Enter the postcode: 4 digits."))
_MOBILE_SAYS = _say(
    required=(
        "Skriv et dansk mobilnummer: 8 cifre, fx 22 33 44 55.",
        "Enter a Danish mobile number: 8 digits, e.g. 22 33 44 55.",
    )
)
_CVR_SAYS = _say(
    required=(
        "Skriv CVR-nummeret: 8 cifre, fx 12 34 56 78.",
        "Enter the CVR number: 8 digits, e.g. 12 34 56 78.",
    ),
    pattern=(
        "Skriv CVR-nummeret med 8 cifre; det første må ikke være 0.",
        "Enter the CVR number as 8 digits, not starting with 0.",
    ),
)
_NEW_CVR_SAYS = _say(
    required=(
        "Skriv CVR-nummeret: 8 cifre, fx 12 34 56 78.",
        "Enter the CVR number: 8 digits, e.g. 12 34 56 78.",
    ),
    pattern=(
        "Skriv CVR-nummeret med 8 cifre; det første må ikke være 0.",
        "Enter the CVR number as 8 digits, not starting with 0.",
    ),
    format=(
        "Tjek CVR-nummeret: det har 8 cifre, men er ikke et gyldigt CVR-nummer.",
        "Check the CVR number: it has 8 digits but is not a valid CVR number.",
    ),
)
_SIX_SAYS = _say(
    required=(
        "Skriv de 6 cifre, som appen viser eller sms'en giver.",
        "Enter the 6 digits the app shows or the SMS gives.",
    )
)
_ACTIVATION_SAYS = _say(
    required=(
        "Skriv de 12 bogstaver og cifre fra brevet; store og små bogstaver, bindestreger og mellemrum er "
        "ligegyldige.",
        "Enter the 12 letters and digits from the letter; case, hyphens and spaces do not matter.",
    )
)
_INVITATION_SAYS = _say(
    required=(
        "Skriv invitationskoden fra e-mailen: 16 bogstaver og cifre, fx ABCD-EFGH-JKMN-PQRS.",
        "Enter the invitation code from the e-mail: 16 letters and digits, e.g. ABCD-EFGH-JKMN-PQRS.",
    ),
    pattern=(
        "Skriv de 16 bogstaver og cifre, som de står i e-mailen; store og små bogstaver, bindestreger og "
        "mellemrum er ligegyldige.",
        "Enter the 16 letters and digits as they are in the e-mail; case, hyphens and spaces do not matter.",
    ),
)
_PASTED_SAYS = _say(
    required=("Skriv koden, som repræsentanten gav dig.", "Enter the code as the representative gave it.")
)
_PASSWORD_SAYS = _say(required=("Skriv adgangskoden.", "Enter the password."))
_NEW_PASSWORD_SAYS = _say(
    required=(
        "Skriv en adgangskode på mindst 12 tegn med både store og små bogstaver og mindst ét tal.",
        "Enter a password of at least 12 characters with upper and lower case letters and at least one "
        "digit.",
    ),
    pattern=(
        "Skriv en adgangskode med både store og små bogstaver (A-Z og a-z) og mindst ét tal.",
        "Enter a password with upper and lower case letters (A-Z and a-z) and at least one digit.",
    ),
)

# Each name's format is checked before its pattern: where both refuse, the format's message names the
# character. A person's name is printed into letters and mails: letters, spaces, hyphens, apostrophes and
# full stops.
PersonName = Annotated[
    str, Field(min_length=1, max_length=100), _READABLE_PERSON, _PERSON_CHECK, _PERSON_DOC, _PERSON_SAYS
]
CompanyName = Annotated[
    str, Field(min_length=1, max_length=200), _READABLE_NAME, _NAME_CHECK, _NAME_DOC, _NAME_SAYS
]
OrganisationName = Annotated[
    str,
    Field(min_length=1, max_length=200),
    _READABLE_NAME,
    _ORGANISATION_CHECK,
    _ORGANISATION_DOC,
    _ORGANISATION_SAYS,
]
StreetName = Annotated[
    str, Field(min_length=1, max_length=200), _READABLE_NAME, _NAME_CHECK, _NAME_DOC, _NAME_SAYS
]
CityName = Annotated[
    str, Field(min_length=1, max_length=100), _READABLE_NAME, _NAME_CHECK, _NAME_DOC, _NAME_SAYS
]
Username = Annotated[
    str, Field(min_length=1, max_length=64), _READABLE_NAME, _NAME_CHECK, _NAME_DOC, _USERNAME_SAYS
]
# Free text (a reason, a note) is kept without the spaces typed around it; it must still say something.
Text = Annotated[
    str,
    Field(min_length=1, max_length=1000),
    _readable("text", text_problem),
    _TEXT_CHECK,
    _TEXT_DOC,
    _TEXT_SAYS,
    AfterValidator(str.strip),
]
Email = Annotated[str, Field(min_length=6, max_length=MAX_EMAIL), _EMAIL_CHECK, _EMAIL_DOC, _EMAIL_SAYS]
AccountNumber = Annotated[
    str, Field(min_length=1, max_length=30), _ACCOUNT_CHECK, _ACCOUNT_DOC, _ACCOUNT_SAYS
]
Postcode = Annotated[str, Field(min_length=4, max_length=4), _POSTCODE_CHECK, _POSTCODE_DOC, _POSTCODE_SAYS]
Mobile = Annotated[
    # No minimum length of its own: a number too short is told the pattern's message, which says what to type.
    str, Field(max_length=40), _MOBILE_CHECK, _MOBILE_DOC, _MOBILE_SAYS, AfterValidator(_danish_mobile)
]
# A company the caller's organisation has (grants, filters, changes): one that does not answers 404.
Cvr = Annotated[
    str, Field(min_length=8, max_length=40), _CVR_CHECK, _CVR_DOC, _CVR_SAYS, AfterValidator(_without_spaces)
]
# A company named for the first time, in an application: the number itself must be a valid one.
NewCvr = Annotated[
    str,
    Field(min_length=8, max_length=40),
    _NEW_CVR_CHECK,
    _NEW_CVR_DOC,
    _NEW_CVR_SAYS,
    AfterValidator(_without_spaces),
    AfterValidator(_cvr),
]
AuthenticatorCode = Annotated[str, Field(min_length=6, max_length=6), _SIX_CHECK, _SIX_DOC, _SIX_SAYS]
SmsVerificationCode = Annotated[str, Field(min_length=6, max_length=6), _SIX_CHECK, _SIX_DOC, _SIX_SAYS]
ActivationCode = Annotated[
    str, Field(min_length=12, max_length=64), _ACTIVATION_CHECK, _ACTIVATION_DOC, _ACTIVATION_SAYS
]
# Empty is "required" (min_length 1), anything else not a code is told the code's shape, never a length.
InvitationCode = Annotated[
    str, Field(min_length=1, max_length=200), _INVITATION_CHECK, _INVITATION_DOC, _INVITATION_SAYS
]
Password = Annotated[str, Field(min_length=1, max_length=256), _PASSWORD_SAYS]
# A password chosen for a login: the user pool's policy (infra/local/provision.py PASSWORD_POLICY, the same
# in infra/resources.json), stated in the document so that a form checks it before anything is sent, and
# checked here before the identity provider is asked, so that its own words never reach a person.
PASSWORD_MIN_LENGTH = 12
NEW_PASSWORD_PATTERN = r"^(?=[\s\S]*[a-z])(?=[\s\S]*[A-Z])(?=[\s\S]*[0-9])[\s\S]*$"  # noqa: S105 - a rule
_NEW_PASSWORD_CHECK, _NEW_PASSWORD_DOC = _rule(
    NEW_PASSWORD_PATTERN, "password", "Needs upper and lower case letters (A-Z, a-z) and a digit."
)
NewPassword = Annotated[
    str,
    Field(min_length=PASSWORD_MIN_LENGTH, max_length=256),
    _NEW_PASSWORD_CHECK,
    _NEW_PASSWORD_DOC,
    _NEW_PASSWORD_SAYS,
]
# No code is longer than 49 characters (8, @, a handle of at most 40); anything far longer is not a code
# pasted with some whitespace but a broken integration, and is refused rather than looked up.
MAX_PASTED_CODE = 100
PastedCode = Annotated[
    StrictStr, Field(min_length=1, max_length=MAX_PASTED_CODE), _PASTED_CHECK, _PASTED_DOC, _PASTED_SAYS
]


class UniqueItems:
    """Marks a list whose items are distinct: `uniqueItems` in the document, and refused by the server."""

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_after_validator_function(distinct, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        found = handler(schema)
        found["uniqueItems"] = True
        return found


UNIQUE_ITEMS = UniqueItems()
# For lists of objects the server refuses two items with the same key (a CVR, an account number), which is
# stricter than `uniqueItems` can say; the document says `uniqueItems`, the description says by which key.
UNIQUE_OBJECTS = Documented({"uniqueItems": True})


class Strict(BaseModel):
    """A request body: unknown fields are refused. Its validator is built when it first validates a body, not
    when its module is imported (`defer_build`): a request pays only for the models it uses."""

    model_config = ConfigDict(extra="forbid", defer_build=True)


class FullAccess(Strict):
    """Every account of the company, also ones added later."""

    cvr: Cvr = Field(description="A company of the organisation (CVR number)")
    access: Literal["full"]

    @property
    def accounts(self) -> None:
        return None


MAX_ACCOUNTS_PER_COMPANY = 100


class LimitedAccess(Strict):
    """Only the account numbers listed."""

    cvr: Cvr = Field(description="A company of the organisation (CVR number)")
    access: Literal["limited"]
    accounts: Annotated[
        list[AccountNumber], Field(min_length=1, max_length=MAX_ACCOUNTS_PER_COMPANY), UNIQUE_ITEMS
    ] = Field(description="The account numbers, at least one")


# One company of the group a user may work with: `full` has no accounts, `limited` lists at least one.
CompanyGrant = Annotated[FullAccess | LimitedAccess, Field(discriminator="access")]
