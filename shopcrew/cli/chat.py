"""`shopcrew ask` and `shopcrew chat`: talk to the crew from the terminal."""

import asyncio
import json
from typing import Any

import typer
from rich.console import Console
from rich.prompt import Confirm
from rich.table import Table
from rich.text import Text

from shopcrew.cli.chat_view import badge, confirmation_panel, show_answer
from shopcrew.settings import get_settings

console = Console()
AS_HELP = "Who is asking: customer:<email> or staff:<username> (see docs/demo-data.md)."
COMMANDS = "/thread shows your conversations, /thread <id> switches, /new starts one, /as <principal>, /quit"


async def _principal(crew, label: str):
    from tools.principals import principal_for_label

    async with crew.sessions() as session:
        return await principal_for_label(session, label)


def _error(exc) -> Text:
    return Text.assemble(("error", "red"), f" [{exc.code}]: {exc.message}")


def _show(result) -> None:
    console.print(Text.assemble(badge(result.agent), " ", result.reply))
    for call in result.tool_calls:
        mark = ("ok", "green") if call["ok"] else ("refused", "red")
        console.print(Text.assemble((f"  tool {call['name']}({json.dumps(call['args'])}) ", "dim"), mark))


async def _ask(text: str, label: str, thread: str | None, as_json: bool) -> None:
    from graph.crew import Crew

    async with Crew.open(get_settings()) as crew:
        result = await crew.ask(await _principal(crew, label), text, thread)
    if as_json:
        typer.echo(json.dumps(result.public()))
    else:
        _show(result)
        console.print(f"[dim]thread {result.thread_id}[/]")


class ChatLoop:
    """One terminal conversation: who is speaking, in which thread, and the tool calls seen so far."""

    def __init__(self, crew, principal, thread: str | None):
        self.crew, self.principal, self.thread = crew, principal, thread
        self.args: dict[str, dict] = {}  # tool call id -> arguments, for actions confirmed in a later turn

    async def say(self, text: str) -> None:
        """Send one message, show the answer, and ask for a confirmation when the crew needs one."""
        from tools.errors import DomainError

        steps: dict[str, dict[str, Any]] = {}
        try:
            with console.status("The crew is working…"):
                async for event in self.crew.turn(self.principal, text, self.thread):
                    self._collect(event, steps)
                    if event["event"] == "done":
                        result = event["result"]
        except DomainError as exc:
            console.print(_error(exc))
            return
        self.thread = result.thread_id
        show_answer(console, result.public(), [s for s in steps.values() if s.get("ok") is not None])
        if result.pending_confirmation:
            await self.confirm(result.pending_confirmation)

    def _collect(self, event: dict[str, Any], steps: dict[str, dict[str, Any]]) -> None:
        if event["event"] == "tool_call":
            self.args[event["id"]] = event["args"]
        if event["event"] in ("tool_call", "tool_result"):
            step = steps.setdefault(event["id"], {"args": self.args.get(event["id"], {}), "ok": None})
            step.update({k: v for k, v in event.items() if k != "event"})

    async def confirm(self, pending: dict[str, Any]) -> None:
        """Show the action waiting for a yes or no and send the person's answer."""
        console.print(confirmation_panel(pending))
        go = Confirm.ask("Go ahead?", console=console, default=False)
        await self.say("yes" if go else "no")

    async def command(self, line: str) -> bool:
        """Run a /command; False when the person wants to leave."""
        name, _, arg = line.partition(" ")
        arg = arg.strip()
        if name in ("/quit", "/exit"):
            return False
        if name == "/thread":
            await (self.switch(arg) if arg else self.list_threads())
        elif name == "/new":
            self.thread = None
            console.print("New conversation.")
        elif name == "/as" and arg:
            await self.become(arg)
        else:
            console.print(f"Commands: {COMMANDS}.")
        return True

    async def list_threads(self) -> None:
        from tools.monitoring.threads import threads_of

        async with self.crew.sessions() as session:
            threads = await threads_of(session, self.principal.label)
        console.print(f"Current thread: {self.thread or 'none yet (your next message starts one)'}")
        table = Table(title=f"Conversations of {self.principal.label}", title_justify="left")
        table.add_column("thread", no_wrap=True)
        for column in ("opened with", "messages", "last agent", "last active (UTC)"):
            table.add_column(column, overflow="fold")
        for t in threads:
            table.add_row(t.thread_id, t.title, str(t.turns), t.last_agent, f"{t.updated_at:%Y-%m-%d %H:%M}")
        console.print(table if threads else "No conversations yet.")

    async def switch(self, thread_id: str) -> None:
        from tools.errors import DomainError

        try:
            conversation = await self.crew.conversation(self.principal, thread_id)
        except DomainError as exc:
            console.print(_error(exc))
            return
        self.thread = thread_id
        last = conversation["turns"][-1]
        turns = len(conversation["turns"])
        console.print(f"Switched to thread {thread_id} ({turns} message{'s' if turns != 1 else ''}). Last exchange:")
        console.print(Text.assemble(("you> ", "bold"), last["user"]))
        if last["agent"] and last["reply"]:
            console.print(Text.assemble(badge(last["agent"]), " ", last["reply"]))
        if conversation["pending_confirmation"]:
            await self.confirm(conversation["pending_confirmation"])

    async def become(self, label: str) -> None:
        from tools.errors import DomainError

        try:
            self.principal = await _principal(self.crew, label)
        except DomainError as exc:
            console.print(_error(exc))
            return
        self.thread = None
        console.print(f"Now chatting as {self.principal.label}, in a new conversation.")


async def _chat(label: str, thread: str | None) -> None:
    from graph.crew import Crew

    async with Crew.open(get_settings()) as crew:
        loop = ChatLoop(crew, await _principal(crew, label), thread)
        console.print(f"Chatting as {loop.principal.label}. {COMMANDS}; Ctrl-D also leaves.")
        try:
            while True:
                text = console.input("[bold]you> [/]").strip()
                if text.startswith("/"):
                    if not await loop.command(text):
                        break
                elif text:
                    await loop.say(text)
        except EOFError:
            pass
        if loop.thread:
            console.print(f"[dim]continue later with --thread {loop.thread}[/]")


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
        """Talk to the crew interactively: tables for lists, confirmations asked inline, /thread, /as, /quit."""
        _run(_chat(as_, thread))


def _run(coro) -> None:
    from tools.errors import DomainError

    try:
        asyncio.run(coro)
    except DomainError as exc:
        console.print(_error(exc))
        raise typer.Exit(2) from None
