"""The hardening suites share one seeded demo shop per module (SQLite, or PostgreSQL under -m db with
SHOPCREW_TEST_POSTGRES_URL set)."""

import httpx
import pytest
import pytest_asyncio

from api.app import create_app
from shopcrew.settings import Settings
from tests.conftest import POSTGRES_URL
from tests.hardening.shop import new_shop_url, seeded_shop


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    """The demo shop in its own database, dropped after the module."""
    with seeded_shop(new_shop_url(POSTGRES_URL, tmp_path_factory.mktemp("shop"))) as seeded:
        yield seeded


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def client(shop, tmp_path_factory):
    """An httpx client on the app serving the shop with the local model (no event dispatcher: the suites
    read the outbox as the requests left it)."""
    settings = Settings(database_url=shop.url, data_dir=tmp_path_factory.mktemp("var"), events_dispatcher=False)
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://shopcrew.test", timeout=60) as http:
            yield http
