"""What the marketplace tools need from the process: where sandbox feeds live and the credentials key.

The API, the CLI and the crew configure it once from Settings (`configure_marketplace`); an evaluation
trial or a test may use its own for the current context only (`use_marketplace`), as with knowledge.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path

from pydantic import SecretStr


@dataclass(frozen=True)
class MarketplaceRuntime:
    """The folder of sandbox channel feeds and the Fernet key for credentials (None: none can be stored)."""

    feeds_dir: Path
    secret_key: SecretStr | None = None


_configured = MarketplaceRuntime(Path("var") / "marketplace")
_scoped: ContextVar[MarketplaceRuntime | None] = ContextVar("marketplace_runtime", default=None)


def configure_marketplace(feeds_dir: Path, secret_key: SecretStr | None) -> None:
    """Set the process-wide runtime (API, CLI and crew start-up)."""
    global _configured
    _configured = MarketplaceRuntime(Path(feeds_dir), secret_key)


@contextmanager
def use_marketplace(feeds_dir: Path, secret_key: SecretStr | None) -> Iterator[MarketplaceRuntime]:
    """Use this runtime in the current context only, whatever the process-wide one is."""
    runtime = MarketplaceRuntime(Path(feeds_dir), secret_key)
    token = _scoped.set(runtime)
    try:
        yield runtime
    finally:
        _scoped.reset(token)


def current() -> MarketplaceRuntime:
    """The runtime of the current context (scoped first, then process-wide)."""
    return _scoped.get() or _configured
