"""`shopcrew tools`: the registry as a table or JSON."""

import json

import typer
from rich.console import Console
from rich.table import Table


def register(app: typer.Typer) -> None:
    """Add the tools command to the CLI."""

    @app.command()
    def tools(
        as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
        agent: str = typer.Option(None, help="Only this agent's tools."),
    ) -> None:
        """List every tool: name, agent, route, roles, whether it writes and asks to confirm."""
        from tools.registry import load_all

        specs = [t for t in load_all().all() if agent is None or t.agent == agent]
        if as_json:
            typer.echo(json.dumps([t.summary() for t in specs], indent=2))
            return
        table = Table("name", "agent", "method", "path", "roles", "mutates", "confirm")
        for t in specs:
            row = t.summary()
            table.add_row(
                row["name"],
                row["agent"],
                row["method"],
                row["path"],
                ",".join(row["roles"]),
                "yes" if t.mutates else "",
                "yes" if t.confirm else "",
            )
        Console().print(table)
        typer.echo(f"{len(specs)} tools")
