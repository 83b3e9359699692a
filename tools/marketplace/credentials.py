"""Channel credentials encrypted at rest with Fernet (key from settings); plaintext never leaves this module
except to build a channel client, and never appears in a response, log, audit row, event or error message."""

import json

from cryptography.fernet import Fernet, InvalidToken
from pydantic import SecretStr

from tools.errors import DomainError
from tools.marketplace.runtime import current


class CredentialsUnavailable(DomainError):
    """No usable encryption key is configured (a set-up problem of the server, not the caller's)."""

    code = "credentials_key_missing"
    http_status = 503


def _fernet() -> Fernet:
    key = current().secret_key
    if key is None or not key.get_secret_value().strip():
        raise CredentialsUnavailable(
            "no encryption key is configured for marketplace credentials, so none can be stored: set "
            "SHOPCREW_MARKETPLACE_SECRET_KEY to a Fernet key (see the configuration docs) and try again"
        )
    try:
        return Fernet(key.get_secret_value().strip().encode())
    except ValueError:
        raise CredentialsUnavailable(
            "SHOPCREW_MARKETPLACE_SECRET_KEY is not a valid Fernet key (32 url-safe base64-encoded bytes)",
            code="credentials_key_invalid",
        ) from None


def encrypt(credentials: dict[str, SecretStr]) -> str:
    """The Fernet token of the credentials (field name -> secret value)."""
    plain = {name: value.get_secret_value() for name, value in credentials.items()}
    return _fernet().encrypt(json.dumps(plain, sort_keys=True).encode()).decode()


def decrypt(token: str) -> dict[str, SecretStr]:
    """The stored credentials, each value kept in a SecretStr so it never prints."""
    try:
        plain = json.loads(_fernet().decrypt(token.encode()))
    except InvalidToken:
        raise CredentialsUnavailable(
            "the stored marketplace credentials cannot be decrypted with the configured key (was the key "
            "changed?); set the credentials of this connection again",
            code="credentials_unreadable",
        ) from None
    return {name: SecretStr(value) for name, value in plain.items()}
