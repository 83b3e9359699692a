"""`shopcrew serve` runs the event dispatcher for the app's lifetime and stops it cleanly on shutdown."""

import asyncio

from sqlalchemy import select

from api.app import create_app
from db.models import OutboxEvent
from shopcrew.settings import Settings
from tests.tools.event_helpers import emit_events


async def wait_until(check, seconds: float = 30) -> None:
    """Poll `check()` until it is true (the dispatcher works in the background)."""

    async def poll():
        while not await check():
            await asyncio.sleep(0.05)

    await asyncio.wait_for(poll(), seconds)


async def column(sessions, event_id: int, name: str):
    async with sessions() as s:
        return await s.scalar(select(getattr(OutboxEvent, name)).where(OutboxEvent.id == event_id))


async def test_the_app_lifespan_starts_and_stops_the_dispatcher(sessions, database_url):
    app = create_app(Settings(database_url=database_url, events_poll_seconds=0.05))
    async with app.router.lifespan_context(app):
        task = app.state.dispatcher_task
        assert not task.done() and app.state.dispatcher.publisher is None
        [event_id] = await emit_events(sessions, ("customer.created", "c1"))
        await wait_until(lambda: column(sessions, event_id, "dispatched_at"))
    assert task.done() and task.exception() is None


async def test_the_app_relays_events_to_the_configured_broker(sessions, database_url, jetstream):
    config, js = jetstream
    settings = Settings(database_url=database_url, events_poll_seconds=0.05, events_nats_url=config.servers[0],
                        events_stream=config.stream, events_subject_prefix=config.subject_prefix)
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        [event_id] = await emit_events(sessions, ("customer.created", "c1"))
        await wait_until(lambda: column(sessions, event_id, "published_at"))
    message = await js.get_msg(config.stream, 1)
    assert message.headers["Nats-Msg-Id"] == str(event_id) and message.subject.endswith(".customer.created")


async def test_the_dispatcher_can_be_left_to_a_separate_process(database_url):
    app = create_app(Settings(database_url=database_url, events_dispatcher=False))
    async with app.router.lifespan_context(app):
        assert app.state.dispatcher is None
