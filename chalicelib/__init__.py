"""Godkend's code: the HTTP layer, the services, the models and the adapters (docs/architecture.md)."""

import os

# pydantic looks for plugins in the metadata of every installed distribution when it builds its first model,
# which took a cold start about 10 ms; the service uses none. An operator may still name some.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
