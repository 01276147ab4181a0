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


def matching(pattern: str, kind: str, message: str) -> Callable[[str], str]:
    def check(value: str) -> str:
        # Compiled on a field's first check, not at import: a request pays only for its own fields' patterns.
        if _compiled(pattern).fullmatch(value) is None:
            raise PydanticCustomError(kind, message)
        return value

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
        raise PydanticCustomError("cvr", "Not a valid CVR number: the modulus-11 check fails.")
    return value


def distinct[T: Hashable](values: Sequence[T]) -> Sequence[T]:
    if len(set(values)) != len(values):
        raise PydanticCustomError("unique", "A value is listed twice.")
    return values


def _rule(pattern: str, kind: str, message: str, **keywords: Any) -> tuple[AfterValidator, Documented]:
    return AfterValidator(matching(pattern, kind, message)), Documented({"pattern": pattern, **keywords})


def _readable(kind: str, problem: Callable[[str], str | None]) -> AfterValidator:
    """The part of a field's rule that its pattern cannot state (its format), as a field error."""

    def check(value: str) -> str:
        found = problem(value)
        if found is not None:
            raise PydanticCustomError(kind, found)
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

# Each name's format is checked before its pattern: where both refuse, the format's message names the
# character. A person's name is printed into letters and mails: letters, spaces, hyphens, apostrophes and
# full stops.
PersonName = Annotated[str, Field(min_length=1, max_length=100), _READABLE_PERSON, _PERSON_CHECK, _PERSON_DOC]
CompanyName = Annotated[str, Field(min_length=1, max_length=200), _READABLE_NAME, _NAME_CHECK, _NAME_DOC]
OrganisationName = Annotated[
    str, Field(min_length=1, max_length=200), _READABLE_NAME, _ORGANISATION_CHECK, _ORGANISATION_DOC
]
StreetName = Annotated[str, Field(min_length=1, max_length=200), _READABLE_NAME, _NAME_CHECK, _NAME_DOC]
CityName = Annotated[str, Field(min_length=1, max_length=100), _READABLE_NAME, _NAME_CHECK, _NAME_DOC]
Username = Annotated[str, Field(min_length=1, max_length=64), _READABLE_NAME, _NAME_CHECK, _NAME_DOC]
# Free text (a reason, a note) is kept without the spaces typed around it; it must still say something.
Text = Annotated[
    str,
    Field(min_length=1, max_length=1000),
    _readable("text", text_problem),
    _TEXT_CHECK,
    _TEXT_DOC,
    AfterValidator(str.strip),
]
Email = Annotated[str, Field(min_length=6, max_length=MAX_EMAIL), _EMAIL_CHECK, _EMAIL_DOC]
AccountNumber = Annotated[str, Field(min_length=1, max_length=30), _ACCOUNT_CHECK, _ACCOUNT_DOC]
Postcode = Annotated[str, Field(min_length=4, max_length=4), _POSTCODE_CHECK, _POSTCODE_DOC]
Mobile = Annotated[
    # No minimum length of its own: a number too short is told the pattern's message, which says what to type.
    str, Field(max_length=40), _MOBILE_CHECK, _MOBILE_DOC, AfterValidator(_danish_mobile)
]
# A company the caller's organisation has (grants, filters, changes): one that does not answers 404.
Cvr = Annotated[
    str, Field(min_length=8, max_length=40), _CVR_CHECK, _CVR_DOC, AfterValidator(_without_spaces)
]
# A company named for the first time, in an application: the number itself must be a valid one.
NewCvr = Annotated[
    str,
    Field(min_length=8, max_length=40),
    _NEW_CVR_CHECK,
    _NEW_CVR_DOC,
    AfterValidator(_without_spaces),
    AfterValidator(_cvr),
]
AuthenticatorCode = Annotated[str, Field(min_length=6, max_length=6), _SIX_CHECK, _SIX_DOC]
SmsVerificationCode = Annotated[str, Field(min_length=6, max_length=6), _SIX_CHECK, _SIX_DOC]
ActivationCode = Annotated[str, Field(min_length=12, max_length=64), _ACTIVATION_CHECK, _ACTIVATION_DOC]
# Empty is "required" (min_length 1), anything else not a code is told the code's shape, never a length.
InvitationCode = Annotated[str, Field(min_length=1, max_length=200), _INVITATION_CHECK, _INVITATION_DOC]
Password = Annotated[str, Field(min_length=1, max_length=256)]
# No code is longer than 49 characters (8, @, a handle of at most 40); anything far longer is not a code
# pasted with some whitespace but a broken integration, and is refused rather than looked up.
MAX_PASTED_CODE = 100
PastedCode = Annotated[StrictStr, Field(min_length=1, max_length=MAX_PASTED_CODE), _PASTED_CHECK, _PASTED_DOC]


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
