"""Posting one webhook delivery: to the address that was checked, never to whatever the name resolves to
by the time the connection is made.

urllib3 (what requests is built on) lets a connection pool connect to one address while TLS checks the
certificate against, and sends SNI for, the URL's host name; requests itself offers no way to pin the
address. Redirects are not followed (a 3xx is a failed attempt: it could point anywhere), and only the
first bytes of the answer are read.
"""

from __future__ import annotations

from dataclasses import dataclass

import certifi
import urllib3

from chalicelib.services.webhooks.urls import Target

MAX_ANSWER_BYTES = 4096


@dataclass(frozen=True)
class PostResult:
    status_code: int | None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


class PinnedPoster:
    def __init__(self, *, timeout_seconds: float) -> None:
        # `total` bounds the whole attempt, also against an answer that trickles in byte by byte.
        self._timeout = urllib3.Timeout(
            connect=min(3.0, timeout_seconds), read=timeout_seconds, total=timeout_seconds + 3.0
        )

    def post(self, target: Target, body: bytes, headers: dict[str, str]) -> PostResult:
        host_header = target.host if target.port in (80, 443) else f"{target.host}:{target.port}"
        pool: urllib3.HTTPConnectionPool
        if target.scheme == "https":
            pool = urllib3.HTTPSConnectionPool(
                target.address,
                target.port,
                server_hostname=target.host,
                assert_hostname=target.host,
                cert_reqs="CERT_REQUIRED",
                ca_certs=certifi.where(),
                timeout=self._timeout,
                retries=False,
                maxsize=1,
            )
        else:
            pool = urllib3.HTTPConnectionPool(
                target.address, target.port, timeout=self._timeout, retries=False, maxsize=1
            )
        try:
            answer = pool.urlopen(
                "POST",
                target.path,
                body=body,
                headers={**headers, "Host": host_header},
                redirect=False,
                preload_content=False,
                assert_same_host=False,
            )
            try:
                answer.read(MAX_ANSWER_BYTES)
            finally:
                answer.release_conn()
            return PostResult(status_code=answer.status)
        except urllib3.exceptions.TimeoutError:
            return PostResult(status_code=None, error="timeout")
        except urllib3.exceptions.SSLError:
            return PostResult(status_code=None, error="tls error")
        except urllib3.exceptions.HTTPError as exc:
            return PostResult(status_code=None, error=f"connection failed: {type(exc).__name__}")
        finally:
            pool.close()
