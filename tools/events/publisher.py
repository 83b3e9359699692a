"""Publishers the relay hands events to: the EventPublisher protocol and NATS JetStream.

JetStream stores each event once: the message id (`Nats-Msg-Id`) is the outbox id, so a second publish
of the same event within the stream's duplicate window is acknowledged as a duplicate and not stored.
"""

import asyncio
import json
import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

import nats
from nats.aio.client import Client
from nats.js import JetStreamContext
from nats.js.api import StorageType, StreamConfig
from nats.js.errors import NotFoundError

from tools.events.registry import Event

log = logging.getLogger("shopcrew.events")


class EventPublisher(Protocol):
    """A broker the relay publishes to; publishing the same event id twice must store it once."""

    target: str

    async def connect(self) -> None:
        """Make sure the broker is reachable (raise when it is not); cheap when already connected."""
        ...

    async def publish(self, event: Event) -> None:
        """Store the event at the broker (raise when the broker did not confirm it)."""
        ...

    async def close(self) -> None:
        """Release the connection."""
        ...


@dataclass(frozen=True)
class JetStreamConfig:
    """Where and how events go to NATS JetStream (from the SHOPCREW_EVENTS_* settings)."""

    servers: tuple[str, ...]
    stream: str = "SHOPCREW_EVENTS"
    subject_prefix: str = "shopcrew.events"
    credentials: str | None = None
    # Used only when Shopcrew creates the stream; an existing stream is used as it is.
    max_age: timedelta = timedelta(days=7)
    duplicate_window: timedelta = timedelta(hours=1)
    timeout_seconds: float = 5.0

    def subject(self, topic: str) -> str:
        """`shopcrew.events.order.placed` for the topic `order.placed`."""
        return f"{self.subject_prefix}.{topic}"


class NatsJetStreamPublisher:
    """Publishes events to a JetStream stream, creating the stream when it is missing."""

    def __init__(self, config: JetStreamConfig):
        self.config = config
        self.target = f"{', '.join(config.servers)} stream {config.stream}"
        self._client: Client | None = None
        self._jetstream: JetStreamContext | None = None
        self._lock = asyncio.Lock()

    async def connect(self) -> None:
        """Connect and make sure the stream exists, unless already connected."""
        await self._connected()

    async def publish(self, event: Event) -> None:
        """Publish the event's JSON envelope with the outbox id as message id; JetStream acknowledges it."""
        js = await self._connected()
        headers = {"Nats-Msg-Id": str(event.id), "Shopcrew-Topic": event.topic, "Shopcrew-Key": event.key}
        await js.publish(self.config.subject(event.topic), json.dumps(event.to_json()).encode(), headers=headers,
                         stream=self.config.stream, timeout=self.config.timeout_seconds)

    async def close(self) -> None:
        """Flush and close the connection, if one was opened."""
        client, self._client, self._jetstream = self._client, None, None
        if client is not None and not client.is_closed:
            await client.drain()

    async def _connected(self) -> JetStreamContext:
        async with self._lock:
            if self._jetstream is None or self._client is None or self._client.is_closed:
                client = await nats.connect(
                    servers=list(self.config.servers), name="shopcrew-event-relay",
                    user_credentials=self.config.credentials, connect_timeout=self.config.timeout_seconds,
                    # One quick try per server, no client-side reconnect loop: the dispatcher connects again
                    # on its next pass, and until then relay deliveries wait instead of spending attempts.
                    allow_reconnect=False, max_reconnect_attempts=1, reconnect_time_wait=0.2, error_cb=_log_error,
                )
                jetstream = client.jetstream(timeout=self.config.timeout_seconds)
                try:
                    await ensure_stream(jetstream, self.config)
                except BaseException:
                    await client.close()
                    raise
                self._client, self._jetstream = client, jetstream
            return self._jetstream


async def _log_error(exc: Exception) -> None:
    log.debug("nats: %s", exc)


async def ensure_stream(js: JetStreamContext, config: JetStreamConfig) -> None:
    """Create the stream for `<prefix>.>` unless a stream of that name exists (then it is used as it is)."""
    try:
        await js.stream_info(config.stream)
    except NotFoundError:
        await js.add_stream(StreamConfig(
            name=config.stream, subjects=[f"{config.subject_prefix}.>"], storage=StorageType.FILE,
            max_age=config.max_age.total_seconds(), duplicate_window=config.duplicate_window.total_seconds(),
            description="Shopcrew domain events (subject = prefix + topic, message id = outbox id)",
        ))
