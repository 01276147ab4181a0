"""PynamoDB models and the queries on them, one module per table family.

`ALL_MODELS` (in `chalicelib/models/everything.py`) is what the local stack and the tests create, and what
the infrastructure test compares with `infra/resources.json`. It is loaded only when asked for: importing
one model must not import every table's, since a function loads only what its requests use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from chalicelib.models.everything import ALL_MODELS as ALL_MODELS


def __getattr__(name: str) -> Any:
    if name == "ALL_MODELS":
        from chalicelib.models.everything import ALL_MODELS

        return ALL_MODELS
    raise AttributeError(name)
