"""The company register: for a CVR number, the company's name and its official mailbox (e-Boks / Digital
Post). The activation letter's address always comes from here, never from what an applicant typed: the
letter is how an applicant proves they speak for the company.

`CompanyRegistry` is the port the services use. `SampleRegistry` is the local implementation, reading the
sample companies in `registry_sample.json` (or another file); it stands in for the CVR register on this
machine and in tests. A production adapter (the CVR register's API for the lookup, Digital Post for the
address) implements the same Protocol and is chosen by the `GODKEND_REGISTRY` setting in `build_registry`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from chalicelib.services.cvr import is_valid_cvr
from chalicelib.settings import Settings

SAMPLE_FILE = Path(__file__).resolve().parent / "registry_sample.json"


@dataclass(frozen=True)
class RegistryEntry:
    cvr: str
    name: str
    official_mailbox: str


class CompanyRegistry(Protocol):
    def lookup(self, cvr: str) -> RegistryEntry | None:
        """The register's entry for a CVR number, or None when it has no such company. Raises
        `UpstreamUnavailable` when the register cannot be asked."""
        ...


class SampleRegistry:
    def __init__(self, entries: Iterable[RegistryEntry]) -> None:
        self._entries = {entry.cvr: entry for entry in entries}
        for entry in self._entries.values():
            if not is_valid_cvr(entry.cvr) or "@" not in entry.official_mailbox or not entry.name:
                raise ValueError(f"not a usable register entry: {entry}")

    @classmethod
    def from_file(cls, path: Path = SAMPLE_FILE) -> SampleRegistry:
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(
            RegistryEntry(cvr=str(c["cvr"]), name=str(c["name"]), official_mailbox=str(c["official_mailbox"]))
            for c in data["companies"]
        )

    def lookup(self, cvr: str) -> RegistryEntry | None:
        return self._entries.get(cvr)

    def entries(self) -> list[RegistryEntry]:
        return sorted(self._entries.values(), key=lambda entry: entry.cvr)


def build_registry(settings: Settings) -> CompanyRegistry:
    if settings.registry == "sample":
        return SampleRegistry.from_file(
            Path(settings.registry_file) if settings.registry_file else SAMPLE_FILE
        )
    raise ValueError(f"unknown company register {settings.registry!r}")  # pragma: no cover - Literal
