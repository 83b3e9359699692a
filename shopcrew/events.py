"""The event dispatcher and broker publisher the settings describe (for `shopcrew serve` and `shopcrew events`)."""

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shopcrew.settings import Settings
from tools.events.dispatcher import Dispatcher, DispatchPolicy
from tools.events.publisher import EventPublisher, JetStreamConfig, NatsJetStreamPublisher
from tools.events.registry import HandlerRegistry, load_handlers


def publisher_for(settings: Settings) -> EventPublisher | None:
    """The JetStream publisher of SHOPCREW_EVENTS_NATS_URL, or None when no broker is configured."""
    if not settings.nats_servers:
        return None
    credentials = settings.events_nats_credentials
    return NatsJetStreamPublisher(JetStreamConfig(
        servers=settings.nats_servers, stream=settings.events_stream, subject_prefix=settings.events_subject_prefix,
        credentials=str(credentials) if credentials else None,
        max_age=timedelta(days=settings.events_stream_max_age_days),
    ))


def dispatcher_for(settings: Settings, sessions: async_sessionmaker[AsyncSession],
                   handlers: HandlerRegistry | None = None) -> Dispatcher:
    """A dispatcher for every domain's handlers (tools/<domain>/handlers.py) and the configured broker."""
    policy = DispatchPolicy(max_attempts=settings.events_max_attempts,
                            retry_base=timedelta(seconds=settings.events_retry_seconds))
    handlers = handlers if handlers is not None else load_handlers()
    return Dispatcher(sessions, handlers, publisher=publisher_for(settings), policy=policy)
