"""The bodies, answers and queries of the routes in `chalicelib/api/routes/applications.py`, as pydantic
models.

Imported when one of those routes first parses a body or a query, or when the OpenAPI document is built;
never by `import app`, so a cold start does not pay for pydantic."""

from __future__ import annotations

from pydantic import BaseModel, Field


class ApplicationAccepted(BaseModel):
    application_id: str
    letter_due_by: str = Field(
        description="When the letter will be in the official mailbox at the latest (UTC)"
    )
    already_pending: bool = Field(
        description="True when exactly this form was sent before and its application is pending: the same "
        "application, no second letter. A different form is an application of its own, with its own letter"
    )
