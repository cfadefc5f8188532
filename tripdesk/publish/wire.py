"""What a failed HTTP request says about whether it reached the network, for every backend."""

from __future__ import annotations

import ssl

import requests
from urllib3.exceptions import NewConnectionError


def may_have_been_sent(error: requests.RequestException) -> bool:
    """False only when the request certainly never left: no connection, or no trusted one.

    A certificate that fails to verify (a hotel Wi-Fi login page, say) stops the handshake
    before anything is sent; any other TLS error could come mid-answer.
    """
    if isinstance(error, requests.ConnectTimeout):
        return False
    if isinstance(error, requests.ConnectionError):
        reason = getattr(error.args[0], "reason", None) if error.args else None
        if isinstance(reason, NewConnectionError):
            return False
        return not certificate_refused(reason)
    return True


def certificate_refused(reason: object) -> bool:
    """Whether an error, however deeply urllib3 wrapped it, is a certificate that failed."""
    while isinstance(reason, Exception):
        if isinstance(reason, ssl.SSLCertVerificationError):
            return True
        reason = reason.args[0] if reason.args else None
    return False
