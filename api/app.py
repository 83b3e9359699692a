"""The FastAPI application factory."""

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles
from langchain_core.language_models import BaseChatModel
from sqlalchemy import text

from api.chat import router as chat_router
from api.errors import install_error_handlers
from api.identity import router as identity_router
from api.threads import router as threads_router
from api.tool_routes import tool_router
from db.engine import make_engine, make_sessionmaker
from graph.crew import Crew
from shopcrew.events import dispatcher_for
from shopcrew.settings import Settings, get_settings
from tools.events.dispatcher import running
from tools.registry import load_all

STATIC = Path(__file__).parent / "static"


def create_app(settings: Settings | None = None, model: BaseChatModel | None = None) -> FastAPI:
    """Build the app: engine, sessions, crew and event dispatcher on start-up, a route per tool, one error envelope."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = make_engine(settings.database_url)
        app.state.settings = settings
        app.state.engine = engine
        app.state.sessions = make_sessionmaker(engine)
        app.state.dispatcher = None
        async with AsyncExitStack() as stack:
            app.state.crew = await stack.enter_async_context(
                Crew.open(settings, model=model, sessions=app.state.sessions)
            )
            if settings.events_dispatcher:
                # Every API worker runs one; they share the work through row locks (PostgreSQL).
                app.state.dispatcher = dispatcher_for(settings, app.state.sessions)
                app.state.dispatcher_task = await stack.enter_async_context(
                    running(app.state.dispatcher, settings.events_poll_seconds)
                )
            yield
        await engine.dispose()

    app = FastAPI(
        title="Shopcrew API",
        version="0.1.0",
        description="Every tool of the Shopcrew crew as a REST route. Authenticate with `Authorization: Bearer <key>`.",
        lifespan=lifespan,
    )
    install_error_handlers(app)
    app.include_router(tool_router(load_all()))
    app.include_router(chat_router)
    app.include_router(threads_router)
    app.include_router(identity_router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/", include_in_schema=False)
    async def chat_page() -> FileResponse:
        return FileResponse(STATIC / "index.html")

    @app.get("/health", tags=["system"], summary="Liveness and database reachability.")
    async def health() -> dict:
        async with app.state.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        return {"status": "ok", "database": app.state.engine.dialect.name}

    return app
