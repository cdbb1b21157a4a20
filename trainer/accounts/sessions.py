"""Signed login tokens, so a browser refresh (a new Streamlit session) stays logged in.

A token is ``<user id>.<expiry, unix seconds>.<nonce>.<signature>`` where the signature is
HMAC-SHA256 over the first three parts **and the user's current password hash**, keyed with
the cookie secret.  So a token

* cannot be forged without the secret,
* stops working at its expiry (:data:`TOKEN_TTL`),
* stops working the moment the password changes or is reset (every device is logged out),
* is refused for an account that has been deactivated.

The secret comes from ``TRAINER_COOKIE_SECRET`` (set the same value on every replica, see
docs/deploy.md); without it a random secret is created once in ``progress/.cookie_secret``
(mode 0600) and reused.  Tokens carry no personal data.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import os
import secrets
from pathlib import Path

from sqlalchemy.orm import Session

from trainer.records.models import User

COOKIE_NAME = "kf_session"
TOKEN_TTL = dt.timedelta(hours=24)
ROOT = Path(__file__).resolve().parents[2]
SECRET_FILE = ROOT / "progress" / ".cookie_secret"


def cookie_secret(path: Path = SECRET_FILE) -> bytes:
    """The signing key: ``TRAINER_COOKIE_SECRET``, else a random one kept in ``path``."""
    env = os.environ.get("TRAINER_COOKIE_SECRET")
    if env:
        return env.encode()
    try:
        return path.read_bytes().strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48).encode()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process created it first: use theirs
        return path.read_bytes().strip()
    with os.fdopen(fd, "wb") as fh:
        fh.write(key)
    return key


def _sign(secret: bytes, payload: str, password_hash: str) -> str:
    mac = hmac.new(secret, f"{payload}|{password_hash}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode().rstrip("=")


def issue_token(user: User, *, now: dt.datetime, secret: bytes) -> str:
    expires = int((now + TOKEN_TTL).timestamp())
    payload = f"{user.id}.{expires}.{secrets.token_urlsafe(8)}"
    return f"{payload}.{_sign(secret, payload, user.password_hash)}"


def user_for_token(
    token: str | None, *, session: Session, now: dt.datetime, secret: bytes
) -> User | None:
    """The active user a valid token belongs to, else None (never raises on bad input)."""
    if not token or not isinstance(token, str) or token.count(".") != 3:
        return None
    payload, _, signature = token.rpartition(".")
    uid, expires, _nonce = payload.split(".")
    if not (uid.isdigit() and expires.isdigit()) or int(expires) < now.timestamp():
        return None
    user = session.get(User, int(uid))
    if user is None or not user.active:
        return None
    expected = _sign(secret, payload, user.password_hash)
    return user if hmac.compare_digest(expected, signature) else None
