"""`shopcrew seed`: the demo shop, a large shop for benchmarks, or the retail benchmark's data."""

from enum import StrEnum
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from shopcrew.settings import get_settings


class Size(StrEnum):
    SMALL = "small"
    LARGE = "large"


def register(app: typer.Typer) -> None:
    """Add the seed command to the CLI."""

    @app.command()
    def seed(
        size: Size = typer.Option(Size.SMALL, help="small: the demo shop; large: plus 100,000 past orders."),
        from_tau: Path = typer.Option(None, "--from-tau", exists=True, dir_okay=False,
                                      help="Import the retail benchmark's db.json instead of the demo shop."),
        if_empty: bool = typer.Option(False, "--if-empty", help="Do nothing when the database has customers."),
        reset: bool = typer.Option(False, "--reset", help="Empty every table first."),
    ) -> None:
        """Migrate the database and fill it with seed data (SHOPCREW_DATABASE_URL)."""
        from db.migrate import upgrade
        from db.seed.run import SeedRefused, seed_database

        if from_tau and size != Size.SMALL:
            raise typer.BadParameter("--from-tau imports the benchmark alone; drop --size", param_hint="--size")
        url = get_settings().database_url
        upgrade(url)
        console = Console()
        try:
            with ProgressBars(console) as bars:
                result = seed_database(url, size=size.value, tau_path=from_tau, reset=reset, if_empty=if_empty,
                                       progress=bars)
        except SeedRefused as refusal:
            console.print(f"[red]refused:[/red] {refusal}")
            raise typer.Exit(1) from None
        if result.skipped:
            console.print("the database already has customers; nothing to do (--if-empty)")
        else:
            _summary(console, result)
            _write_feeds(console, result.feeds)
        _seed_demo_report(console, url)
        _seed_knowledge(console, url)


def _write_feeds(console: Console, feeds: dict) -> None:
    """Write the demo's sandbox marketplace feed where the sandbox channel reads it."""
    from db.seed.marketplace import write_feeds

    if feeds:
        folder = get_settings().marketplace_dir
        written = write_feeds(folder, feeds)
        console.print(f"sandbox marketplace feed: {len(written)} files in {folder}")


def _seed_demo_report(console: Console, url: str) -> None:
    """Store the demo shop's sales report, computed by the report service (nothing for other data sets)."""
    from tools.backoffice.seed import seed_demo_report

    if seed_demo_report(url):
        console.print("demo sales report stored (see docs/demo-data.md)")


def _seed_knowledge(console: Console, url: str) -> None:
    """Load and publish the knowledge base corpus when the database has none (or refill an empty index)."""
    from shopcrew.cli.kb import open_store
    from tools.knowledge.ingest import seed_knowledge

    store = open_store(get_settings())
    with ProgressBars(console) as bars:
        indexed = seed_knowledge(url, store, progress=bars)
    if indexed:
        console.print(f"knowledge base: {indexed} articles published and indexed ({store.count()} chunks)")


class ProgressBars:
    """A rich progress bar per seeding stage, fed by the seeder's (stage, done, total) calls."""

    def __init__(self, console: Console) -> None:
        self.bars = Progress(TextColumn("{task.description:<17}"), BarColumn(), MofNCompleteColumn(),
                             TimeElapsedColumn(), console=console)
        self.tasks: dict[str, int] = {}

    def __enter__(self) -> "ProgressBars":
        return self

    def __exit__(self, *_exc: object) -> None:
        if self.tasks:
            self.bars.stop()

    def __call__(self, stage: str, done: int, total: int) -> None:
        """Advance the stage's bar (starting the display on the first call)."""
        if not self.tasks:
            self.bars.start()
        if stage not in self.tasks:
            self.tasks[stage] = self.bars.add_task(stage, total=total)
        self.bars.update(self.tasks[stage], completed=done, total=total)


def _summary(console: Console, result) -> None:
    console.print(f"Seeded the {result.source} in {result.seconds:.1f} s")
    table = Table("table", "rows")
    for name, count in sorted(result.counts.items()):
        if count:
            table.add_row(name, f"{count:,}")
    console.print(table)
    if result.keys:
        console.print(f"{len(result.keys)} demo API keys issued; see docs/demo-data.md")
