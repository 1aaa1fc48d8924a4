"""Which ``Host:`` headers the Playground's server answers: local ones, and a proxy's names.

Standard library only: the launcher checks ``--trusted-host`` with it before it starts
Voilà, and :mod:`~micrograd_edu.visualize.live.server` applies it to every request.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable

__all__ = [
    "HOST_NAME",
    "allowed_host",
    "bracketed",
    "check_trusted_host",
    "host_name",
    "local_host",
]


def host_name(host: str) -> str:
    """The name in a ``Host:`` header, lower case, without its port or IPv6 brackets."""
    match = re.fullmatch(r"(\[[^\]]*\]|[^:]*)(:\d+)?", host.strip().lower())
    return (match.group(1) if match else "").strip("[]")


def bracketed(name: str) -> str:
    """An IPv6 address as it stands in a URL's netloc (``[fd00::1]``); other names as they are."""
    return f"[{name}]" if ":" in name else name


def local_host(host: str) -> bool:
    """Whether a ``Host:`` header names this machine: ``localhost`` or a loopback address.

    >>> [local_host(h) for h in ("127.0.0.1:8866", "[::1]:80", "LOCALHOST", "127.0.0.1.evil.com")]
    [True, True, True, False]
    """
    name = host_name(host)
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return name == "localhost"


def allowed_host(host: str, trusted: Iterable[str] = ()) -> bool:
    """Whether a ``Host:`` header is served: a local one (:func:`local_host`) or, with any
    port, one of the ``trusted`` names (checked by :func:`check_trusted_host`).

    >>> [allowed_host(h, ["hub.test"]) for h in ("hub.test:8000", "HUB.TEST", "x.hub.test")]
    [True, True, False]
    """
    return local_host(host) or host_name(host) in set(trusted)


HOST_NAME = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))*")


def check_trusted_host(name: str) -> str:
    """A proxy's host name (or IP address) to trust, lower case; ``ValueError`` for anything
    wider or malformed: a pattern, a port, a scheme, a path.

    >>> check_trusted_host("Hub.Example.org"), check_trusted_host("fd00::1")
    ('hub.example.org', 'fd00::1')
    >>> check_trusted_host("*.example.org")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ValueError: a trusted host is one host name or IP address, ...: got '*.example.org'
    """
    text = name.strip().lower()
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        pass
    if len(text) > 253 or not HOST_NAME.fullmatch(text):
        raise ValueError(
            "a trusted host is one host name or IP address, without port, scheme, path or "
            f"wildcard: got {name!r}"
        )
    return text
