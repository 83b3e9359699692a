"""`shopcrew events`: run the event dispatcher (or drain once) and show delivery status."""

import asyncio
import json
import logging
import signal

import typer
from rich.console import Console
from rich.table import Table

from shopcrew.settings import Settings, get_settings

events_app = typer.Typer(help="Domain events: deliver them to handlers and the broker, show their status.",
                         no_args_is_help=True)
console = Console()


def register(app: typer.Typer) -> None:
    """Add the events sub-app to the CLI."""
    app.add_typer(events_app, name="events")


@events_app.command("run")
def run(once: bool = typer.Option(False, "--once", help="Deliver everything due, then exit.")) -> None:
    """Deliver outbox events to their handlers and the broker relay until stopped (Ctrl-C or SIGTERM)."""
    from db.migrate import upgrade

    settings = get_settings()
    upgrade(settings.database_url)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    asyncio.run(_run(settings, once))


async def _run(settings: Settings, once: bool) -> None:
    from db.engine import make_engine, make_sessionmaker
    from shopcrew.events import dispatcher_for

    engine = make_engine(settings.database_url)
    dispatcher = dispatcher_for(settings, make_sessionmaker(engine))
    try:
        if once:
            console.print((await dispatcher.drain()).line())
            if dispatcher.publisher is None:
                console.print("no broker configured (SHOPCREW_EVENTS_NATS_URL): relay deliveries keep waiting")
            return
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await dispatcher.run(stop, settings.events_poll_seconds)
    finally:
        await dispatcher.close()
        await engine.dispose()


@events_app.command("status")
def status(as_json: bool = typer.Option(False, "--json", help="Print JSON instead of tables.")) -> None:
    """Show the outbox backlog, what the broker has, and deliveries per handler and status."""
    from db.migrate import upgrade

    settings = get_settings()
    upgrade(settings.database_url)
    stats = asyncio.run(_stats(settings))
    broker = f"{settings.events_nats_url} stream {settings.events_stream}" if settings.nats_servers else "none"
    if as_json:
        typer.echo(json.dumps({"broker": broker, **stats.model_dump(mode="json")}, indent=2))
        return
    console.print(f"broker: {broker}")
    console.print(f"events: {stats.events} ({stats.waiting_for_dispatch} waiting for dispatch, "
                  f"{stats.published} published, {stats.unpublished} not published)")
    console.print(f"dead letters: {stats.dead_letters}; retrying: {stats.retrying}")
    table = Table("handler", "pending", "retrying", "delivered", "dead", "oldest open event")
    for h in stats.handlers:
        oldest = h.oldest_open_event_at.isoformat(timespec="seconds") if h.oldest_open_event_at else ""
        table.add_row(h.handler, str(h.pending), str(h.retrying), str(h.delivered), str(h.dead), oldest)
    console.print(table)


async def _stats(settings: Settings):
    from db.engine import make_engine, make_sessionmaker
    from tools.events import service

    engine = make_engine(settings.database_url)
    try:
        async with make_sessionmaker(engine)() as session:
            return await service.stats(session)
    finally:
        await engine.dispose()
