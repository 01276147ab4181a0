"""Where a webhook may point, and the signature a vendor checks."""

from __future__ import annotations

import pytest

from chalicelib.services.webhooks.delivery import RetryPolicy
from chalicelib.services.webhooks.signatures import sign, signature_header, verify
from chalicelib.services.webhooks.urls import UrlRefused, address_allowed, check_url, target_of

PUBLIC = "93.184.215.14"


def resolving_to(*addresses: str):
    def resolver(host: str, port: int) -> list[str]:
        return list(addresses)

    return resolver


@pytest.mark.parametrize(
    "address",
    [
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "100.64.0.1",  # shared address space (carrier NAT)
        "127.0.0.1",
        "0.0.0.0",  # noqa: S104 - an address refused, not one bound to
        "169.254.169.254",  # the instance metadata service
        "fd00:ec2::254",  # the IPv6 instance metadata service (unique local)
        "fe80::1",
        "::1",
        "::ffff:10.0.0.1",  # a private IPv4 address written as IPv6
        "224.0.0.1",
        "240.0.0.1",
        "not-an-address",
    ],
)
def test_in_aws_no_address_but_a_public_one_is_allowed(address: str):
    assert not address_allowed(address, allow_loopback=False)


def test_a_public_address_is_allowed_and_loopback_only_where_it_may_be():
    assert address_allowed(PUBLIC, allow_loopback=False)
    assert address_allowed("2606:4700:4700::1111", allow_loopback=False)
    assert address_allowed("127.0.0.1", allow_loopback=True)
    assert not address_allowed("10.0.0.1", allow_loopback=True)


def test_a_name_is_refused_when_any_address_it_resolves_to_is_not_public():
    with pytest.raises(UrlRefused, match=r"10\.0\.0\.7"):
        target_of(
            "https://hooks.example.org/x", allow_loopback=False, resolver=resolving_to(PUBLIC, "10.0.0.7")
        )


def test_the_delivery_connects_to_the_checked_address_and_keeps_the_name_for_tls():
    target = target_of(
        "https://hooks.example.org:8443/godkend?v=1", allow_loopback=False, resolver=resolving_to(PUBLIC)
    )
    assert (target.scheme, target.host, target.port, target.path, target.address) == (
        "https",
        "hooks.example.org",
        8443,
        "/godkend?v=1",
        PUBLIC,
    )


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/hook",  # fine locally, not in AWS
        "http://93.184.215.14/hook",
        "ftp://hooks.example.org/",
        "https:///nohost",
        "https://user@hooks.example.org/",
        "https://hooks.example.org/#fragment",
        "https://hooks.example.org/a b",
        "https://hooks.example.org:99999/",
        "https://" + "a" * 2050 + ".org/",
    ],
)
def test_urls_that_are_not_https_to_a_host_are_refused_in_aws(url: str):
    with pytest.raises(UrlRefused):
        check_url(url, allow_loopback=False)


def test_locally_http_is_for_127_0_0_1_only():
    check_url("http://127.0.0.1:8080/hook", allow_loopback=True)
    with pytest.raises(UrlRefused, match=r"127\.0\.0\.1"):
        check_url("http://localhost:8080/hook", allow_loopback=True)
    with pytest.raises(UrlRefused):
        check_url("http://93.184.215.14/hook", allow_loopback=True)


def test_a_signature_verifies_with_its_secret_only_and_only_for_five_minutes():
    body = b'{"id":"e1"}'
    header = signature_header(body, 1_800_000_000, ["whsec_a"])
    assert header == f"t=1800000000,v1={sign(body, 1_800_000_000, 'whsec_a')}"
    assert verify(header, body, "whsec_a", now=1_800_000_000 + 300)
    assert not verify(header, body, "whsec_a", now=1_800_000_000 + 301)
    assert not verify(header, body, "whsec_b", now=1_800_000_000)
    assert not verify(header, body + b" ", "whsec_a", now=1_800_000_000)


def test_during_an_overlap_either_secret_verifies():
    header = signature_header(b"{}", 1_800_000_000, ["whsec_new", "whsec_old"])
    assert verify(header, b"{}", "whsec_new", now=1_800_000_000)
    assert verify(header, b"{}", "whsec_old", now=1_800_000_000)


def test_retries_wait_four_times_longer_each_time_up_to_four_hours():
    policy = RetryPolicy()
    assert [policy.delay_after(n) for n in range(1, 8)] == [30, 120, 480, 1920, 7680, 14400, 14400]
