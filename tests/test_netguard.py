"""The private-network guard's address policy (pure)."""

from __future__ import annotations

import ipaddress

import pytest

from worker.netguard import AddressPolicy, parse_networks

REFUSED = [
    "127.0.0.1",
    "10.1.2.3",
    "172.16.0.1",
    "192.168.1.1",
    "100.64.1.1",
    "169.254.169.254",
    "224.0.0.1",
    "0.0.0.0",
    "192.0.2.1",
    "::1",
    "fe80::1",
    "fc00::1",
    "::",
    # IPv6 spellings of refused IPv4 addresses
    "::ffff:127.0.0.1",
    "::127.0.0.1",
    "2002:7f00:1::1",
    "64:ff9b::a9fe:a9fe",
]
ALLOWED = ["8.8.8.8", "93.184.216.34", "2606:4700::1", "64:ff9b::808:808"]


@pytest.mark.parametrize("address", REFUSED)
def test_non_public_addresses_are_refused(address: str) -> None:
    assert not AddressPolicy().permits(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ALLOWED)
def test_public_addresses_are_allowed(address: str) -> None:
    assert AddressPolicy().permits(ipaddress.ip_address(address))


def test_allowed_networks_are_exceptions_to_the_guard() -> None:
    policy = AddressPolicy(allowed=parse_networks(["10.1.2.0/24"]))
    assert policy.permits(ipaddress.ip_address("10.1.2.9"))
    assert not policy.permits(ipaddress.ip_address("10.1.3.9"))


def test_allow_private_networks_still_refuses_the_unspecified_address() -> None:
    policy = AddressPolicy(allow_private=True)
    assert policy.permits(ipaddress.ip_address("192.168.1.1"))
    assert not policy.permits(ipaddress.ip_address("0.0.0.0"))
