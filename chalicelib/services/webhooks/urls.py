"""Which URLs a webhook may point at, and which addresses a delivery may connect to.

In AWS only `https` to public addresses: no private (RFC 1918), shared, loopback, link-local (the instance
metadata service at 169.254.169.254 among them), unique-local IPv6 (fd00:ec2::254, the IPv6 metadata
address, among them), multicast or reserved ones. The name is resolved when the endpoint is registered and
again before every delivery, and the delivery connects to the address that was checked (see
chalicelib/adapters/webhook_http.py), so a name that later resolves somewhere else (DNS rebinding) cannot
lead a delivery inside. In the local and test stages `http://127.0.0.1[:port]` is allowed too, so a
listener on this machine can receive deliveries.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

MAX_URL_LENGTH = 2048
LOOPBACK_HOST = "127.0.0.1"

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
# host, port -> the addresses it resolves to (socket.getaddrinfo in AWS; a fake in tests).
Resolver = Callable[[str, int], Sequence[str]]


class UrlRefused(Exception):
    """The URL, or an address it resolves to, is not one a delivery may go to; the message says why, and
    `danish` says it in Danish (what a caller asking for Danish is told)."""

    def __init__(self, english: str, danish: str) -> None:
        super().__init__(english)
        self.danish = danish


@dataclass(frozen=True)
class Target:
    """Where one delivery goes: the URL's parts, and the checked address to connect to."""

    scheme: str
    host: str
    port: int
    path: str
    address: str


def resolve(host: str, port: int) -> list[str]:
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise UrlRefused(
            f"the host {host!r} does not resolve", f"værtsnavnet {host!r} kan ikke slås op i DNS"
        ) from exc
    return list(dict.fromkeys(str(info[4][0]) for info in found))


def check_url(url: str, *, allow_loopback: bool) -> None:
    """The URL's shape alone; raises UrlRefused."""
    _parts(url, allow_loopback=allow_loopback)


def target_of(url: str, *, allow_loopback: bool, resolver: Resolver = resolve) -> Target:
    """Resolve the URL's host now and pick an address a delivery may connect to. Every address the name
    resolves to must be allowed: one bad answer means the name cannot be trusted. Raises UrlRefused."""
    scheme, host, port, path = _parts(url, allow_loopback=allow_loopback)
    addresses = resolver(host, port)
    if not addresses:
        raise UrlRefused(
            f"the host {host!r} does not resolve", f"værtsnavnet {host!r} kan ikke slås op i DNS"
        )
    for address in addresses:
        if not address_allowed(address, allow_loopback=allow_loopback):
            raise UrlRefused(
                f"the host {host!r} resolves to {address}, which is not a public address",
                f"værtsnavnet {host!r} peger på {address}, som ikke er en offentlig adresse",
            )
    return Target(scheme=scheme, host=host, port=port, path=path, address=addresses[0])


def address_allowed(address: str, *, allow_loopback: bool) -> bool:
    try:
        ip: Address = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if allow_loopback and ip == ipaddress.ip_address(LOOPBACK_HOST):
        return True
    return ip.is_global and not ip.is_multicast and not ip.is_reserved


def _parts(url: str, *, allow_loopback: bool) -> tuple[str, str, int, str]:
    if len(url) > MAX_URL_LENGTH:
        raise UrlRefused(
            f"the URL may be at most {MAX_URL_LENGTH} characters",
            f"adressen må højst have {MAX_URL_LENGTH} tegn",
        )
    if any(c.isspace() or ord(c) < 32 for c in url):
        raise UrlRefused(
            "the URL may not contain spaces or control characters",
            "adressen må ikke indeholde mellemrum eller kontroltegn",
        )
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise UrlRefused("not a URL", "det er ikke en URL") from exc
    host = parts.hostname or ""
    if parts.username is not None or parts.password is not None:
        raise UrlRefused(
            "the URL may not carry a user name or password",
            "adressen må ikke indeholde brugernavn eller adgangskode",
        )
    if parts.fragment:
        raise UrlRefused("the URL may not have a fragment", "adressen må ikke have et fragment (#)")
    if not host:
        raise UrlRefused("the URL needs a host", "adressen mangler et værtsnavn")
    _check_scheme(parts.scheme, host, allow_loopback=allow_loopback)
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return parts.scheme, host, port or (443 if parts.scheme == "https" else 80), path


def _check_scheme(scheme: str, host: str, *, allow_loopback: bool) -> None:
    if scheme == "https":
        return
    if scheme != "http" or not allow_loopback:
        raise UrlRefused("the URL must be https", "adressen skal begynde med https")
    if host != LOOPBACK_HOST:
        raise UrlRefused(
            f"http is allowed only for {LOOPBACK_HOST} in this stage; use https",
            f"http må her kun bruges til {LOOPBACK_HOST}; brug https",
        )
