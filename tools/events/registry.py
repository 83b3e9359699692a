"""Event handlers: `@handles("rma.received")` on an async `(ctx, event)` function in `tools/<domain>/handlers.py`.

A handler runs in its own unit of work as a system principal (`system:<handler name>` in audit rows); its
writes and the record that it ran commit together, so it never applies an effect twice. It sees one
aggregate's events in order. Raising means "not done": the dispatcher rolls its writes back and retries.
"""

import importlib
import inspect
import pkgutil
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from fnmatch import fnmatchcase
from typing import Any

from db.models import OutboxEvent
from tools.context import ToolContext
from tools.events.catalogue import TOPICS

NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$")


@dataclass(frozen=True)
class Event:
    """An outbox event as handlers and publishers see it (a copy, detached from the database)."""

    id: int
    topic: str
    key: str
    payload: dict[str, Any]
    created_at: datetime

    @classmethod
    def of(cls, row: OutboxEvent) -> "Event":
        """The event stored in an outbox row."""
        return cls(row.id, row.topic, row.key, dict(row.payload or {}), row.created_at)

    def to_json(self) -> dict[str, Any]:
        """The envelope published to brokers: id, topic, key, payload and ISO created_at."""
        return {"id": self.id, "topic": self.topic, "key": self.key, "payload": self.payload,
                "created_at": self.created_at.isoformat()}


HandlerFunc = Callable[[ToolContext, Event], Awaitable[None]]


@dataclass(frozen=True)
class Handler:
    """A named reaction to some topics (exact names or patterns such as `order.*`)."""

    name: str
    topics: tuple[str, ...]
    func: HandlerFunc

    def wants(self, topic: str) -> bool:
        """True when the topic is one this handler reacts to."""
        return any(fnmatchcase(topic, pattern) for pattern in self.topics)


class HandlerRegistry:
    """Handler name -> Handler, filled by `@handles` when handler modules are imported."""

    def __init__(self) -> None:
        self._handlers: dict[str, Handler] = {}

    def add(self, handler: Handler) -> Handler:
        """Register a handler, refusing a duplicate name or a topic the catalogue does not list."""
        if not NAME_PATTERN.match(handler.name):
            raise ValueError(f"handler name {handler.name!r}: use lower_snake words joined by dots")
        if handler.name in self._handlers:
            raise ValueError(f"handler {handler.name!r} is registered twice")
        for pattern in handler.topics:
            if not any(fnmatchcase(name, pattern) for name in TOPICS):
                raise ValueError(f"handler {handler.name}: {pattern!r} matches no topic in tools/events/catalogue.py")
        self._handlers[handler.name] = handler
        return handler

    def handles(self, *topics: str, name: str | None = None) -> Callable[[HandlerFunc], HandlerFunc]:
        """Decorator: register `async def f(ctx, event)` for the topics, named `<domain>.<function>` by default."""

        def decorate(func: HandlerFunc) -> HandlerFunc:
            if not topics or not inspect.iscoroutinefunction(func) or len(inspect.signature(func).parameters) != 2:
                raise TypeError(f"{func.__name__}: a handler is `async def {func.__name__}(ctx, event)` with topics")
            self.add(Handler(name or default_name(func), tuple(topics), func))
            return func

        return decorate

    def all(self) -> list[Handler]:
        """Every handler, by name."""
        return [self._handlers[name] for name in sorted(self._handlers)]


def default_name(func: HandlerFunc) -> str:
    """`after_sales.refund_on_receipt` for `refund_on_receipt` in tools/after_sales/handlers.py."""
    module = func.__module__.removeprefix("tools.").removesuffix(".handlers")
    return f"{module}.{func.__name__}"


HANDLERS = HandlerRegistry()


def handles(*topics: str, name: str | None = None) -> Callable[[HandlerFunc], HandlerFunc]:
    """Register a handler in the process-wide registry: `@handles("rma.received")`."""
    return HANDLERS.handles(*topics, name=name)


def load_handlers() -> HandlerRegistry:
    """Import every domain's handlers module (tools/<domain>/handlers.py) and return the registry."""
    import tools as package

    for info in pkgutil.iter_modules(package.__path__):
        if info.ispkg:
            try:
                importlib.import_module(f"tools.{info.name}.handlers")
            except ModuleNotFoundError as exc:
                if exc.name != f"tools.{info.name}.handlers":
                    raise
    return HANDLERS
