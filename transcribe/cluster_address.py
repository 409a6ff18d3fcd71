"""Where a cluster may be: the scheduler address check (loopback and private networks only,
unless ``--allow-remote`` with TLS) and the TLS settings (docs/PRIVACY.md)."""

from __future__ import annotations

import ipaddress
import socket
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from storage.core.errors import FieldScribeError


class ClusterError(FieldScribeError):
    """The cluster cannot be used, or failed while transcribing (the project keeps what was
    written; the same command resumes)."""


class OutsideNetworkError(ClusterError):
    """A scheduler outside this machine and its private network, refused (the recordings
    would leave it); ``host``: the name given."""

    def __init__(self, text: str, host: str) -> None:
        super().__init__(text)
        self.host = host


class TlsMissingError(ClusterError):
    """A ``tls://`` scheduler address given without TLS certificates."""


# ---------------------------------------------------------------------------- the address
def check_address(address: str, *, allow_remote: bool = False, tls: bool = False) -> str:
    """Validate a scheduler address; return it with its scheme (``tcp://`` by default).

    A scheduler on loopback or a private network (10/8, 172.16/12, 192.168/16, fc00::/7,
    link-local) is accepted. Any other is refused: the audio would leave the network, so
    it needs ``allow_remote`` and a ``tls://`` address with TLS configured.

    Raises:
        ClusterError: a malformed or unresolvable address, or a public one without
            ``allow_remote`` and TLS.
    """
    text = address.strip()
    if "://" not in text:
        text = "tcp://" + text
    parts = urlsplit(text)
    if parts.scheme not in ("tcp", "tls") or not parts.hostname:
        raise ClusterError(
            f"{address!r} is not a Dask scheduler address; use tcp://HOST:8786 (or tls://)."
        )
    try:
        port = parts.port or 8786
    except ValueError as exc:
        raise ClusterError(f"{address!r}: the port is not a number.") from exc
    try:
        found = socket.getaddrinfo(parts.hostname, port, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError) as exc:
        raise ClusterError(
            f"Cannot resolve the scheduler's host {parts.hostname!r} ({exc}); nothing was changed."
        ) from exc
    addresses = sorted({str(item[4][0]) for item in found})
    public = [a for a in addresses if not _private(a)]
    if public:
        if not allow_remote:
            raise OutsideNetworkError(
                f"The scheduler {parts.hostname} ({', '.join(public)}) is not on this machine "
                "or a private network: the recordings would leave it. Use a scheduler on your "
                "own network, or pass --allow-remote with a tls:// address and TLS "
                "certificates (--tls-ca-file, --tls-cert, --tls-key) if you mean it. Nothing "
                "was changed.",
                parts.hostname,
            )
        if parts.scheme != "tls" or not tls:
            raise ClusterError(
                f"The scheduler {parts.hostname} is outside your network: --allow-remote needs "
                "a tls:// address and TLS certificates (--tls-ca-file, --tls-cert, --tls-key). "
                "Nothing was changed."
            )
    if parts.scheme == "tls" and not tls:
        # Dask's own words came out instead: "TLS expects a `ssl_context` argument of type
        # ssl.SSLContext (perhaps check your TLS configuration?) Instead got None"
        raise TlsMissingError(
            f"{address}: a tls:// scheduler needs TLS certificates (--tls-ca-file, --tls-cert, "
            "--tls-key); nothing was changed."
        )
    host = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
    return f"{parts.scheme}://{host}:{port}"


def _private(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    return ip.is_loopback or ip.is_private or ip.is_link_local


def tls_security(ca_file: str | None, cert: str | None, key: str | None) -> Any:
    """A ``distributed.Security`` for TLS with these files (None when none is given).

    Raises:
        ClusterError: only some of the three files, or one that does not exist.
    """
    given = [f for f in (ca_file, cert, key) if f]
    if not given:
        return None
    if len(given) != 3:
        raise ClusterError("TLS needs all three of --tls-ca-file, --tls-cert and --tls-key.")
    for name in given:
        if not Path(name).is_file():
            raise ClusterError(f"{name}: no such TLS file.")
    from distributed import Security

    return Security(  # type: ignore[no-untyped-call]
        tls_ca_file=ca_file,
        tls_client_cert=cert,
        tls_client_key=key,
        require_encryption=True,
    )
