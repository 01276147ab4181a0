"""Secrets read at run time from Secrets Manager (the activation key; a company register's credentials; the
receipt key set), never from the environment. Powertools' parameters utility caches each value for `max_age`
seconds per Lambda container, so a warm function makes one call per secret and period, and a rotation reaches
it then.
"""

from __future__ import annotations

CACHE_SECONDS = 300


def secret_value(name: str, *, max_age: int = CACHE_SECONDS, fresh: bool = False) -> str:
    """The current value of the secret `name` (a name or an ARN); `fresh` asks Secrets Manager again, for a
    caller that keeps the value itself (the receipt key set)."""
    # Imported on first use: only the functions that read a secret pay for it, and only when they do.
    from aws_lambda_powertools.utilities import parameters

    return str(parameters.get_secret(name, max_age=max_age, force_fetch=fresh))
