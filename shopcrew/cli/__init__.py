"""The `shopcrew` command: one sub-command module per area."""

import typer

from shopcrew.cli import chat, evals, events, kb, risk, seed, server, toolbox

app = typer.Typer(help="Shopcrew: run an online shop through a crew of specialist agents.", no_args_is_help=True)
server.register(app)
toolbox.register(app)
seed.register(app)
chat.register(app)
evals.register(app)
kb.register(app)
events.register(app)
risk.register(app)
