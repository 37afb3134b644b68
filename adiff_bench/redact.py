"""Secrets never reach a file or a message: credentials in URLs and secret-named arguments become ``***``.

Run records are shared (leaderboard submissions, bug reports), so anything written from user arguments
goes through :func:`redact_model_args` first, and any text that may echo a secret through :func:`redact_text`.
Credentials decide access, not answers, so dropping them from a record loses nothing needed to re-check it.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Iterable, Mapping

MASK = "***"
# Argument names whose values are secrets wherever they appear (api_key=..., hf_token=..., password=...).
_SECRET_NAME = re.compile(r"(^|_)(api_?key|key|token|secret|password|passwd|auth|credentials?)$", re.IGNORECASE)
# scheme://user[:password]@host... anywhere in a text (an error message quoting a URL, a log line).
_URL_USERINFO = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.\-]*://)(?P<userinfo>[^/\s@]+)@")


def url_credentials(url: str) -> tuple[str | None, str | None]:
    """(user, password) embedded in ``url``, percent-decoded; (None, None) when there are none."""
    parts = urllib.parse.urlsplit(url)
    user = urllib.parse.unquote(parts.username) if parts.username is not None else None
    password = urllib.parse.unquote(parts.password) if parts.password is not None else None
    return user, password


def strip_credentials(url: str) -> str:
    """``url`` without ``user:password@`` (for actually connecting: the credentials go in a header)."""
    parts = urllib.parse.urlsplit(url)
    if "@" not in parts.netloc:
        return url
    netloc = parts.netloc.rsplit("@", 1)[1]
    return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def redact_url(url: str) -> str:
    """``https://user:pw@host/v1`` -> ``https://***@host/v1``: that credentials were given stays visible."""
    return _URL_USERINFO.sub(lambda m: f"{m.group('scheme')}{MASK}@", url)


def redact_text(text: str, secrets: Iterable[str | None] = ()) -> str:
    """``text`` with every given secret (and its percent-encoded form) and every URL's credentials masked."""
    for secret in sorted({s for s in secrets if s and len(s) >= 3}, key=len, reverse=True):
        for form in {secret, urllib.parse.quote(secret, safe="")}:
            text = text.replace(form, MASK)
    return redact_url(text)


def redact_model_args(args: Mapping[str, str] | Iterable[tuple[str, str]]) -> dict[str, str]:
    """Model arguments as they may be written: secret-named values masked, URL credentials masked."""
    items = args.items() if isinstance(args, Mapping) else args
    out: dict[str, str] = {}
    for key, value in items:
        if _SECRET_NAME.search(str(key)) and not str(key).endswith("_env") and value:
            out[key] = MASK
        else:
            out[key] = redact_url(value) if isinstance(value, str) else value
    return out
