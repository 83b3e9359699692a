"""`shopcrew eval verify` (the dataset oracle) and `shopcrew eval routing` (routing over generated paraphrases)."""

import asyncio
import json
import tempfile
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from shopcrew.settings import get_settings

console = Console()


def add_commands(app: typer.Typer) -> None:
    """Register both commands on the eval sub-app."""
    app.command("verify")(verify)
    app.command("routing")(routing)


def _template(folder: Path, given: Path | None) -> Path:
    """The demo shop to check against: a prebuilt one (with its index and feed beside it) or a fresh one."""
    from evals.runner import build_template, index_knowledge

    if given is not None:
        return given
    console.print("building the demo shop (migrations, seed, knowledge index)...")
    template = build_template(folder / "template.db")
    index_knowledge(template, get_settings())
    return template


def verify(
    dataset: list[Path] = typer.Option(..., "--dataset", exists=True, dir_okay=False, help="JSONL file (repeatable)."),
    template: Path = typer.Option(
        None, "--template", exists=True, dir_okay=False,
        help="Prebuilt demo shop (e.g. an eval run's template.db, with chroma/ and marketplace/ beside it).",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of text."),
) -> None:
    """Check every case against the registry and the seeded demo shop; exits 1 when a case is wrong about the data."""
    from evals.dataset import DatasetError, load_cases
    from evals.verify import Oracle
    from tools.registry import load_all

    names = {spec.name for spec in load_all().all()}
    reports, failed = {}, False
    with tempfile.TemporaryDirectory(prefix="shopcrew-verify-") as folder:
        shop = _template(Path(folder), template)
        oracle = Oracle(shop, Path(folder) / "cases")
        for path in dataset:
            try:
                cases = load_cases(path, tools=names)
            except DatasetError as exc:
                console.print(f"[red]{exc}[/]")
                raise typer.Exit(2) from None
            result = asyncio.run(oracle.verify(cases))
            reports[str(path)] = result.as_json()
            failed |= bool(result.errors)
    if as_json:
        typer.echo(json.dumps(reports, indent=2))
    else:
        for path, report in reports.items():
            for finding in report["findings"]:
                colour = "red" if finding["level"] == "error" else "yellow"
                console.print(f"[{colour}]{finding['level']}[/] {finding['case_id']}: {finding['message']}")
            console.print(f"{path}: {report['cases']} cases, {report['executed']} proved by running their calls, "
                          f"{report['errors']} errors, {report['notes']} notes")
    if failed:
        raise typer.Exit(1)


def routing(
    out: Path = typer.Option(None, "--out", help="JSON report file (default var/evals/routing.json)."),
    per_example: int = typer.Option(4, "--per-example", min=1, help="Paraphrases generated per registry example."),
    seed: int = typer.Option(0, "--seed", help="Seed of the deterministic generator."),
    limit: int = typer.Option(None, "--limit", min=1, help="Only N paraphrases spread over the set (a quick look)."),
) -> None:
    """Routing accuracy of the supervisor over paraphrases of the registry's examples, overall and per agent."""
    from evals.paraphrase import paraphrase_set, spread
    from evals.routing import measure_routing
    from graph.models import make_chat_model
    from tools.registry import load_all

    items = spread(paraphrase_set(load_all(), per_example=per_example, seed=seed), limit)
    report = asyncio.run(measure_routing(make_chat_model(get_settings()), items))
    out = out or Path("var/evals/routing.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2), encoding="utf-8")
    table = Table("agent", "paraphrases", "routed right", title=f"routing over {report['total']} paraphrases")
    for agent, figures in report["per_agent"].items():
        table.add_row(agent, str(figures["total"]), f"{figures['accuracy']:.1%}")
    table.add_row("[b]all[/]", str(report["total"]), f"[b]{report['accuracy']:.1%}[/]")
    console.print(table)
    console.print(f"json: {out}")
