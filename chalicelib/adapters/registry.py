"""The company register: for a CVR number, the company's legal name, whether it is active or ceased, its
company form and address, who owns it where the register says so, and its official mailbox (e-Boks /
Digital Post). The activation letter's address always comes from here, never from what an applicant typed:
the letter is how an applicant proves they speak for the company.

`CompanyRegistry` is the port the services use. Two implementations, chosen by `GODKEND_REGISTRY` in
`build_registry`:

- `SampleRegistry` (`sample`, the default): the sample companies in `registry_sample.json` (or another
  file); it stands in for the CVR register on this machine and in tests;
- `CvrRegistry` (`cvr`): the Danish Business Authority's (Erhvervsstyrelsen) "CVR system-til-system
  adgang", an Elasticsearch search API (`POST .../cvr-permanent/virksomhed/_search`, HTTP basic auth). Its
  user name and password are read from Secrets Manager the first time a lookup needs them. A register that
  does not answer within `timeout_seconds`, or answers with an error, raises `UpstreamUnavailable` (503).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol

import requests

from chalicelib.errors import UpstreamUnavailable
from chalicelib.log import logger
from chalicelib.settings import Settings
from chalicelib.values.cvr import is_valid_cvr

SAMPLE_FILE = Path(__file__).resolve().parent / "registry_sample.json"
CVR_SEARCH_URL = "http://distribution.virk.dk/cvr-permanent/virksomhed/_search"
# What the register answers to a user name and password it does not take.
REFUSED_CREDENTIALS = frozenset({401, 403})


class CompanyStatus(StrEnum):
    ACTIVE = "active"
    CEASED = "ceased"


@dataclass(frozen=True)
class RegistryEntry:
    cvr: str
    name: str
    official_mailbox: str
    status: CompanyStatus = CompanyStatus.ACTIVE
    company_form: str | None = None
    address: str | None = None
    # CVR numbers of the companies the register names as the company's owners (where it has them).
    owners: frozenset[str] = field(default_factory=frozenset)

    @property
    def ceased(self) -> bool:
        return self.status is CompanyStatus.CEASED

    def owned_by(self, cvr: str) -> bool:
        return cvr in self.owners


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
            RegistryEntry(
                cvr=str(c["cvr"]),
                name=str(c["name"]),
                official_mailbox=str(c["official_mailbox"]),
                status=CompanyStatus(c.get("status", CompanyStatus.ACTIVE.value)),
                company_form=c.get("company_form"),
                address=c.get("address"),
                owners=frozenset(str(owner) for owner in c.get("owners", [])),
            )
            for c in data["companies"]
        )

    def lookup(self, cvr: str) -> RegistryEntry | None:
        return self._entries.get(cvr)

    def entries(self) -> list[RegistryEntry]:
        return sorted(self._entries.values(), key=lambda entry: entry.cvr)


class SearchTransport(Protocol):
    """One POST of a JSON body; answers the HTTP status and the decoded JSON body. Raises
    `requests.RequestException` (a timeout included) when no answer came."""

    def post_json(
        self, url: str, body: dict[str, Any], *, auth: tuple[str, str], timeout: float
    ) -> tuple[int, Any]: ...


class RequestsTransport:
    def post_json(
        self, url: str, body: dict[str, Any], *, auth: tuple[str, str], timeout: float
    ) -> tuple[int, Any]:
        response = requests.post(url, json=body, auth=auth, timeout=timeout)
        try:
            decoded = response.json()
        except ValueError:
            decoded = None
        return response.status_code, decoded


# The register's own words for a company that no longer exists (`virksomhedMetadata.sammensatStatus`).
CEASED_STATUSES = frozenset(
    {
        "ophørt",
        "opløst",
        "opløst efter konkurs",
        "opløst efter frivillig likvidation",
        "opløst efter fusion",
        "opløst efter spaltning",
        "tvangsopløst",
        "slettet",
    }
)


class CvrRegistry:
    def __init__(
        self,
        *,
        credentials: Callable[[], tuple[str, str]],
        transport: SearchTransport | None = None,
        url: str = CVR_SEARCH_URL,
        timeout_seconds: float = 3.0,
    ) -> None:
        self._credentials = credentials
        self._transport = transport or RequestsTransport()
        self._url = url
        self._timeout = timeout_seconds
        self._auth: tuple[str, str] | None = None
        self._lock = threading.Lock()

    def lookup(self, cvr: str) -> RegistryEntry | None:
        query = {"query": {"term": {"Vrvirksomhed.cvrNummer": int(cvr)}}, "size": 1}
        try:
            status, body = self._transport.post_json(
                self._url, query, auth=self._authentication(), timeout=self._timeout
            )
        except requests.RequestException as exc:
            raise UpstreamUnavailable(
                "The company register did not answer in time; try again shortly."
            ) from exc
        if status in REFUSED_CREDENTIALS:
            # The operator may have changed the credentials
            # (docs/operations.md#the-cvr-registers-credentials): read the secret again at the next lookup
            # rather than keep the old ones for the container's life.
            with self._lock:
                self._auth = None
        if status != 200 or not isinstance(body, dict):
            raise UpstreamUnavailable("The company register could not be asked just now; try again shortly.")
        hits = body.get("hits", {}).get("hits", [])
        if not hits:
            return None
        return parse_company(hits[0].get("_source", {}).get("Vrvirksomhed", {}))

    def _authentication(self) -> tuple[str, str]:
        with self._lock:
            if self._auth is None:
                try:
                    self._auth = self._credentials()
                except Exception as exc:
                    # A secret without a value yet (a new stage), or one that cannot be read: the register
                    # cannot be asked, which the caller hears as a 503. Only the kind of failure is logged:
                    # whatever the secret holds stays out of the logs.
                    logger.error(
                        "the company register's credentials could not be read (%s)", type(exc).__name__
                    )
                    raise UpstreamUnavailable(
                        "The company register could not be asked just now; try again shortly."
                    ) from None
            return self._auth


def parse_company(company: dict[str, Any]) -> RegistryEntry | None:
    """A `Vrvirksomhed` document as the register documents it; None when it cannot be addressed."""
    metadata = company.get("virksomhedMetadata") or {}
    cvr = str(company.get("cvrNummer", ""))
    name = (metadata.get("nyesteNavn") or {}).get("navn") or ""
    status_text = str(metadata.get("sammensatStatus") or "").strip().lower()
    form = (metadata.get("nyesteVirksomhedsform") or {}).get("langBeskrivelse")
    mailbox = _current(company.get("elektroniskPost") or [], "kontaktoplysning")
    if not is_valid_cvr(cvr) or not name:
        return None
    return RegistryEntry(
        cvr=cvr,
        name=name,
        # The address on record with the register; without one no letter can prove anything.
        official_mailbox=mailbox or "",
        status=CompanyStatus.CEASED if status_text in CEASED_STATUSES else CompanyStatus.ACTIVE,
        company_form=form,
        address=_address(metadata.get("nyesteBeliggenhedsadresse") or {}),
        owners=_owners(company.get("deltagerRelation") or []),
    )


def _current(entries: list[dict[str, Any]], key: str) -> str | None:
    """The value of the entry whose period is still open (`gyldigTil` null)."""
    for entry in entries:
        if (entry.get("periode") or {}).get("gyldigTil") is None and entry.get(key):
            return str(entry[key])
    return None


def _address(address: dict[str, Any]) -> str | None:
    if not address:
        return None
    street = " ".join(str(p) for p in (address.get("vejnavn"), address.get("husnummerFra")) if p)
    town = " ".join(str(p) for p in (address.get("postnummer"), address.get("postdistrikt")) if p)
    return ", ".join(p for p in (street, town) if p) or None


def _owners(relations: list[dict[str, Any]]) -> frozenset[str]:
    """Companies the register lists as current legal owners (`deltagerRelation` to a company, in the
    organisation "EJERREGISTER" or "LEGALE EJERE", under a name whose period is still open)."""
    owners: set[str] = set()
    for relation in relations:
        participant = relation.get("deltager") or {}
        if participant.get("enhedstype") != "VIRKSOMHED" or not participant.get("forretningsnoegle"):
            continue
        for organisation in relation.get("organisationer") or []:
            if any(
                str(name.get("navn", "")).upper() in OWNER_REGISTERS
                and (name.get("periode") or {}).get("gyldigTil") is None
                for name in organisation.get("organisationsNavn") or []
            ):
                owners.add(str(participant["forretningsnoegle"]))
    return frozenset(owners)


OWNER_REGISTERS = frozenset({"EJERREGISTER", "LEGALE EJERE"})


def secrets_manager_credentials(
    secret_id: str, client_factory: Callable[[], Any]
) -> Callable[[], tuple[str, str]]:
    """Reads `{"username": ..., "password": ...}` from Secrets Manager when first called."""

    def read() -> tuple[str, str]:
        value = json.loads(client_factory().get_secret_value(SecretId=secret_id)["SecretString"])
        return str(value["username"]), str(value["password"])

    return read


def build_registry(
    settings: Settings,
    *,
    secrets_client: Callable[[], Any] | None = None,
    transport: SearchTransport | None = None,
) -> CompanyRegistry:
    if settings.registry == "sample":
        return SampleRegistry.from_file(
            Path(settings.registry_file) if settings.registry_file else SAMPLE_FILE
        )
    if settings.registry == "cvr":
        if not settings.cvr_secret_id:
            raise ValueError("GODKEND_REGISTRY=cvr needs GODKEND_CVR_SECRET_ID")

        def client() -> Any:
            import boto3

            return boto3.client("secretsmanager", region_name=settings.region)

        return CvrRegistry(
            credentials=secrets_manager_credentials(settings.cvr_secret_id, secrets_client or client),
            transport=transport,
            url=settings.cvr_url or CVR_SEARCH_URL,
            timeout_seconds=settings.cvr_timeout_seconds,
        )
    raise ValueError(f"unknown company register {settings.registry!r}")  # pragma: no cover - Literal
