"""The bodies, answers and queries of the routes in `chalicelib/api/routes/codes.py`, as pydantic models.

Imported when one of those routes first parses a body or a query, or when the OpenAPI document is built;
never by `import app`, so a cold start does not pay for pydantic."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field, StrictBool

from chalicelib.api.schemas.paging import ScopedPageQuery
from chalicelib.fields import AccountNumber, Cvr, Email, PersonName, Strict

Company = Annotated[Cvr, Field(description="The company's CVR number")]

Status = Literal["active", "expired", "revoked"]


class NewCode(Strict):
    first_name: PersonName = Field(description="The representative's first name")
    last_name: PersonName = Field(description="The representative's last name")
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
