"""All configuration in one pydantic-settings class (env prefix SHOPCREW_)."""

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Shopcrew settings, read from the environment and an optional .env file."""

    model_config = SettingsConfigDict(env_prefix="SHOPCREW_", env_file=".env", extra="ignore")

    database_url: str = Field(
        "sqlite:///var/shopcrew.db",
        description="SQLAlchemy URL; sqlite:///file or postgresql+psycopg://user@host/db.",
    )
    data_dir: Path = Field(Path("var"), description="Where local state (Chroma, checkpoints) lives.")
    chroma_path: Path | None = Field(None, description="Chroma directory; defaults to <data_dir>/chroma.")
    model: Literal["local", "openai"] = Field("local", description="Chat model behind the crew.")
    openai_base_url: str | None = Field(None, description="OpenAI-compatible endpoint, e.g. http://vllm:8000/v1.")
    openai_api_key: str = Field("not-needed", description="API key for the OpenAI-compatible endpoint.")
    openai_model: str = Field("gpt-4o-mini", description="Model name at the OpenAI-compatible endpoint.")
    openai_timeout_seconds: float = Field(60.0, gt=0, le=600, description="Give up on one model request after this.")
    openai_max_retries: int = Field(1, ge=0, le=5, description="Retries of a model request that timed out or failed.")
    embeddings: Literal["local", "openai"] = Field("local", description="Embedding backend for knowledge.")
    openai_embedding_model: str = Field("text-embedding-3-small", description="Embedding model name.")
    host: str = Field("127.0.0.1", description="Address the API server binds.")
    port: int = Field(8000, ge=1, le=65535, description="Port the API server binds.")
    agent_model_call_limit: int = Field(8, ge=1, le=50, description="Model calls per agent per turn.")
    agent_tool_call_limit: int = Field(8, ge=1, le=50, description="Tool calls per agent per turn.")
    recursion_limit: int = Field(40, ge=5, le=200, description="LangGraph recursion limit per invoke.")
    events_nats_url: str | None = Field(
        None,
        description="NATS server(s) the event relay publishes to, comma-separated, e.g. nats://127.0.0.1:4222 "
        "(user:password@ or token@ in the URL, tls:// for TLS); unset: events stay in the outbox.",
    )
    events_nats_credentials: Path | None = Field(None, description="NATS credentials file (JWT and NKey seed).")
    events_stream: str = Field(
        "SHOPCREW_EVENTS", pattern=r"^[A-Za-z0-9_-]+$", description="JetStream stream the relay publishes to."
    )
    events_subject_prefix: str = Field(
        "shopcrew.events", pattern=r"^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$",
        description="Subject prefix: an event's subject is <prefix>.<topic>.",
    )
    events_stream_max_age_days: int = Field(
        7, ge=1, le=3650, description="Retention of a stream Shopcrew creates (an existing stream is kept as is)."
    )
    events_dispatcher: bool = Field(True, description="Run the event dispatcher inside `shopcrew serve`.")
    events_poll_seconds: float = Field(1.0, gt=0, le=300, description="How often the dispatcher looks for events.")
    events_max_attempts: int = Field(8, ge=1, le=100, description="Delivery attempts before a dead letter.")
    events_retry_seconds: float = Field(
        5.0, gt=0, le=3600, description="First retry delay; it doubles per attempt, capped at one hour."
    )

    @property
    def nats_servers(self) -> tuple[str, ...]:
        """The NATS URLs of events_nats_url (empty when no broker is configured)."""
        return tuple(url.strip() for url in (self.events_nats_url or "").split(",") if url.strip())
    marketplace_secret_key: SecretStr | None = Field(
        None,
        description="Fernet key that encrypts marketplace credentials at rest; without it none can be stored. "
        'Make one with: python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"',
    )
    marketplace_path: Path | None = Field(
        None, description="Feeds of the sandbox marketplace channel; defaults to <data_dir>/marketplace."
    )

    @property
    def chroma_dir(self) -> Path:
        """Directory of the persistent Chroma store."""
        return self.chroma_path or self.data_dir / "chroma"

    @property
    def marketplace_dir(self) -> Path:
        """Directory of the sandbox channel's feeds (one folder per feed)."""
        return self.marketplace_path or self.data_dir / "marketplace"


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings (tests clear the cache after changing the environment)."""
    return Settings()
