"""`shopcrew serve` and `shopcrew migrate`."""

import typer

from shopcrew.settings import get_settings


def register(app: typer.Typer) -> None:
    """Add the server commands to the CLI."""

    @app.command()
    def migrate(
        new: str = typer.Option(None, "--new", help="Instead: write a migration with this message from the models."),
        rev_id: str = typer.Option(None, "--rev-id", help="Revision id of the new migration, e.g. 0003."),
    ) -> None:
        """Apply database migrations (SHOPCREW_DATABASE_URL), or write a new one with --new."""
        from db.migrate import new_revision, upgrade

        if new:
            if not rev_id:
                raise typer.BadParameter("give the new revision an id with --rev-id, e.g. 0003", param_hint="--rev-id")
            new_revision(new, rev_id)
            return
        upgrade(get_settings().database_url)
        typer.echo("database is up to date")

    @app.command()
    def serve(
        host: str = typer.Option(None, help="Bind address (default from SHOPCREW_HOST)."),
        port: int = typer.Option(None, help="Port (default from SHOPCREW_PORT)."),
        workers: int = typer.Option(1, min=1, help="Worker processes; several need PostgreSQL."),
    ) -> None:
        """Migrate the database and serve the API, docs and chat page."""
        import uvicorn

        from db.migrate import upgrade

        settings = get_settings()
        upgrade(settings.database_url)
        uvicorn.run("api.main:app", host=host or settings.host, port=port or settings.port, workers=workers)
