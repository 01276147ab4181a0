"""The queries and answers of the routes in `chalicelib/api/routes/vendor_receipts.py`, as pydantic models.

Imported when one of those routes first parses a query or answers, or when the OpenAPI document is built;
never by `import app`."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic_core import PydanticCustomError

from chalicelib.api.schemas.paging import PageQuery
from chalicelib.fields import Ruled

ISO_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_DATE_SAYS = {
    "da": "Skriv datoen som ÅÅÅÅ-MM-DD, fx 2026-12-07.",
    "en": "Enter the date as YYYY-MM-DD, e.g. 2026-12-07.",
}


def _calendar_day(value: str) -> str:
    """A date of the calendar in ISO form (not 2026-02-30): the pattern alone cannot tell."""
    try:
        date.fromisoformat(value)
    except ValueError:
        raise PydanticCustomError("date", "Not a date: YYYY-MM-DD.", {"rule": "pattern"}) from None
    return value


# A Danish calendar day, as ISO 8601 (`2026-12-07`). Kept as text: the service reads it as a day in Denmark.
Day = Annotated[
    str,
    Field(min_length=10, max_length=10, pattern=ISO_DATE),
    AfterValidator(_calendar_day),
    Ruled({language: {"required": said, "pattern": said} for language, said in _DATE_SAYS.items()}),
]


class ExportQuery(BaseModel):
    """The period: Danish calendar days, both included; either end may be left open."""

    model_config = ConfigDict(extra="forbid")

    date_from: Day | None = Field(
        default=None,
        alias="from",
        description="Only checks on or after this day (Danish time), e.g. `2026-12-01`",
    )
    date_to: Day | None = Field(
        default=None,
        alias="to",
        description="Only checks on or before this day (Danish time); not before `from`",
    )


class ChecksQuery(PageQuery, ExportQuery):
    model_config = ConfigDict(extra="forbid")


class Answer(BaseModel):
    model_config = ConfigDict(defer_build=True)


class CheckedOrganisation(Answer):
    name: str = Field(description="The organisation's display name when it was checked")
    cvr: str = Field(description="The organisation's primary CVR number")


class CheckedRepresentative(Answer):
    first_name: str
    last_name: str


class VendorCheck(Answer):
    validation_id: str = Field(description="Names the receipt: GET /v1/vendor/validations/{validation_id}")
    validated_at: str
    organisation: CheckedOrganisation
    representative: CheckedRepresentative
    code_expires_at: str = Field(description="Until when the code was valid, as the check was told")
    livemode: bool = Field(description="`false`: a test key's check of a documented test code")


class VendorChecks(Answer):
    items: list[VendorCheck] = Field(description="The vendor's checks, newest first")
    next_cursor: str | None = Field(description="Give as `cursor` for the next page; null on the last page")
