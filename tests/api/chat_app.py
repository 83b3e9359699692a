"""The app on the test database with a given chat model, and keys for its callers."""

from contextlib import asynccontextmanager

import httpx

from api.app import create_app
from shopcrew.settings import Settings
from tests import factories as f


@asynccontextmanager
async def running_app(model, database_url, tmp_path):
    """The app with its lifespan started (crew, sessions) and the scripted or local model."""
    app = create_app(Settings(database_url=database_url, data_dir=tmp_path), model=model)
    async with app.router.lifespan_context(app):
        yield app


@asynccontextmanager
async def client_with(model, database_url, tmp_path):
    """An httpx client on the running app."""
    async with running_app(model, database_url, tmp_path) as app:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://shopcrew.test") as client:
            yield client


async def customer_key(sessions, **fields):
    """A new customer and the Authorization header of their key."""
    person = await f.customer(sessions, **fields)
    return person, {"Authorization": f"Bearer {await f.api_key(sessions, owner=person)}"}
