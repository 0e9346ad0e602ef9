"""Private-network guard: feeds are third-party input, so their URLs must not reach
loopback, private, link-local, CGNAT, multicast or reserved addresses.

The check runs inside the connection layer (an httpcore network backend): the
host is resolved once, every address is checked, and the socket connects to
the very address that passed, so a DNS answer that changes between check and
connect (rebinding) cannot slip through, and every redirect hop is checked
the same way.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable
from dataclasses import dataclass

import httpcore
import httpx

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class BlockedAddressError(Exception):
    """A request would have gone to an address the policy refuses."""

    def __init__(self, host: str, address: str) -> None:
        super().__init__(f"{host} resolves to {address}, a non-public address (not allowed)")
        self.host = host
        self.address = address


@dataclass(frozen=True)
class AddressPolicy:
    allow_private: bool = False
    allowed: tuple[IPNetwork, ...] = ()

    def permits(self, address: IPAddress) -> bool:
        address = _embedded_ipv4(address) or address
        if any(address in network for network in self.allowed):
            return True
        if self.allow_private:
            return not address.is_unspecified
        # is_global is False for private, loopback, link-local, CGNAT (100.64/10),
        # documentation and reserved ranges; multicast is refused on its own.
        return address.is_global and not address.is_multicast


_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def _embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address inside an IPv6 one that carries it (mapped, 6to4, NAT64,
    IPv4-compatible), so ``::ffff:127.0.0.1`` or ``64:ff9b::a9fe:a9fe`` are judged as
    the IPv4 addresses they reach."""
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    packed = int(address)
    if address in _NAT64 or (packed >> 32 == 0 and packed > 1):
        return ipaddress.IPv4Address(packed & 0xFFFFFFFF)
    return None


def parse_networks(values: Iterable[str]) -> tuple[IPNetwork, ...]:
    """CIDR strings -> networks; raises ValueError naming the bad one."""
    return tuple(ipaddress.ip_network(value, strict=False) for value in values)


class _GuardedBackend(httpcore.AsyncNetworkBackend):
    def __init__(self, policy: AddressPolicy) -> None:
        self._policy = policy
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(
                host, port, type=socket.SOCK_STREAM
            )
        except socket.gaierror as e:
            raise httpcore.ConnectError(f"cannot resolve {host}: {e}") from e
        addresses = list(dict.fromkeys(ipaddress.ip_address(info[4][0]) for info in infos))
        allowed = [address for address in addresses if self._policy.permits(address)]
        if not allowed:
            raise BlockedAddressError(host, str(addresses[0]) if addresses else "nothing")
        return await self._inner.connect_tcp(
            str(allowed[0]),
            port,
            timeout=timeout,
            local_address=local_address,
            socket_options=socket_options,
        )

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise BlockedAddressError(path, "a unix socket")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class GuardedTransport(httpx.AsyncHTTPTransport):
    """httpx's own transport, connecting only to addresses ``policy`` permits."""

    def __init__(self, policy: AddressPolicy, *, limits: httpx.Limits) -> None:
        super().__init__(limits=limits)
        # Same pool httpx builds, with the guarded network backend underneath.
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=_GuardedBackend(policy),
        )
