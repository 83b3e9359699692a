"""`shopcrew eval`: run a dataset of cases through the crew and write reports; `eval compare` pairs two runs."""

import asyncio
import json
from datetime import datetime
from enum import StrEnum
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from shopcrew.settings import get_settings

console = Console()
# Other commands (tau-replay, tau) are added to this same sub-app by their own modules.
evals_app = typer.Typer(help="Measure the crew: run a dataset and write reports, or compare two runs.")


class ModelName(StrEnum):
    LOCAL = "local"
    OPENAI = "openai"


def register(app: typer.Typer) -> None:
    """Add the eval sub-app to the CLI."""
    app.add_typer(evals_app, name="eval")


@evals_app.callback(invoke_without_command=True)
def run(
    ctx: typer.Context,
    dataset: Path = typer.Option(None, "--dataset", exists=True, dir_okay=False, help="JSONL file of cases."),
    trials: int = typer.Option(1, "--trials", min=1, help="Trials per case (for pass^k and pass@k)."),
    model: ModelName = typer.Option(None, "--model", help="Chat model (default from SHOPCREW_MODEL)."),
    out: Path = typer.Option(None, "--out", help="Output folder (default var/evals/<dataset>-<time>)."),
    jobs: int = typer.Option(2, "--jobs", min=1, help="Trials run at the same time."),
    template: Path = typer.Option(
        None, "--template", exists=True, dir_okay=False, help="Prebuilt SQLite shop to copy instead of seeding one."
    ),
) -> None:
    """Run every case of --dataset on a fresh demo database and write report.json, report.md, report.html."""
    if ctx.invoked_subcommand:
        return
    if dataset is None:
        console.print(ctx.get_help())
        raise typer.Exit(2)
    from evals.checks import expects_write
    from evals.dataset import DatasetError, load_cases
    from evals.report import build_report, write_reports
    from evals.runner import RunConfig, tool_table

    settings = get_settings().model_copy(update={"model": model.value} if model else {})
    tools = tool_table()
    try:
        cases = load_cases(dataset, tools=tools.keys())
    except DatasetError as exc:
        console.print(f"[red]{exc}[/]")
        raise typer.Exit(2) from None
    # Strict success is judged on state: a write nobody checks would pass even if it never happened.
    unchecked = [case.id for case in cases if expects_write(case, tools) and not case.expect.state]
    if unchecked:
        console.print(f"[yellow]warning: {len(unchecked)} cases expect a write but have no state check: "
                      f"{', '.join(unchecked[:10])}{' ...' if len(unchecked) > 10 else ''}[/]")
    out = out or Path("var/evals") / f"{dataset.stem}-{datetime.now():%Y%m%d-%H%M%S}"
    config = RunConfig(out=out, settings=settings, trials=trials, jobs=jobs, template=template)
    result = _run_with_progress(cases, config)
    model_label = settings.model if settings.model == "local" else f"openai:{settings.openai_model}"
    report = build_report(result, {"dataset": str(dataset), "model": model_label, "jobs": jobs})
    paths = write_reports(report, out)
    _print_summary(report)
    for kind, path in paths.items():
        console.print(f"{kind:>4}: {path}")


def _run_with_progress(cases, config):
    from evals.runner import run_cases

    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    tally = {"done": 0, "passed": 0}
    with Progress(*columns, console=console) as progress:
        task = progress.add_task("building the demo database", total=len(cases) * config.trials)

        def on_trial(_trial, verdict) -> None:
            tally["done"] += 1
            tally["passed"] += verdict.success
            progress.update(task, advance=1, description=f"{tally['passed']}/{tally['done']} passed")

        return asyncio.run(run_cases(cases, config, on_trial))


def _print_summary(report) -> None:
    from evals.tables import summary_rows

    meta = report["meta"]
    table = Table("metric", "value", "95% CI", title=f"{meta['cases']} cases x {meta['trials']} trials, "
                                                      f"model {meta['model']}, {meta['seconds']} s")
    for row in summary_rows(report):
        table.add_row(*row)
    console.print(table)
    console.print(f"{len(report['failures'])} failed trials (see report.md)")


@evals_app.command("compare")
def compare_runs(
    a: Path = typer.Argument(..., exists=True, dir_okay=False, help="report.json of run A (the baseline)."),
    b: Path = typer.Argument(..., exists=True, dir_okay=False, help="report.json of run B."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """Compare two runs case by case (McNemar's exact test on success, sign test on latency)."""
    from evals.compare import compare, comparison_table, load_report, paired_lines

    try:
        result = compare(load_report(a), load_report(b))
    except (ValueError, KeyError) as exc:
        console.print(f"[red]cannot compare: {exc}[/]")
        raise typer.Exit(2) from None
    if as_json:
        typer.echo(json.dumps(result, indent=2))
        return
    console.print(comparison_table(result, a_name=f"A ({a.parent.name})", b_name=f"B ({b.parent.name})"))
    for line in paired_lines(result):
        typer.echo(line)
