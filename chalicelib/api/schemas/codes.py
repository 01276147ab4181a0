"""The bodies, answers and queries of the routes in `chalicelib/api/codes.py`, as pydantic models.

Imported when one of those routes first parses a body or a query, or when the OpenAPI document is built;
never by `import app`, so a cold start does not pay for pydantic."""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictBool

from chalicelib.api.schemas.paging import CVR_PATTERN, ScopedPageQuery

# Addresses SES can deliver to: an ASCII local part and a domain of dot-separated labels.
EMAIL = re.compile(
    r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
)


def _printable(value: str) -> str:
    # Names end up in mail headers and greetings: no line breaks or other control characters.
    if any(unicodedata.category(c).startswith("C") for c in value):
        raise ValueError("must not contain line breaks or other control characters")
    return value


def _email(value: str) -> str:
    if not EMAIL.match(value):
        raise ValueError("is not an e-mail address")
    return value


Name = Annotated[str, Field(min_length=1, max_length=100), AfterValidator(_printable)]

Email = Annotated[str, Field(min_length=3, max_length=254), AfterValidator(_email)]

Company = Annotated[str, Field(pattern=CVR_PATTERN, description="The company's CVR number (8 digits)")]

AccountNumber = Annotated[
    str,
    Field(min_length=1, max_length=40, description="An account number of the company"),
    AfterValidator(_printable),
]

Status = Literal["active", "expired", "revoked"]


class NewCode(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    first_name: Name = Field(description="The representative's first name")
    last_name: Name = Field(description="The representative's last name")
    email: Email = Field(description="Where the code is mailed to the representative")
    company: Company
    account: AccountNumber
    language: Literal["da", "en"] = Field(default="da", description="The language of the mail")
    notify: StrictBool = Field(default=True, description="Mail the code to the representative")


class Code(BaseModel):
    code_id: str = Field(description="Names the code in URLs; not the value")
    code: str = Field(
        description="The value a representative pastes into a vendor's form: 8 characters, @, handle"
    )
    status: Status = Field(description="'expired' from the expiry second on, until renewed")
    created_at: str
    expires_at: str = Field(description="60 days after the creation or the latest renewal")
    first_name: str
    last_name: str
    email: str
    company: str
    account: str
    language: str
    notify: bool
    renewed_at: str | None = Field(description="When the current value replaced an earlier one")
    revoked_at: str | None


class CodePage(BaseModel):
    items: list[Code]
    next_cursor: str | None = Field(description="Give as `cursor` for the next page; null on the last page")


class CodeListQuery(ScopedPageQuery):
    status: Status | None = Field(default=None, description="Only codes with this status")
