"""`shopcrew ask` and `shopcrew chat`: talk to the crew from the terminal."""

import asyncio
import json

import typer
from rich.console import Console

from shopcrew.settings import get_settings

console = Console()
AS_HELP = "Who is asking: customer:<email> or staff:<username> (see docs/demo-data.md)."


async def _principal(crew, label: str):
    from tools.principals import principal_for_label

    async with crew.sessions() as session:
        return await principal_for_label(session, label)


def _show(result) -> None:
    console.print(f"[bold cyan]{result.agent}[/]: {result.reply}")
    for call in result.tool_calls:
        mark = "[green]ok[/]" if call["ok"] else "[red]refused[/]"
        console.print(f"  [dim]tool {call['name']}({json.dumps(call['args'])}) {mark}[/]")


async def _ask(text: str, label: str, thread: str | None, as_json: bool) -> None:
    from graph.crew import Crew

    async with Crew.open(get_settings()) as crew:
        result = await crew.ask(await _principal(crew, label), text, thread)
    if as_json:
        typer.echo(json.dumps(result.public()))
    else:
        _show(result)
        console.print(f"[dim]thread {result.thread_id}[/]")


async def _chat(label: str, thread: str | None) -> None:
    from graph.crew import Crew

    async with Crew.open(get_settings()) as crew:
        principal = await _principal(crew, label)
        console.print(f"Chatting as {principal.label}. Empty line or Ctrl-D to leave.")
        while True:
            try:
                text = console.input("[bold]you> [/]").strip()
            except EOFError:
                break
            if not text:
                break
            result = await crew.ask(principal, text, thread)
            thread = result.thread_id
            _show(result)
        if thread:
            console.print(f"[dim]continue later with --thread {thread}[/]")


def register(app: typer.Typer) -> None:
    """Add ask and chat to the CLI."""

    @app.command()
    def ask(
        text: str = typer.Argument(..., help="The request, in plain language."),
        as_: str = typer.Option(..., "--as", help=AS_HELP),
        thread: str = typer.Option(None, "--thread", help="Continue this conversation."),
        as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
    ) -> None:
        """Ask the crew one thing and print the answer."""
        _run(_ask(text, as_, thread, as_json))

    @app.command()
    def chat(
        as_: str = typer.Option(..., "--as", help=AS_HELP),
        thread: str = typer.Option(None, "--thread", help="Continue this conversation."),
    ) -> None:
        """Talk to the crew interactively; confirmations are asked inline."""
        _run(_chat(as_, thread))


def _run(coro) -> None:
    from tools.errors import DomainError

    try:
        asyncio.run(coro)
    except DomainError as exc:
        console.print(f"[red]error[/] [{exc.code}]: {exc.message}")
        raise typer.Exit(2) from None
