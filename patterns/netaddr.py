"""IP addresses as AWS's cidr operator reads them, in patterns and in events alike."""

from __future__ import annotations

import ipaddress
import re

__all__ = ["IPV4_SHAPE", "IPV6_SHAPE", "parse_ip"]

IPV4_SHAPE = re.compile(r"[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+")
IPV6_SHAPE = re.compile(r"[0-9a-fA-F:]*:[0-9a-fA-F:]*")


def parse_ip(text: str) -> tuple[int, int] | None:
    """Parse an IP address as AWS's cidr operator and its matcher read one.

    Dotted quads take decimal parts up to 255 (leading zeros read as decimal); IPv6 takes the
    hex-and-colons forms, compressed or not. An IPv4-mapped IPv6 address is its IPv4 address,
    as Java's InetAddress reads it.

    Args:
        text: the address text.

    Returns:
        (version, address as an integer), or None when it is not an address.
    """
    if IPV4_SHAPE.fullmatch(text):
        digits = [p.lstrip("0") or "0" for p in text.split(".")]
        if any(len(d) > 3 for d in digits):  # > 255, and never int() of thousands of digits
            return None
        parts = [int(d) for d in digits]
        if any(p > 255 for p in parts):
            return None
        return 4, (parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]
    if not IPV6_SHAPE.fullmatch(text):
        return None
    try:
        address = ipaddress.IPv6Address(text)
    except ValueError:
        return None
    if address.ipv4_mapped is not None:
        return 4, int(address.ipv4_mapped)
    return 6, int(address)
