"""`shopcrew risk backfill`: store the daily business metrics the risk agent judges."""

import asyncio

import typer

from shopcrew.settings import get_settings

risk_app = typer.Typer(help="Business risk: the daily metric series behind anomaly detection.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    """Add the risk sub-app to the CLI."""
    app.add_typer(risk_app, name="risk")


@risk_app.command("backfill")
def backfill(days: int = typer.Option(90, min=1, max=3650, help="Days of history to store, ending today.")) -> None:
    """Compute and store daily orders, revenue, refunds, payment failures and return rate (MetricSample rows)."""
    from db.migrate import upgrade

    url = get_settings().database_url
    upgrade(url)
    out = asyncio.run(_run(url, days))
    typer.echo(f"{out.samples_written} metric samples stored ({len(out.metrics)} metrics, "
               f"{out.first_day} to {out.last_day})")


async def _run(url: str, days: int):
    """Run the backfill tool as the CLI's admin principal, in one transaction."""
    from db.engine import make_engine, make_sessionmaker
    from db.enums import Role
    from tools.context import Principal
    from tools.registry import load_all
    from tools.runner import execute

    load_all()
    engine = make_engine(url)
    try:
        return await execute(make_sessionmaker(engine), Principal(Role.ADMIN, "cli", "cli"), "backfill_risk_metrics",
                             {"days": days})
    finally:
        await engine.dispose()
