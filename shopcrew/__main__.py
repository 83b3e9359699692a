"""`python -m shopcrew` runs the CLI."""

from shopcrew.cli import app

app()
