"""The address of the person making a request, for the lockout and the audit log.

Behind a proxy REMOTE_ADDR is the proxy's address, so counting failed sign-ins
by it would let five wrong passwords from anyone lock an account for everybody.
X-Forwarded-For is only believed when the request came from one of
TRUSTED_PROXIES, because anyone can send the header: each trusted proxy appends
the address it received the request from, so the right-most entry that is not
itself a trusted proxy is the client. Entries left of it are the client's to
write, and are ignored.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@lru_cache(maxsize=8)
def trusted_networks(values: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(value, strict=False) for value in values)


def parse_address(value: str) -> Address | None:
    """An address from a header entry, also as "1.2.3.4:port" or "[::1]:port"."""
    value = value.strip()
    if value.startswith("[") and "]" in value:
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:
        value = value.split(":")[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    # An IPv4 client seen through an IPv6 socket is the same client.
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped or address


def client_address(request: HttpRequest) -> str | None:
    """The client's address (AXES_CLIENT_IP_CALLABLE and the audit log)."""
    remote = parse_address(request.META.get("REMOTE_ADDR", ""))
    if remote is None:
        return None
    networks = trusted_networks(tuple(getattr(settings, "TRUSTED_PROXIES", ())))

    def trusted(address: Address) -> bool:
        return any(address in network for network in networks)

    if not networks or not trusted(remote):
        return str(remote)
    nearest = remote
    # Several X-Forwarded-For headers arrive joined by commas, in order.
    for entry in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        address = parse_address(entry)
        if address is None:
            # Not an address (or empty): nothing further left can be trusted,
            # so the request is counted against the proxy that passed it on.
            break
        nearest = address
        if not trusted(address):
            break
    return str(nearest)
