"""One error root for every refusal a tool can give, each with its HTTP status."""

from typing import Any


class DomainError(Exception):
    """A refusal the caller can understand and act on; never a bug."""

    code = "domain_error"
    http_status = 400

    def __init__(self, message: str, *, code: str | None = None, details: Any = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.details = details

    def __str__(self) -> str:
        return self.message


class InvalidInput(DomainError):
    code = "invalid_input"
    http_status = 422


class NotFound(DomainError):
    code = "not_found"
    http_status = 404


class Unauthorized(DomainError):
    code = "unauthorized"
    http_status = 401


class Forbidden(DomainError):
    code = "forbidden"
    http_status = 403


class Conflict(DomainError):
    code = "conflict"
    http_status = 409


class Ambiguous(Conflict):
    """A human reference matched several records; details lists the candidates."""

    code = "ambiguous_reference"


class InvalidTransition(Conflict):
    code = "invalid_transition"


class InsufficientStock(Conflict):
    code = "insufficient_stock"


class PaymentDeclined(DomainError):
    code = "payment_declined"
    http_status = 402
